"""How an object is put to sleep: the five methods offhours knows, and the default per kind.

- ``ScaleReplicas``: ``spec.replicas`` of a Deployment, StatefulSet or ReplicaSet.
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
    "HelmValues",
    "KedaPause",
    "ScaleReplicas",
    "SetField",
    "SleepMethod",
    "Suspend",
    "default_method",
    "split_path",
]

_FORBIDDEN_ROOTS = ("apiVersion", "kind", "metadata", "status")


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


SleepMethod = ScaleReplicas | Suspend | HelmValues | KedaPause | SetField


def default_method(api_version: str, kind: str) -> SleepMethod | None:
    """The method used when a policy names none: replicas for Deployments, StatefulSets and
    ReplicaSets, suspend for CronJobs, ``replicaCount`` for HelmReleases, pause for KEDA
    ScaledObjects; None for anything else (the policy must say ``suspend`` or ``field``)."""
    if kinds.is_replicated_workload(api_version, kind):
        return ScaleReplicas()
    if kinds.is_cronjob(api_version, kind):
        return Suspend()
    if kinds.is_helm_release(api_version, kind):
        return HelmValues()
    if kinds.is_keda_scaled_object(api_version, kind):
        return KedaPause()
    return None
