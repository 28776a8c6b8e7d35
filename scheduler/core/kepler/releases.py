"""Which Flux object rendered a workload: a HelmRelease or Kustomization target that scales
what it renders owns the pods of those Deployments, StatefulSets and CronJobs.

helm-controller labels every object a release renders with ``helm.toolkit.fluxcd.io/name`` and
``helm.toolkit.fluxcd.io/namespace``; kustomize-controller labels what a Kustomization applies
with ``kustomize.toolkit.fluxcd.io/name`` and ``/namespace``. kube-state-metrics exports them on
``kube_deployment_labels``, ``kube_statefulset_labels`` and ``kube_cronjob_labels`` (as
``label_helm_toolkit_fluxcd_io_name`` ...) once they are in its ``--metric-labels-allowlist``.

A workload that is itself a target keeps its pods. Otherwise, first match wins (``Via``):

1. Flux labels on ``kube_<kind>_labels``: the labelled HelmRelease/Kustomization, if it is
   placed; a workload whose Flux labels name no placed target stays its own;
2. no Flux label known, and a placed Kustomization's files in Git define the workload: that
   Kustomization;
3. no Flux label known, and the workload is named ``<release>`` or ``<release>-...`` in a
   placed HelmRelease's namespace (Helm's naming convention): that release, the longest name
   winning. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from scheduler.core.workloads import WorkloadRef

__all__ = [
    "FLUX_LABELS",
    "LABEL_METRICS",
    "RENDERED_KINDS",
    "FluxLabels",
    "Lift",
    "Placement",
    "Placements",
    "Via",
]

#: kube-state-metrics labels metric -> (workload kind, label naming the workload)
LABEL_METRICS: Mapping[str, tuple[str, str]] = {
    "kube_deployment_labels": ("Deployment", "deployment"),
    "kube_statefulset_labels": ("StatefulSet", "statefulset"),
    "kube_cronjob_labels": ("CronJob", "cronjob"),
}
#: Flux kind -> (name label, namespace label) as kube-state-metrics exports them
FLUX_LABELS: Mapping[str, tuple[str, str]] = {
    "HelmRelease": ("label_helm_toolkit_fluxcd_io_name", "label_helm_toolkit_fluxcd_io_namespace"),
    "Kustomization": (
        "label_kustomize_toolkit_fluxcd_io_name",
        "label_kustomize_toolkit_fluxcd_io_namespace",
    ),
}
RENDERED_KINDS = ("Deployment", "StatefulSet", "CronJob")


class Via(StrEnum):
    """How a workload was found to belong to a Flux target."""

    LABELS = "Flux labels in kube-state-metrics"
    GIT = "Kustomization files in Git"
    PREFIX = "release name prefix"


@dataclass(frozen=True)
class Lift:
    """The Flux target that owns a workload, and how that was found."""

    owner: WorkloadRef
    via: Via


@dataclass(frozen=True)
class Placement:
    """A HelmRelease or Kustomization target that scales what it renders or applies.

    ``namespaces``: where those objects live (a HelmRelease's ``spec.targetNamespace``, else
    its own namespace); ``workloads``: the ones its files in Git define (Kustomizations only;
    a chart's objects are not in Git).
    """

    target: WorkloadRef
    namespaces: tuple[str, ...]
    workloads: tuple[WorkloadRef, ...] = ()


class FluxLabels:
    """The Flux objects each workload is labelled with, from ``kube_<kind>_labels`` series."""

    def __init__(self) -> None:
        self._owners: dict[WorkloadRef, frozenset[WorkloadRef]] = {}

    def __len__(self) -> int:
        return len(self._owners)

    def add(self, labels: Mapping[str, str]) -> None:
        """Add one label set; other metrics and series without a Flux label are ignored."""
        found = LABEL_METRICS.get(labels.get("__name__", ""))
        if found is None:
            return
        kind, key = found
        owners = frozenset(
            WorkloadRef(flux_kind, labels[namespace], labels[name])
            for flux_kind, (name, namespace) in FLUX_LABELS.items()
            if labels.get(name) and labels.get(namespace)
        )
        workload = WorkloadRef(kind, labels.get("namespace", ""), labels.get(key, ""))
        if owners and workload.name:
            self._owners[workload] = self._owners.get(workload, frozenset()) | owners

    def owners_of(self, workload: WorkloadRef) -> frozenset[WorkloadRef] | None:
        """The Flux objects labelling ``workload``; None when no Flux label is known."""
        return self._owners.get(workload)


class Placements:
    """The placed Flux targets of one read, indexed for per-pod lookups."""

    def __init__(self, placements: Iterable[Placement], *, targets: Sequence[WorkloadRef]) -> None:
        self.by_target = {p.target: p for p in placements}
        self.targets = frozenset(targets)
        self._applied = {w: p.target for p in self.by_target.values() for w in p.workloads}
        self._releases: dict[str, list[WorkloadRef]] = {}
        for p in self.by_target.values():
            if p.target.kind == "HelmRelease":
                for namespace in p.namespaces:
                    self._releases.setdefault(namespace, []).append(p.target)

    def __bool__(self) -> bool:
        return bool(self.by_target)

    def lift(self, workload: WorkloadRef, *, labels: FluxLabels) -> Lift | None:
        """The placed Flux target owning ``workload``, or None (it keeps its own pods)."""
        if not self.by_target or workload in self.targets or workload.kind not in RENDERED_KINDS:
            return None
        labelled = labels.owners_of(workload)
        if labelled is not None:
            placed = sorted(o for o in labelled if o in self.by_target)
            return Lift(placed[0], Via.LABELS) if placed else None
        applied = self._applied.get(workload)
        if applied is not None:
            return Lift(applied, Via.GIT)
        release = self.release_by_name(workload)
        return Lift(release, Via.PREFIX) if release is not None else None

    def release_by_name(self, workload: WorkloadRef) -> WorkloadRef | None:
        """The placed HelmRelease whose name the Deployment/StatefulSet/CronJob ``workload``
        has or starts with ``<name>-`` in one of its namespaces (the longest such name)."""
        best: WorkloadRef | None = None
        if workload.kind not in RENDERED_KINDS:
            return None
        for release in self._releases.get(workload.namespace, ()):
            name = release.name
            if (workload.name == name or workload.name.startswith(name + "-")) and (
                best is None or len(name) > len(best.name)
            ):
                best = release
        return best
