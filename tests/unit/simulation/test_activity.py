"""Simulated cAdvisor activity and its ground truth: counters per pod (the pod cgroup equals its
container), an ingress request counter, and the active intervals of each load pattern."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.simulation import SimulationSpec, WorkloadSpec, simulate
from scheduler.simulation.activity import CPU_METRIC, NETWORK_METRIC, REQUESTS_METRIC
from scheduler.simulation.load import active_intervals
from scheduler.simulation.scenarios import WEEKLY, idleness_fleet

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 11, tzinfo=BERLIN)  # a Monday; Ascension on Thursday the 14th


def _spec(*workloads: WorkloadSpec, days: float = 2.0) -> SimulationSpec:
    return SimulationSpec(
        start=START,
        days=days,
        workloads=workloads,
        policies=(),
        flux=False,
        scrape_interval=60.0,
        gaps_per_day=0.0,
        cadvisor=True,
    )


def test_pod_cgroup_equals_its_container_and_counters_only_grow() -> None:
    web = WorkloadSpec(
        "Deployment", "shop", "web", restarts_per_day=0.0, peak_requests_per_second=1.0
    )
    series = simulate(_spec(web)).series
    cpu = [s for s in series if s.name == CPU_METRIC]
    container = next(s for s in cpu if s.label_map["container"] == "web")
    pod = next(s for s in cpu if s.label_map["container"] == "")
    assert list(pod.values) == list(container.values)
    for s in [container, *(s for s in series if s.name in (NETWORK_METRIC, REQUESTS_METRIC))]:
        assert all(b >= a for a, b in zip(s.values, s.values[1:], strict=False))
    requests = next(s for s in series if s.name == REQUESTS_METRIC)
    assert requests.label_map["service"] == "web"
    assert requests.values[-1] > 0


def test_idle_pods_use_only_their_floor() -> None:
    web = WorkloadSpec("Deployment", "shop", "web", restarts_per_day=0.0, noise=0.0, daily_sd=0.0)
    series = simulate(_spec(web, days=1.0)).series
    cpu = next(s for s in series if s.name == CPU_METRIC and s.label_map["container"] == "web")
    # 01:00-02:00 local: idle, so exactly idle_cores per second
    at = dict(zip(cpu.times, cpu.values, strict=True))
    one, two = ((START + timedelta(hours=h)).timestamp() for h in (1, 2))
    assert abs((at[two] - at[one]) / 3600 - web.idle_cores) < 1e-12


def test_active_intervals_of_each_pattern() -> None:
    spec = idleness_fleet(start=START, days=7)
    by_name = {w.name: w for w in spec.workloads}
    office = active_intervals(spec, by_name["web"])
    monday = START.timestamp()
    assert office.pairs[0] == (monday + 6.5 * 3600, monday + 19.5 * 3600)
    assert len(office.pairs) == 5
    portal = active_intervals(spec, by_name["portal"])
    assert len(portal.pairs) == 4  # not on Ascension day
    thursday = datetime.combine(date(2026, 5, 14), datetime.min.time(), BERLIN).timestamp()
    assert not portal.clip(thursday, thursday + 86400).pairs
    worker = active_intervals(spec, by_name["worker"])
    assert len(worker.pairs) == 7
    assert worker.pairs[0] == (monday + 3600, monday + 4 * 3600)
    job = active_intervals(spec, by_name["weekly-report"])
    assert [b - a for a, b in job.pairs] == [WEEKLY.job_seconds]
    assert datetime.fromtimestamp(job.pairs[0][0], BERLIN).strftime("%a %H:%M") == "Sun 05:00"
    assert active_intervals(spec, by_name["storefront"]).pairs == ((spec.start_ts, spec.end_ts),)
