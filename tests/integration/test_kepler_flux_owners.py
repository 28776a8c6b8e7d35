"""HelmRelease and Kustomization targets own the pods of what they render, read from a real
Prometheus: Flux labels on ``kube_<kind>_labels`` first, the release's name prefix without them,
and their actual off time from the rendered workloads' replicas."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from scheduler.adapters.prometheus import kepler, offstate
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest
from scheduler.core.kepler.releases import Placement, Via
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.reconcile.reporting.requests import METRIC, read_cpu_requests
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

T0 = 1709683200.0  # 2024-03-06T00:00:00Z
END = T0 + 4 * 3600
STEP = 300.0
RESOLUTION = 30.0
SHOP = WorkloadRef("HelmRelease", "staging", "shop")
CART = WorkloadRef("HelmRelease", "staging", "cart")
APPS = WorkloadRef("Kustomization", "flux-system", "apps")
BATCH = WorkloadRef("Kustomization", "flux-system", "batch")
WORKER = WorkloadRef("StatefulSet", "staging", "worker")
ETL = WorkloadRef("Deployment", "prod", "etl")
TARGETS = (SHOP, CART, APPS, BATCH, WORKER)
PLACEMENTS = (
    Placement(SHOP, ("staging",)),
    Placement(CART, ("staging",)),
    Placement(APPS, ("prod",)),
    Placement(BATCH, ("prod",), (ETL,)),
)
HELM = ("label_helm_toolkit_fluxcd_io_name", "label_helm_toolkit_fluxcd_io_namespace")
KUSTOMIZE = (
    "label_kustomize_toolkit_fluxcd_io_name",
    "label_kustomize_toolkit_fluxcd_io_namespace",
)


def _deployment_pod(namespace: str, deployment: str, suffix: str, watts: float) -> sim.PodSpec:
    return sim.PodSpec(
        namespace,
        f"{deployment}-6d5f7c9b8d-{suffix}",
        watts,
        owner_kind="ReplicaSet",
        owner_name=f"{deployment}-6d5f7c9b8d",
    )


PODS = (
    _deployment_pod("staging", "shop-podinfo", "k2x4z", 2.0),
    _deployment_pod("staging", "shop-podinfo", "x7d2q", 1.5),
    _deployment_pod("staging", "cart-redis", "q7k2m", 1.0),
    _deployment_pod("staging", "cartography", "w9xzt", 0.5),
    _deployment_pod("staging", "plain", "b4c5d", 0.25),
    _deployment_pod("prod", "api", "h8j9k", 3.0),
    _deployment_pod("prod", "etl", "m3n4p", 0.5),
    sim.PodSpec("staging", "worker-0", 0.75, owner_kind="StatefulSet", owner_name="worker"),
)
SCENARIO = sim.Scenario(
    T0,
    END,
    PODS,
    version="v0.10.2",
    owners={
        f"{d}-6d5f7c9b8d": ("Deployment", d)
        for d in ("shop-podinfo", "cart-redis", "cartography", "plain", "api", "etl")
    },
)


def _labels(namespace: str, deployment: str, keys: tuple[str, str], owner: str) -> MetricSeries:
    labels = {
        "job": "kube-state-metrics",
        "namespace": namespace,
        "deployment": deployment,
        keys[0]: owner,
        keys[1]: "flux-system" if keys == KUSTOMIZE else namespace,
    }
    return sim.state_series("kube_deployment_labels", labels, [(T0, 1)], end=END)


def _replicas(namespace: str, deployment: str, changes: list[tuple[float, float]]) -> MetricSeries:
    labels = {"job": "kube-state-metrics", "namespace": namespace, "deployment": deployment}
    return sim.state_series("kube_deployment_spec_replicas", labels, changes, end=END)


def _state() -> list[MetricSeries]:
    """shop-podinfo and api labelled with their Flux owners, plain with a release that is not
    a target, cart-redis unlabelled; shop-podinfo off for an hour, cart-redis from 01:30."""
    flux = {
        "job": "kube-state-metrics",
        "customresource_kind": "HelmRelease",
        "exported_namespace": "staging",
        "name": "shop",
        "suspended": "false",
    }
    return [
        _labels("staging", "shop-podinfo", HELM, "shop"),
        _labels("staging", "plain", HELM, "other"),
        _labels("prod", "api", KUSTOMIZE, "apps"),
        _replicas("staging", "shop-podinfo", [(T0, 2), (T0 + 3600, 0), (T0 + 7200, 2)]),
        _replicas("staging", "cart-redis", [(T0, 1), (T0 + 5400, 0)]),
        _replicas("staging", "cartography", [(T0, 1)]),
        _replicas("prod", "etl", [(T0, 1), (T0 + 600, 0), (T0 + 1800, 1)]),
        sim.state_series("gotk_resource_info", flux, [(T0, 1)], end=END),
        *(_cpu_request(pod) for pod in PODS[:2]),
    ]


def _cpu_request(pod: sim.PodSpec) -> MetricSeries:
    labels = {
        "job": "kube-state-metrics",
        "namespace": pod.namespace,
        "pod": pod.name,
        "container": "podinfo",
        "resource": "cpu",
        "unit": "core",
    }
    return sim.state_series(METRIC, labels, [(T0, 0.125)], end=END)


@pytest.fixture(scope="module")
def server(prometheus_factory: Callable[..., promserver.PromServer]) -> promserver.PromServer:
    """Prometheus holding the pods, their owners, Flux labels and replica counts."""
    return prometheus_factory(
        "flux-owners",
        lambda: recordings.merge_series(
            [*sim.v010_series(SCENARIO), *sim.ksm_series(SCENARIO), *_state()]
        ),
    )


def _read(server: promserver.PromServer, placements: tuple[Placement, ...]) -> EnergyReading:
    with PrometheusClient.from_url(server.url) as client:
        request = EnergyRequest(
            start=T0 + STEP, end=END, step=STEP, targets=TARGETS, placements=placements
        )
        return kepler.read_energy(client, request)


@pytest.fixture(scope="module")
def reading(server: promserver.PromServer) -> EnergyReading:
    """The scenario read with the placed Flux targets."""
    return _read(server, PLACEMENTS)


@pytest.fixture(scope="module")
def states(server: promserver.PromServer) -> offstate.OffStates:
    """The targets' actual off states."""
    with PrometheusClient.from_url(server.url) as client:
        return offstate.read_off_states(
            client,
            timeline=Timeline.spanning(T0 + STEP, END - STEP, STEP),
            targets=TARGETS,
            placements=PLACEMENTS,
            resolution=RESOLUTION,
        )


def _owner(reading: EnergyReading, pod: sim.PodSpec) -> tuple[WorkloadRef, str, str]:
    energy = reading.pods[WorkloadRef("Pod", pod.namespace, pod.name)]
    return energy.workload, energy.attribution, str(energy.rendered)


def _known_sum(grid: list[float]) -> float:
    return math.fsum(j for j in grid if not math.isnan(j))


def test_labelled_release_owns_its_deployment_pods(reading: EnergyReading) -> None:
    """Both shop-podinfo pods go to HelmRelease/staging/shop through the Flux labels."""
    for pod in PODS[:2]:
        assert _owner(reading, pod) == (SHOP, Via.LABELS.value, "Deployment/staging/shop-podinfo")
    steps = reading.timeline.steps
    truth = sim.truth(SCENARIO, start=T0 + STEP, step=STEP, steps=steps)
    expected = [a + b for a, b in zip(*(truth[("staging", p.name)] for p in PODS[:2]), strict=True)]
    got = list(reading.workloads[SHOP].joules)
    for i, joules in enumerate(got):
        if not math.isnan(joules):
            assert joules == pytest.approx(expected[i], abs=1e-6), i
    assert _known_sum(got) > 0


def test_release_without_labels_falls_back_to_its_name_prefix(reading: EnergyReading) -> None:
    """cart-redis (no Flux labels) is cart's by name; cartography is not (no dash after cart)."""
    assert _owner(reading, PODS[2]) == (CART, Via.PREFIX.value, "Deployment/staging/cart-redis")
    assert _owner(reading, PODS[3])[0] == WorkloadRef("Deployment", "staging", "cartography")


def test_kustomization_target_owns_what_it_applies(reading: EnergyReading) -> None:
    """prod/api carries kustomize labels naming the placed Kustomization flux-system/apps."""
    assert _owner(reading, PODS[5]) == (APPS, Via.LABELS.value, "Deployment/prod/api")


def test_targets_and_other_releases_keep_their_pods(reading: EnergyReading) -> None:
    """A workload that is a target, or labelled by a release that is not placed, stays its own."""
    assert _owner(reading, PODS[4])[0] == WorkloadRef("Deployment", "staging", "plain")
    assert _owner(reading, PODS[7])[0] == WORKER


def test_unlabelled_kustomization_workload_by_its_files_in_git(
    reading: EnergyReading, states: offstate.OffStates
) -> None:
    """No labels on prod/etl: the Kustomization whose files define it owns it, and is off
    while it is at zero."""
    assert _owner(reading, PODS[6]) == (BATCH, Via.GIT.value, str(ETL))
    _close(states.states[BATCH].off, [(T0 + 600, T0 + 1800)])
    assert states.derived[BATCH] == f"{Via.GIT.value}: {ETL}"


def test_placements_cost_no_extra_request(
    reading: EnergyReading, server: promserver.PromServer
) -> None:
    """Flux labels travel in the owners' series request: same request count without them."""
    assert reading.metadata.queries == _read(server, ()).metadata.queries


def _close(actual: IntervalSet, expected: list[tuple[float, float]]) -> None:
    pairs = actual.pairs
    assert len(pairs) == len(expected), pairs
    for (start, end), (want_start, want_end) in zip(pairs, expected, strict=True):
        assert start == pytest.approx(want_start, abs=RESOLUTION)
        assert end == pytest.approx(want_end, abs=RESOLUTION)


def test_release_is_off_while_what_it_renders_is_at_zero(states: offstate.OffStates) -> None:
    """shop: off while shop-podinfo had 0 replicas, although Flux says not suspended."""
    _close(states.states[SHOP].off, [(T0 + 3600, T0 + 7200)])
    assert states.derived[SHOP] == Via.LABELS.value


def test_release_off_state_by_name_prefix(states: offstate.OffStates) -> None:
    """cart (no labels): off while cart-redis is at zero, and the report says how it knew."""
    _close(states.states[CART].off, [(T0 + 5400, END - STEP)])
    assert states.derived[CART] == f"{Via.PREFIX.value}: Deployment/staging/cart-redis"
    assert "kube_deployment_labels" in states.sources


def test_cpu_requests_without_kepler_go_to_the_release(server: promserver.PromServer) -> None:
    """The no-Kepler estimate's CPU requests follow the same attribution: shop has 2 x 0.125."""
    with PrometheusClient.from_url(server.url) as client:
        requests = read_cpu_requests(
            client,
            timeline=Timeline.spanning(T0 + STEP, END - STEP, STEP),
            namespaces=("staging",),
            targets=TARGETS,
            placements=PLACEMENTS,
        )
    assert requests.cores[SHOP] == pytest.approx(0.25)
    assert WorkloadRef("Deployment", "staging", "shop-podinfo") not in requests.cores
