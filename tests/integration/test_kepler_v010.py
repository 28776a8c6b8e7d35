"""Kepler 0.10+ energy read back from a real Prometheus: exactness, resets, gaps, attribution."""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable

import pytest

from scheduler.adapters.prometheus import kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest, grid_total
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

T0 = 1709510400.0  # 2024-03-04T00:00:00Z
STEP = 300.0
RESTART = T0 + 7215.0
GAP = (T0 + 10800.0, T0 + 12000.0)
PODS = (
    sim.PodSpec(
        "dev", "web-6d5f7c9b8d-k2x4z", 2.0, owner_kind="ReplicaSet", owner_name="web-6d5f7c9b8d"
    ),
    sim.PodSpec("dev", "db-0", 5.0, node="node-b", owner_kind="StatefulSet", owner_name="db"),
    sim.PodSpec(
        "dev",
        "nightly-28511520-q7k2m",
        10.0,
        start=T0 + 1000,
        end=T0 + 2000,
        owner_kind="Job",
        owner_name="nightly-28511520",
    ),
    sim.PodSpec("dev", "api-5d4f6b7c8d-w9xzt", 1.0, start=T0 + 3010),
    sim.PodSpec("staging", "worker-0", 3.0, node="node-b"),
)
SCENARIO = sim.Scenario(
    T0,
    T0 + 4 * 3600,
    PODS,
    nodes=("node-a", "node-b"),
    restarts=(RESTART,),
    gaps=(GAP,),
    version="v0.10.2",
    owners={"web-6d5f7c9b8d": ("Deployment", "web"), "nightly-28511520": ("CronJob", "nightly")},
)
FEW = sim.Scenario(
    T0 + 86400,
    T0 + 86400 + 3600,
    tuple(
        sim.PodSpec(ns, f"s{i}-0", 1.0 + i, owner_kind="StatefulSet", owner_name=f"s{i}")
        for ns, count in (("few", 3), ("many", 30))
        for i in range(count)
    ),
    version="v0.10.2",
)


@pytest.fixture(scope="module")
def server(prometheus_factory: Callable[..., promserver.PromServer]) -> promserver.PromServer:
    """Prometheus holding the 0.10 scenarios and their kube-state-metrics owners."""
    return prometheus_factory(
        "v010",
        lambda: recordings.merge_series(
            [
                *sim.v010_series(SCENARIO),
                *sim.ksm_series(SCENARIO),
                *sim.v010_series(FEW),
                *sim.ksm_series(FEW),
            ]
        ),
    )


@pytest.fixture(scope="module")
def reading(server: promserver.PromServer) -> EnergyReading:
    """The whole scenario read at a 5-minute step."""
    with PrometheusClient.from_url(server.url) as client:
        request = EnergyRequest(
            start=T0 + STEP,
            end=SCENARIO.end,
            step=STEP,
            namespaces=("dev", "staging"),
            targets=(WorkloadRef("Deployment", "dev", "ghost"),),
        )
        return kepler.read_energy(client, request)


def _truth() -> dict[tuple[str, str], list[float]]:
    steps = int((SCENARIO.end - T0 - STEP) / STEP)
    return sim.truth(SCENARIO, start=T0 + STEP, step=STEP, steps=steps)


def _step_of(t: float) -> int:
    return math.ceil((t - T0 - STEP) / STEP) - 1


def test_schema_version_and_method_are_reported(reading: EnergyReading) -> None:
    """The reading names the 0.10 schema, its build version, zones and the exact method."""
    meta = reading.metadata
    assert meta.schema is KeplerSchema.V0_10
    assert meta.versions == ("v0.10.2",)
    assert meta.zones == ("dram", "package")
    assert meta.method.startswith("exact")
    assert meta.queries == 5


def test_workload_energy_equals_raw_sample_integration(reading: EnergyReading) -> None:
    """Every known step equals the raw-sample integral; the zone 'core' is never added."""
    truth = _truth()
    restart = _step_of(RESTART)
    for pod in PODS:
        energy = reading.pods[WorkloadRef("Pod", pod.namespace, pod.name)]
        grid = reading.workloads[energy.workload].joules
        expected = truth[(pod.namespace, pod.name)]
        for i, joules in enumerate(grid):
            if math.isnan(joules) or i in (restart, restart + 1):
                continue
            assert joules == pytest.approx(expected[i], abs=1e-6), (pod.name, i)
        both = grid[restart] + grid[restart + 1]
        assert both == pytest.approx(expected[restart] + expected[restart + 1], abs=1e-6)


def test_scrape_gap_leaves_steps_unknown_not_zero(reading: EnergyReading) -> None:
    """Steps without any scrape, and the step whose baseline is missing, are NaN everywhere."""
    grid = reading.workloads[WorkloadRef("StatefulSet", "dev", "db")].joules
    unknown = [i for i, j in enumerate(grid) if math.isnan(j)]
    assert unknown == [_step_of(GAP[0]) + k for k in range(1, 5)]
    assert reading.metadata.coverage == pytest.approx(1 - 4 / len(grid))
    assert len(reading.covered) == 2


def test_terminated_pod_is_counted_once_and_then_zero(reading: EnergyReading) -> None:
    """Running and terminated series add up to the pod's package+dram energy once; then 0 J."""
    grid = reading.workloads[WorkloadRef("CronJob", "dev", "nightly")].joules
    assert grid_total(reading.workloads[WorkloadRef("CronJob", "dev", "nightly")]).joules == (
        pytest.approx(10.0 * 1.25 * 1000)
    )
    assert all(j == 0.0 for j in grid[_step_of(T0 + 2400) :] if not math.isnan(j))


def test_counter_reset_loses_only_the_unobservable_energy(reading: EnergyReading) -> None:
    """Across a Kepler restart the total misses only the 15 s before it (as raw samples do)."""
    web = grid_total(reading.workloads[WorkloadRef("Deployment", "dev", "web")])
    truth = sum(
        j
        for j, ok in zip(
            _truth()[("dev", "web-6d5f7c9b8d-k2x4z")],
            reading.workloads[WorkloadRef("Deployment", "dev", "web")].joules,
            strict=True,
        )
        if not math.isnan(ok)
    )
    assert web.joules == pytest.approx(truth)
    assert web.seconds == pytest.approx(
        len(reading.workloads[WorkloadRef("Deployment", "dev", "web")].joules) * STEP - 4 * STEP
    )


def test_node_counters_rebase_after_restart(reading: EnergyReading) -> None:
    """Re-initialised node counters (up or down) leave unknown steps, never a spike."""
    node = reading.nodes["node-a"]
    restart = _step_of(RESTART)
    assert math.isnan(node.total.joules[restart])
    assert math.isnan(node.total.joules[restart + 1])
    known = [j for j in node.total.joules if not math.isnan(j)]
    assert max(known) == pytest.approx((40 + 2 + 2 + 10) * 1.25 * STEP)
    assert node.active is not None
    assert node.idle is not None
    assert node.idle.joules[3] == pytest.approx(40 * 1.25 * STEP)


def test_node_count_comes_from_kube_node_info(reading: EnergyReading) -> None:
    """Two nodes in every step with KSM data."""
    assert reading.node_count.source.startswith("kube_node_info")
    assert set(reading.node_count.counts) == {2.0}


def test_pods_are_attributed_by_ksm_then_by_name(reading: EnergyReading) -> None:
    """KSM owners resolve Deployment/CronJob/StatefulSet; pods without KSM by name pattern."""
    owners = {name.name: (e.workload, e.attribution) for name, e in reading.pods.items()}
    assert owners["web-6d5f7c9b8d-k2x4z"] == (
        WorkloadRef("Deployment", "dev", "web"),
        "kube-state-metrics",
    )
    assert owners["nightly-28511520-q7k2m"][0] == WorkloadRef("CronJob", "dev", "nightly")
    assert owners["api-5d4f6b7c8d-w9xzt"] == (
        WorkloadRef("Deployment", "dev", "api"),
        "pod name pattern",
    )
    assert owners["worker-0"] == (
        WorkloadRef("StatefulSet", "staging", "worker"),
        "pod name pattern",
    )
    assert reading.metadata.attribution == {"kube-state-metrics": 3, "pod name pattern": 2}


def test_targets_without_pods_get_zero_grids(reading: EnergyReading) -> None:
    """A requested target that had no pods is 0 J on covered steps, NaN on uncovered ones."""
    ghost = reading.workloads[WorkloadRef("Deployment", "dev", "ghost")]
    assert grid_total(ghost).joules == 0.0
    assert sum(math.isnan(j) for j in ghost.joules) == 4


def test_namespace_grid_is_the_sum_of_its_workloads(reading: EnergyReading) -> None:
    """The namespace grid adds every pod of the namespace."""
    dev = grid_total(reading.namespaces["dev"]).joules
    parts = sum(grid_total(g).joules for w, g in reading.workloads.items() if w.namespace == "dev")
    assert dev == pytest.approx(parts)


def test_pod_regex_selects_pods(server: promserver.PromServer) -> None:
    """--pod narrows the read to matching pod names."""
    with PrometheusClient.from_url(server.url) as client:
        request = EnergyRequest(
            start=T0 + STEP, end=T0 + 3600, step=STEP, namespaces=("dev",), pod_regex="db-.*"
        )
        reading = kepler.read_energy(client, request)
    assert list(reading.workloads) == [WorkloadRef("StatefulSet", "dev", "db")]
    assert grid_total(reading.namespaces["dev"]).joules == pytest.approx(5.0 * 1.25 * (3600 - STEP))


def test_query_count_does_not_grow_with_workloads(server: promserver.PromServer) -> None:
    """Reading 30 workloads costs as many HTTP requests as reading 3."""
    counts = {}
    for namespace in ("few", "many"):
        with PrometheusClient.from_url(server.url) as client:
            request = EnergyRequest(
                start=FEW.start + 60, end=FEW.end, step=60, namespaces=(namespace,)
            )
            reading = kepler.read_energy(client, request)
            counts[namespace] = (client.stats.http_requests, len(reading.workloads))
    assert counts["few"][1] == 3
    assert counts["many"][1] == 30
    assert counts["few"][0] == counts["many"][0] == 5


def test_chunked_read_equals_single_read(
    server: promserver.PromServer, reading: EnergyReading
) -> None:
    """Small chunks give the same grids (state carries across chunks) in more requests."""
    with PrometheusClient.from_url(server.url) as client:
        request = EnergyRequest(
            start=T0 + STEP,
            end=SCENARIO.end,
            step=STEP,
            namespaces=("dev", "staging"),
            targets=(WorkloadRef("Deployment", "dev", "ghost"),),
        )
        chunked = kepler.read_energy(client, request, chunk_steps=7)
        assert client.stats.calls == 2 + 3 * math.ceil((request.timeline.steps + 1) / 7)
    for workload, grid in reading.workloads.items():
        assert list(map(repr, chunked.workloads[workload].joules)) == list(map(repr, grid.joules))


def test_answers_off_the_requested_instants_are_dropped_not_shifted() -> None:
    """A store aligning query_range differently (VictoriaMetrics) must not shift energy in time."""
    line = Timeline(1000.0, 300.0, 4)
    aligned = MetricSeries(
        "", (), array("d", [1000.0, 1300.0, 1600.0]), array("d", [1.0, 2.0, 3.0])
    )
    assert kepler._points(line, aligned) == ([0, 1, 2], aligned.values, 0)
    shifted = MetricSeries("", (), array("d", [900.0, 1200.0, 2500.0]), array("d", [1.0, 2.0, 3.0]))
    assert kepler._points(line, shifted) == ([], [], 3)
