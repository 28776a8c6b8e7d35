"""Is a target committed asleep asleep in the cluster? The live check of what Flux deployed.

A HelmRelease or Flux Kustomization put to sleep with ``ScaleRendered`` is asleep in Git once
offhours' patches are committed; it is asleep in the cluster only when every workload Flux
deployed for it shows so. Those workloads are found by Flux's own labels
(``helm.toolkit.fluxcd.io/name``/``namespace`` on what helm-controller renders,
``kustomize.toolkit.fluxcd.io/name``/``namespace`` on what kustomize-controller applies), and
are asleep when:

- Deployments, StatefulSets and ReplicaSets that no Deployment controls have
  ``spec.replicas`` and ``status.replicas`` (their pods) at the sleep count;
- CronJobs are suspended;
- KEDA ScaledObjects are paused at the sleep count (``autoscaling.keda.sh/paused-replicas``);

for the kinds the committed summary lists only. Owns the expectation (from a plan ``Change``,
or from the method that put an object asleep in Git), the label selector, and the judgement
into settled and still-running workloads with the lines ``offhours status`` and the logs
show. Pure: no I/O, no clock; the Kubernetes adapter lists the workloads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from scheduler.core import targets
from scheduler.core.changes import Action, Change
from scheduler.core.flux import inventory
from scheduler.core.manifests import ManifestIndex, ScaleRendered, annotation_keys, sleeppatches
from scheduler.core.observations import LiveWorkload
from scheduler.core.targets import Resolution
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "Expectation",
    "SleepCheck",
    "WorkloadState",
    "deployer",
    "expectation_of_change",
    "expectation_of_method",
    "expectations_in_git",
    "judge",
    "label_key",
    "label_selector",
]

#: The kinds whose ScaleRendered patches this check confirms, and the field each is written to.
_FIELDS: Final = {"HelmRelease": "spec.postRenderers", "Kustomization": "spec.patches"}
_LABELS: Final = {
    "HelmRelease": (inventory.HELM_NAME_LABEL, inventory.HELM_NAMESPACE_LABEL),
    "Kustomization": (inventory.KUSTOMIZE_NAME_LABEL, inventory.KUSTOMIZE_NAMESPACE_LABEL),
}
_STATE_KEYS: Final = (annotation_keys.ORIGINAL_POST_RENDERERS, annotation_keys.ORIGINAL_PATCHES)
_REPLICATED: Final = ("Deployment", "StatefulSet", "ReplicaSet")
_PAUSED: Final = re.compile(r"paused at (\d+) \(ScaledObject\)")


@dataclass(frozen=True, slots=True)
class Expectation:
    """What the live workloads of a sleeping target must show: ``replicas`` on the ``kinds``
    the sleep patches cover (a subset of ``RENDERED_KINDS``)."""

    replicas: int
    kinds: tuple[str, ...]


def expectation_of_method(method: ScaleRendered) -> Expectation | None:
    """The expectation of a ``ScaleRendered`` method (None when it covers no kinds)."""
    if not method.kinds:
        return None
    return Expectation(method.replicas, method.kinds)


def expectation_of_change(change: Change) -> Expectation | None:
    """The expectation of a plan's sleep ``Change`` that appends offhours' patches to a
    HelmRelease or Flux Kustomization (None for any other change)."""
    if change.action is not Action.SLEEP or _FIELDS.get(change.target.kind) != change.field:
        return None
    text = str(change.after)
    parsed = sleeppatches.parse_summary(text)
    if parsed is None or not parsed.kinds:
        return None
    replicas = parsed.replicas
    if replicas is None:
        paused = _PAUSED.search(text)
        replicas = int(paused.group(1)) if paused else 0
    return Expectation(replicas, parsed.kinds)


def expectations_in_git(
    index: ManifestIndex, resolution: Resolution
) -> dict[WorkloadRef, Expectation]:
    """The expectation of every HelmRelease or Kustomization asleep in Git with offhours' sleep
    patches, from the method its first claim sleeps it with (objects no policy claims any
    more, or whose claim no longer scales, are left out: what they expect is unknown)."""
    found: dict[WorkloadRef, Expectation] = {}
    for obj in index.objects:
        claims = resolution.claims_on(obj)
        if not claims or not any(k in obj.annotations for k in _STATE_KEYS):
            continue
        try:
            method = targets.sleep_method(obj, claims[0])
        except ValueError:
            continue
        expectation = expectation_of_method(method) if isinstance(method, ScaleRendered) else None
        if expectation is not None:
            found[obj.ref] = expectation
    return found


def label_selector(owner: WorkloadRef) -> str | None:
    """The label selector of what Flux deployed for ``owner`` (a HelmRelease or Kustomization);
    None for other kinds."""
    keys = _LABELS.get(owner.kind)
    if keys is None:
        return None
    return f"{keys[0]}={owner.name},{keys[1]}={owner.namespace}"


def label_key(owner_kind: str) -> str | None:
    """The name label Flux puts on everything a HelmRelease or Kustomization deployed (a
    selector for all of them at once); None for other kinds."""
    keys = _LABELS.get(owner_kind)
    return None if keys is None else keys[0]


def deployer(owner_kind: str, labels: Mapping[str, str]) -> WorkloadRef | None:
    """The HelmRelease or Kustomization (``owner_kind``) Flux's labels name, if any."""
    if owner_kind == "HelmRelease":
        return inventory.helm_release_from_labels(labels)
    if owner_kind == "Kustomization":
        return inventory.kustomization_from_labels(labels)
    return None


@dataclass(frozen=True, slots=True)
class WorkloadState:
    """One deployed workload: asleep as expected (``settled``) or not, and its state."""

    ref: WorkloadRef
    settled: bool
    state: str


@dataclass(frozen=True, slots=True)
class SleepCheck:
    """The deployed workloads of ``owner`` judged against ``expectation``."""

    owner: WorkloadRef
    expectation: Expectation
    workloads: tuple[WorkloadState, ...]

    @property
    def running(self) -> tuple[WorkloadState, ...]:
        """The workloads that still run."""
        return tuple(w for w in self.workloads if not w.settled)

    @property
    def settled(self) -> bool:
        """Every deployed workload is asleep (true when none was found)."""
        return not self.running

    @property
    def line(self) -> str:
        """One line for ``offhours status`` and the logs."""
        running = self.running
        if running:
            listed = ", ".join(f"{w.ref} {w.state}" for w in running)
            return f"asleep in Git, {_count(len(running), 'workload')} still running: {listed}"
        if not self.workloads:
            kinds = "|".join(self.expectation.kinds)
            return f"asleep: no rendered workloads ({kinds}) found"
        found = _count(len(self.workloads), "rendered workload")
        return f"asleep: {found} at {self.expectation.replicas}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def judge(
    owner: WorkloadRef, workloads: Iterable[LiveWorkload], expectation: Expectation
) -> SleepCheck:
    """Judge the workloads Flux deployed for ``owner`` (kinds the expectation does not list
    and ReplicaSets a Deployment controls are left out)."""
    judged = [_state(w, expectation.replicas) for w in workloads if _counts(w, expectation)]
    unique = {w.ref: w for w in judged}
    return SleepCheck(owner, expectation, tuple(unique[r] for r in sorted(unique)))


def _counts(workload: LiveWorkload, expectation: Expectation) -> bool:
    """A kind the patches cover, and not a ReplicaSet of a Deployment (the Deployment counts)."""
    if workload.ref.kind not in expectation.kinds:
        return False
    owner = workload.owner
    return not (
        workload.ref.kind == "ReplicaSet" and owner is not None and owner.kind == "Deployment"
    )


def _state(workload: LiveWorkload, want: int) -> WorkloadState:
    ref = workload.ref
    if ref.kind in _REPLICATED:
        return _replicated(workload, want)
    if ref.kind == "CronJob":
        if workload.suspend:
            return WorkloadState(ref, True, "suspended")
        jobs = f", {_count(workload.active_jobs, 'running job')}" if workload.active_jobs else ""
        return WorkloadState(ref, False, f"not suspended{jobs}")
    paused = workload.paused_replicas
    if paused == want:
        return WorkloadState(ref, True, f"paused at {paused}")
    state = "not paused" if paused is None else f"paused at {paused}, want {want}"
    return WorkloadState(ref, False, state)


def _replicated(workload: LiveWorkload, want: int) -> WorkloadState:
    ref, spec = workload.ref, workload.spec_replicas
    if spec != want:
        return WorkloadState(ref, False, f"{workload.ready_replicas}/{spec}")
    if workload.replicas != want:
        pods = _count(workload.replicas, "pod")
        return WorkloadState(ref, False, f"spec.replicas {spec}, {pods} left")
    return WorkloadState(ref, True, f"at {spec}")
