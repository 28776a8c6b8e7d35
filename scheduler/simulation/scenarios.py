"""Ready-made fleets with a known truth of when each workload is active (``offhours suggest``).

``idleness_fleet(start)``: four weeks (from a Monday) of a fleet whose activity patterns are
known exactly (``scheduler.simulation.load.active_intervals``): office-hours services (one
namespace where all share the hours), an office-hours service idle on German public holidays,
a queue worker active only at night, a weekly CronJob, an always-on storefront with light
night traffic (seen only in its ingress request rate), and a HelmRelease-rendered frontend;
with noise, day-to-day variation, scrape gaps, the Flux controllers and offhours itself.
Nobody is switched off yet: no policies.
"""

from __future__ import annotations

from datetime import datetime

from scheduler.core.workloads import WorkloadRef
from scheduler.simulation.spec import CronSpec, LoadShape, SimulationSpec, WorkloadSpec

__all__ = ["idleness_fleet"]

NIGHT_SHIFT = LoadShape(
    night=0.04,
    office=0.7,
    weekend=0.04,
    office_start=1.5,
    office_end=3.5,
    ramp_hours=0.5,
    days=(0, 1, 2, 3, 4, 5, 6),
)
OFFICE = LoadShape()
# Sunday 03:00 UTC: the epoch (1970-01-01) is a Thursday.
WEEKLY = CronSpec(
    period_seconds=7 * 86400.0, job_seconds=3600.0, offset_seconds=3 * 86400 + 3 * 3600
)


def _office(namespace: str, name: str, **extra: object) -> WorkloadSpec:
    return WorkloadSpec(
        "Deployment",
        namespace,
        name,
        base_watts=1.0,
        peak_watts=4.0,
        peak_requests_per_second=2.0,
        restarts_per_day=0.1,
        **extra,  # type: ignore[arg-type]
    )


def idleness_fleet(*, start: datetime, days: float = 28.0, seed: int = 7) -> SimulationSpec:
    """The fleet described in the module docstring, from ``start`` (a Monday, local)."""
    workloads = (
        _office("shop", "web", replicas=2),
        _office("shop", "api"),
        WorkloadSpec(
            "StatefulSet", "shop", "db", base_watts=1.5, peak_watts=2.0, restarts_per_day=0.05
        ),
        _office("intranet", "portal", holidays="DE"),
        WorkloadSpec(
            "Deployment",
            "batch",
            "worker",
            base_watts=1.2,
            peak_watts=5.0,
            load=NIGHT_SHIFT,
            restarts_per_day=0.1,
        ),
        WorkloadSpec(
            "CronJob", "batch", "weekly-report", cron=WEEKLY, base_watts=0.5, peak_watts=3.0
        ),
        _office("live", "storefront", requests_per_second=0.05),
        _office("apps", "frontend", flux_owner=WorkloadRef("HelmRelease", "apps", "frontend")),
    )
    return SimulationSpec(
        start=start,
        days=days,
        workloads=workloads,
        policies=(),
        scrape_interval=60.0,
        seed=seed,
        gaps_per_day=0.3,
        gap_minutes=(2.0, 25.0),
        cadvisor=True,
    )
