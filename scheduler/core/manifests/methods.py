"""How an object is put to sleep: the six methods offhours knows, and the default per kind.

- ``ScaleReplicas``: ``spec.replicas`` of a Deployment, StatefulSet or ReplicaSet.
- ``ScaleRendered``: Kustomize patches that turn off everything a HelmRelease renders (a
  post-renderer) or a Flux Kustomization applies (``spec.patches``), whatever the chart.
- ``Suspend``: ``spec.suspend: true`` on a CronJob or a Flux object.
- ``HelmValues``: values of a HelmRelease (``replicaCount``, ``controllers.main.replicas``).
- ``KedaPause``: KEDA's ``autoscaling.keda.sh/paused-replicas`` annotation on a ScaledObject.
- ``SetField``: any field of any kind, to a given value (``spec.minRunners: 0``).

Methods are values chosen by the planner from a policy; they carry no behaviour (see
``recipes``). Invalid arguments raise ``ValueError``: they are the policy layer's to validate.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.core.changes import Scalar
from scheduler.core.manifests import kinds

__all__ = [
    "RENDERED_KINDS",
    "HelmValues",
    "KedaPause",
    "RenderedField",
    "ScaleRendered",
    "ScaleReplicas",
    "SetField",
    "SleepMethod",
    "Suspend",
    "default_method",
    "split_path",
]

_FORBIDDEN_ROOTS = ("apiVersion", "kind", "metadata", "status")

#: The rendered kinds ``ScaleRendered`` turns off by default: replicas to the sleep count on
#: Deployments, StatefulSets and ReplicaSets, CronJobs suspended, KEDA ScaledObjects paused.
#: An HPA needs nothing: it does not scale a workload at zero replicas.
RENDERED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "CronJob", "ScaledObject")


def split_path(path: str) -> tuple[str, ...]:
    """``"controllers.main.replicas"`` as keys; raises ``ValueError`` on an empty key."""
    keys = tuple(path.split("."))
    if not path or any(not key for key in keys):
        raise ValueError(f"not a field path: {path!r}; expected keys joined by dots, e.g. a.b")
    return keys


def _check_replicas(replicas: int) -> None:
    if isinstance(replicas, bool) or not isinstance(replicas, int) or replicas < 0:
        raise ValueError(f"sleep replicas must be a whole number >= 0 (got {replicas!r})")


@dataclass(frozen=True, slots=True)
class ScaleReplicas:
    """Set ``spec.replicas`` to ``replicas`` (inserted when absent, e.g. under an HPA)."""

    replicas: int = 0

    def __post_init__(self) -> None:
        _check_replicas(self.replicas)


@dataclass(frozen=True, slots=True)
class Suspend:
    """Set ``spec.suspend: true`` (CronJob, or a Flux object's reconciliation)."""


@dataclass(frozen=True, slots=True)
class HelmValues:
    """Set each of ``paths`` under ``spec.values`` to ``replicas`` (created when absent)."""

    paths: tuple[str, ...] = ("replicaCount",)
    replicas: int = 0

    def __post_init__(self) -> None:
        _check_replicas(self.replicas)
        if not self.paths:
            raise ValueError("HelmValues needs at least one values path, e.g. replicaCount")
        for path in self.paths:
            split_path(path)


@dataclass(frozen=True, slots=True)
class KedaPause:
    """Pause a KEDA ScaledObject at ``replicas`` with ``autoscaling.keda.sh/paused-replicas``."""

    replicas: int = 0

    def __post_init__(self) -> None:
        _check_replicas(self.replicas)


@dataclass(frozen=True, slots=True)
class SetField:
    """Set the field at dot ``path`` to ``value`` (created when absent)."""

    path: str
    value: Scalar

    def __post_init__(self) -> None:
        keys = split_path(self.path)
        if keys[0] in _FORBIDDEN_ROOTS:
            raise ValueError(f"field {self.path!r} is not offhours' to change; use a spec field")


@dataclass(frozen=True, slots=True)
class RenderedField:
    """Set the field at ``keys`` (mapping keys from the object's root) to ``value`` on every
    rendered object of ``kind`` (and API ``group`` when given), e.g. an actions-runner-controller
    scale set's ``("spec", "minRunners")``."""

    kind: str
    keys: tuple[str, ...]
    value: Scalar
    group: str = ""

    def __post_init__(self) -> None:
        if not self.keys or any(not key for key in self.keys):
            raise ValueError(f"not a field path: {self.keys!r}")
        if self.keys[0] in _FORBIDDEN_ROOTS and self.keys[:2] != ("metadata", "annotations"):
            raise ValueError(f"field {self.path!r} is not offhours' to change; use a spec field")
        if not self.kind:
            raise ValueError("a rendered field rule needs a kind")

    @property
    def path(self) -> str:
        """The field as a dot path (``spec.minRunners``)."""
        return ".".join(self.keys)


@dataclass(frozen=True, slots=True)
class ScaleRendered:
    """Append Kustomize patches, applied after rendering, that put every rendered workload of
    ``kinds`` to sleep (replicas to ``replicas``, CronJobs suspended, ScaledObjects paused at
    ``replicas``) and set each of ``fields``: a HelmRelease post-renderer or Flux
    Kustomization ``spec.patches`` entries, removed again on wake."""

    replicas: int = 0
    kinds: tuple[str, ...] = RENDERED_KINDS
    fields: tuple[RenderedField, ...] = ()

    def __post_init__(self) -> None:
        _check_replicas(self.replicas)
        unknown = [k for k in self.kinds if k not in RENDERED_KINDS]
        if unknown:
            raise ValueError(
                f"rendered kinds {unknown} are not among {', '.join(RENDERED_KINDS)}; "
                "use a rendered field rule for other kinds"
            )
        if not self.kinds and not self.fields:
            raise ValueError("ScaleRendered needs at least one rendered kind or field rule")


SleepMethod = ScaleReplicas | ScaleRendered | Suspend | HelmValues | KedaPause | SetField


def default_method(api_version: str, kind: str) -> SleepMethod | None:
    """The method used when a policy names none: replicas for Deployments, StatefulSets and
    ReplicaSets, suspend for CronJobs, a post-renderer that scales everything it renders for
    HelmReleases (works for every chart), pause for KEDA ScaledObjects; None for anything
    else, Flux Kustomizations included (the policy must choose ``scale``, ``suspend`` or
    ``field``)."""
    if kinds.is_replicated_workload(api_version, kind):
        return ScaleReplicas()
    if kinds.is_cronjob(api_version, kind):
        return Suspend()
    if kinds.is_helm_release(api_version, kind):
        return ScaleRendered()
    if kinds.is_keda_scaled_object(api_version, kind):
        return KedaPause()
    return None
