"""The daemon's /metrics, /healthz and /readyz endpoints over real HTTP on loopback."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from scheduler.adapters.telemetry import Health, Telemetry, TelemetryServer, parse_address
from scheduler.errors import ConfigError


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def served() -> Iterator[tuple[TelemetryServer, Telemetry, Health, Clock]]:
    telemetry, health, clock = Telemetry(), Health(stale_after_seconds=60), Clock()
    server = TelemetryServer(address="127.0.0.1:0", telemetry=telemetry, health=health, clock=clock)
    server.start()
    yield server, telemetry, health, clock
    server.stop()


def get(server: TelemetryServer, path: str) -> tuple[int, str]:
    url = f"http://127.0.0.1:{server.port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_metrics_expose_the_dashboard_contract(served: tuple) -> None:
    """/metrics carries every metric name the dashboard and alerts use."""
    server, telemetry, _, _ = served
    telemetry.cycles.labels(result="ok").inc()
    telemetry.targets_asleep.labels(policy="dev-nights").set(3)
    telemetry.transitions.labels(policy="dev-nights", action="sleep").inc(3)
    status, body = get(server, "/metrics")
    assert status == 200
    for name in (
        'offhours_cycles_total{result="ok"} 1.0',
        'offhours_targets_asleep{policy="dev-nights"} 3.0',
        'offhours_transitions_total{action="sleep",policy="dev-nights"} 3.0',
        "offhours_cycle_duration_seconds_bucket",
        "offhours_push_conflicts_total",
        "offhours_last_successful_push_timestamp_seconds",
        "offhours_actuation_lag_seconds_bucket",
        "offhours_flux_apply_lag_seconds_bucket",
        "offhours_is_leader",
    ):
        assert name in body


def test_live_check_gauges_are_served_and_dropped_on_wake(served: tuple) -> None:
    """A target committed asleep with 2 workloads still running and Ready=False is exported
    per target; forgetting it (woken) removes both series."""
    server, telemetry, _, _ = served
    telemetry.record_live("HelmRelease/media/arr", running=2, not_ready=True)
    telemetry.record_live("Deployment/dev/web", running=0)
    _, body = get(server, "/metrics")
    assert 'offhours_target_workloads_running{target="HelmRelease/media/arr"} 2.0' in body
    assert 'offhours_target_not_ready{target="HelmRelease/media/arr"} 1.0' in body
    assert 'offhours_target_workloads_running{target="Deployment/dev/web"} 0.0' in body
    assert 'offhours_target_not_ready{target="Deployment/dev/web"}' not in body
    telemetry.forget_target("HelmRelease/media/arr")
    telemetry.forget_target("never/seen/target")
    _, body = get(server, "/metrics")
    assert "HelmRelease/media/arr" not in body
    assert 'offhours_target_workloads_running{target="Deployment/dev/web"} 0.0' in body


def test_healthz_fails_when_the_loop_stalls(served: tuple) -> None:
    """/healthz is 200 while the loop beats and 503 once the heartbeat is stale."""
    server, _, health, clock = served
    health.beat(clock.now)
    assert get(server, "/healthz")[0] == 200
    clock.now += 61
    status, body = get(server, "/healthz")
    assert status == 503
    assert "stalled" in body


def test_readyz_follows_the_daemon(served: tuple) -> None:
    """/readyz is 503 until the daemon says it is ready, with its reason."""
    server, _, health, _ = served
    assert get(server, "/readyz") == (503, "starting\n")
    health.set_ready(True)
    assert get(server, "/readyz")[0] == 200
    health.set_ready(False, "git: remote unreachable")
    assert get(server, "/readyz") == (503, "git: remote unreachable\n")


def test_unknown_path_is_404(served: tuple) -> None:
    """Other paths are not found."""
    assert get(served[0], "/nope")[0] == 404


@pytest.mark.parametrize(
    ("address", "expected"),
    [("0.0.0.0:8080", ("0.0.0.0", 8080)), (":9090", ("0.0.0.0", 9090)), ("[::1]:80", ("::1", 80))],
)
def test_parse_address(address: str, expected: tuple[str, int]) -> None:
    """host:port forms parse; an empty host means all interfaces."""
    assert parse_address(address) == expected


def test_parse_address_rejects_garbage() -> None:
    """A missing port is a configuration error naming the value."""
    with pytest.raises(ConfigError, match="'localhost' is not host:port"):
        parse_address("localhost")


def test_a_port_in_use_is_a_configuration_error(served: tuple) -> None:
    """A second server on a taken port: a ConfigError naming the address, not an OSError."""
    taken = f"127.0.0.1:{served[0].port}"
    with pytest.raises(ConfigError, match=f"cannot listen on {taken}"):
        TelemetryServer(address=taken, telemetry=Telemetry(), health=Health(60), clock=Clock())
