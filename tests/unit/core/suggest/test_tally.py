"""Folding query answers into units: pods attributed through kube-state-metrics owners, a
HelmRelease owning what it renders, silent covered steps as zero, gaps and steps before a
workload existed as unknown, and the user's request metric matched by labels."""

from __future__ import annotations

import math
from array import array

from scheduler.core.kepler.timeline import Timeline
from scheduler.core.series import MetricSeries
from scheduler.core.suggest.queries import SIGNAL_LABEL, activity_queries, custom_query
from scheduler.core.suggest.tally import ActivityTally
from scheduler.core.workloads import WorkloadRef

T0 = 1_777_852_800.0  # 2026-05-04T00:00:00Z
TIMELINE = Timeline(T0, 1800.0, 4)


def _series(labels: dict[str, str], values: dict[int, float], *, name: str = "") -> MetricSeries:
    points = sorted(values)
    return MetricSeries(
        name,
        tuple(sorted(labels.items())),
        array("d", (T0 + p * 1800.0 for p in points)),
        array("d", (values[p] for p in points)),
    )


OWNERS = [
    {"__name__": "kube_pod_owner", "namespace": "shop", "pod": "web-7d9f8-abcde",
     "owner_kind": "ReplicaSet", "owner_name": "web-7d9f8"},
    {"__name__": "kube_replicaset_owner", "namespace": "shop", "replicaset": "web-7d9f8",
     "owner_kind": "Deployment", "owner_name": "web"},
    {"__name__": "kube_pod_owner", "namespace": "apps", "pod": "front-0",
     "owner_kind": "StatefulSet", "owner_name": "front"},
    {"__name__": "kube_statefulset_labels", "namespace": "apps", "statefulset": "front",
     "label_helm_toolkit_fluxcd_io_name": "front",
     "label_helm_toolkit_fluxcd_io_namespace": "flux-apps"},
]  # fmt: skip


def _tally() -> ActivityTally:
    tally = ActivityTally(TIMELINE)
    tally.add_owners(OWNERS)
    cpu = {SIGNAL_LABEL: "cpu"}
    tally.add(
        [
            _series({**cpu, "namespace": "shop", "pod": "web-7d9f8-abcde"}, {1: 0.2, 2: 0.3}),
            _series({**cpu, "namespace": "apps", "pod": "front-0"}, {2: 0.5, 3: 0.1}),
            _series(
                {
                    SIGNAL_LABEL: "replicas",
                    "namespace": "shop",
                    "workload": "web",
                    "workload_kind": "Deployment",
                },
                {1: 0.0, 2: 1.0, 3: 0.0, 4: 0.0},
            ),
        ]
    )
    return tally


def test_units_attribution_and_completion() -> None:
    units = {u.unit: u for u in _tally().units(custom=False)}
    web = units[WorkloadRef("Deployment", "shop", "web")]
    cpu = next(s for s in web.signals if s.name == "cpu")
    # step 3 (point 4) had no CPU answer at all: unknown; the others are covered
    assert list(cpu.values[:3]) == [0.2, 0.3, 0.0]
    assert math.isnan(cpu.values[3])
    release = units[WorkloadRef("HelmRelease", "flux-apps", "front")]
    assert release.home == "apps"
    assert release.members == (WorkloadRef("StatefulSet", "apps", "front"),)
    front = next(s for s in release.signals if s.name == "cpu")
    assert math.isnan(front.values[0])  # before it first appeared
    assert list(front.values[1:3]) == [0.5, 0.1]
    replicas = next(s for s in web.signals if s.name == "replicas")
    assert replicas.events
    assert replicas.values[1] == 1.0


def test_request_metric_is_matched_by_service_and_unmatched_series_are_counted() -> None:
    tally = _tally()
    tally.add_custom(
        [
            _series({"namespace": "shop", "service": "web"}, {1: 0.0, 2: 3.0}),
            _series({"namespace": "apps", "service": "front"}, {1: 1.0}),
            _series({"namespace": "shop", "service": "gone"}, {1: 1.0}),
        ]
    )
    units = {u.unit: u for u in tally.units(custom=True)}
    web = next(
        s for s in units[WorkloadRef("Deployment", "shop", "web")].signals if s.name == "requests"
    )
    assert web.events
    assert list(web.values[:3]) == [0.0, 3.0, 0.0]
    release = units[WorkloadRef("HelmRelease", "flux-apps", "front")]
    assert release.members == (WorkloadRef("StatefulSet", "apps", "front"),)
    assert tally.unmatched_custom == 1


def test_queries_read_containers_once_and_whole_slots() -> None:
    cpu, network, restarts, replicas = activity_queries(["shop"], window=1800.0)
    query = cpu
    assert "container_network_receive_bytes_total" in network
    assert "kube_pod_container_status_restarts_total" in restarts
    assert replicas.count(" or ") == 2
    assert 'container!=""' in query
    assert 'container!="POD"' in query
    assert "[1800000ms]" in query
    assert 'namespace=~"shop"' in query
    assert custom_query("up", window=1800.0, resolution=60.0) == (
        "max_over_time((up)[1800000ms:60000ms])"
    )
