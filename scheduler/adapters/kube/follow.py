"""Follow a push into the cluster: wait until Flux applied a commit, until workloads
reached the replica counts (or suspend state) the commit asked for, and until everything a
HelmRelease or Kustomization put to sleep deployed is asleep.

Owns the polling loops around the pure judgements in ``scheduler.core.flux.applied``,
``scheduler.core.observations.progress`` and ``scheduler.core.sleepcheck``. Time comes from
an injected ``Clock`` (the daemon passes ``SystemClock()``, tests a fake that advances on
``sleep``), so nothing here sleeps on its own. Each loop reads the cluster in batches, stops
early per object on a final answer (applied, failed, suspended, missing, asleep) and returns
one outcome per object; it never raises for a slow or failed rollout, only for API errors
(``KubeError``).
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from scheduler.core import sleepcheck
from scheduler.core.flux import applied
from scheduler.core.flux.applied import ApplyCheck, ApplyStatus, Includes
from scheduler.core.observations import (
    ClusterReader,
    Condition,
    FluxObject,
    LiveTarget,
    progress,
)
from scheduler.core.sleepcheck import Expectation, SleepCheck
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "Clock",
    "FollowOutcome",
    "FollowStatus",
    "Polling",
    "RenderedOutcome",
    "SystemClock",
    "wait_for_applied",
    "wait_for_rendered",
    "wait_for_replicas",
]


class Clock(Protocol):
    """Wall-clock time and waiting, injectable."""

    def now(self) -> datetime:
        """The current time, timezone-aware."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``."""
        ...


class SystemClock:
    """The real clock: UTC now, ``time.sleep``."""

    def now(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        time.sleep(seconds)


@dataclass(frozen=True, slots=True)
class Polling:
    """How long to follow (``timeout`` seconds), how often to look (``poll`` seconds), and
    the clock to do it with."""

    timeout: float
    poll: float = 5.0
    clock: Clock = field(default_factory=SystemClock)

    def deadline(self) -> datetime:
        """The moment following gives up."""
        return self.clock.now() + timedelta(seconds=self.timeout)

    def wait(self, deadline: datetime) -> bool:
        """Sleep until the next poll; False when the deadline has passed."""
        remaining = (deadline - self.clock.now()).total_seconds()
        if remaining <= 0:
            return False
        self.clock.sleep(min(self.poll, remaining))
        return True


class FollowStatus(enum.StrEnum):
    """How following one object ended."""

    APPLIED = "applied"
    FAILED = "failed"
    SUSPENDED = "suspended"
    NOT_FOUND = "not-found"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class FollowOutcome:
    """One object's end state; ``at`` is when it was first observed in that state."""

    ref: WorkloadRef
    status: FollowStatus
    at: datetime
    message: str
    revision: str = ""

    @property
    def ok(self) -> bool:
        """The object reached the wanted state."""
        return self.status is FollowStatus.APPLIED


_FINAL = {
    ApplyStatus.APPLIED: FollowStatus.APPLIED,
    ApplyStatus.FAILED: FollowStatus.FAILED,
    ApplyStatus.SUSPENDED: FollowStatus.SUSPENDED,
}


def wait_for_applied(
    cluster: ClusterReader,
    commit: str,
    objects: Sequence[WorkloadRef],
    *,
    polling: Polling,
    includes: Includes | None = None,
) -> dict[WorkloadRef, FollowOutcome]:
    """Poll until every Kustomization applied ``commit`` and every HelmRelease released.

    HelmReleases carry no Git revision, so they are judged (``observedGeneration ==
    generation``, Ready) only once all listed Kustomizations applied the commit.
    ``includes(sha)`` may accept a later applied commit that contains ``commit``.
    """
    unsupported = [str(r) for r in objects if r.kind not in ("Kustomization", "HelmRelease")]
    if unsupported:
        raise ValueError(f"only Kustomizations and HelmReleases apply commits: {unsupported}")
    deadline = polling.deadline()
    outcomes: dict[WorkloadRef, FollowOutcome] = {}
    last: dict[WorkloadRef, ApplyCheck] = {}
    while True:
        pending = [ref for ref in objects if ref not in outcomes]
        observed = cluster.flux_objects(pending)
        now = polling.clock.now()
        for ref in pending:
            obj = observed.get(ref)
            if obj is None:
                outcomes[ref] = FollowOutcome(ref, FollowStatus.NOT_FOUND, now, f"{ref} not found")
                continue
            check = _judge(ref, obj, commit, objects=objects, outcomes=outcomes, includes=includes)
            if check.final:
                outcomes[ref] = FollowOutcome(
                    ref, _FINAL[check.status], now, check.message, check.revision
                )
            else:
                last[ref] = check
        if len(outcomes) == len(set(objects)):
            return outcomes
        if not polling.wait(deadline):
            return outcomes | _timeouts(
                objects, outcomes, last=last, end=polling.clock.now(), timeout=polling.timeout
            )


def _judge(
    ref: WorkloadRef,
    obj: FluxObject,
    commit: str,
    *,
    objects: Sequence[WorkloadRef],
    outcomes: Mapping[WorkloadRef, FollowOutcome],
    includes: Includes | None,
) -> ApplyCheck:
    if ref.kind != "HelmRelease":
        return applied.check_applied(obj, commit, includes=includes)
    kustomizations = [r for r in objects if r.kind != "HelmRelease"]
    blocked = [r for r in kustomizations if r in outcomes and not outcomes[r].ok]
    if blocked:
        names = ", ".join(f"{r.kind} {r.namespace}/{r.name}" for r in blocked)
        return ApplyCheck(
            ApplyStatus.FAILED, "", f"not released: {names} did not apply {commit[:7]}"
        )
    if any(r not in outcomes for r in kustomizations):
        return ApplyCheck(ApplyStatus.PROGRESSING, "", "waiting for its Kustomization to apply")
    return applied.check_reconciled(obj)


def _timeouts(
    objects: Sequence[WorkloadRef],
    outcomes: Mapping[WorkloadRef, FollowOutcome],
    *,
    last: Mapping[WorkloadRef, ApplyCheck],
    end: datetime,
    timeout: float,
) -> dict[WorkloadRef, FollowOutcome]:
    result = {}
    for ref in objects:
        if ref in outcomes:
            continue
        check = last.get(ref)
        detail = check.message if check else "no observation"
        result[ref] = FollowOutcome(
            ref,
            FollowStatus.TIMEOUT,
            end,
            f"not applied after {timeout:g}s: {detail}",
            check.revision if check else "",
        )
    return result


def wait_for_replicas(
    cluster: ClusterReader,
    targets: Mapping[WorkloadRef, LiveTarget],
    *,
    polling: Polling,
) -> dict[WorkloadRef, FollowOutcome]:
    """Poll until each workload settled at its target (replicas ready, suspend, paused)."""
    deadline = polling.deadline()
    outcomes: dict[WorkloadRef, FollowOutcome] = {}
    details: dict[WorkloadRef, str] = {}
    while True:
        pending = [ref for ref in targets if ref not in outcomes]
        live = cluster.workloads(pending)
        now = polling.clock.now()
        for ref in pending:
            workload = live.get(ref)
            if workload is None:
                outcomes[ref] = FollowOutcome(ref, FollowStatus.NOT_FOUND, now, f"{ref} not found")
                continue
            state = progress(workload, targets[ref])
            if state.reached:
                outcomes[ref] = FollowOutcome(ref, FollowStatus.APPLIED, now, state.detail)
            details[ref] = state.detail
        if len(outcomes) == len(targets):
            return outcomes
        if not polling.wait(deadline):
            end = polling.clock.now()
            return outcomes | {
                ref: FollowOutcome(
                    ref,
                    FollowStatus.TIMEOUT,
                    end,
                    f"not settled after {polling.timeout:g}s: {details[ref]}",
                )
                for ref in targets
                if ref not in outcomes
            }


@dataclass(frozen=True, slots=True)
class RenderedOutcome:
    """A sleeping HelmRelease or Kustomization after following: its deployed workloads as last
    judged, its own Flux object as last read (None when absent), and when that was."""

    check: SleepCheck
    flux: FluxObject | None
    at: datetime

    @property
    def ok(self) -> bool:
        """Everything it deployed is asleep."""
        return self.check.settled

    @property
    def not_ready(self) -> Condition | None:
        """Its Ready condition when False (a failed install, upgrade or build)."""
        return None if self.flux is None else self.flux.ready_failure


def wait_for_rendered(
    cluster: ClusterReader,
    expectations: Mapping[WorkloadRef, Expectation],
    *,
    polling: Polling,
) -> dict[WorkloadRef, RenderedOutcome]:
    """Poll until the workloads each HelmRelease or Kustomization deployed are asleep as
    expected; at the deadline, the last judgement of those that are not."""
    deadline = polling.deadline()
    outcomes: dict[WorkloadRef, RenderedOutcome] = {}
    while True:
        pending = [ref for ref in expectations if ref not in outcomes]
        latest = _observe_rendered(cluster, pending, expectations, now=polling.clock.now())
        outcomes |= {ref: outcome for ref, outcome in latest.items() if outcome.ok}
        if len(outcomes) == len(expectations):
            return outcomes
        if not polling.wait(deadline):
            return outcomes | latest


def _observe_rendered(
    cluster: ClusterReader,
    pending: Sequence[WorkloadRef],
    expectations: Mapping[WorkloadRef, Expectation],
    *,
    now: datetime,
) -> dict[WorkloadRef, RenderedOutcome]:
    owners = cluster.flux_objects(pending)
    kinds = sorted({kind for ref in pending for kind in expectations[ref].kinds})
    live = cluster.deployed(pending, kinds=kinds)
    return {
        ref: RenderedOutcome(
            sleepcheck.judge(ref, live[ref], expectations[ref]), owners.get(ref), now
        )
        for ref in pending
    }
