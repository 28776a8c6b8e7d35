"""Which Flux Kustomization applies a given object.

Owns parsing ``status.inventory.entries[].id`` (``<namespace>_<name>_<group>_<kind>``, empty
namespace for cluster-scoped objects) and finding a target's owning Kustomization(s), first
from inventories and, for objects not yet in any inventory, from the
``kustomize.toolkit.fluxcd.io/name``/``namespace`` labels kustomize-controller stamps on
what it applies. Objects rendered by a HelmRelease carry ``helm.toolkit.fluxcd.io/*`` labels.
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from scheduler.core.flux import selectors
from scheduler.core.observations import FluxKind, FluxObject, InventoryEntry
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "HELM_NAMESPACE_LABEL",
    "HELM_NAME_LABEL",
    "KUSTOMIZE_NAMESPACE_LABEL",
    "KUSTOMIZE_NAME_LABEL",
    "OwnerIndex",
    "helm_release_from_labels",
    "kustomization_from_labels",
    "owners",
    "parse_inventory_id",
]

KUSTOMIZE_NAME_LABEL = "kustomize.toolkit.fluxcd.io/name"
KUSTOMIZE_NAMESPACE_LABEL = "kustomize.toolkit.fluxcd.io/namespace"
HELM_NAME_LABEL = "helm.toolkit.fluxcd.io/name"
HELM_NAMESPACE_LABEL = "helm.toolkit.fluxcd.io/namespace"
_ID_PARTS = 4


def parse_inventory_id(entry_id: str, version: str = "") -> InventoryEntry:
    """Parse ``<namespace>_<name>_<group>_<kind>``; raises ``ValueError`` on other shapes.

    Kubernetes names, namespaces, groups and kinds cannot contain ``_``, so the split is exact.
    """
    parts = entry_id.split("_")
    if len(parts) != _ID_PARTS or not parts[1] or not parts[3]:
        raise ValueError(
            f"not a Flux inventory id: {entry_id!r}; expected <namespace>_<name>_<group>_<kind>, "
            "e.g. apps_podinfo_apps_Deployment"
        )
    namespace, name, group, kind = parts
    return InventoryEntry(namespace, name, group, kind, version)


def _entry_is(entry: InventoryEntry, ref: WorkloadRef) -> bool:
    if (entry.kind, entry.name) != (ref.kind, ref.name):
        return False
    if ref.namespace and entry.namespace != ref.namespace:
        return False
    group = selectors.group_of(ref.kind)
    return group is None or entry.group == group


class OwnerIndex:
    """Kustomizations by the objects their inventories list, built once per snapshot."""

    def __init__(self, kustomizations: Iterable[FluxObject]) -> None:
        self._all = tuple(kustomizations)
        self._by_object: dict[tuple[str, str], list[tuple[InventoryEntry, FluxObject]]] = {}
        for kustomization in self._all:
            for entry in kustomization.inventory:
                key = (entry.kind, entry.name)
                self._by_object.setdefault(key, []).append((entry, kustomization))

    def owners(
        self, target: WorkloadRef, *, labels: Mapping[str, str] | None = None
    ) -> tuple[FluxObject, ...]:
        """The Kustomizations whose inventory lists ``target`` (else the one its labels name)."""
        candidates = self._by_object.get((target.kind, target.name), [])
        listed = tuple(dict.fromkeys(k for entry, k in candidates if _entry_is(entry, target)))
        if listed or labels is None:
            return listed
        named = kustomization_from_labels(labels)
        return tuple(k for k in self._all if k.ref == named)


def owners(
    target: WorkloadRef,
    kustomizations: Iterable[FluxObject],
    *,
    labels: Mapping[str, str] | None = None,
) -> tuple[FluxObject, ...]:
    """The Kustomizations whose inventory lists ``target`` (else the one its labels name)."""
    return OwnerIndex(kustomizations).owners(target, labels=labels)


def kustomization_from_labels(labels: Mapping[str, str]) -> WorkloadRef | None:
    """The Kustomization named by kustomize-controller's labels on an applied object."""
    return _from_labels(
        labels,
        FluxKind.KUSTOMIZATION,
        name_key=KUSTOMIZE_NAME_LABEL,
        namespace_key=KUSTOMIZE_NAMESPACE_LABEL,
    )


def helm_release_from_labels(labels: Mapping[str, str]) -> WorkloadRef | None:
    """The HelmRelease named by helm-controller's labels on a rendered object."""
    return _from_labels(
        labels, FluxKind.HELM_RELEASE, name_key=HELM_NAME_LABEL, namespace_key=HELM_NAMESPACE_LABEL
    )


def _from_labels(
    labels: Mapping[str, str], kind: FluxKind, *, name_key: str, namespace_key: str
) -> WorkloadRef | None:
    name, namespace = labels.get(name_key), labels.get(namespace_key)
    if not name or not namespace:
        return None
    return WorkloadRef(kind.value, namespace, name)
