"""Kepler 0.4-0.9 energy read back from a real Prometheus: modes, components, quirks."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from scheduler.adapters.prometheus import kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest, grid_total
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

DAY = 86400.0
T0 = 1709596800.0  # 2024-03-05T00:00:00Z
STEP = 300.0
PODS = (
    sim.PodSpec("dev", "web-6d5f7c9b8d-k2x4z", 3.0, containers=2),
    sim.PodSpec("dev", "coremark-28511520-q7k2m", 40.0, start=T0 + 1000, end=T0 + 1900),
)
SCENARIO = sim.Scenario(T0, T0 + 7200, PODS, version="v0.7.11")
# Next day: only kepler_container_joules_total, from the v0.7.3 release (millijoules).
MJ = sim.Scenario(T0 + DAY, T0 + DAY + 7200, PODS[:1], version="v0.7.3")
# Day after: no platform meter.
RAPL = sim.Scenario(T0 + 2 * DAY, T0 + 2 * DAY + 3600, PODS[:1], version="v0.7.11")


def _totals_only(series: list[MetricSeries]) -> list[MetricSeries]:
    return [
        s
        for s in series
        if not s.name.startswith("kepler_container_") or s.name == "kepler_container_joules_total"
    ]


@pytest.fixture(scope="module")
def server(prometheus_factory: Callable[..., promserver.PromServer]) -> promserver.PromServer:
    """Prometheus with three 0.7-era days: full schema, v0.7.3 totals only, no platform meter."""
    return prometheus_factory(
        "v07",
        lambda: recordings.merge_series(
            [
                *sim.v07_series(SCENARIO, command_split=True),
                *_totals_only(sim.v07_series(MJ)),
                *sim.v07_series(RAPL, platform=False),
            ]
        ),
    )


def _read(
    server: promserver.PromServer, scenario: sim.Scenario, **options: object
) -> EnergyReading:
    with PrometheusClient.from_url(server.url) as client:
        # The last point must close a window with samples: end one step before the data ends.
        request = EnergyRequest(
            start=scenario.start + STEP, end=scenario.end - STEP, step=STEP, **options
        )  # type: ignore[arg-type]
        return kepler.read_energy(client, request)


@pytest.fixture(scope="module")
def reading(server: promserver.PromServer) -> EnergyReading:
    """The first day, every namespace, pseudo-containers excluded."""
    return _read(server, SCENARIO)


def test_schema_modes_and_components_are_reported(reading: EnergyReading) -> None:
    """0.7 schema, dynamic mode only, package + dram components, pseudo-containers excluded."""
    meta = reading.metadata
    assert meta.schema is KeplerSchema.V0_7
    assert meta.versions == ("v0.7.11",)
    assert meta.modes == ("dynamic",)
    assert meta.zones == ("dram", "package")
    assert meta.pseudo_containers.startswith("excluded")
    assert "system" not in reading.namespaces


def test_dynamic_energy_is_exact_and_idle_never_summed(reading: EnergyReading) -> None:
    """Pod energy is the dynamic package + dram integral; the replicated idle counters and the
    ``core`` component (inside package) are never added."""
    truth = sim.truth(
        SCENARIO,
        start=SCENARIO.start + STEP,
        step=STEP,
        steps=reading.timeline.steps,
        terminated=False,
    )
    for pod in PODS:
        energy = reading.pods[WorkloadRef("Pod", pod.namespace, pod.name)]
        assert energy.joules == pytest.approx(sum(truth[(pod.namespace, pod.name)]))
    web = reading.workloads[WorkloadRef("Deployment", "dev", "web")]
    assert grid_total(web).watts == pytest.approx(3.0 * 1.25)


def test_command_label_split_is_one_counter(reading: EnergyReading) -> None:
    """A container whose first sample carries another ``command`` is counted from zero once:
    its energy is its last counter value (40 W x 890 s to its last scrape), not the sum of both
    series nor the second alone."""
    job = reading.pods[WorkloadRef("Pod", "dev", "coremark-28511520-q7k2m")]
    assert job.joules == pytest.approx(40.0 * 1.25 * 890)
    assert job.workload == WorkloadRef("CronJob", "dev", "coremark")


def test_pseudo_containers_only_on_request(server: promserver.PromServer) -> None:
    """system_processes lands in the 'system' namespace grid when asked, never in workloads."""
    reading = _read(server, SCENARIO, include_pseudo_containers=True)
    assert grid_total(reading.namespaces["system"]).watts == pytest.approx(0.5 * 1.25)
    assert all(w.namespace != "system" for w in reading.workloads)
    assert reading.metadata.pseudo_containers.startswith("included")


def test_platform_meter_is_the_node_total_when_present(reading: EnergyReading) -> None:
    """With a consistent platform meter, node energy is the platform reading (dynamic + idle)."""
    node = reading.nodes["node-a"]
    assert "platform" in node.source
    assert node.active is not None
    assert node.idle is not None
    assert grid_total(node.idle).watts == pytest.approx(40 * 1.5)


def test_rapl_sockets_and_modes_are_summed_without_platform(server: promserver.PromServer) -> None:
    """Without a platform meter, node energy adds package and dram over sockets and modes."""
    reading = _read(server, RAPL)
    node = reading.nodes["node-a"]
    assert "package,dram" in node.source
    assert grid_total(node.total).watts == pytest.approx((40 + 2 + 3) * 1.25)


def test_v073_container_totals_are_converted_from_millijoules(
    server: promserver.PromServer,
) -> None:
    """Only kepler_container_joules_total and build v0.7.3: values are divided by 1000."""
    reading = _read(server, MJ)
    meta = reading.metadata
    assert meta.zones == ("total",)
    assert meta.unit_correction is not None
    assert "v0.7.3" in meta.unit_correction
    web = reading.workloads[WorkloadRef("Deployment", "dev", "web")]
    assert grid_total(web).watts == pytest.approx(3.0 * 1.25)
    assert not any(math.isnan(j) for j in web.joules)
