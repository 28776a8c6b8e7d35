"""Which HelmRelease and Flux Kustomization targets scale what they render, and where it lives.

A HelmRelease slept with ``action: scale`` (a post-renderer, the default) or ``values``, and a
Kustomization slept with ``action: scale`` (``spec.patches``), turn off the workloads they
render or apply: the energy report gives those workloads' pods to the Flux target
(``scheduler.core.kepler.releases``). A ``suspend`` only stops Flux applying; its workloads keep
their pods. Evidence: the current policies' sleep method for the object, or any ledger entry
that edited ``spec.postRenderers``, ``spec.patches`` or ``spec.values``. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.core.kepler.releases import RENDERED_KINDS, Placement
from scheduler.core.ledger import LedgerEntry
from scheduler.core.manifests import HelmValues, ManifestIndex, ManifestObject, ScaleRendered
from scheduler.core.manifests.documents import BOM, ParseProblem, compose
from scheduler.core.manifests.nodes import str_at
from scheduler.core.targets import Resolution, sleep_method
from scheduler.core.workloads import WorkloadRef

__all__ = ["FLUX_RENDERING_KINDS", "placements", "scales_rendered"]

FLUX_RENDERING_KINDS = ("HelmRelease", "Kustomization")
_RENDERING_FIELDS = ("spec.postRenderers", "spec.patches")


def scales_rendered(field: str) -> bool:
    """Whether a ledger field is a Flux target's edit that turns off what it renders."""
    return field in _RENDERING_FIELDS or field.startswith("spec.values.")


def _target_namespace(index: ManifestIndex, obj: ManifestObject) -> str:
    """``spec.targetNamespace`` of a HelmRelease ("" when absent or unreadable)."""
    text = index.text(obj.file)
    docs = compose(text[len(BOM) :] if text.startswith(BOM) else text)
    if isinstance(docs, ParseProblem) or obj.document >= len(docs):
        return ""
    return str_at(docs[obj.document], "spec", "targetNamespace") or ""


def _placement(index: ManifestIndex, obj: ManifestObject) -> Placement:
    kustomization = index.kustomization(obj)
    if kustomization is None:
        namespace = _target_namespace(index, obj) or obj.namespace
        return Placement(obj.ref, (namespace,) if namespace else ())
    applied = tuple(
        sorted(
            o.ref
            for o in index.objects
            if kustomization.object.id in o.owners and o.kind in RENDERED_KINDS and o.namespace
        )
    )
    namespaces = {w.namespace for w in applied} | {kustomization.target_namespace}
    return Placement(obj.ref, tuple(sorted(n for n in namespaces if n)), applied)


def _claimed(index: ManifestIndex, resolution: Resolution) -> Iterable[ManifestObject]:
    """Flux objects the current policies sleep by scaling what they render."""
    for obj in index.objects:
        claims = resolution.claims_on(obj)
        if not claims or obj.kind not in FLUX_RENDERING_KINDS:
            continue
        try:
            method = sleep_method(obj, claims[0])
        except ValueError:
            continue
        if isinstance(method, ScaleRendered | HelmValues):
            yield obj


def placements(
    index: ManifestIndex, *, resolution: Resolution, entries: Iterable[LedgerEntry] = ()
) -> tuple[Placement, ...]:
    """Every HelmRelease/Kustomization target that scales what it renders, with where those
    objects live; one found only in the ledger and no longer in Git keeps its own namespace."""
    found: dict[WorkloadRef, Placement] = {}
    for obj in _claimed(index, resolution):
        found.setdefault(obj.ref, _placement(index, obj))
    for entry in entries:
        ref = entry.target
        if ref in found or ref.kind not in FLUX_RENDERING_KINDS or not scales_rendered(entry.field):
            continue
        objs = index.find(ref)
        own = (ref.namespace,) if ref.namespace else ()
        found[ref] = _placement(index, objs[0]) if objs else Placement(ref, own)
    return tuple(found[ref] for ref in sorted(found))
