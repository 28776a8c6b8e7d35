"""The cluster side of a cycle: has Flux applied a commit, and following each push.

After a push the follower (on a background thread, so the loop keeps its timing) asks Flux to
reconcile the GitRepository now (``reconcile.fluxcd.io/requestedAt``), waits until every
Kustomization owning a changed file reports the commit applied and Ready, records the lag,
and logs objects that never got there. A later commit on top of ours counts as applied.

Then it confirms live, not assumed: scaled workloads must reach the committed replicas, and
everything a HelmRelease or Kustomization put to sleep deployed (found by Flux's labels) must
be asleep, within the same deadline. Each workload still running is logged
(``workload.still_running``), each target's result too (``workload.settled`` /
``workload.not_settled``), a HelmRelease or Kustomization reporting Ready=False as
``flux.not_ready``; the counts go to ``offhours_target_workloads_running`` and
``offhours_target_not_ready``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import structlog

from scheduler.adapters import kube
from scheduler.adapters.telemetry import Telemetry
from scheduler.core import flux, sleepcheck
from scheduler.core.changes import Action, Change
from scheduler.core.observations import LiveTarget
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import KubeError
from scheduler.settings import Settings

__all__ = ["ClusterFlux", "Includes", "live_target"]

#: ``includes(sha)``: does the applied commit ``sha`` contain ours?
Includes = Callable[[str], bool]

_log = structlog.get_logger(__name__)


def live_target(change: Change) -> LiveTarget | None:
    """What the cluster should show once ``change`` is applied (None: nothing checkable, e.g.
    replicas removed for an HPA, or a Helm value whose workload name is the chart's)."""
    if change.target.kind in ("Deployment", "StatefulSet", "ReplicaSet"):
        if change.field == "spec.replicas" and isinstance(change.after, int):
            return LiveTarget(replicas=change.after)
        return None
    if change.target.kind == "CronJob" and change.field == "spec.suspend":
        return LiveTarget(suspend=change.after is True)
    if change.target.kind == "ScaledObject" and change.field.endswith("paused-replicas"):
        after = str(change.after)
        return LiveTarget(paused_replicas=int(after)) if after.isdigit() else None
    return None


def _log_check(commit: str, check: sleepcheck.SleepCheck) -> None:
    """One line per sleeping target, and one per deployed workload still running."""
    target = str(check.owner)
    if check.settled:
        _log.info("workload.settled", commit=commit, target=target, message=check.line)
        return
    running = check.running
    _log.warning(
        "workload.not_settled",
        commit=commit,
        target=target,
        message=check.line,
        running=len(running),
    )
    for workload in running:
        _log.warning(
            "workload.still_running",
            commit=commit,
            target=target,
            workload=str(workload.ref),
            state=workload.state,
        )


class ClusterFlux:
    """``FluxView`` over a live cluster."""

    def __init__(
        self,
        cluster: kube.KubeCluster,
        *,
        settings: Settings,
        on_applied: Callable[[float], None],
        timeout: float = 900.0,
        telemetry: Telemetry | None = None,
        clock: kube.Clock | None = None,
    ) -> None:
        """``timeout`` bounds each wait (Flux applying, workloads settling); ``telemetry``
        receives the live-check gauges; ``clock`` paces the polls (the system clock)."""
        self._cluster, self._settings = cluster, settings
        self._on_applied, self._timeout = on_applied, timeout
        self._telemetry, self._clock = telemetry, clock or kube.SystemClock()
        self._threads: list[threading.Thread] = []

    def applied(self, commit: str, owners: Sequence[WorkloadRef], *, includes: Includes) -> bool:
        """Every owner reports ``commit`` (or a later commit ``includes`` accepts) applied."""
        if not owners:
            return True
        try:
            found = self._cluster.flux_objects(owners)
        except KubeError as exc:
            _log.warning("flux.check_failed", error=str(exc), commit=commit)
            return False
        return all(
            obj is not None and flux.check_applied(obj, commit, includes=includes).final
            for obj in found.values()
        )

    def follow(
        self,
        commit: str,
        owners: Sequence[WorkloadRef],
        *,
        pushed_at: datetime,
        includes: Includes,
        changes: Sequence[Change] = (),
    ) -> None:
        """Follow the push on a background thread."""
        thread = threading.Thread(
            target=self._follow,
            args=(commit,),
            kwargs={
                "owners": tuple(owners),
                "pushed_at": pushed_at,
                "includes": includes,
                "changes": tuple(changes),
            },
            daemon=True,
        )
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _follow(
        self,
        commit: str,
        *,
        owners: tuple[WorkloadRef, ...],
        pushed_at: datetime,
        includes: Includes,
        changes: tuple[Change, ...],
    ) -> None:
        """The follower thread: an API error ends it with a warning, never a traceback."""
        try:
            self._track(
                commit, owners=owners, pushed_at=pushed_at, includes=includes, changes=changes
            )
        except KubeError as exc:
            _log.warning("flux.follow_failed", commit=commit, error=str(exc))

    def _track(
        self,
        commit: str,
        *,
        owners: tuple[WorkloadRef, ...],
        pushed_at: datetime,
        includes: Includes,
        changes: tuple[Change, ...],
    ) -> None:
        self._forget_woken(changes)
        self._warn(changes)
        self._request_reconcile()
        outcomes = kube.wait_for_applied(
            self._cluster, commit, owners, polling=self._polling(), includes=includes
        )
        for outcome in outcomes.values():
            if outcome.ok:
                self._on_applied(max(0.0, (outcome.at - pushed_at).total_seconds()))
                _log.info("flux.applied", commit=commit, object=str(outcome.ref))
            else:
                _log.warning(
                    "flux.not_applied",
                    commit=commit,
                    object=str(outcome.ref),
                    status=str(outcome.status),
                    message=outcome.message,
                )
        if all(o.ok for o in outcomes.values()):
            self._confirm_live(commit, changes)

    def _warn(self, changes: tuple[Change, ...]) -> None:
        """Log, per changed target, every reason the change may never reach the cluster."""
        if not changes:
            return
        snapshot = self._cluster.flux_snapshot()
        context = flux.DeliveryContext(
            snapshot, kube.push_target(self._settings.kube), self._cluster.autoscalers()
        )
        for change in changes:
            for warning in flux.delivery_warnings(
                change.target, field=change.field, context=context
            ):
                _log.warning(
                    "flux.delivery_warning",
                    target=str(change.target),
                    code=str(warning.code),
                    message=warning.message,
                )

    def _polling(self) -> kube.Polling:
        return kube.Polling(timeout=self._timeout, poll=5.0, clock=self._clock)

    def _forget_woken(self, changes: tuple[Change, ...]) -> None:
        """A woken target is no longer meant to be asleep: drop its live-check gauges."""
        if self._telemetry is None:
            return
        for change in changes:
            if change.action is Action.WAKE:
                self._telemetry.forget_target(str(change.target))

    def _confirm_live(self, commit: str, changes: tuple[Change, ...]) -> None:
        """Wait until the cluster runs what was committed: scaled workloads at their
        replicas, and what each sleeping HelmRelease or Kustomization deployed asleep."""
        self._confirm_workloads(commit, changes)
        self._confirm_rendered(commit, changes)

    def _confirm_workloads(self, commit: str, changes: tuple[Change, ...]) -> None:
        """For scaled workloads, wait until the live replicas reached what was committed."""
        wanted = {c.target: t for c in changes if (t := live_target(c)) is not None}
        if not wanted:
            return
        asleep = {c.target for c in changes if c.action is Action.SLEEP}
        outcomes = kube.wait_for_replicas(self._cluster, wanted, polling=self._polling())
        for outcome in outcomes.values():
            event = "workload.settled" if outcome.ok else "workload.not_settled"
            log = _log.info if outcome.ok else _log.warning
            log(event, commit=commit, target=str(outcome.ref), message=outcome.message)
            if self._telemetry is not None and outcome.ref in asleep:
                running = outcome.status is kube.FollowStatus.TIMEOUT
                self._telemetry.record_live(str(outcome.ref), running=int(running))

    def _confirm_rendered(self, commit: str, changes: tuple[Change, ...]) -> None:
        """For each HelmRelease or Kustomization put to sleep, wait until everything it
        deployed is asleep; log each workload still running and a Ready=False."""
        expected = {
            c.target: e for c in changes if (e := sleepcheck.expectation_of_change(c)) is not None
        }
        if not expected:
            return
        outcomes = kube.wait_for_rendered(self._cluster, expected, polling=self._polling())
        for ref in sorted(outcomes):
            self._report_rendered(commit, outcomes[ref])

    def _report_rendered(self, commit: str, outcome: kube.RenderedOutcome) -> None:
        """Log the judgement (and a Ready=False), and set the target's gauges."""
        check, target = outcome.check, str(outcome.check.owner)
        _log_check(commit, check)
        failure = outcome.not_ready
        if failure is not None:
            _log.warning(
                "flux.not_ready",
                commit=commit,
                object=target,
                reason=failure.reason,
                message=failure.message,
            )
        if self._telemetry is not None:
            running = len(check.running)
            self._telemetry.record_live(target, running=running, not_ready=failure is not None)

    def _request_reconcile(self) -> None:
        settings = self._settings
        target = kube.push_target(settings.kube)
        if not settings.kube.request_reconcile or target.git_repository is None:
            return
        request = self._cluster.request_reconcile(target.git_repository, now=datetime.now(UTC))
        _log.info(
            "flux.reconcile_requested",
            object=str(target.git_repository),
            outcome=str(request.outcome),
        )

    def join(self, timeout: float) -> None:
        """Wait for running follow-ups (used at shutdown and in tests)."""
        for thread in self._threads:
            thread.join(timeout)
