"""Read-only observation of one cluster, plus the one write to Flux objects offhours makes.

Owns ``KubeCluster`` (the ``ClusterReader`` port over ``KubeApi``): live workloads and Flux
objects by reference, batched as one list per kind and namespace when several are wanted in
the same namespace (one GET otherwise); the workloads a HelmRelease or Kustomization deployed,
listed by Flux's labels; the Flux snapshot (every Kustomization, HelmRelease and
source, per configured namespace or cluster-wide) and autoscalers for the delivery checks;
and ``request_reconcile``, which merge-patches ``reconcile.fluxcd.io/requestedAt`` onto a
GitRepository or Kustomization, unless it is suspended (Flux would ignore it).
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from scheduler.adapters.kube import fluxobjects, kinds, workloads
from scheduler.adapters.kube.api import Json, KubeApi
from scheduler.adapters.kube.errors import KindNotServed, KubeForbidden
from scheduler.core import sleepcheck
from scheduler.core.flux import applied
from scheduler.core.flux.sources import PushTarget
from scheduler.core.observations import FluxObject, FluxSnapshot, LiveWorkload
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError, KubeNotFound
from scheduler.settings import KubeSettings

__all__ = ["KubeCluster", "ReconcileOutcome", "ReconcileRequest", "push_target"]

T = TypeVar("T")

#: Kinds a cluster may lack, or RBAC may not grant, without making the snapshot useless.
_OPTIONAL_FLUX_KINDS = frozenset({"OCIRepository", "Bucket"})
#: Workload kinds of add-ons (KEDA) a cluster may lack, or RBAC may not grant.
_OPTIONAL_WORKLOAD_KINDS = frozenset({"ScaledObject"})


class ReconcileOutcome(enum.StrEnum):
    """What ``request_reconcile`` did."""

    REQUESTED = "requested"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class ReconcileRequest:
    """The result of asking Flux to reconcile: the annotation value set, or why not."""

    ref: WorkloadRef
    outcome: ReconcileOutcome
    requested_at: str
    message: str


class KubeCluster:
    """Observations of one cluster (implements ``scheduler.core.observations.ClusterReader``)."""

    def __init__(self, api: KubeApi, *, namespaces: Sequence[str] = ()) -> None:
        self._api = api
        self._namespaces = tuple(namespaces)

    # --- workloads -----------------------------------------------------------------------

    def workload(self, ref: WorkloadRef) -> LiveWorkload:
        """One workload (``KubeNotFound`` when absent)."""
        raw = self._api.get(kinds.by_kind(ref.kind), ref.namespace, ref.name)
        return workloads.live_workload(ref.kind, raw)

    def workloads(self, refs: Iterable[WorkloadRef]) -> dict[WorkloadRef, LiveWorkload | None]:
        """Each workload's live state, ``None`` when absent (batched per kind and namespace)."""
        return self._batched(refs, workloads.live_workload)

    def list_workloads(
        self, kind: str, *, namespace: str | None = None, label_selector: str | None = None
    ) -> tuple[LiveWorkload, ...]:
        """Every workload of ``kind`` (in ``namespace``, or cluster-wide)."""
        raw = self._api.list_objects(
            kinds.by_kind(kind), namespace=namespace, label_selector=label_selector
        )
        return tuple(workloads.live_workload(kind, obj) for obj in raw)

    def deployed_by(self, owner: WorkloadRef, *, kinds: Sequence[str]) -> tuple[LiveWorkload, ...]:
        """The workloads of ``kinds`` Flux deployed for a HelmRelease or Kustomization, found by
        its labels in every namespace offhours reads (a release may render into its
        ``targetNamespace``); KEDA not served, or not granted by RBAC, means no ScaledObjects."""
        selector = sleepcheck.label_selector(owner)
        if selector is None:
            raise ValueError(f"only HelmReleases and Kustomizations deploy by label, not {owner}")
        return self._labelled(kinds, selector=selector)

    def deployed(
        self, owners: Iterable[WorkloadRef], *, kinds: Sequence[str]
    ) -> dict[WorkloadRef, tuple[LiveWorkload, ...]]:
        """``deployed_by`` for each owner: for one, by its own labels; for several, one list
        per kind and Flux controller (every object carrying its name label), grouped by the
        labels, rather than one list per owner."""
        found: dict[WorkloadRef, list[LiveWorkload]] = {ref: [] for ref in owners}
        if len(found) == 1:
            (only,) = found
            return {only: self.deployed_by(only, kinds=kinds)}
        for owner_kind in sorted({ref.kind for ref in found}):
            selector = sleepcheck.label_key(owner_kind)
            if selector is None:
                raise ValueError(
                    f"only HelmReleases and Kustomizations deploy by label, not {owner_kind}"
                )
            for workload in self._labelled(kinds, selector=selector):
                owner = sleepcheck.deployer(owner_kind, workload.labels)
                if owner in found:
                    found[owner].append(workload)
        return {ref: tuple(listed) for ref, listed in found.items()}

    def _labelled(self, kinds: Sequence[str], *, selector: str) -> tuple[LiveWorkload, ...]:
        found: list[LiveWorkload] = []
        for kind in kinds:
            try:
                for namespace in self._scopes(None):
                    found.extend(
                        self.list_workloads(kind, namespace=namespace, label_selector=selector)
                    )
            except (KindNotServed, KubeForbidden):
                if kind not in _OPTIONAL_WORKLOAD_KINDS:
                    raise
        return tuple(found)

    def autoscalers(self, *, namespaces: Sequence[str] | None = None) -> tuple[LiveWorkload, ...]:
        """HPAs and KEDA ScaledObjects (kinds not served, or not granted by RBAC, are skipped)."""
        found: list[LiveWorkload] = []
        for kind in (kinds.HPA, kinds.SCALED_OBJECT):
            for namespace in self._scopes(namespaces):
                try:
                    found.extend(self.list_workloads(kind.kind, namespace=namespace))
                except (KindNotServed, KubeForbidden):
                    break
        return tuple(found)

    # --- Flux ----------------------------------------------------------------------------

    def flux_object(self, ref: WorkloadRef) -> FluxObject:
        """One Flux object (``KubeNotFound`` when absent)."""
        raw = self._api.get(kinds.by_kind(ref.kind), ref.namespace, ref.name)
        return fluxobjects.flux_object(ref.kind, raw)

    def flux_objects(self, refs: Iterable[WorkloadRef]) -> dict[WorkloadRef, FluxObject | None]:
        """Each Flux object, ``None`` when absent (batched per kind and namespace)."""
        return self._batched(refs, fluxobjects.flux_object)

    def list_flux(self, kind: str, *, namespace: str | None = None) -> tuple[FluxObject, ...]:
        """Every Flux object of ``kind`` (in ``namespace``, or cluster-wide)."""
        raw = self._api.list_objects(kinds.by_kind(kind), namespace=namespace)
        return tuple(fluxobjects.flux_object(kind, obj) for obj in raw)

    def flux_snapshot(self, *, namespaces: Sequence[str] | None = None) -> FluxSnapshot:
        """Every Kustomization, HelmRelease and source; kinds not served are listed as such."""
        found: dict[str, list[FluxObject]] = defaultdict(list)
        unavailable: list[str] = []
        for kind in kinds.FLUX_KINDS:
            try:
                for namespace in self._scopes(namespaces):
                    found[kind.kind].extend(self.list_flux(kind.kind, namespace=namespace))
            except KindNotServed:
                unavailable.append(kind.kind)
            except KubeForbidden:
                if kind.kind not in _OPTIONAL_FLUX_KINDS:
                    raise
                unavailable.append(kind.kind)
        return FluxSnapshot(
            kustomizations=tuple(found["Kustomization"]),
            helm_releases=tuple(found["HelmRelease"]),
            sources=tuple(
                obj for kind in ("GitRepository", "OCIRepository", "Bucket") for obj in found[kind]
            ),
            unavailable=tuple(unavailable),
        )

    def request_reconcile(self, ref: WorkloadRef, *, now: datetime) -> ReconcileRequest:
        """Annotate ``ref`` (GitRepository / Kustomization / HelmRelease) to reconcile now."""
        current = self.flux_object(ref)
        stamp = applied.requested_at(now)
        if current.suspended:
            return ReconcileRequest(
                ref,
                ReconcileOutcome.SUSPENDED,
                "",
                f"{ref.kind} {ref.namespace}/{ref.name} is suspended and ignores reconcile "
                "requests; not annotated",
            )
        self._api.merge_patch(
            kinds.by_kind(ref.kind), ref.namespace, ref.name, patch=applied.reconcile_patch(now)
        )
        return ReconcileRequest(
            ref,
            ReconcileOutcome.REQUESTED,
            stamp,
            f"asked {ref.kind} {ref.namespace}/{ref.name} to reconcile ({stamp})",
        )

    # --- batching ------------------------------------------------------------------------

    def _scopes(self, namespaces: Sequence[str] | None) -> Sequence[str | None]:
        chosen = self._namespaces if namespaces is None else tuple(namespaces)
        return chosen or (None,)

    def _batched(
        self, refs: Iterable[WorkloadRef], parse: Callable[[str, Json], T]
    ) -> dict[WorkloadRef, T | None]:
        groups: dict[tuple[str, str], list[WorkloadRef]] = defaultdict(list)
        for ref in dict.fromkeys(refs):
            groups[(ref.kind, ref.namespace)].append(ref)
        result: dict[WorkloadRef, T | None] = {}
        for (kind, namespace), members in groups.items():
            result |= self._fetch_group(kind, namespace, members, parse=parse)
        return result

    def _fetch_group(
        self,
        kind: str,
        namespace: str,
        members: list[WorkloadRef],
        *,
        parse: Callable[[str, Json], T],
    ) -> dict[WorkloadRef, T | None]:
        resource = kinds.by_kind(kind)
        if len(members) == 1 and namespace:
            ref = members[0]
            try:
                return {ref: parse(kind, self._api.get(resource, namespace, ref.name))}
            except KindNotServed:
                raise
            except KubeNotFound:
                return {ref: None}
        listed = self._api.list_objects(resource, namespace=namespace or None)
        by_name: dict[str, list[Json]] = defaultdict(list)
        for obj in listed:
            by_name[str((obj.get("metadata") or {}).get("name", ""))].append(obj)
        return {
            ref: parse(kind, by_name[ref.name][0]) if len(by_name[ref.name]) == 1 else None
            for ref in members
        }


def push_target(settings: KubeSettings, *, branch: str = "", url: str = "") -> PushTarget:
    """Where offhours pushes: ``kube.git_repository`` (``namespace/name``), Git branch and URL."""
    if not settings.git_repository:
        return PushTarget(url=url, branch=branch)
    namespace, _, name = settings.git_repository.partition("/")
    if not namespace or not name or "/" in name:
        raise ConfigError(
            f"kube.git_repository must be namespace/name, e.g. flux-system/flux-system "
            f"(got {settings.git_repository!r})"
        )
    return PushTarget(WorkloadRef("GitRepository", namespace, name), url=url, branch=branch)
