"""The vocabulary of delivery warnings: severity, stable codes, and the warning record.

Owns the types shared by the delivery checks (``delivery``, ``sources``) and their consumers
(``offhours status``, the daemon's log lines). Pure: no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from scheduler.core.workloads import WorkloadRef

__all__ = ["DeliveryWarning", "Severity", "WarningCode"]


class Severity(enum.StrEnum):
    """``error``: the change will not take effect; ``warning``: it may not; ``info``: note."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class WarningCode(enum.StrEnum):
    """Stable identifiers of each check (for filtering and for tests)."""

    FLUX_NOT_SERVED = "flux-not-served"
    NOT_MANAGED = "not-managed"
    RENDERED_BY_HELM = "rendered-by-helm"
    OWNER_SUSPENDED = "owner-suspended"
    OWNER_NOT_READY = "owner-not-ready"
    SOURCE_NOT_GIT = "source-not-git"
    OTHER_GIT_REPOSITORY = "other-git-repository"
    SOURCE_SUSPENDED = "source-suspended"
    SOURCE_PINNED = "source-pinned"
    BRANCH_MISMATCH = "branch-mismatch"
    FIELD_IGNORED = "field-ignored"
    FIELD_PATCHED = "field-patched"
    SELF_MANAGED = "self-managed"
    RELEASE_SUSPENDED = "release-suspended"
    TARGET_NOT_READY = "target-not-ready"
    VALUES_OVERRIDDEN = "values-overridden"
    DRIFT_IGNORED = "drift-ignored"
    AUTOSCALED = "autoscaled"


@dataclass(frozen=True, slots=True)
class DeliveryWarning:
    """One reason a change to ``target`` may not reach the cluster."""

    target: WorkloadRef
    code: WarningCode
    severity: Severity
    message: str
    objects: tuple[WorkloadRef, ...] = ()

    def __str__(self) -> str:
        return f"{self.severity}: {self.target}: {self.message} [{self.code}]"
