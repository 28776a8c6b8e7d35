"""Simulation inputs: load shapes, policies' off windows in local time, validation."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.core.intervals import IntervalSet
from scheduler.simulation.spec import CronSpec, LoadShape, PolicySpec, SimulationSpec, WorkloadSpec
from scheduler.simulation.timeline import policy_windows

BERLIN = ZoneInfo("Europe/Berlin")


def local(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).timestamp()


@pytest.mark.parametrize(
    ("hour_of_week", "expected"),
    [(3.0, 0.05), (24 + 12.0, 0.6), (24 + 7.25, 0.05 + 0.55 * 0.5), (24 + 19.5, 0.05), (130, 0.05)],
    ids=["night", "office", "ramp-midpoint", "after-ramp", "weekend"],
)
def test_load_shape(hour_of_week: float, expected: float) -> None:
    """Weekday office plateau with cosine ramps; flat nights and weekends."""
    assert LoadShape().at(hour_of_week) == pytest.approx(expected)


def test_load_shape_validation() -> None:
    """Loads are fractions and office hours fit in a day."""
    with pytest.raises(ValueError, match=r"load office must be within \[0, 1\]"):
        LoadShape(office=1.5)
    with pytest.raises(ValueError, match="fit within one day"):
        LoadShape(office_start=0.5, ramp_hours=1.0)


def test_nightly_and_weekend_windows_in_local_time() -> None:
    """Mon-Thu nights 20:00-07:00 and Friday 20:00 to Monday 07:00, Berlin time."""
    windows = policy_windows(
        PolicySpec("nights"),
        tz=BERLIN,
        start=local("2025-01-06T00:00"),
        end=local("2025-01-13T12:00"),
    )
    assert windows == IntervalSet(
        [
            (local("2025-01-06T00:00"), local("2025-01-06T07:00")),
            *[
                (local(f"2025-01-{d:02d}T20:00"), local(f"2025-01-{d + 1:02d}T07:00"))
                for d in range(6, 10)
            ],
            (local("2025-01-10T20:00"), local("2025-01-13T07:00")),
        ]
    )


def test_windows_keep_local_times_across_dst() -> None:
    """Across 2025-03-30 the windows keep 20:00-07:00 local; that night lasts 10 h, not 11 h."""
    windows = policy_windows(
        PolicySpec("nights", weekends=False),
        tz=BERLIN,
        start=local("2025-03-29T12:00"),
        end=local("2025-04-01T00:00"),
    )
    starts = [datetime.fromtimestamp(w.start, BERLIN).time() for w in windows]
    ends = [datetime.fromtimestamp(w.end, BERLIN).time() for w in windows][:-1]
    assert starts == [time(20, 0)] * 3
    assert ends == [time(7, 0)] * 2
    assert windows.pairs[0][1] - windows.pairs[0][0] == 10 * 3600
    assert windows.pairs[1][1] - windows.pairs[1][0] == 11 * 3600


def test_workload_validation() -> None:
    """Kinds, CronSpecs and noise bounds are checked with the workload's name."""
    with pytest.raises(ValueError, match="kind 'DaemonSet' not simulated"):
        WorkloadSpec("DaemonSet", "dev", "x")
    with pytest.raises(ValueError, match="CronJob/dev/x: a CronJob needs a CronSpec"):
        WorkloadSpec("CronJob", "dev", "x")
    with pytest.raises(ValueError, match="noise and daily_sd"):
        WorkloadSpec("Deployment", "dev", "x", noise=0.5)
    with pytest.raises(ValueError, match="shorter than its period"):
        CronSpec(period_seconds=60, job_seconds=60)
    with pytest.raises(ValueError, match="pod_seconds must be"):
        WorkloadSpec("Deployment", "ci", "runner", pod_seconds=(420.0, 180.0))
    with pytest.raises(ValueError, match="for a Deployment"):
        WorkloadSpec("StatefulSet", "ci", "runner", pod_seconds=(180.0, 420.0))


def test_spec_validation() -> None:
    """Naive starts and unknown policies are rejected."""
    with pytest.raises(ValueError, match="timezone-aware"):
        SimulationSpec(start=datetime(2025, 1, 6), days=1, workloads=(), policies=())
    with pytest.raises(ValueError, match="unknown policy 'gone'"):
        SimulationSpec(
            start=datetime(2025, 1, 6, tzinfo=UTC),
            days=1,
            workloads=(WorkloadSpec("Deployment", "dev", "x", policy="gone"),),
            policies=(),
        )


def test_demo_fleet_mixes_kinds_and_has_history_before_adoption() -> None:
    """The demo has Deployments, StatefulSets and CronJobs, two policies, 14 days of history."""
    spec = SimulationSpec.demo(start=datetime(2025, 1, 6, tzinfo=UTC), days=30, workloads=12)
    kinds = {w.kind for w in spec.workloads}
    assert kinds == {"Deployment", "StatefulSet", "CronJob"}
    assert spec.adoption_ts - spec.start_ts == 14 * 86400
    assert len(spec.all_workloads()) == 12 + 5
