"""The daemon loop's timing, failure isolation, leadership and metrics (clock injected)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from scheduler.adapters.telemetry import Health, Telemetry
from scheduler.core.changes import Action, Change
from scheduler.core.workloads import WorkloadRef
from scheduler.daemon import Daemon, DaemonTiming, install_signal_handlers
from scheduler.errors import GitSyncError
from scheduler.reconcile import CycleReport

T0 = datetime(2026, 11, 30, 18, 59, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Elector:
    def __init__(self, leading: bool) -> None:
        self.leading = leading

    def is_leader_at(self, now: datetime) -> bool:
        return self.leading


def change(policy: str = "dev-nights") -> Change:
    return Change(
        target=WorkloadRef("Deployment", "dev", "web"),
        file="apps/dev/web.yaml",
        policy=policy,
        action=Action.SLEEP,
        field="spec.replicas",
        before=2,
        after=0,
    )


def make(
    cycle: Callable[[datetime], CycleReport], *, elector: Elector | None = None
) -> tuple[Daemon, Telemetry, Health, Clock]:
    telemetry, health, clock = Telemetry(), Health(stale_after_seconds=300), Clock()
    daemon = Daemon(
        cycle=cycle,
        telemetry=telemetry,
        health=health,
        timing=DaemonTiming(poll_interval=60, backoff_base=2, backoff_max=30),
        clock=clock,
        elector=elector,
    )
    return daemon, telemetry, health, clock


def sample(telemetry: Telemetry, name: str, **labels: str) -> float | None:
    return telemetry.registry.get_sample_value(name, labels or None)


def test_wakes_just_after_the_next_transition() -> None:
    """With a transition 60 s away and a 60 s poll, the loop waits until just past it."""
    nxt = T0 + timedelta(seconds=42)
    daemon, *_ = make(lambda now: CycleReport(next_transition=nxt))
    assert daemon.step() == pytest.approx(42.2)


def test_polls_when_no_transition_is_near() -> None:
    """The repo is re-pulled every poll interval even if nothing is scheduled."""
    daemon, *_ = make(lambda now: CycleReport(next_transition=T0 + timedelta(hours=5)))
    assert daemon.step() == 60


def test_a_late_transition_runs_immediately() -> None:
    """A transition already in the past (caught up) means no wait at all."""
    daemon, *_ = make(lambda now: CycleReport(next_transition=T0 - timedelta(seconds=5)))
    assert daemon.step() == 0


def test_failures_back_off_exponentially_and_are_bounded() -> None:
    """Failed cycles are retried after 2, 4, 8, 16, 30, 30 s; the loop keeps going."""

    def failing(now: datetime) -> CycleReport:
        raise GitSyncError("remote unreachable")

    daemon, telemetry, health, _ = make(failing)
    assert [daemon.step() for _ in range(6)] == [2, 4, 8, 16, 30, 30]
    assert sample(telemetry, "offhours_cycles_total", result="error") == 6
    assert sample(telemetry, "offhours_errors_total", kind="GitSyncError") == 6
    assert health.ready() == (False, "GitSyncError: remote unreachable")


def test_an_unexpected_error_fails_the_cycle_not_the_daemon() -> None:
    """A bug-class exception in one cycle is counted, logged with its traceback and retried
    with backoff; the loop goes on (the per-cycle isolation point)."""

    def broken(now: datetime) -> CycleReport:
        raise KeyError("spec")

    daemon, telemetry, health, _ = make(broken)
    with capture_logs() as logs:
        assert [daemon.step() for _ in range(2)] == [2, 4]
    assert sample(telemetry, "offhours_errors_total", kind="KeyError") == 2
    assert not health.ready()[0]
    failed = [e for e in logs if e["event"] == "cycle.failed"]
    assert failed[0]["kind"] == "KeyError"
    assert failed[0]["exc_info"] is True


def test_a_failure_never_delays_a_due_transition() -> None:
    """After a success announced a transition, a later failure retries no later than it."""
    results: list[CycleReport | Exception] = [
        CycleReport(next_transition=T0 + timedelta(seconds=3)),
        GitSyncError("flaky"),
        GitSyncError("flaky"),
        GitSyncError("flaky"),
    ]

    def cycle(now: datetime) -> CycleReport:
        item = results.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    daemon, _, health, _ = make(cycle)
    daemon.step()
    assert [daemon.step() for _ in range(3)] == pytest.approx([2, 3.2, 3.2])
    assert health.ready()[0]


def test_failures_after_a_due_transition_still_back_off() -> None:
    """A cycle failing at (or after) the transition it was woken for is retried with backoff,
    not in a busy loop: the passed transition no longer bounds the wait."""
    results: list[CycleReport | Exception] = [
        CycleReport(next_transition=T0 + timedelta(seconds=3)),
        *(GitSyncError("remote unreachable") for _ in range(4)),
    ]

    def cycle(now: datetime) -> CycleReport:
        item = results.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    daemon, _, _, clock = make(cycle)
    daemon.step()
    clock.now = T0 + timedelta(seconds=3.2)
    assert [daemon.step() for _ in range(4)] == [2, 4, 8, 16]


def test_success_resets_the_backoff() -> None:
    """One good cycle resets the failure count."""
    outcomes = iter([GitSyncError("x"), GitSyncError("x"), None, GitSyncError("x")])

    def cycle(now: datetime) -> CycleReport:
        error = next(outcomes)
        if error:
            raise error
        return CycleReport()

    daemon, *_ = make(cycle)
    assert [daemon.step() for _ in range(4)] == [2, 4, 60, 2]


def test_standby_does_not_write_but_is_ready() -> None:
    """A replica that is not the leader runs no cycle, reports ready and is_leader 0."""
    calls: list[datetime] = []
    daemon, telemetry, health, _ = make(
        lambda now: calls.append(now) or CycleReport(), elector=Elector(False)
    )
    assert daemon.step() == 2
    assert calls == []
    assert health.ready() == (True, "standby")
    assert sample(telemetry, "offhours_is_leader") == 0


def test_leader_runs_cycles_and_says_so() -> None:
    """The leader runs the cycle and exports is_leader 1."""
    calls: list[datetime] = []
    daemon, telemetry, *_ = make(
        lambda now: calls.append(now) or CycleReport(), elector=Elector(True)
    )
    daemon.step()
    assert calls == [T0]
    assert sample(telemetry, "offhours_is_leader") == 1


def test_metrics_record_pushes_transitions_and_lag() -> None:
    """A pushed cycle counts transitions, sets the last push time and observes actuation lag."""
    clock_holder: list[Clock] = []

    def cycle(now: datetime) -> CycleReport:
        clock_holder[0].now = now + timedelta(seconds=1.5)
        return CycleReport(
            changes=(change(), change()),
            commit="abc",
            pushed=True,
            conflicts=1,
            asleep={"dev-nights": 2},
            next_by_policy={"dev-nights": 1_800_000_000},
            due={"dev-nights": T0.timestamp() - 0.5},
        )

    daemon, telemetry, _, clock = make(cycle)
    clock_holder.append(clock)
    daemon.step()
    assert sample(telemetry, "offhours_transitions_total", policy="dev-nights", action="sleep") == 2
    assert sample(telemetry, "offhours_push_conflicts_total") == 1
    assert sample(telemetry, "offhours_last_successful_push_timestamp_seconds") == (
        T0.timestamp() + 1.5
    )
    assert sample(telemetry, "offhours_actuation_lag_seconds_sum") == pytest.approx(2.0)
    assert sample(telemetry, "offhours_targets_asleep", policy="dev-nights") == 2
    assert sample(telemetry, "offhours_next_transition_timestamp_seconds", policy="dev-nights")


def test_gauges_forget_policies_that_are_gone() -> None:
    """A policy removed from Git disappears from the per-policy gauges."""
    reports = iter([CycleReport(asleep={"a": 1, "b": 2}), CycleReport(asleep={"b": 0})])
    daemon, telemetry, *_ = make(lambda now: next(reports))
    daemon.step()
    daemon.step()
    assert sample(telemetry, "offhours_targets_asleep", policy="a") is None
    assert sample(telemetry, "offhours_targets_asleep", policy="b") == 0


def test_run_returns_once_stopped() -> None:
    """run() ends after the cycle during which stop was set."""
    stop = threading.Event()
    calls: list[datetime] = []

    def cycle(now: datetime) -> CycleReport:
        calls.append(now)
        stop.set()
        return CycleReport()

    daemon, *_ = make(cycle)
    daemon.run(stop)
    assert len(calls) == 1


def test_sigterm_sets_the_stop_flag() -> None:
    """SIGTERM (and SIGINT) only set the stop flag; the process is not killed mid-cycle."""
    stop = threading.Event()
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        install_signal_handlers(stop)
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(2)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
