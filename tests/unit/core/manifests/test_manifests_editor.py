"""The editor's contract with the planner: outcomes per object, facts, isolation, failures."""

from __future__ import annotations

import dataclasses

import pytest

from scheduler.core.changes import Action, Change
from scheduler.core.manifests import (
    EditRequest,
    FileEdit,
    HelmValues,
    ManifestIndex,
    ObjectEdit,
    Outcome,
    ScaleReplicas,
    SetField,
    Suspend,
    build_index,
    edit_file,
    editor,
    plan_edits,
    slices,
)
from scheduler.core.manifests.documents import ParseProblem, compose
from scheduler.core.workloads import WorkloadRef

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  replicas: 3
"""

# The annotations mapping ends with a block scalar at the very end of a file without a final
# newline: a line appended after it would give that scalar a final line break, so the record
# goes in before the block scalar's entry.
TRAILING_BLOCK = """\
apiVersion: apps/v1
kind: Deployment
spec:
  replicas: 2
metadata:
  name: api
  namespace: shop
  annotations:
    note: |
      hello"""


def _index(**files: str) -> ManifestIndex:
    return build_index(sorted((name.replace("__", "/") + ".yaml", t) for name, t in files.items()))


def _sleep(index: ManifestIndex, name: str, method: object = None) -> EditRequest:
    (obj,) = [o for o in index.objects if o.name == name]
    return EditRequest(obj, Action.SLEEP, method or ScaleReplicas(), policy="nights")  # type: ignore[arg-type]


def _only(edits: tuple[FileEdit, ...]) -> FileEdit:
    (edit,) = edits
    return edit


def test_changes_carry_target_file_policy_and_action() -> None:
    """Each CHANGED object reports Change facts the planner can print and record."""
    index = _index(web=WEB)
    edit = _only(plan_edits(index, [_sleep(index, "web")]))
    assert edit.changed
    assert edit.changes == (
        Change(
            target=WorkloadRef("Deployment", "shop", "web"),
            file="web.yaml",
            policy="nights",
            action=Action.SLEEP,
            field="spec.replicas",
            before=3,
            after=0,
        ),
    )


def test_record_goes_before_a_block_scalar_ending_the_file() -> None:
    """Appending after a block scalar at a missing final newline would change it: not done."""
    index = _index(api=TRAILING_BLOCK)
    asleep = _only(plan_edits(index, [_sleep(index, "api")])).new_text
    assert asleep.endswith(
        '  annotations:\n    offhours.dev/original-replicas: "2"\n    note: |\n      hello'
    )
    woken = build_index([("api.yaml", asleep)])
    (obj,) = woken.objects
    assert _only(plan_edits(woken, [EditRequest(obj, Action.WAKE)])).new_text == TRAILING_BLOCK


def test_a_document_that_fails_verification_is_left_and_reported() -> None:
    """A splice that changes more than it should is not made; the file's other edits stay.

    The splices are planned by the editor; one is then widened on purpose (it also adds a
    key), standing in for a bug, to show that the re-parse catches it and isolates it.
    """
    text = WEB + "---\n" + WEB.replace("name: web", "name: api")
    index = _index(both=text)
    requests = [_sleep(index, "web"), _sleep(index, "api")]
    docs = compose(text)
    assert not isinstance(docs, ParseProblem)
    unit, style = editor._Unit(text, docs), editor._Style("\n", '"')
    pending = {n: editor._plan(unit, r, style=style, seen=set()) for n, r in enumerate(requests)}
    broken = pending[1]
    assert isinstance(broken, editor._Pending)
    first, *rest = sorted(broken.document.splices)
    widened = dataclasses.replace(first, text=first.text + "    sneaky: true\n")
    broken.document.splices[:] = [widened, *rest]
    results: dict[int, ObjectEdit] = {}
    new_text = editor._apply_verified(
        "both.yaml",
        unit,
        pending=pending,  # type: ignore[arg-type]
        results=results,
    )
    assert results[0].outcome is Outcome.CHANGED
    assert results[1].outcome is Outcome.FAILED
    assert results[1].message.startswith("both.yaml:9:1: edit not made, it did not verify: ")
    assert "sneaky" in results[1].message
    assert new_text.split("---\n")[1] == WEB.replace("name: web", "name: api")
    assert "replicas: 0" in new_text.split("---\n")[0]


def test_stale_index_is_detected() -> None:
    """Objects indexed from an older text are not edited in a file that changed since."""
    index = _index(web=WEB)
    moved = WEB.replace("name: web", "name: other")
    edit = edit_file("web.yaml", moved, [_sleep(index, "web")])
    (result,) = edit.objects
    assert result.outcome is Outcome.FAILED
    assert "changed since it was indexed" in result.message
    assert edit.new_text == moved


def test_a_file_that_no_longer_parses_fails_every_request() -> None:
    """Broken text is reported per request with its position, never raised."""
    index = _index(web=WEB)
    edit = edit_file("web.yaml", "a: [\n", [_sleep(index, "web")])
    assert edit.objects[0].outcome is Outcome.FAILED
    assert edit.objects[0].message.startswith("web.yaml:2:1: file no longer parses")


def test_two_requests_for_one_object_refuse_the_second() -> None:
    """Conflicting policies on one object: the first request wins, the second is refused."""
    index = _index(web=WEB)
    first, second = _sleep(index, "web"), _sleep(index, "web", ScaleReplicas(1))
    edit = _only(plan_edits(index, [first, second]))
    assert [o.outcome for o in edit.objects] == [Outcome.CHANGED, Outcome.REFUSED]
    assert "already edited by another request" in edit.objects[1].message
    assert "replicas: 0" in edit.new_text


def test_sleep_needs_a_method() -> None:
    """A kind without a default method needs one from the policy."""
    index = _index(web=WEB)
    request = dataclasses.replace(_sleep(index, "web"), method=None)
    result = _only(plan_edits(index, [request])).objects[0]
    assert result.outcome is Outcome.REFUSED
    assert "no sleep method" in result.message


def test_a_value_reading_absent_is_not_recorded_ambiguously() -> None:
    """The text 'absent' is offhours' marker for a missing field, so it is refused."""
    text = WEB.replace("  replicas: 3\n", "  mode: absent\n")
    index = _index(web=text)
    request = _sleep(index, "web", SetField("spec.mode", "off"))
    result = _only(plan_edits(index, [request])).objects[0]
    assert result.outcome is Outcome.REFUSED
    assert "holds the text 'absent'" in result.message


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("'not json'", "not a JSON object"),
        ("'[1, 2]'", "not a JSON object"),
        ('\'{"a": {"b": 1}}\'', "not a JSON object"),
    ],
)
def test_a_tampered_record_is_refused_on_wake(record: str, message: str) -> None:
    """Wake never guesses: a record offhours cannot have written is refused."""
    text = WEB.replace(
        "  namespace: shop\n",
        f"  namespace: shop\n  annotations:\n    offhours.dev/original-field: {record}\n",
    )
    index = _index(web=text)
    (obj,) = index.objects
    assert obj.asleep
    result = _only(plan_edits(index, [EditRequest(obj, Action.WAKE)])).objects[0]
    assert result.outcome is Outcome.REFUSED
    assert message in result.message


def test_wake_restores_every_record_present() -> None:
    """An object slept by two methods over time (replicas, then a field) wakes fully."""
    text = WEB.replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n"
        '    offhours.dev/original-replicas: "5"\n'
        '    offhours.dev/original-field: \'{"spec.paused": "absent"}\'\n',
    ).replace("  replicas: 3\n", "  replicas: 0\n  paused: true\n")
    index = _index(web=text)
    (obj,) = index.objects
    edit = _only(plan_edits(index, [EditRequest(obj, Action.WAKE)]))
    assert edit.new_text == WEB.replace("replicas: 3", "replicas: 5")
    assert [(c.field, c.before, c.after) for c in edit.changes] == [
        ("spec.replicas", 0, 5),
        ("spec.paused", True, None),
    ]


def test_values_and_suspend_on_kinds_that_have_them() -> None:
    """HelmValues on a HelmRelease and Suspend on a CronJob sleep; misfits are refused."""
    release = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
  namespace: apps
spec:
  values:
    replicaCount: "2"
"""
    index = _index(app=release, web=WEB)
    edits = plan_edits(
        index,
        [_sleep(index, "app", HelmValues()), _sleep(index, "web", Suspend())],
    )
    outcomes = {e.path: [o.outcome for o in e.objects] for e in edits}
    assert outcomes == {"app.yaml": [Outcome.CHANGED], "web.yaml": [Outcome.REFUSED]}
    assert 'replicaCount: "0"' in edits[0].new_text


ASLEEP_AT_ZERO = WEB.replace(
    "  namespace: shop\n",
    '  namespace: shop\n  annotations:\n    offhours.dev/original-replicas: "3"\n',
).replace("replicas: 3", "replicas: 0")


@pytest.mark.parametrize(
    ("current", "method", "restored"),
    [
        ("0", ScaleReplicas(1), True),  # the policy changed 0 -> 1 overnight: still ours
        ("1", ScaleReplicas(1), True),
        ("2", ScaleReplicas(1), False),  # someone scaled it by hand: kept
        ("5", None, True),  # no policy any more: nothing to compare with, restored
    ],
)
def test_changed_while_asleep_compares_with_what_sleep_wrote(
    current: str, method: ScaleReplicas | None, restored: bool
) -> None:
    """A field keeps a person's value; offhours' own writes (policy or default) are undone."""
    index = _index(web=ASLEEP_AT_ZERO.replace("replicas: 0", f"replicas: {current}"))
    (obj,) = index.objects
    edit = _only(plan_edits(index, [EditRequest(obj, Action.WAKE, method)]))
    (change,) = edit.changes
    assert change.after == (3 if restored else int(current))
    assert ("changed while asleep" in change.note) is not restored
    assert "offhours.dev" not in edit.new_text


def _pair(old: str, new: str) -> tuple[object, object, object]:
    from scheduler.core.manifests.documents import compose
    from scheduler.core.manifests.verify import Comparison

    (old_doc,) = compose(old)  # type: ignore[misc]
    (new_doc,) = compose(new)  # type: ignore[misc]
    return Comparison(old, new), old_doc.value[0][1], new_doc.value[0][1]


def test_a_block_mapping_is_the_same_whatever_blank_or_comment_lines_follow_it() -> None:
    """Lines inserted after a block mapping change its end mark, not the mapping."""
    cmp, old, new = _pair("a:\n  b: 1\n\n# note\nz: 2\n", "a:\n  b: 1\n\n# note\nc: [x]\nz: 2\n")
    assert cmp.same(old, new)  # type: ignore[attr-defined]


def test_kept_trailing_lines_of_a_block_scalar_are_compared() -> None:
    """A |+ scalar keeps its trailing blank lines: a changed tail is a different value."""
    cmp, old, new = _pair("a:\n  b: |+\n    x\n\n\nz: 2\n", "a:\n  b: |+\n    x\n\nz: 2\n")
    assert not cmp.same(old, new)  # type: ignore[attr-defined]


SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web-svc, namespace: shop}\n"


@pytest.mark.parametrize(
    "header",
    ["", "%YAML 1.1\n---\n", "# {{ not a template here }}\n"],
    ids=["cut", "directive", "braces"],
)
def test_refusals_in_a_later_document_name_the_file_line(header: str) -> None:
    """Cut into documents or edited whole, a refusal points at the right line of the file."""
    anchored = WEB.replace("name: web", "name: api").replace("replicas: 3", "replicas: &n 3")
    text = header + SERVICE + "---\n" + WEB + "---\n" + anchored
    index = _index(both=text)
    edit = edit_file("both.yaml", text, [_sleep(index, "web"), _sleep(index, "api")])
    web, api = edit.objects
    assert web.outcome is Outcome.CHANGED
    line = text.splitlines().index("  replicas: &n 3") + 1
    assert api.outcome is Outcome.REFUSED
    assert api.message.startswith(f"both.yaml:{line}:13: spec.replicas is anchored")
    assert edit.new_text == text.replace("replicas: 3\n", "replicas: 0\n", 1).replace(
        "  namespace: shop\nspec:\n  replicas: 0",
        '  namespace: shop\n  annotations:\n    offhours.dev/original-replicas: "3"\nspec:\n'
        "  replicas: 0",
        1,
    )


def test_a_document_is_cut_from_its_first_line_to_the_next_marker() -> None:
    """slices.bounds: the document's lines, up to the next --- or ... line."""
    text = "# head\n---\n" + WEB + "# tail\n...\n---\n" + SERVICE
    start, end = slices.bounds(text, text.index("apiVersion"))
    assert text[start:end] == WEB + "# tail\n"
    last = text.rindex("apiVersion")
    assert slices.bounds(text, last) == (last, len(text))
    assert slices.sliceable(text)
    assert not slices.sliceable("%YAML 1.1\n---\n" + WEB)
    assert not slices.sliceable(WEB + "sops:\n  mac: x\n")
