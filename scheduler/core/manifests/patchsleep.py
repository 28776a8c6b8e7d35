"""Sleep and wake with ``ScaleRendered``: append offhours' patch entries, later remove them.

Sleep appends the entries of ``sleeppatches`` to a HelmRelease's ``spec.postRenderers`` (one
post-renderer) or a Flux Kustomization's ``spec.patches`` and records the list's old length
(or ``absent``) in the state annotation. Wake removes every entry carrying offhours' marker;
the list goes with them if it was absent before sleep and nothing else was added meanwhile,
so the file is byte for byte what it was. An entry holding offhours' marker *and* something
offhours did not write is refused, never deleted: a person's patch is not offhours' to drop.
Refuses Kustomizations that apply their own manifest and kinds without such a list.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.core.changes import Scalar
from scheduler.core.manifests import annotation_keys as keys
from scheduler.core.manifests import kinds, sleeppatches
from scheduler.core.manifests.documents import Node, SequenceNode
from scheduler.core.manifests.locate import locate
from scheduler.core.manifests.mapedit import Append, RemoveItems
from scheduler.core.manifests.methods import ScaleRendered
from scheduler.core.manifests.refusals import Refusal, refuse
from scheduler.core.manifests.seqtext import list_refusal

__all__ = ["PatchStep", "placement_for", "sleep_step", "sleep_writes", "wake_writes"]


@dataclass(frozen=True, slots=True)
class PatchStep:
    """One transition: the list write, the state record, and the fact for the plan."""

    write: Append | RemoveItems | None
    state_key: str
    record: str
    field: str
    before: Scalar
    after: Scalar
    note: str = ""


def placement_for(api_version: str, kind: str, *, self_managing: bool) -> sleeppatches.Placement:
    """Where ``ScaleRendered`` appends on this kind; raises ``Refusal`` when it cannot."""
    if kinds.is_helm_release(api_version, kind):
        return sleeppatches.placement(helm_release=True)
    if not kinds.is_flux_kustomization(api_version, kind):
        raise Refusal(
            f"action 'scale' does not apply to {kind} (expected a Deployment, StatefulSet, "
            "ReplicaSet, HelmRelease or Flux Kustomization); use action 'field' with a field "
            "path and sleep value"
        )
    if self_managing:
        raise Refusal(
            "Kustomization applies its own manifest (its spec.path contains this file): its "
            "patches would scale everything it applies, the Flux controllers included. Scale "
            "the Kustomizations it applies instead"
        )
    return sleeppatches.placement(helm_release=False)


def _items(text: str, doc: Node, where: sleeppatches.Placement) -> SequenceNode | None:
    """The list at the placement's path (None when absent); refuses what is not a list."""
    found = locate(text, doc, where.path)
    if found.key is None or found.value is None:
        return None
    problem = list_refusal(text, found.key, found.value, path=where.path)
    if problem is not None:
        raise problem
    assert isinstance(found.value, SequenceNode)
    return found.value


def sleep_writes(
    text: str,
    doc: Node,
    *,
    api_version: str,
    kind: str,
    method: ScaleRendered,
    self_managing: bool,
) -> PatchStep:
    """The append that puts the object's rendered workloads to sleep; raises ``Refusal``."""
    where = placement_for(api_version, kind, self_managing=self_managing)
    return sleep_step(where, _items(text, doc, where), method)


def sleep_step(
    where: sleeppatches.Placement, items: SequenceNode | None, method: ScaleRendered
) -> PatchStep:
    """The append at ``where``, whose list is ``items`` (None when absent); raises
    ``Refusal`` when the list already holds an offhours entry."""
    old = [] if items is None else list(items.value)
    stale = sleeppatches.ours_in(old, where)
    if stale:
        raise refuse(
            old[stale[0]],
            f"{where.field}[{stale[0]}] already holds an offhours sleep patch but the object "
            f"has no {where.state_key} annotation; remove the entry (or restore the "
            "annotation) by hand",
        )
    record = keys.ABSENT if items is None else str(len(old))
    summary = sleeppatches.summary(method)
    before = None if items is None else len(old)
    note = (
        f"appended offhours' post-renderer ({len(old) + 1} in all)"
        if where.wrapped
        else f"appended {len(sleeppatches.entries(method))} patches"
    )
    return PatchStep(
        Append(where.path, sleeppatches.list_items(method, where)),
        where.state_key,
        record,
        where.field,
        before,
        summary,
        note,
    )


def wake_writes(
    text: str, doc: Node, where: sleeppatches.Placement, *, recorded: str, summary: str
) -> PatchStep:
    """The removal of offhours' entries; raises ``Refusal`` for an entry it cannot drop."""
    items = _items(text, doc, where)
    old = [] if items is None else list(items.value)
    ours = sleeppatches.ours_in(old, where)
    shown = summary or "offhours sleep patch"
    if not ours:
        note = f"changed while asleep: offhours' entry is no longer in {where.field}; kept"
        return PatchStep(None, where.state_key, recorded, where.field, None, None, note)
    for index in ours:
        if not sleeppatches.is_ours(old[index], where):
            raise refuse(
                old[index],
                f"{where.field}[{index}] holds offhours' sleep patch and also patches or keys "
                "offhours did not write; move those into an entry of their own, then wake",
            )
    left = len(old) - len(ours)
    note = _changed_note(where, recorded=recorded, left=left)
    drop = recorded == keys.ABSENT
    after: Scalar = None if (drop and not left) else left
    write = RemoveItems(where.path, tuple(ours), drop_empty=drop)
    return PatchStep(write, where.state_key, recorded, where.field, shown, after, note)


def _changed_note(where: sleeppatches.Placement, *, recorded: str, left: int) -> str:
    expected = 0 if recorded == keys.ABSENT else int(recorded) if recorded.isdigit() else None
    if expected is None or expected == left:
        return ""
    before = "was absent" if recorded == keys.ABSENT else f"held {recorded} entries"
    return (
        f"changed while asleep: {where.field} {before} before sleep and holds {left} "
        "besides offhours' now; kept"
    )
