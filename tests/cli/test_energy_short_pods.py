"""``offhours energy`` on pods shorter than any default step, in all three Kepler generations.

One scenario (5 s scrape): a CronJob whose Jobs run 40 s every 10 minutes, CI runner pods
living 3-7 minutes one after another, and a long-lived pod; rendered as Kepler 0.10 (with
kube-state-metrics and the terminated sample), 0.4-0.9 (with the ``command`` label split, no
final sample) and <=0.3 gauges, one day each, in a real Prometheus. The period's bounds are
whole seconds that cut pods in two.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.core.series import MetricSeries
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, rawenergy, recordings

T0 = 1710892800.0  # 2024-03-20T00:00:00Z
DAY = 86400.0
HOURS = 5
RS = "runner-7d9f8c6b5d"


def _pods(start: float) -> tuple[sim.PodSpec, ...]:
    rng = random.Random(7)
    pods = []
    t, k = start + 300.0, 0
    while t < start + HOURS * 3600:
        life = rng.uniform(180.0, 420.0)
        name = f"{RS}-{k:05d}"
        pods.append(
            sim.PodSpec(
                "ci", name, 8.0, start=t, end=t + life, owner_kind="ReplicaSet", owner_name=RS
            )
        )
        t, k = t + life + rng.uniform(5.0, 60.0), k + 1
    for j in range(HOURS * 6):
        at = start + 600.0 * (j + 1)
        job = f"report-{int(at // 60)}"
        pods.append(
            sim.PodSpec(
                "batch",
                f"{job}-x{j:04d}",
                12.0,
                start=at,
                end=at + 40.0,
                owner_kind="Job",
                owner_name=job,
            )
        )
    pods.append(sim.PodSpec("batch", "queue-0", 0.5, owner_kind="StatefulSet", owner_name="queue"))
    return tuple(pods)


def _scenario(start: float, version: str) -> sim.Scenario:
    pods = _pods(start)
    owners = {p.owner_name: ("CronJob", "report") for p in pods if p.owner_kind == "Job"}
    owners[RS] = ("Deployment", "runner")
    return sim.Scenario(
        start, start + HOURS * 3600, pods, scrape=5.0, version=version, owners=owners
    )


V010 = _scenario(T0, "v0.10.2")
V07 = _scenario(T0 + DAY, "v0.7.11")
V03 = _scenario(T0 + 2 * DAY, "")


def _series() -> dict[str, list[MetricSeries]]:
    return {
        "0.10": [*sim.v010_series(V010), *sim.ksm_series(V010)],
        "0.7": sim.v07_series(V07, command_split=True),
        "0.3": sim.v03_series(V03),
    }


def _all_series() -> list[MetricSeries]:
    return recordings.merge_series([s for one in _series().values() for s in one])


@pytest.fixture(scope="module")
def url(prometheus_factory: Callable[..., promserver.PromServer]) -> str:
    """Prometheus with the scenario in the three generations."""
    return prometheus_factory("short-pods", _all_series).url


def _energy(url: str, scenario: sim.Scenario) -> tuple[float, float, dict[str, Any]]:
    start, end = scenario.start + 3607.0, scenario.start + 4 * 3600.0 + 801.0
    iso = [datetime.fromtimestamp(t, UTC).isoformat() for t in (start, end)]
    args = ["energy", "--prometheus", url, "-n", "ci", "-n", "batch", "--from", iso[0]]
    result = CliRunner().invoke(
        main, [*args, "--until", iso[1], "--format", "json"], env={"OFFHOURS_PROMETHEUS__URL": ""}
    )
    assert result.exit_code == 0, result.output
    return start, end, dict(json.loads(result.stdout)["period"])


def test_v010_short_pods_within_one_percent_of_what_they_drew(url: str) -> None:
    """0.10: every Job and runner pod is counted from zero (kube_pod_start_time) to its final
    terminated sample; each namespace within 1 % of the energy the pods really drew."""
    start, end, period = _energy(url, V010)
    truth = sim.true_energy(V010, start=start, end=end)
    for namespace in ("ci", "batch"):
        assert period["namespaces"][namespace]["joules"] == pytest.approx(
            truth[namespace], rel=0.01
        )
    edges = period["kepler"]["edges"]
    assert edges["started-kube-state-metrics"] > 50
    assert edges["ended"] > 50
    assert period["kepler"]["scrape_interval_seconds"] == pytest.approx(5.0, rel=0.01)
    assert period["step_seconds"] <= 30


def test_v07_short_pods_exact_and_the_lost_tail_said(url: str) -> None:
    """0.4-0.9: equal to the raw counters (command split merged, first sample from zero) and
    within 1 % of what the pods drew; the energy after a pod's last scrape is not exported,
    and the output says so."""
    start, end, period = _energy(url, V07)
    raw = rawenergy.counter_energy(
        _series()["0.7"], start=start, end=end, names=rawenergy.V07_COMPONENTS
    )
    truth = sim.true_energy(V07, start=start, end=end)
    for namespace in ("ci", "batch"):
        got = period["namespaces"][namespace]["joules"]
        assert got == pytest.approx(raw[namespace], rel=1e-9)
        assert got == pytest.approx(truth[namespace], rel=0.01)
    assert period["kepler"]["edges"]["started-new-series"] > 50
    assert any("exports no final sample" in n for n in period["kepler"]["notes"])


def test_v03_gauges_count_the_samples_inside_the_period(url: str) -> None:
    """<=0.3 gauges: the estimate weighs each sample in (from, until] by the measured scrape
    interval, whatever the step: equal to the raw samples' estimate; against what the pods
    drew it is off by at most one sample per short pod (the generator samples both ends)."""
    start, end, period = _energy(url, V03)
    raw = rawenergy.gauge_energy(_series()["0.3"], start=start, end=end, interval=5.0)
    truth = sim.true_energy(V03, start=start, end=end)
    for namespace in ("ci", "batch"):
        got = period["namespaces"][namespace]["joules"]
        assert got == pytest.approx(raw[namespace], rel=0.01)
        short = [p for p in V03.pods if p.namespace == namespace and start < p.end < end]
        slack = sum(p.watts * 1.25 * V03.scrape for p in short)
        assert abs(got - truth[namespace]) <= slack
    assert period["kepler"]["method"].startswith("estimate")
    assert period["step_seconds"] >= 5.0
