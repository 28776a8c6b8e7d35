"""The cluster side of a cycle: has Flux applied a commit, and following each push.

After a push the follower (on a background thread, so the loop keeps its timing) asks Flux to
reconcile the GitRepository now (``reconcile.fluxcd.io/requestedAt``), waits until every
Kustomization owning a changed file reports the commit applied and Ready, records the lag,
and logs objects that never got there. A later commit on top of ours counts as applied.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import structlog

from scheduler.adapters import kube
from scheduler.core import flux
from scheduler.core.changes import Change
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


class ClusterFlux:
    """``FluxView`` over a live cluster."""

    def __init__(
        self,
        cluster: kube.KubeCluster,
        *,
        settings: Settings,
        on_applied: Callable[[float], None],
        timeout: float = 900.0,
    ) -> None:
        self._cluster, self._settings = cluster, settings
        self._on_applied, self._timeout = on_applied, timeout
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
        self._warn(changes)
        self._request_reconcile()
        outcomes = kube.wait_for_applied(
            self._cluster,
            commit,
            owners,
            polling=kube.Polling(timeout=self._timeout, poll=5.0),
            includes=includes,
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

    def _confirm_live(self, commit: str, changes: tuple[Change, ...]) -> None:
        """For scaled workloads, wait until the live replicas reached what was committed."""
        wanted = {c.target: t for c in changes if (t := live_target(c)) is not None}
        if not wanted:
            return
        outcomes = kube.wait_for_replicas(
            self._cluster, wanted, polling=kube.Polling(timeout=self._timeout, poll=5.0)
        )
        for outcome in outcomes.values():
            event = "workload.settled" if outcome.ok else "workload.not_settled"
            log = _log.info if outcome.ok else _log.warning
            log(event, commit=commit, target=str(outcome.ref), message=outcome.message)

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
