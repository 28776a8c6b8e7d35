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
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import KubeError
from scheduler.settings import Settings

__all__ = ["ClusterFlux", "Includes"]

#: ``includes(sha)``: does the applied commit ``sha`` contain ours?
Includes = Callable[[str], bool]

_log = structlog.get_logger(__name__)


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
    ) -> None:
        """Follow the push on a background thread."""
        thread = threading.Thread(
            target=self._follow,
            args=(commit,),
            kwargs={"owners": tuple(owners), "pushed_at": pushed_at, "includes": includes},
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
    ) -> None:
        try:
            self._request_reconcile()
            outcomes = kube.wait_for_applied(
                self._cluster,
                commit,
                owners,
                polling=kube.Polling(timeout=self._timeout, poll=5.0),
                includes=includes,
            )
        except KubeError as exc:
            _log.warning("flux.follow_failed", commit=commit, error=str(exc))
            return
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
