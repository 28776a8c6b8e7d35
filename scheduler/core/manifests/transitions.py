"""What sleep and wake write on one object: the field writes, the state annotation, the facts.

``plan_sleep`` records each target field's current value in the method's state annotation and
sets the field to its sleep value (keeping the token's quoting). ``plan_wake`` reads every
state annotation present, restores each field (or removes it, or writes Flux ``suspend:
false``), and removes the annotation; a field someone changed while asleep is kept and
reported. ``ScaleRendered`` appends offhours' patch entries to a list instead and records the
list's old length; its wake removes exactly the entries carrying offhours' marker (see
``patchsleep``). Both return writes for ``mapedit`` and per-field facts for the plan; neither
touches text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from scheduler.core.changes import Scalar
from scheduler.core.manifests import annotation_keys as keys
from scheduler.core.manifests import patchsleep, records, sleeppatches
from scheduler.core.manifests.documents import Node, ScalarNode, scalar_value
from scheduler.core.manifests.locate import dotted, scalar_at
from scheduler.core.manifests.mapedit import Append, RemoveItems, Write
from scheduler.core.manifests.methods import ScaleRendered, SleepMethod
from scheduler.core.manifests.recipes import (
    OnWakeAbsent,
    Recipe,
    Target,
    recipe_for,
    target_path,
    wake_absent,
)
from scheduler.core.manifests.refusals import Refusal
from scheduler.core.manifests.render import ScalarText, annotation_text, new_scalar, text_of

__all__ = [
    "FieldFact",
    "ObjectPlan",
    "Subject",
    "patch_sleep",
    "plan_sleep",
    "plan_wake",
    "recipe_sleep",
]

_ANNOTATIONS = ("metadata", "annotations")
_FLUX_FALSE_NOTE = (
    "suspend was absent before sleep; written as false because Flux may keep an object "
    "suspended when the field is only removed (fluxcd/flux2#3462)"
)


@dataclass(frozen=True, slots=True)
class Subject:
    """The object being edited: its document and the facts that decide the edit."""

    text: str
    doc: Node
    api_version: str
    kind: str
    annotations: Mapping[str, str]
    self_managing: bool = False
    quote: str = '"'


@dataclass(frozen=True, slots=True)
class FieldFact:
    """One field a transition changes (or would have): dot path, values, note."""

    field: str
    before: Scalar
    after: Scalar
    note: str = ""


@dataclass(frozen=True, slots=True)
class ObjectPlan:
    """The writes of one transition and its facts; ``note`` says why there are no writes."""

    writes: tuple[Write | Append | RemoveItems, ...]
    facts: tuple[FieldFact, ...]
    note: str = ""


def _annotation(state_key: str) -> tuple[str, ...]:
    return (*_ANNOTATIONS, state_key)


def _is_annotation(path: tuple[str, ...]) -> bool:
    return path[:2] == _ANNOTATIONS


def _sleep_scalar(node: ScalarNode | None, target: Target, *, quote: str) -> ScalarText:
    """What sleep writes: in the quoting of the token it replaces, if quoted."""
    value = target.value
    if node is not None and node.style in ("'", '"'):
        return ScalarText(text_of(value), str(node.style))
    if _is_annotation(target.path):
        return annotation_text(text_of(value), quote=quote)
    return new_scalar(value)


def plan_sleep(subject: Subject, method: SleepMethod) -> ObjectPlan:
    """Writes that put the object to sleep with ``method``; raises ``Refusal``."""
    if keys.holds_state(subject.annotations):
        return ObjectPlan((), (), "already asleep")
    if isinstance(method, ScaleRendered):
        return _patch_sleep(subject, method)
    recipe = recipe_for(
        subject.api_version, subject.kind, method, self_managing=subject.self_managing
    )
    return recipe_sleep(
        recipe, lambda path: scalar_at(subject.text, subject.doc, path), quote=subject.quote
    )


def recipe_sleep(
    recipe: Recipe, find: Callable[[tuple[str, ...]], ScalarNode | None], *, quote: str
) -> ObjectPlan:
    """The writes and facts of ``recipe``; ``find`` gives the editable scalar at a path (None
    when absent) and raises ``Refusal`` when it cannot be replaced."""
    writes: list[Write] = []
    facts: list[FieldFact] = []
    record: dict[str, Scalar] = {}
    single = keys.ABSENT
    for target in recipe.targets:
        where = dotted(target.path)
        node = find(target.path)
        if recipe.json:
            record[target.label] = records.json_value(node, where=where)
        else:
            single = records.single_value(node, where=where)
        scalar = _sleep_scalar(node, target, quote=quote)
        writes.append(Write(target.path, scalar))
        before = None if node is None else scalar_value(node)
        after = scalar.loads_as()
        note = (
            "already at the sleep value; recorded so wake restores it"
            if (node is not None and before == after and type(before) is type(after))
            else ""
        )
        facts.append(FieldFact(where, before, after, note))
    state = records.encode_json(record) if recipe.json else single
    writes.append(Write(_annotation(recipe.state_key), annotation_text(state, quote=quote)))
    return ObjectPlan(tuple(writes), tuple(facts))


#: What sleep writes when a policy does not say otherwise, per state annotation.
_DEFAULT_WRITTEN = {
    keys.ORIGINAL_REPLICAS: "0",
    keys.ORIGINAL_SUSPEND: "true",
    keys.ORIGINAL_VALUES: "0",
    keys.ORIGINAL_PAUSED_REPLICAS: "0",
}


def _written(
    subject: Subject, method: SleepMethod | None, *, state_key: str, path: tuple[str, ...]
) -> frozenset[str] | None:
    """The texts sleep may have written at ``path``: the method's value and the default.

    None when unknown (no policy selects the object any more, or it now uses another method):
    the field is then restored as recorded. ``suspend: true`` is always known. The default is
    accepted too, so a policy whose sleep value changed while its objects slept (0 -> 1)
    still wakes them instead of mistaking its own earlier write for a person's.
    """
    if state_key == keys.ORIGINAL_SUSPEND:
        return frozenset({"true"})
    if method is None:
        return None
    try:
        recipe: Recipe = recipe_for(subject.api_version, subject.kind, method, self_managing=False)
    except Refusal:
        return None
    if recipe.state_key != state_key:
        return None
    texts = {text_of(t.value) for t in recipe.targets if t.path == path}
    if not texts:
        return None
    default = _DEFAULT_WRITTEN.get(state_key)
    return frozenset(texts | ({default} if default else set()))


def plan_wake(subject: Subject, method: SleepMethod | None = None) -> ObjectPlan:
    """Writes that wake the object from its state annotations; raises ``Refusal``.

    ``method`` is the one the object slept with, when a policy still selects it: then a field
    that no longer holds what sleep wrote is kept ("changed while asleep", see ``_written``).
    Without it, only ``suspend`` can be checked and other fields are restored as recorded.
    """
    present = [key for key in keys.STATE_KEYS if key in subject.annotations]
    if not present:
        return ObjectPlan((), (), "not asleep")
    writes: list[Write | Append | RemoveItems] = []
    facts: list[FieldFact] = []
    for state_key in present:
        where = sleeppatches.placement_of(state_key)
        if where is not None:
            plan = _patch_wake(subject, where, method)
            writes.extend(plan.writes)
            facts.extend(plan.facts)
            writes.append(Write(_annotation(state_key), None))
            continue
        is_json = state_key in (keys.ORIGINAL_VALUES, keys.ORIGINAL_FIELD)
        text = subject.annotations[state_key]
        for label, original in records.decode(state_key, text, is_json=is_json):
            path = target_path(state_key, label)
            how = wake_absent(subject.api_version, subject.kind, state_key)
            written = _written(subject, method, state_key=state_key, path=path)
            write, fact = _restore(subject, path, original, expected=written, how=how)
            if write is not None:
                writes.append(write)
            facts.append(fact)
        writes.append(Write(_annotation(state_key), None))
    return ObjectPlan(tuple(writes), tuple(facts))


def _restore(
    subject: Subject,
    path: tuple[str, ...],
    original: records.Original,
    *,
    expected: frozenset[str] | None,
    how: OnWakeAbsent,
) -> tuple[Write | None, FieldFact]:
    where = dotted(path)
    node = scalar_at(subject.text, subject.doc, path)
    before = None if node is None else scalar_value(node)
    current = None if node is None else str(node.value)
    if expected is not None and current not in expected:
        shown = "absent" if node is None else repr(before)
        wrote = " or ".join(sorted(expected))
        note = f"changed while asleep: {where} is {shown}, not the {wrote} offhours wrote; kept"
        return None, FieldFact(where, before, before, note)
    if isinstance(original, records.Absent):
        if how is OnWakeAbsent.WRITE_FALSE:
            scalar = ScalarText("false", _style(node))
            return Write(path, scalar), FieldFact(where, before, False, _FLUX_FALSE_NOTE)
        return Write(path, None), FieldFact(where, before, None)
    scalar = ScalarText(original, _style(node)) if node is not None else new_scalar(original)
    return Write(path, scalar), FieldFact(where, before, scalar.loads_as())


def _style(node: ScalarNode | None) -> str:
    return str(node.style) if node is not None and node.style in ("'", '"') else ""


def _patch_sleep(subject: Subject, method: ScaleRendered) -> ObjectPlan:
    step = patchsleep.sleep_writes(
        subject.text,
        subject.doc,
        api_version=subject.api_version,
        kind=subject.kind,
        method=method,
        self_managing=subject.self_managing,
    )
    return patch_sleep(step, quote=subject.quote)


def patch_sleep(step: patchsleep.PatchStep, *, quote: str) -> ObjectPlan:
    """The writes and fact of a ``ScaleRendered`` sleep step: the append, the record."""
    assert step.write is not None
    record = Write(_annotation(step.state_key), annotation_text(step.record, quote=quote))
    return ObjectPlan((step.write, record), (_fact(step),))


def _patch_wake(
    subject: Subject, where: sleeppatches.Placement, method: SleepMethod | None
) -> ObjectPlan:
    recorded = subject.annotations[where.state_key]
    summary = sleeppatches.summary(method) if isinstance(method, ScaleRendered) else ""
    step = patchsleep.wake_writes(
        subject.text, subject.doc, where, recorded=recorded, summary=summary
    )
    return ObjectPlan(() if step.write is None else (step.write,), (_fact(step),))


def _fact(step: patchsleep.PatchStep) -> FieldFact:
    return FieldFact(step.field, step.before, step.after, step.note)
