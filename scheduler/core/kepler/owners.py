"""Which workload a pod belongs to: kube-state-metrics owners first, pod-name patterns second.

kube-state-metrics (``kube_pod_owner``, ``kube_replicaset_owner``, ``kube_job_owner``) gives the
chain Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob, Pod -> StatefulSet/DaemonSet; owner
``<none>`` (a bare Job/ReplicaSet) or ``Node`` (a static pod) ends the chain at that object.
Without KSM series for a pod (KSM absent, or the pod gone before it was scraped), its name is
matched against the requested targets' patterns, then against generic patterns:

| Kind | Pod name |
|---|---|
| Deployment | ``<name>-<replicaset hash>-<5>`` (characters ``bcdfghjklmnpqrstvwxz2456789``) |
| CronJob | ``<name>-<scheduled minute, 8+ digits>-<5>`` |
| StatefulSet | ``<name>-<ordinal>`` |
| Job, DaemonSet | ``<name>-<5>`` (only against a requested target: the two look alike) |

A pod matching nothing is its own workload, ``Pod/<namespace>/<name>``. ``attribute_pod`` then
hands a workload that a placed HelmRelease or Kustomization target renders to that target
(``scheduler.core.kepler.releases``). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from scheduler.core.kepler.releases import FluxLabels, Placements
from scheduler.core.workloads import WorkloadRef

__all__ = ["Attributed", "Attribution", "OwnerIndex", "attribute", "attribute_pod"]

_SAFE = "[bcdfghjklmnpqrstvwxz2456789]"
_DEPLOYMENT = re.compile(rf"(?P<name>.+)-{_SAFE}{{1,10}}-{_SAFE}{{5}}")
_CRONJOB = re.compile(rf"(?P<name>.+)-\d{{8,}}-{_SAFE}{{5}}")
_STATEFULSET = re.compile(r"(?P<name>.+)-\d+")
_REPLICASET = re.compile(rf"(?P<name>.+)-{_SAFE}{{1,10}}")
_CRON_JOB_NAME = re.compile(r"(?P<name>.+)-\d{8,}")

_TARGET_SUFFIX = {
    "Deployment": rf"-{_SAFE}{{1,10}}-{_SAFE}{{5}}",
    "ReplicaSet": rf"-{_SAFE}{{5}}",
    "StatefulSet": r"-\d+",
    "CronJob": rf"-\d+-{_SAFE}{{5}}",
    "Job": rf"-{_SAFE}{{5}}",
    "DaemonSet": rf"-{_SAFE}{{5}}",
    "Pod": "",
}
_NO_OWNER = {"", "<none>", "Node"}


class Attribution(StrEnum):
    """How a pod was attributed to its workload."""

    KSM = "kube-state-metrics"
    TARGET_PATTERN = "target name pattern"
    NAME_PATTERN = "pod name pattern"
    NONE = "unattributed pod"


class OwnerIndex:
    """Owner references collected from kube-state-metrics series (label sets)."""

    def __init__(self) -> None:
        self.pods: dict[tuple[str, str], tuple[str, str]] = {}
        self.replicasets: dict[tuple[str, str], tuple[str, str]] = {}
        self.jobs: dict[tuple[str, str], tuple[str, str]] = {}
        self.flux = FluxLabels()

    def __len__(self) -> int:
        return len(self.pods)

    def add(self, label_sets: Iterable[Mapping[str, str]]) -> None:
        """Add ``kube_pod_owner`` / ``kube_replicaset_owner`` / ``kube_job_owner`` label sets
        (and ``kube_<kind>_labels`` ones, kept in ``flux``)."""
        for labels in label_sets:
            metric = labels.get("__name__", "")
            owner = (labels.get("owner_kind", ""), labels.get("owner_name", ""))
            namespace = labels.get("namespace", "")
            if metric == "kube_pod_owner":
                self._put(self.pods, (namespace, labels.get("pod", "")), owner)
            elif metric == "kube_replicaset_owner":
                self._put(self.replicasets, (namespace, labels.get("replicaset", "")), owner)
            elif metric == "kube_job_owner":
                self._put(self.jobs, (namespace, labels.get("job_name", "")), owner)
            else:
                self.flux.add(labels)

    @staticmethod
    def _put(
        into: dict[tuple[str, str], tuple[str, str]], key: tuple[str, str], owner: tuple[str, str]
    ) -> None:
        # A controller owner wins over "<none>" seen in another KSM series of the same object.
        if key[1] and (key not in into or into[key][0] in _NO_OWNER):
            into[key] = owner

    def resolve(self, namespace: str, pod: str) -> WorkloadRef | None:
        """The top-level controller of ``pod``, or None if KSM never saw it."""
        owner = self.pods.get((namespace, pod))
        if owner is None:
            return None
        kind, name = owner
        if kind in _NO_OWNER or not name:
            return WorkloadRef("Pod", namespace, pod)
        if kind == "ReplicaSet":
            return self._above(
                self.replicasets,
                namespace=namespace,
                kind=kind,
                name=name,
                pattern=_REPLICASET,
                parent_kind="Deployment",
            )
        if kind == "Job":
            return self._above(
                self.jobs,
                namespace=namespace,
                kind=kind,
                name=name,
                pattern=_CRON_JOB_NAME,
                parent_kind="CronJob",
            )
        return WorkloadRef(kind, namespace, name)

    @staticmethod
    def _above(
        owners: Mapping[tuple[str, str], tuple[str, str]],
        *,
        namespace: str,
        kind: str,
        name: str,
        pattern: re.Pattern[str],
        parent_kind: str,
    ) -> WorkloadRef:
        parent = owners.get((namespace, name))
        if parent is not None:
            if parent[0] in _NO_OWNER or not parent[1]:
                return WorkloadRef(kind, namespace, name)
            return WorkloadRef(parent[0], namespace, parent[1])
        found = pattern.fullmatch(name)
        if found is not None:
            return WorkloadRef(parent_kind, namespace, found.group("name"))
        return WorkloadRef(kind, namespace, name)


def _target_match(namespace: str, pod: str, targets: Sequence[WorkloadRef]) -> WorkloadRef | None:
    best: WorkloadRef | None = None
    for target in targets:
        suffix = _TARGET_SUFFIX.get(target.kind)
        if suffix is None or target.namespace not in ("", namespace):
            continue
        if re.fullmatch(re.escape(target.name) + suffix, pod) and (
            best is None or len(target.name) > len(best.name)
        ):
            best = target
    if best is None:
        return None
    return WorkloadRef(best.kind, namespace, best.name)


def _name_match(namespace: str, pod: str) -> WorkloadRef | None:
    for pattern, kind in (
        (_CRONJOB, "CronJob"),
        (_DEPLOYMENT, "Deployment"),
        (_STATEFULSET, "StatefulSet"),
    ):
        found = pattern.fullmatch(pod)
        if found is not None:
            return WorkloadRef(kind, namespace, found.group("name"))
    return None


def attribute(
    namespace: str, pod: str, *, owners: OwnerIndex, targets: Sequence[WorkloadRef] = ()
) -> tuple[WorkloadRef, Attribution]:
    """The workload of ``pod`` in ``namespace`` and how it was found."""
    owned = owners.resolve(namespace, pod)
    if owned is not None:
        return owned, Attribution.KSM
    targeted = _target_match(namespace, pod, targets)
    if targeted is not None:
        return targeted, Attribution.TARGET_PATTERN
    named = _name_match(namespace, pod)
    if named is not None:
        return named, Attribution.NAME_PATTERN
    return WorkloadRef("Pod", namespace, pod), Attribution.NONE


@dataclass(frozen=True)
class Attributed:
    """A pod's workload, how it was found, and the rendered workload a Flux target owns it
    through (None when the pod's own controller is the workload)."""

    workload: WorkloadRef
    how: str
    rendered: WorkloadRef | None = None


def attribute_pod(
    namespace: str,
    pod: str,
    *,
    owners: OwnerIndex,
    targets: Sequence[WorkloadRef] = (),
    placements: Placements | None = None,
) -> Attributed:
    """``attribute``, then the placed Flux target that renders the workload, if any."""
    workload, how = attribute(namespace, pod, owners=owners, targets=targets)
    lift = placements.lift(workload, labels=owners.flux) if placements else None
    if lift is None:
        return Attributed(workload, how.value)
    return Attributed(lift.owner, lift.via.value, workload)
