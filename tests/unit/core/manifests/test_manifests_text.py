"""Text building blocks: rendering scalars, splices, lines, parsing, refusals of whole files."""

from __future__ import annotations

import pytest

from scheduler.core.manifests.documents import ParseProblem, compose, scalar_value
from scheduler.core.manifests.lines import is_first_on_line, newline_of, next_line_start
from scheduler.core.manifests.refusals import file_refusal
from scheduler.core.manifests.render import (
    ScalarText,
    annotation_text,
    new_scalar,
    plain_safe,
    preferred_quote,
    render,
    render_key,
)
from scheduler.core.manifests.splice import Splice, apply_splices


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0, "0"),
        (True, "true"),
        (None, "null"),
        (1.5, "1.5"),
        ("web", "web"),
        ("3", '"3"'),
        ("true", '"true"'),
        ("a: b", '"a: b"'),
        ("- x", '"- x"'),
        ('say "hi"\n', '"say \\"hi\\"\\n"'),
    ],
)
def test_new_scalars_read_back_as_written(value: object, written: str) -> None:
    """New values are plain only when they load as the same value; otherwise quoted."""
    scalar = new_scalar(value)  # type: ignore[arg-type]
    assert render(scalar) == written
    assert scalar.loads_as() == value


def test_flow_context_quotes_indicators() -> None:
    """Inside braces a comma or bracket ends a plain scalar, so such strings are quoted."""
    assert plain_safe("a,b")
    assert not plain_safe("a,b", flow=True)
    assert render_key("a{b}", flow=True) == '"a{b}"'


def test_annotation_values_are_always_quoted_strings() -> None:
    """Numbers and markers are quoted; JSON (holding double quotes) is single-quoted."""
    assert render(annotation_text("3")) == '"3"'
    assert render(annotation_text("3", quote="'")) == "'3'"
    assert render(annotation_text('{"a": 1}')) == "'{\"a\": 1}'"
    assert render(ScalarText("it's", "'")) == "'it''s'"


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("a: 1\nb: 'x'\nc: \"y\"\n", "'"),
        ('# don\'t\na: "x"\n', '"'),
        ('a: ["x"]\n', '"'),
        ("a: 1\n", '"'),
    ],
)
def test_the_files_quote_style_is_followed(text: str, quote: str) -> None:
    """The first quoted value decides the quote style of new annotation values."""
    assert preferred_quote(text) == quote


def test_splices_apply_against_the_original_text() -> None:
    """Replacements and insertions compose; same-point insertions follow their rank."""
    text = "abcdef"
    splices = [
        Splice(1, 2, 0, "B"),
        Splice(4, 4, 0, "2"),
        Splice(4, 4, -1, "1"),
        Splice(5, 6, 0, ""),
    ]
    assert apply_splices(text, splices) == "aBcd12e"
    with pytest.raises(ValueError, match="overlapping"):
        apply_splices(text, [Splice(1, 3, 0, ""), Splice(2, 4, 0, "")])


def test_line_arithmetic() -> None:
    """CRLF is detected from the first line; a last line without newline has no successor."""
    assert newline_of("a\r\nb\n") == "\r\n"
    assert newline_of("a\nb\r\n") == "\n"
    assert next_line_start("ab\ncd", 4) is None
    assert next_line_start("ab\ncd", 1) == 3
    assert is_first_on_line("  key: 1", 2)
    assert not is_first_on_line("- key: 1", 2)


def test_parse_problems_carry_their_position() -> None:
    """Syntax errors and forbidden characters are values with 1-based line and column."""
    problem = compose("a: 1\nb: [\n")
    assert isinstance(problem, ParseProblem)
    assert (problem.line, problem.column) == (3, 1)
    control = compose("a: 1\nb: \x07\n")
    assert isinstance(control, ParseProblem)
    assert (control.line, control.column) == (2, 4)
    assert "control characters" in control.reason


def test_scalars_load_as_json_values() -> None:
    """Composed scalars give the value a loader would construct (YAML 1.1 rules)."""
    docs = compose("a: 0x10\nb: yes\nc: ~\nd: '3'\ne: 2.5\nf: 2026-01-01\n")
    assert not isinstance(docs, ParseProblem)
    values = [scalar_value(v) for _, v in docs[0].value]
    assert values == [16, True, None, "3", 2.5, "2026-01-01"]


def _refusal(text: str) -> str | None:
    docs = compose(text)
    assert not isinstance(docs, ParseProblem)
    refusal = file_refusal(text, docs)
    return None if refusal is None else refusal.message


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a: 1\nsops:\n  version: 3.9.0\n", "SOPS-encrypted"),
        ("a: ENC[AES256_GCM,data:AAAA,iv:B,tag:C,type:str]\n", "SOPS-encrypted values"),
        ("replicas: #{ 2 }#\n", "template"),
        ("{% if x %}\na: 1\n{% endif %}\n", None),
        ("image: {{ .Values.image }}\n", "template"),
        ("name: prefix-{{ .Release.Name }}\n", "template"),
    ],
)
def test_files_that_are_never_edited(text: str, reason: str | None) -> None:
    """SOPS files and templates are refused as a whole (Jinja blocks do not even parse)."""
    docs = compose(text)
    if isinstance(docs, ParseProblem):
        assert reason is None
        return
    refusal = file_refusal(text, docs)
    assert refusal is not None
    assert reason is not None
    assert reason in refusal.message


def test_quoted_helm_expressions_do_not_make_a_template() -> None:
    """HelmRelease values often hold "{{ .Release.Name }}" strings: still editable."""
    text = 'values:\n  fullnameOverride: "{{ .Release.Name }}"\n  tpl: |\n    {{ x }}\n'
    assert _refusal(text) is None
