"""Actual off intervals from kube-state-metrics and Flux metrics in a real Prometheus."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from scheduler.adapters.prometheus import offstate
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

T0 = 1709856000.0  # 2024-03-08T00:00:00Z
END = T0 + 4 * 3600
STEP = 300.0
RESOLUTION = 30.0


def _states() -> list[MetricSeries]:
    ksm = {"job": "kube-state-metrics"}

    def state(
        metric: str, labels: dict[str, str], changes: list[tuple[float, float]]
    ) -> MetricSeries:
        return sim.state_series(metric, {**ksm, **labels}, changes, end=END)

    flux_ns = {"namespace": "flux-system"}
    return [
        state(
            "kube_deployment_spec_replicas",
            {"namespace": "dev", "deployment": "web"},
            [(T0, 2), (T0 + 3690, 0), (T0 + 7350, 2)],
        ),
        state(
            "kube_deployment_spec_replicas", {"namespace": "prod", "deployment": "api"}, [(T0, 0)]
        ),
        state("kube_statefulset_replicas", {"namespace": "dev", "statefulset": "db"}, [(T0, 0)]),
        state(
            "kube_cronjob_spec_suspend",
            {"namespace": "dev", "cronjob": "nightly"},
            [(T0, 0), (T0 + 1800, 1)],
        ),
        sim.state_series(
            "gotk_resource_info",
            {
                **ksm,
                "customresource_kind": "HelmRelease",
                "exported_namespace": "dev",
                "name": "app",
                "suspended": "false",
            },
            [(T0, 1)],
            end=T0 + 5400,
        ),
        state(
            "gotk_resource_info",
            {
                "customresource_kind": "HelmRelease",
                "exported_namespace": "dev",
                "name": "app",
                "suspended": "true",
            },
            [(T0 + 5400, 1)],
        ),
        sim.state_series(
            "flux_resource_info",
            {
                "kind": "Kustomization",
                "exported_namespace": "dev",
                "name": "apps",
                "suspended": "False",
            },
            [(T0, 1)],
            end=T0 + 600,
        ),
        sim.state_series(
            "flux_resource_info",
            {
                "kind": "Kustomization",
                "exported_namespace": "dev",
                "name": "apps",
                "suspended": "True",
            },
            [(T0 + 600, 1)],
            end=T0 + 1200,
        ),
        state(
            "flux_resource_info",
            {
                "kind": "Kustomization",
                "exported_namespace": "dev",
                "name": "apps",
                "suspended": "False",
            },
            [(T0 + 1200, 1)],
        ),
        state(
            "gotk_suspend_status",
            {**flux_ns, "kind": "Kustomization", "name": "old", "exported_namespace": "dev"},
            [(T0, 1)],
        ),
    ]


@pytest.fixture(scope="module")
def states(prometheus_factory: Callable[..., promserver.PromServer]) -> offstate.OffStates:
    """The off states of namespace 'dev' over four hours at a 5-minute step."""
    server = prometheus_factory("offstate", lambda: recordings.merge_series(_states()))
    with PrometheusClient.from_url(server.url) as client:
        result = offstate.read_off_states(
            client,
            timeline=Timeline.spanning(T0 + STEP, END - STEP, STEP),
            namespaces=("dev",),
            targets=(WorkloadRef("Deployment", "dev", "ghost"),),
            resolution=RESOLUTION,
        )
        assert client.stats.calls == 2
        return result


def _close(actual: IntervalSet, expected: list[tuple[float, float]]) -> None:
    pairs = actual.pairs
    assert len(pairs) == len(expected), pairs
    for (start, end), (want_start, want_end) in zip(pairs, expected, strict=True):
        assert start == pytest.approx(want_start, abs=RESOLUTION)
        assert end == pytest.approx(want_end, abs=RESOLUTION)


def test_scaled_down_deployment_interval(states: offstate.OffStates) -> None:
    """replicas 2 -> 0 -> 2: one off interval, each edge within the sampling resolution."""
    _close(states.states[WorkloadRef("Deployment", "dev", "web")].off, [(T0 + 3690, T0 + 7350)])


def test_statefulset_and_suspended_cronjob(states: offstate.OffStates) -> None:
    """A StatefulSet at 0 replicas is off all along; a CronJob from its suspension on."""
    timeline_start, timeline_end = T0 + STEP, END - STEP
    _close(
        states.states[WorkloadRef("StatefulSet", "dev", "db")].off, [(timeline_start, timeline_end)]
    )
    _close(states.states[WorkloadRef("CronJob", "dev", "nightly")].off, [(T0 + 1800, timeline_end)])


def test_flux_objects_from_all_three_metric_sources(states: offstate.OffStates) -> None:
    """gotk_resource_info (KSM), flux_resource_info (Flux Operator), gotk_suspend_status (old
    controllers) all give HelmRelease/Kustomization suspension, in the object's namespace."""
    _close(states.states[WorkloadRef("HelmRelease", "dev", "app")].off, [(T0 + 5400, END - STEP)])
    _close(states.states[WorkloadRef("Kustomization", "dev", "apps")].off, [(T0 + 600, T0 + 1200)])
    _close(states.states[WorkloadRef("Kustomization", "dev", "old")].off, [(T0 + STEP, END - STEP)])
    assert states.sources == (
        "flux_resource_info",
        "gotk_resource_info",
        "gotk_suspend_status",
        "kube_cronjob_spec_suspend",
        "kube_deployment_spec_replicas",
        "kube_statefulset_replicas",
    )


def test_other_namespaces_and_unknown_targets(states: offstate.OffStates) -> None:
    """Workloads outside the namespaces are not read; a target without state is unobserved."""
    assert all(ref.namespace == "dev" for ref in states.states)
    ghost = states.states[WorkloadRef("Deployment", "dev", "ghost")]
    assert not ghost.off
    assert not ghost.observed
    web = states.states[WorkloadRef("Deployment", "dev", "web")]
    assert web.observed == IntervalSet.of(T0 + STEP, END - STEP)
