"""The long-running loop around the reconcile step: scheduling, signals, health, metrics.

The daemon adds nothing to *what* is done: every cycle calls the same reconcile function as
``offhours apply`` (pull, load policies, plan at now, commit, push). It decides *when*:

- it sleeps until the earliest of the next transition of any policy (woken a hair after the
  instant, so the commit is pushed within seconds of it), the next repo poll, or a signal;
- a failed cycle (Git, network, Kubernetes, or an unexpected error, logged with its
  traceback) is logged and retried with bounded exponential backoff; the process keeps
  running;
- SIGTERM/SIGINT set a stop flag that is checked between cycles, so a cycle is finished (or,
  before its commit, abandoned) and never left half-way through a commit;
- with leader election only the leader runs cycles; standbys stay ready and keep their
  metrics current.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import FrameType
from typing import Protocol

import structlog
from prometheus_client import Gauge

from scheduler.adapters.telemetry import Health, Telemetry
from scheduler.errors import SchedulerError
from scheduler.reconcile import CycleReport

__all__ = ["Daemon", "DaemonTiming", "Elector", "install_signal_handlers"]

_log = structlog.get_logger(__name__)


class Elector(Protocol):
    """What the loop needs of leader election."""

    def is_leader_at(self, now: datetime) -> bool:
        """Whether this replica may write at ``now``."""
        ...


Cycle = Callable[[datetime], CycleReport]
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class DaemonTiming:
    """When the loop wakes up."""

    poll_interval: float = 60.0
    backoff_base: float = 2.0
    backoff_max: float = 300.0
    #: wake this long after a transition instant, so "now" is already past it
    transition_margin: float = 0.2
    #: standbys re-check the election this often
    standby_interval: float = 2.0

    def backoff(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failed cycles (bounded)."""
        return float(min(self.backoff_max, self.backoff_base * 2 ** max(0, failures - 1)))


@dataclass
class _LoopState:
    failures: int = 0
    last_success: datetime | None = None
    next_transition: datetime | None = None
    leading: bool = False
    known_policies: set[str] = field(default_factory=set)


class Daemon:
    """Runs ``cycle`` at the right instants until ``stop`` is set."""

    def __init__(
        self,
        *,
        cycle: Cycle,
        telemetry: Telemetry,
        health: Health,
        timing: DaemonTiming,
        clock: Clock,
        elector: Elector | None = None,
    ) -> None:
        self._cycle, self._telemetry, self._health = cycle, telemetry, health
        self._timing, self._clock, self._elector = timing, clock, elector
        self._state = _LoopState()

    def run(self, stop: threading.Event) -> None:
        """Loop until ``stop`` is set; returns after the current cycle completes."""
        _log.info("daemon.started", poll_interval=self._timing.poll_interval)
        while not stop.is_set():
            delay = self.step()
            stop.wait(delay)
        _log.info("daemon.stopped")

    def step(self) -> float:
        """One turn of the loop; returns how long to wait before the next one."""
        now = self._clock()
        self._health.beat(now.timestamp())
        if not self._lead(now):
            self._health.set_ready(True, "standby")
            return self._timing.standby_interval
        try:
            report = self._cycle(now)
        except SchedulerError as exc:
            return self._failed(exc, now)
        except Exception as exc:  # noqa: BLE001 - the per-cycle isolation point: log, retry
            return self._failed(exc, now, unexpected=True)
        self._succeeded(report, now)
        return self._delay_until_next(self._clock())

    def _lead(self, now: datetime) -> bool:
        leading = self._elector is None or self._elector.is_leader_at(now)
        if leading != self._state.leading:
            _log.info("daemon.leadership", leader=leading)
        self._state.leading = leading
        self._telemetry.is_leader.set(1 if leading else 0)
        return leading

    def _failed(self, exc: Exception, now: datetime, *, unexpected: bool = False) -> float:
        """Count and log a failed cycle (with the traceback when it is not one of ours);
        returns the backoff delay."""
        state = self._state
        state.failures += 1
        delay = self._timing.backoff(state.failures)
        kind = type(exc).__name__
        self._telemetry.cycles.labels(result="error").inc()
        self._telemetry.errors.labels(kind=kind).inc()
        if state.last_success is None:
            self._health.set_ready(False, f"{kind}: {exc}")
        _log.error(
            "cycle.failed",
            error=str(exc),
            kind=kind,
            failures=state.failures,
            retry_in=delay,
            exc_info=unexpected,
        )
        if state.next_transition is None or state.next_transition <= now:
            return delay  # a passed transition is what failed: retrying at once would spin
        return min(delay, self._until_next(now))

    def _succeeded(self, report: CycleReport, now: datetime) -> None:
        state = self._state
        state.failures, state.last_success = 0, now
        state.next_transition = report.next_transition
        self._health.set_ready(True, "ok")
        self._record(report, now)
        _log.info(
            "cycle.done",
            changes=len(report.changes),
            commit=report.commit,
            pushed=report.pushed,
            conflicts=report.conflicts,
            next_transition=report.next_transition.isoformat() if report.next_transition else None,
            duration=round((self._clock() - now).total_seconds(), 3),
        )

    def _record(self, report: CycleReport, now: datetime) -> None:
        t = self._telemetry
        t.cycles.labels(result="ok").inc()
        t.cycle_duration.observe(max(0.0, (self._clock() - now).total_seconds()))
        t.push_conflicts.inc(report.conflicts)
        for change in report.changes if report.pushed else ():
            t.transitions.labels(policy=change.policy, action=str(change.action)).inc()
        if report.pushed:
            pushed_at = self._clock().timestamp()
            t.last_push.set(pushed_at)
            for instant in report.due.values():
                t.actuation_lag.observe(max(0.0, pushed_at - instant))
        self._set_per_policy(report.asleep, t.targets_asleep)
        self._set_per_policy(report.watts_avoided, t.watts_avoided)
        self._set_per_policy(report.next_by_policy, t.next_transition)

    @staticmethod
    def _set_per_policy(values: Mapping[str, float], gauge: Gauge) -> None:
        gauge.clear()
        for policy, value in values.items():
            gauge.labels(policy=policy).set(value)

    def _delay_until_next(self, now: datetime) -> float:
        return min(self._timing.poll_interval, self._until_next(now))

    def _until_next(self, now: datetime) -> float:
        upcoming = self._state.next_transition
        if upcoming is None:
            return self._timing.poll_interval
        seconds = (upcoming - now).total_seconds() + self._timing.transition_margin
        return max(0.0, seconds)


def install_signal_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT set ``stop``; the loop exits after the current cycle."""

    def handle(signum: int, frame: FrameType | None) -> None:
        _log.info("daemon.signal", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)
