"""Kepler <=0.3 millijoule gauges read back from a real Prometheus (synthetic and Oct 2022)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler.adapters.prometheus import kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.adapters.prometheus.responses import decode_query
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest, grid_total
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

DATA = Path(__file__).resolve().parent.parent / "data" / "kepler"
T0 = 1709769600.0  # 2024-03-07T00:00:00Z
STEP = 300.0
SCENARIO = sim.Scenario(
    T0,
    T0 + 3600,
    (
        sim.PodSpec("flux-system", "helm-controller-68b799b589-5zh7z", 0.03),
        sim.PodSpec("flux-system", "source-controller-7d98d6688c-d6mmd", 0.05, start=T0 + 1200),
    ),
    scrape=15.0,
)
FLUX_2022 = 1666394100.0  # a 5-minute window holding the recorded pkg samples (1666394247.9)


def _recorded_flux() -> list[MetricSeries]:
    path = DATA / "flux-gitopscon2022-kepler-early-api-responses.json"
    series: list[MetricSeries] = []
    for _query, envelope in recordings.load_instant_responses(path):
        _, result = decode_query(json.dumps(envelope))
        assert result is not None
        series += [s for s in result.series if s.name]
    return recordings.merge_series(series)


@pytest.fixture(scope="module")
def server(prometheus_factory: Callable[..., promserver.PromServer]) -> promserver.PromServer:
    """Prometheus with synthetic <=0.3 gauges and the recorded 2022 Flux answers."""
    return prometheus_factory(
        "v03", lambda: recordings.merge_series([*sim.v03_series(SCENARIO), *_recorded_flux()])
    )


def _read(server: promserver.PromServer, request: EnergyRequest) -> EnergyReading:
    with PrometheusClient.from_url(server.url) as client:
        return kepler.read_energy(client, request)


def test_gauges_integrate_to_power_times_time(server: promserver.PromServer) -> None:
    """mJ-per-3-s samples become joules = mean power x time; the method says estimate."""
    reading = _read(server, EnergyRequest(start=T0 + STEP, end=SCENARIO.end - STEP, step=STEP))
    assert reading.metadata.schema is KeplerSchema.V0_3
    assert reading.metadata.method.startswith("estimate")
    helm = reading.pods[WorkloadRef("Pod", "flux-system", "helm-controller-68b799b589-5zh7z")]
    assert helm.workload == WorkloadRef("Deployment", "flux-system", "helm-controller")
    assert helm.mean_watts == pytest.approx(0.03 * 1.25)
    source = reading.pods[WorkloadRef("Pod", "flux-system", "source-controller-7d98d6688c-d6mmd")]
    # The estimate is off by at most one scrape interval at the pod's first and last window.
    seconds = SCENARIO.end - STEP - T0 - 1200
    assert source.joules == pytest.approx(0.05 * 1.25 * seconds, rel=2 * SCENARIO.scrape / seconds)


def test_garbage_total_counters_are_never_read(server: promserver.PromServer) -> None:
    """pod_total_* (~1.8e16 mJ) does not leak into the namespace energy."""
    reading = _read(server, EnergyRequest(start=T0 + STEP, end=SCENARIO.end, step=STEP))
    assert grid_total(reading.namespaces["flux-system"]).watts < 0.2


def test_recorded_2022_flux_controllers_draw_about_0_13_watts(
    server: promserver.PromServer,
) -> None:
    """The Oct 2022 recording: the four Flux controllers' package samples at 1666394247.9 are
    73 + 68 + 118 + 108 = 367 mJ per 3 s = 0.122 W (the recorded ``sum()``, 387 mJ, was taken
    26 s later)."""
    request = EnergyRequest(
        start=FLUX_2022,
        end=FLUX_2022 + STEP,
        step=STEP,
        namespaces=("flux-system",),
        zones=("package",),
    )
    reading = _read(server, request)
    total = grid_total(reading.namespaces["flux-system"])
    assert total.watts == pytest.approx(0.367 / 3)
    assert len(reading.workloads) == 4
    assert {w.kind for w in reading.workloads} == {"Deployment"}
