"""Watts avoided right now, per policy: what the targets asleep now would draw if they were on.

``WattsAvoided`` is called by the daemon once per cycle, after its Git work::

    watts = WattsAvoided(settings)
    ...
    report = replace(report, watts_avoided=watts(ws, plan, now=now))

For each policy it adds, over the targets asleep now (asleep in Git, or put to sleep by this
cycle's plan, and not woken by it; a target claimed by several policies counts under the one
that put it to sleep), the baseline power of the current local hour of the week from each
target's hour-of-week profile of the last weeks (``reporting.profiles``). Profiles are read
from Prometheus at most once per ``refresh_seconds`` (default hourly), for every target the
policies select, so targets going to sleep later need no new read. A metrics failure keeps
the previous profiles (or returns the last values, or ``{}``), logs
``energy.watts_avoided_failed`` and retries after ``retry_seconds``: it never raises into the
cycle. An estimate, as every baseline is.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo

import structlog

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core import zones as tzones
from scheduler.core.changes import Action
from scheduler.core.energy import baseline
from scheduler.core.planner import Plan
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import SchedulerError
from scheduler.reconcile.reporting import default_history_seconds
from scheduler.reconcile.reporting.profiles import HistorySpan, power_at, read_profiles
from scheduler.reconcile.workspace import Workspace
from scheduler.settings import Settings

__all__ = ["WattsAvoided", "targets_asleep"]

log = structlog.get_logger(__name__)


def targets_asleep(ws: Workspace, plan: Plan) -> dict[str, tuple[WorkloadRef, ...]]:
    """Per policy (every valid one, possibly empty): the targets asleep after ``plan``."""
    slept = {c.target for c in plan.changes if c.action is Action.SLEEP}
    woken = {c.target for c in plan.changes if c.action is Action.WAKE}
    asleep: dict[str, list[WorkloadRef]] = {p.name: [] for p in ws.policies.policies}
    if plan.resolution is None:
        return dict.fromkeys(asleep, ())
    for obj in ws.index.objects:
        claims = plan.resolution.claims_on(obj)
        if claims and (obj.asleep or obj.ref in slept) and obj.ref not in woken:
            asleep.setdefault(claims[0].policy.name, []).append(obj.ref)
    return {name: tuple(sorted(set(refs))) for name, refs in asleep.items()}


def _zone(name: str) -> tzinfo:
    try:
        return tzones.get_zone(name)
    except ValueError:
        return tzones.get_zone("UTC")


class WattsAvoided:
    """Per-cycle baseline watts of the sleeping targets, with hourly cached profiles."""

    def __init__(
        self,
        settings: Settings,
        *,
        refresh_seconds: float = 3600.0,
        retry_seconds: float = 300.0,
        history_seconds: float | None = None,
        step: float = 300.0,
        client_factory: Callable[[], PrometheusClient] | None = None,
    ) -> None:
        self._settings = settings
        self._refresh, self._retry, self._step = refresh_seconds, retry_seconds, step
        self._history = (
            default_history_seconds(settings.energy) if history_seconds is None else history_seconds
        )
        self._factory = client_factory or (lambda: PrometheusClient(settings.prometheus))
        self._profiles: dict[WorkloadRef, baseline.BaselineProfile | None] = {}
        self._next_read = -math.inf
        self._last: dict[str, float] = {}
        self.reads = 0

    def __call__(self, ws: Workspace, plan: Plan, *, now: datetime) -> dict[str, float]:
        """``{policy: watts}`` now; never raises."""
        try:
            asleep = targets_asleep(ws, plan)
            zones = {p.name: p.zone for p in ws.policies.policies}
            self._maybe_refresh(ws, plan, zones=zones, now=now.timestamp())
            self._last = self._watts(asleep, now=now.timestamp())
        except Exception as exc:  # noqa: BLE001 - isolation point: the cycle must go on
            log.warning("energy.watts_avoided_failed", error=str(exc), kind=type(exc).__name__)
        return dict(self._last)

    def _managed(
        self, ws: Workspace, plan: Plan, zones: Mapping[str, str]
    ) -> dict[WorkloadRef, tzinfo]:
        if plan.resolution is None:
            return {}
        managed = {}
        for obj in ws.index.objects:
            claims = plan.resolution.claims_on(obj)
            if claims:
                managed[obj.ref] = _zone(zones.get(claims[0].policy.name, "UTC"))
        return managed

    def _maybe_refresh(
        self, ws: Workspace, plan: Plan, *, zones: Mapping[str, str], now: float
    ) -> None:
        if not self._settings.prometheus.url or now < self._next_read:
            return
        managed = self._managed(ws, plan, zones)
        try:
            with self._factory() as client:
                self._profiles = read_profiles(
                    client,
                    targets=tuple(managed),
                    zones=managed,
                    span=HistorySpan(now, self._history, self._step),
                    settle_seconds=self._settings.energy.baseline_settle_minutes * 60.0,
                )
            self.reads += 1
            self._next_read = now + self._refresh
            log.info("energy.profiles_read", targets=len(managed))
        except SchedulerError as exc:
            self._next_read = now + self._retry
            log.warning(
                "energy.watts_avoided_failed",
                error=str(exc),
                kept_profiles=len(self._profiles),
                retry_in=self._retry,
            )

    def _watts(
        self, asleep: Mapping[str, tuple[WorkloadRef, ...]], *, now: float
    ) -> dict[str, float]:
        if not self._profiles:
            return dict(self._last)
        min_bin = self._settings.energy.baseline_min_bin_minutes * 60.0
        out: dict[str, float] = {}
        for policy, refs in asleep.items():
            total = 0.0
            for ref in refs:
                profile = self._profiles.get(ref)
                stats = power_at(profile, now, min_bin_seconds=min_bin) if profile else None
                total += stats.median if stats is not None else 0.0
            out[policy] = total
        return out
