"""Live cluster state as offhours observes it: workloads and Flux objects as plain values.

Owns the records the Kubernetes adapter returns (never the client's models or raw JSON) and
small pure predicates over them: is a Flux object Ready and up to date, has a workload
settled at the replica count a commit asked for. The port ``ClusterReader`` names what the
reconcile step and ``offhours status`` may ask of a cluster.

Must not do I/O, read the clock, or know the ``kubernetes`` client: JSON parsing happens in
``scheduler.adapters.kube``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from scheduler.core.workloads import WorkloadRef

__all__ = [
    "ClusterReader",
    "Condition",
    "ConditionStatus",
    "FluxKind",
    "FluxObject",
    "FluxSnapshot",
    "GitReference",
    "IgnoreRule",
    "InventoryEntry",
    "LiveTarget",
    "LiveWorkload",
    "PatchRule",
    "Progress",
    "Selector",
    "ValuesReference",
    "find_condition",
    "progress",
]


class ConditionStatus(enum.StrEnum):
    """The three values of a Kubernetes condition's ``status``."""

    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class Condition:
    """One entry of ``status.conditions`` (kstatus: Ready, Reconciling, Stalled, ...)."""

    type: str
    status: ConditionStatus
    reason: str = ""
    message: str = ""
    observed_generation: int | None = None
    last_transition_time: datetime | None = None


def find_condition(conditions: Iterable[Condition], type_: str) -> Condition | None:
    """The condition of type ``type_``, or ``None`` when the object does not report it."""
    return next((c for c in conditions if c.type == type_), None)


class FluxKind(enum.StrEnum):
    """The Flux kinds offhours reads."""

    KUSTOMIZATION = "Kustomization"
    HELM_RELEASE = "HelmRelease"
    GIT_REPOSITORY = "GitRepository"
    OCI_REPOSITORY = "OCIRepository"
    BUCKET = "Bucket"


@dataclass(frozen=True, slots=True)
class Selector:
    """A kustomize-style target selector (``spec.ignore[].target``, ``spec.patches[].target``).

    ``name`` and ``namespace`` are regular expressions matched against the whole value;
    empty fields match anything.
    """

    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """JSON pointers a Flux controller leaves alone (Kustomization ``spec.ignore``,
    HelmRelease ``spec.driftDetection.ignore``); ``target=None`` means every object."""

    paths: tuple[str, ...]
    target: Selector | None = None


@dataclass(frozen=True, slots=True)
class PatchRule:
    """A patch Flux applies after the build (Kustomization ``spec.patches``, HelmRelease
    post-renderer patches): ``patch`` is the YAML or JSON text as written."""

    patch: str
    target: Selector | None = None


@dataclass(frozen=True, slots=True)
class ValuesReference:
    """One HelmRelease ``spec.valuesFrom`` entry."""

    kind: str
    name: str
    values_key: str = "values.yaml"
    target_path: str = ""
    optional: bool = False


@dataclass(frozen=True, slots=True)
class GitReference:
    """A GitRepository's ``spec.ref``: which branch, tag or commit Flux follows."""

    branch: str = ""
    tag: str = ""
    semver: str = ""
    name: str = ""
    commit: str = ""

    @property
    def pinned(self) -> bool:
        """True when Flux follows a tag, semver range, ref name or commit, not a branch."""
        return bool(self.tag or self.semver or self.name or self.commit)

    def __str__(self) -> str:
        for label, value in (
            ("commit", self.commit),
            ("ref", self.name),
            ("semver", self.semver),
            ("tag", self.tag),
        ):
            if value:
                return f"{label} {value}"
        return f"branch {self.branch or 'master'}"


@dataclass(frozen=True, slots=True)
class InventoryEntry:
    """One ``status.inventory.entries[]`` item of a Kustomization."""

    namespace: str
    name: str
    group: str
    kind: str
    version: str = ""

    @property
    def ref(self) -> WorkloadRef:
        """The object as a ``kind/namespace/name`` reference."""
        return WorkloadRef(self.kind, self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class FluxObject:
    """A Flux Kustomization, HelmRelease or source, reduced to what offhours checks.

    Kind-specific fields stay empty on other kinds: ``path``, ``ignore``, ``patches`` and
    ``inventory`` come from Kustomizations; ``values_from``, ``drift_ignore`` and (post-renderer)
    ``patches`` from HelmReleases; ``url``, ``git_ref`` and ``artifact_revision`` from sources.
    ``source`` is a Kustomization's ``sourceRef`` or a HelmRelease's chart source / ``chartRef``.
    """

    ref: WorkloadRef
    api_version: str
    generation: int
    observed_generation: int | None = None
    suspended: bool = False
    conditions: tuple[Condition, ...] = ()
    source: WorkloadRef | None = None
    path: str = ""
    ignore: tuple[IgnoreRule, ...] = ()
    drift_ignore: tuple[IgnoreRule, ...] = ()
    patches: tuple[PatchRule, ...] = ()
    values_from: tuple[ValuesReference, ...] = ()
    last_applied_revision: str = ""
    last_attempted_revision: str = ""
    last_handled_reconcile_at: str = ""
    requested_reconcile_at: str = ""
    url: str = ""
    git_ref: GitReference | None = None
    artifact_revision: str = ""
    inventory: tuple[InventoryEntry, ...] = ()
    resource_version: str = ""

    def condition(self, type_: str) -> Condition | None:
        """The condition of type ``type_`` (``Ready``, ``Reconciling``, ``Stalled``)."""
        return find_condition(self.conditions, type_)

    @property
    def ready(self) -> bool:
        """``Ready=True``."""
        cond = self.condition("Ready")
        return cond is not None and cond.status is ConditionStatus.TRUE

    @property
    def up_to_date(self) -> bool:
        """The controller has seen the current spec (``observedGeneration == generation``)."""
        return self.observed_generation == self.generation

    @property
    def ready_failure(self) -> Condition | None:
        """The Ready condition when it is ``False`` (the last install, upgrade, build or apply
        failed); None when Ready is True, Unknown or not reported."""
        cond = self.condition("Ready")
        return cond if cond is not None and cond.status is ConditionStatus.FALSE else None

    @property
    def ready_message(self) -> str:
        """The Ready condition's message, or a note that there is none."""
        cond = self.condition("Ready")
        return cond.message if cond is not None else "no Ready condition reported yet"


@dataclass(frozen=True, slots=True)
class FluxSnapshot:
    """Every Flux object offhours read in one pass; ``unavailable`` names kinds the API
    server does not serve (Flux not installed, or OCIRepository missing on old Flux)."""

    kustomizations: tuple[FluxObject, ...] = ()
    helm_releases: tuple[FluxObject, ...] = ()
    sources: tuple[FluxObject, ...] = ()
    unavailable: tuple[str, ...] = ()

    def find(self, ref: WorkloadRef) -> FluxObject | None:
        """The object with this kind/namespace/name, if it was read."""
        for obj in (*self.kustomizations, *self.helm_releases, *self.sources):
            if obj.ref == ref:
                return obj
        return None


@dataclass(frozen=True, slots=True)
class LiveWorkload:
    """A Deployment, StatefulSet, ReplicaSet, CronJob or KEDA ScaledObject as it runs.

    ``spec_replicas`` is ``None`` when the object has no such field (CronJob, ScaledObject);
    status counts default to 0 as the API omits zeros. ``suspend`` is set for CronJobs,
    ``paused``/``paused_replicas`` for ScaledObjects (``autoscaling.keda.sh/paused*``).
    """

    ref: WorkloadRef
    generation: int = 0
    observed_generation: int | None = None
    spec_replicas: int | None = None
    replicas: int = 0
    ready_replicas: int = 0
    available_replicas: int = 0
    updated_replicas: int = 0
    suspend: bool | None = None
    active_jobs: int = 0
    paused: bool | None = None
    paused_replicas: int | None = None
    scale_target: WorkloadRef | None = None
    owner: WorkloadRef | None = None
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    conditions: tuple[Condition, ...] = ()
    resource_version: str = ""

    @property
    def rolled_out(self) -> bool:
        """The controller has seen the current spec (no ``observedGeneration`` counts as yes)."""
        return self.observed_generation is None or self.observed_generation >= self.generation


@dataclass(frozen=True, slots=True)
class LiveTarget:
    """What a commit asked of a workload; ``None`` fields are not checked."""

    replicas: int | None = None
    suspend: bool | None = None
    paused_replicas: int | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """Whether a workload has settled at its target, and a short human-readable state."""

    reached: bool
    detail: str


def progress(workload: LiveWorkload, target: LiveTarget) -> Progress:
    """Compare a live workload with what the commit asked for."""
    gaps = [
        *_replica_gaps(workload, target.replicas),
        *_flag_gaps("suspend", workload.suspend, target.suspend),
        *_flag_gaps("paused-replicas", workload.paused_replicas, target.paused_replicas),
    ]
    if gaps:
        return Progress(False, "; ".join(gaps))
    return Progress(True, _state(workload))


def _replica_gaps(workload: LiveWorkload, want: int | None) -> list[str]:
    if want is None:
        return []
    gaps = []
    if workload.spec_replicas != want:
        gaps.append(f"spec.replicas is {workload.spec_replicas}, want {want}")
    if not workload.rolled_out:
        gaps.append(
            f"generation {workload.generation} not yet observed "
            f"(observedGeneration {workload.observed_generation})"
        )
    if workload.replicas != want or workload.ready_replicas != want:
        gaps.append(f"{workload.ready_replicas}/{want} ready, {workload.replicas} running")
    return gaps


def _flag_gaps(name: str, have: object, want: object) -> list[str]:
    if want is None or have == want:
        return []
    return [f"{name} is {have}, want {want}"]


def _state(workload: LiveWorkload) -> str:
    parts = []
    if workload.spec_replicas is not None:
        parts.append(f"{workload.ready_replicas}/{workload.spec_replicas} ready")
    if workload.suspend is not None:
        parts.append("suspended" if workload.suspend else "active")
    if workload.paused_replicas is not None:
        parts.append(f"paused at {workload.paused_replicas}")
    return ", ".join(parts) or "present"


class ClusterReader(Protocol):
    """What the reconcile step and ``offhours status`` read from a cluster.

    Missing objects map to ``None``; other failures raise ``scheduler.errors.KubeError``.
    """

    def workloads(self, refs: Iterable[WorkloadRef]) -> dict[WorkloadRef, LiveWorkload | None]:
        """Live state of each workload (batched: one list per kind and namespace)."""
        ...

    def flux_objects(self, refs: Iterable[WorkloadRef]) -> dict[WorkloadRef, FluxObject | None]:
        """Flux Kustomizations / HelmReleases / sources by reference."""
        ...

    def deployed(
        self, owners: Iterable[WorkloadRef], *, kinds: Sequence[str]
    ) -> dict[WorkloadRef, tuple[LiveWorkload, ...]]:
        """The workloads of ``kinds`` each HelmRelease or Kustomization deployed (by Flux's
        labels, in every namespace offhours reads)."""
        ...

    def flux_snapshot(self, *, namespaces: Sequence[str] | None = None) -> FluxSnapshot:
        """Every Kustomization, HelmRelease and source (optionally in some namespaces)."""
        ...
