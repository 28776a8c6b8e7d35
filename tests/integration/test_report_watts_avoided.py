"""``WattsAvoided``: the daemon's per-cycle "watts avoided now" per policy, from a real
Prometheus, cached hourly and never raising into the cycle."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.planner import Plan
from scheduler.reconcile import workspace
from scheduler.reconcile.estimates import WattsAvoided, targets_asleep
from scheduler.settings import PrometheusSettings, Settings
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

T0 = 1709510400.0  # 2024-03-04T00:00:00Z
NOW = datetime.fromtimestamp(T0 + 2 * 86400, UTC)
POD = "web-6d5f7c9b8d-k2x4z"
ALWAYS_OFF = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: dev-off}
spec:
  timeZone: Europe/Berlin
  downtime: ["Mon-Sun 00:00-24:00"]
  targets: [{namespaces: [dev]}]
"""
NEVER_OFF = (
    ALWAYS_OFF.replace("dev-off", "qa-on")
    .replace("[dev]", "[qa]")
    .replace('downtime: ["Mon-Sun 00:00-24:00"]', 'uptime: ["Mon-Sun 00:00-24:00"]')
)


@pytest.fixture(scope="module")
def url(prometheus_factory: Callable[..., promserver.PromServer]) -> str:
    """Two days of a 2 W package (+25 % DRAM) pod of Deployment dev/web."""
    scenario = sim.Scenario(
        T0,
        T0 + 2 * 86400,
        (sim.PodSpec("dev", POD, 2.0, owner_kind="ReplicaSet", owner_name="web-6d5f7c9b8d"),),
        scrape=60.0,
        version="v0.10.2",
        owners={"web-6d5f7c9b8d": ("Deployment", "web")},
    )
    series = [*sim.v010_series(scenario, zones=("package", "dram")), *sim.ksm_series(scenario)]
    return prometheus_factory("watts-avoided", lambda: recordings.merge_series(series)).url


@pytest.fixture
def cycle(tmp_path: Path) -> tuple[workspace.Workspace, Plan]:
    """A checkout where dev/web goes to sleep now and qa/api stays on."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/dev.yaml").write_text(ALWAYS_OFF)
    (tmp_path / "policies/qa.yaml").write_text(NEVER_OFF)
    for ns, name in (("dev", "web"), ("qa", "api")):
        (tmp_path / f"{name}.yaml").write_text(
            f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
            f"  namespace: {ns}\nspec:\n  replicas: 2\n"
        )
    ws = workspace.load_workspace(tmp_path, policies=Path("policies"), now=NOW)
    return ws, workspace.plan_workspace(ws, at=NOW)


def _settings(url: str) -> Settings:
    return Settings(prometheus=PrometheusSettings(url=url, retries=0))


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_asleep_targets_per_policy(cycle: tuple[workspace.Workspace, Plan]) -> None:
    """Targets put to sleep by this cycle count under their policy; other policies are empty."""
    ws, plan = cycle
    assert {k: [str(r) for r in v] for k, v in targets_asleep(ws, plan).items()} == {
        "dev-off": ["Deployment/dev/web"],
        "qa-on": [],
    }


def test_baseline_watts_of_sleeping_targets_cached_hourly(
    url: str, cycle: tuple[workspace.Workspace, Plan]
) -> None:
    """The sleeping web draws 2.5 W when on; within the hour no new read happens."""
    ws, plan = cycle
    watts = WattsAvoided(_settings(url), history_seconds=86400.0)
    first = watts(ws, plan, now=NOW)
    assert first["dev-off"] == pytest.approx(2.5, rel=0.01)
    assert first["qa-on"] == 0.0
    assert watts(ws, plan, now=NOW + timedelta(minutes=30)) == first
    assert watts.reads == 1


def test_metrics_failure_keeps_last_values_and_logs(
    url: str, cycle: tuple[workspace.Workspace, Plan]
) -> None:
    """Prometheus gone at the next refresh: the last profiles still answer, a warning is
    logged, nothing is raised."""
    ws, plan = cycle
    current = {"url": url}
    watts = WattsAvoided(
        _settings(url),
        history_seconds=86400.0,
        client_factory=lambda: PrometheusClient(PrometheusSettings(url=current["url"], retries=0)),
    )
    first = watts(ws, plan, now=NOW)
    current["url"] = _dead_url()
    with capture_logs() as logs:
        later = watts(ws, plan, now=NOW + timedelta(hours=2))
    assert later == first
    assert [e["event"] for e in logs] == ["energy.watts_avoided_failed"]


def test_never_raises_without_any_data(cycle: tuple[workspace.Workspace, Plan]) -> None:
    """An unreachable store from the start, or a broken client, gives {} and a log line."""
    ws, plan = cycle
    with capture_logs() as logs:
        assert WattsAvoided(_settings(_dead_url()))(ws, plan, now=NOW) == {}

        def broken() -> PrometheusClient:
            raise ValueError("boom")

        failing = WattsAvoided(_settings("http://127.0.0.1:1"), client_factory=broken)
        assert failing(ws, plan, now=NOW) == {}
    assert [e["event"] for e in logs] == ["energy.watts_avoided_failed"] * 2
