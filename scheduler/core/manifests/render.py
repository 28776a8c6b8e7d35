"""Writing scalar values as YAML text: plain when that reads back unchanged, quoted otherwise.

offhours writes only scalars (replica counts, booleans, annotation strings, recorded values).
A replaced value keeps the quoting style of the token it replaces (``"3"`` becomes ``"0"``,
``3`` becomes ``0``), so restoring the recorded text gives back the original bytes. Annotation
values are always quoted strings. This module renders and predicts what the loader will read;
it does not locate or splice.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Final

from scheduler.core.changes import Scalar
from scheduler.core.manifests.documents import ScalarNode, resolve_plain, scalar_value

__all__ = [
    "ScalarText",
    "annotation_text",
    "new_scalar",
    "plain_safe",
    "preferred_quote",
    "render",
    "render_key",
    "text_of",
]

_STR_TAG: Final = "tag:yaml.org,2002:str"
_PLAIN_FORBIDDEN: Final = re.compile(r"[\x00-\x1f\x7f]|: |:$| #|^[\s]|[\s]$")
_FLOW_INDICATORS: Final = frozenset(",[]{}")
_LEADING_INDICATORS: Final = frozenset("?:,[]{}#&*!|>'\"%@`")
_FIRST_QUOTE: Final = re.compile(r"""^[^#\n'"]*?(?::[ \t]+|-[ \t]+|[\[{,][ \t]*)(['"])""", re.M)
_DOUBLE_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}
#: A character a double-quoted scalar must escape.
_ESCAPED: Final = re.compile(r'[\x00-\x1f\x7f"\\]')


@dataclass(frozen=True, slots=True)
class ScalarText:
    """The text of a scalar and its style: ``""`` plain, ``"'"`` or ``'"'`` quoted."""

    text: str
    style: str = ""

    def loads_as(self) -> Scalar:
        """The value a YAML loader reads from this scalar."""
        if self.style:
            return self.text
        return _plain_value(self.text)


@functools.lru_cache(maxsize=4096)
def _plain_value(text: str) -> Scalar:
    return scalar_value(ScalarNode(resolve_plain(text), text))


def plain_safe(text: str, *, flow: bool = False) -> bool:
    """True when ``text`` can be written unquoted and read back as the same text."""
    if not text or _PLAIN_FORBIDDEN.search(text):
        return False
    first = text[0]
    if first in _LEADING_INDICATORS or (first == "-" and (len(text) == 1 or text[1] == " ")):
        return False
    return not (flow and any(c in _FLOW_INDICATORS for c in text))


def text_of(value: Scalar) -> str:
    """The YAML text of a JSON scalar (``True`` -> ``true``, ``None`` -> ``null``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _double_quoted(text: str) -> str:
    if not _ESCAPED.search(text):
        return '"' + text + '"'
    out = []
    for char in text:
        if char in _DOUBLE_ESCAPES:
            out.append(_DOUBLE_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def render(scalar: ScalarText) -> str:
    """The source text of ``scalar`` in its style."""
    if scalar.style == "'":
        return "'" + scalar.text.replace("'", "''") + "'"
    if scalar.style == '"':
        return _double_quoted(scalar.text)
    return scalar.text


def new_scalar(value: Scalar, *, flow: bool = False) -> ScalarText:
    """A scalar for a new key: plain numbers, booleans and null; strings plain only when they
    read back as the same string, else double-quoted."""
    if not isinstance(value, str):
        return ScalarText(text_of(value))
    plain = ScalarText(value)
    if plain_safe(value, flow=flow) and plain.loads_as() == value:
        return plain
    return ScalarText(value, '"')


def annotation_text(value: str, *, quote: str = '"') -> ScalarText:
    """An annotation value: always a quoted string, in the file's ``quote`` style when the
    value allows it (single quotes for JSON, which holds double quotes)."""
    if quote == "'" or '"' in value or "\\" in value:
        return ScalarText(value, "'")
    return ScalarText(value, '"')


def preferred_quote(text: str, start: int = 0, end: int | None = None) -> str:
    """The quote character ``text[start:end]`` already uses for its first quoted value, so
    lint rules like yamllint's ``quote-type: consistent`` keep passing; ``"`` by default.
    A fast textual look (values after ``: ``, ``- ``, ``[`` or ``{``; comments skipped):
    it only picks a style, never decides what is edited."""
    found = _FIRST_QUOTE.search(text, start, len(text) if end is None else end)
    return found.group(1) if found else '"'


@functools.lru_cache(maxsize=1024)
def render_key(key: str, *, flow: bool = False) -> str:
    """A mapping key: plain when safe (``offhours.dev/original-replicas``), else quoted."""
    return render(new_scalar(key, flow=flow))
