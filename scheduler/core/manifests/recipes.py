"""What a sleep method changes on a given kind, and where it keeps the value to restore.

A ``Recipe`` names the fields a method sets (path and sleep value) and the state annotation
that records their previous values: a single value (``offhours.dev/original-replicas: "3"``)
or, for methods that may touch several paths, JSON (``{"replicaCount": 3}``). Wake reads the
same table backwards: the state annotation says which path it restores. Refuses methods that
do not fit the kind, and suspending a Flux Kustomization that applies its own manifest.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from scheduler.core.changes import Scalar
from scheduler.core.manifests import annotation_keys as keys
from scheduler.core.manifests import kinds
from scheduler.core.manifests.methods import (
    HelmValues,
    KedaPause,
    ScaleReplicas,
    SetField,
    SleepMethod,
    Suspend,
    split_path,
)
from scheduler.core.manifests.refusals import Refusal

__all__ = ["OnWakeAbsent", "Recipe", "Target", "recipe_for", "target_path", "wake_absent"]

_ANNOTATIONS = ("metadata", "annotations")
_VALUES = ("spec", "values")


class OnWakeAbsent(enum.StrEnum):
    """How wake restores a field that was absent before sleep."""

    DELETE = "delete"
    WRITE_FALSE = "write-false"


@dataclass(frozen=True, slots=True)
class Target:
    """One field a sleep sets: its path, the label it has in a JSON record, the value."""

    path: tuple[str, ...]
    label: str
    value: Scalar


@dataclass(frozen=True, slots=True)
class Recipe:
    """The fields one method sets on one object, and its state annotation."""

    state_key: str
    targets: tuple[Target, ...]

    @property
    def json(self) -> bool:
        """True when the state annotation holds a JSON object of path -> old value."""
        return self.state_key in (keys.ORIGINAL_VALUES, keys.ORIGINAL_FIELD)


def target_path(state_key: str, label: str) -> tuple[str, ...]:
    """The document path a state annotation entry restores (``label`` for JSON records)."""
    if state_key == keys.ORIGINAL_REPLICAS:
        return ("spec", "replicas")
    if state_key == keys.ORIGINAL_SUSPEND:
        return ("spec", "suspend")
    if state_key == keys.ORIGINAL_PAUSED_REPLICAS:
        return (*_ANNOTATIONS, keys.KEDA_PAUSED_REPLICAS)
    if state_key == keys.ORIGINAL_VALUES:
        return (*_VALUES, *split_path(label))
    return split_path(label)


def wake_absent(api_version: str, kind: str, state_key: str) -> OnWakeAbsent:
    """Flux ``suspend`` absent before sleep comes back as an explicit ``false`` (removing the
    field does not always resume under server-side apply, fluxcd/flux2#3462); everything
    else absent before sleep is removed again."""
    if state_key == keys.ORIGINAL_SUSPEND and kinds.is_flux_suspendable(api_version, kind):
        return OnWakeAbsent.WRITE_FALSE
    return OnWakeAbsent.DELETE


@functools.lru_cache(maxsize=1024)
def recipe_for(api_version: str, kind: str, method: SleepMethod, *, self_managing: bool) -> Recipe:
    """The recipe of ``method`` on this kind; raises ``Refusal`` when it does not fit."""
    match method:
        case ScaleReplicas(replicas=replicas):
            if not kinds.is_replicated_workload(api_version, kind):
                raise _misfit(kind, "scale", "Deployment, StatefulSet or ReplicaSet")
            return Recipe(keys.ORIGINAL_REPLICAS, (Target(("spec", "replicas"), "", replicas),))
        case Suspend():
            return _suspend(api_version, kind, self_managing=self_managing)
        case HelmValues(paths=paths, replicas=replicas):
            if not kinds.is_helm_release(api_version, kind):
                raise _misfit(kind, "values", "HelmRelease")
            targets = tuple(Target((*_VALUES, *split_path(p)), p, replicas) for p in paths)
            return Recipe(keys.ORIGINAL_VALUES, targets)
        case KedaPause(replicas=replicas):
            if not kinds.is_keda_scaled_object(api_version, kind):
                raise _misfit(kind, "pause", "KEDA ScaledObject")
            path = (*_ANNOTATIONS, keys.KEDA_PAUSED_REPLICAS)
            return Recipe(keys.ORIGINAL_PAUSED_REPLICAS, (Target(path, "", str(replicas)),))
        case SetField(path=path, value=value):
            return Recipe(keys.ORIGINAL_FIELD, (Target(split_path(path), path, value),))
    raise Refusal(f"unknown sleep method {method!r}")  # pragma: no cover


def _suspend(api_version: str, kind: str, *, self_managing: bool) -> Recipe:
    if not (kinds.is_cronjob(api_version, kind) or kinds.is_flux_suspendable(api_version, kind)):
        raise _misfit(kind, "suspend", "CronJob or Flux object")
    if self_managing:
        raise Refusal(
            f"{kind} applies its own manifest (its spec.path contains this file); "
            "suspended, it could never be resumed through Git. Suspend the Kustomizations "
            "it applies instead"
        )
    return Recipe(keys.ORIGINAL_SUSPEND, (Target(("spec", "suspend"), "", True),))


def _misfit(kind: str, action: str, expected: str) -> Refusal:
    return Refusal(
        f"action {action!r} does not apply to {kind} (expected a {expected}); "
        "use action 'field' with a field path and sleep value"
    )
