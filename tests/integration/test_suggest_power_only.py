"""``offhours suggest`` against a Prometheus with Kepler but no cAdvisor: the missing metric is
named (exit 2), and ``--power-only`` proposes from Kepler power alone, labelled as such."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.simulation import SimulationSpec, WorkloadSpec, simulate
from tests.conftest import PromFactory

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 4, tzinfo=BERLIN)
UNTIL = datetime(2026, 5, 19, tzinfo=BERLIN).isoformat()
_ENV = {"OFFHOURS_PROMETHEUS__RETRIES": "0", "OFFHOURS_PROMETHEUS__URL": ""}


def _series() -> list:  # type: ignore[type-arg]
    spec = SimulationSpec(
        start=START,
        days=15,
        workloads=(WorkloadSpec("Deployment", "dev", "web", base_watts=2.0, peak_watts=8.0),),
        policies=(),
        scrape_interval=120.0,
        gaps_per_day=0.0,
        kepler_restarts=0,
        flux=False,
    )
    return simulate(spec).series


@pytest.fixture(scope="module")
def url(prometheus_factory: PromFactory) -> str:
    return prometheus_factory("suggest-kepler-only", _series).url


def _run(url: str, *args: str) -> tuple[int, str, str]:
    base = ["suggest", "--prometheus", url, "--until", UNTIL, "--since", "15d"]
    result = CliRunner().invoke(main, [*base, "--time-zone", "Europe/Berlin", *args], env=_ENV)
    return result.exit_code, result.stdout, result.stderr


def test_missing_cadvisor_metric_is_named(url: str) -> None:
    code, _, stderr = _run(url)
    assert code == 2
    assert "container_cpu_usage_seconds_total" in stderr
    assert "--power-only" in stderr


def test_power_only_proposes_from_kepler_and_says_so(url: str) -> None:
    code, stdout, stderr = _run(url, "--power-only", "--min-saving", "0J", "--format", "json")
    assert code == 0, stderr
    document = json.loads(stdout)
    assert document["powerOnly"] is True
    assert document["signals"] == ["power"]
    assert any("power only" in n for n in document["notes"])
    (policy,) = document["policies"]
    assert policy["targets"] == ["Deployment/dev/web"]
    # active Mon-Fri 06:30-19:30 (ramps included): off keeps 30 min from it
    assert policy["uptime"] in (["Mon-Fri 06:00-20:00"], ["Mon-Fri 06:00-20:30"])
