"""Has Flux applied a commit? Pure judgement over one observation of a Flux object.

Owns the rule from RFC-0005 and the controllers' status contract: a Kustomization has applied
commit X when the checksum after the last ``@`` of ``status.lastAppliedRevision`` is X (or a
commit known to contain X), ``Ready=True`` and ``observedGeneration == generation``. A
HelmRelease carries no Git revision: it has caught up when ``observedGeneration ==
generation`` and ``Ready=True``, judged after its Kustomization applied the commit.
Suspended objects never catch up, so they are reported as such instead of waited for.
Also owns the ``reconcile.fluxcd.io/requestedAt`` annotation value. Pure: no I/O, no clock.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from scheduler.core.flux.revision import parse_revision
from scheduler.core.observations import ConditionStatus, FluxObject

__all__ = [
    "REQUESTED_AT_ANNOTATION",
    "ApplyCheck",
    "ApplyStatus",
    "check_applied",
    "check_reconciled",
    "reconcile_patch",
    "requested_at",
]

REQUESTED_AT_ANNOTATION = "reconcile.fluxcd.io/requestedAt"

#: Says whether an applied commit (full SHA) contains the commit offhours pushed.
Includes = Callable[[str], bool]


class ApplyStatus(enum.StrEnum):
    """Where a Flux object stands with respect to a commit."""

    APPLIED = "applied"
    PROGRESSING = "progressing"
    FAILED = "failed"
    SUSPENDED = "suspended"


@dataclass(frozen=True, slots=True)
class ApplyCheck:
    """One judgement: status, the revision the object reports, and why."""

    status: ApplyStatus
    revision: str
    message: str

    @property
    def final(self) -> bool:
        """Stop waiting: applied, suspended, or the attempt failed (Flux retries it later)."""
        return self.status is not ApplyStatus.PROGRESSING


def _kind_name(obj: FluxObject) -> str:
    return f"{obj.ref.kind} {obj.ref.namespace}/{obj.ref.name}"


def _suspended(obj: FluxObject, revision: str) -> ApplyCheck:
    kind = obj.ref.kind.lower()
    return ApplyCheck(
        ApplyStatus.SUSPENDED,
        revision,
        f"{_kind_name(obj)} is suspended (spec.suspend: true) and ignores new revisions; "
        f"resume it with: flux resume {kind} {obj.ref.name} -n {obj.ref.namespace}",
    )


def _names(revision: str, commit: str, includes: Includes | None) -> bool:
    parsed = parse_revision(revision)
    if parsed.names_commit(commit):
        return True
    return (
        includes is not None
        and parsed.algorithm in ("sha1", "sha256")
        and includes(parsed.checksum)
    )


def _reconciling(obj: FluxObject) -> bool:
    """A reconciliation is under way (a retry after a failure does not count)."""
    cond = obj.condition("Reconciling")
    return (
        cond is not None
        and cond.status is ConditionStatus.TRUE
        and cond.reason != "ProgressingWithRetry"
    )


def _not_ready(obj: FluxObject) -> bool:
    cond = obj.condition("Ready")
    return cond is not None and cond.status is ConditionStatus.FALSE


def _stalled(obj: FluxObject) -> bool:
    cond = obj.condition("Stalled")
    return cond is not None and cond.status is ConditionStatus.TRUE


def check_applied(obj: FluxObject, commit: str, *, includes: Includes | None = None) -> ApplyCheck:
    """Judge whether Kustomization ``obj`` has applied ``commit`` (a full Git SHA).

    ``includes(sha)`` may say that an applied later commit contains ``commit`` (another
    writer pushed on top of ours); without it only the exact commit counts.
    """
    applied = obj.last_applied_revision
    if obj.suspended:
        return _suspended(obj, applied)
    short = commit[:7]
    if _names(applied, commit, includes) and obj.ready and obj.up_to_date:
        return ApplyCheck(ApplyStatus.APPLIED, applied, f"{_kind_name(obj)} applied {applied}")
    attempted = obj.last_attempted_revision
    failed_ours = _names(attempted, commit, includes) and _not_ready(obj) and not _reconciling(obj)
    if _stalled(obj) or (failed_ours and obj.up_to_date):
        return ApplyCheck(
            ApplyStatus.FAILED,
            attempted or applied,
            f"{_kind_name(obj)} failed to apply {short}: {obj.ready_message}",
        )
    return ApplyCheck(
        ApplyStatus.PROGRESSING,
        applied,
        f"{_kind_name(obj)} has applied {applied or 'nothing yet'}, waiting for {short}: "
        f"{obj.ready_message}",
    )


def check_reconciled(obj: FluxObject) -> ApplyCheck:
    """Judge whether a HelmRelease has released its current spec (no Git revision involved)."""
    revision = obj.last_attempted_revision or obj.last_applied_revision
    if obj.suspended:
        return _suspended(obj, revision)
    if obj.up_to_date and obj.ready:
        return ApplyCheck(
            ApplyStatus.APPLIED,
            revision,
            f"{_kind_name(obj)} released generation {obj.generation}",
        )
    if _stalled(obj) or (obj.up_to_date and _not_ready(obj) and not _reconciling(obj)):
        return ApplyCheck(
            ApplyStatus.FAILED,
            revision,
            f"{_kind_name(obj)} failed to release generation {obj.generation}: {obj.ready_message}",
        )
    return ApplyCheck(
        ApplyStatus.PROGRESSING,
        revision,
        f"{_kind_name(obj)} is at observed generation {obj.observed_generation} of "
        f"{obj.generation}: {obj.ready_message}",
    )


def requested_at(now: datetime) -> str:
    """``now`` as Go's RFC3339Nano in UTC (trailing zeros of the fraction trimmed)."""
    if now.tzinfo is None:
        raise ValueError(f"requested_at needs an aware datetime (got naive {now.isoformat()})")
    moment = now.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += "." + f"{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def reconcile_patch(now: datetime) -> dict[str, object]:
    """The merge patch that asks a Flux controller to reconcile now."""
    return {"metadata": {"annotations": {REQUESTED_AT_ANNOTATION: requested_at(now)}}}
