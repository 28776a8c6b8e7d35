"""The stand-in reader: Kepler 0.10 counters to grids, with resets, states, gaps and owners."""

from __future__ import annotations

import math
from array import array

import pytest

from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.simulation.standin_reader import (
    GridShape,
    namespace_grids,
    node_counts,
    node_grids,
    workload_grids,
)

SHAPE = GridShape(start=0.0, step=60.0, steps=5, scrape_interval=30.0)


def series(name: str, labels: dict[str, str], points: list[tuple[float, float]]) -> MetricSeries:
    return MetricSeries(
        name,
        tuple(sorted(labels.items())),
        array("d", [t for t, _ in points]),
        array("d", [v for _, v in points]),
    )


def node(
    name: str = "n1", *, until: float = 300.0, skip: tuple[float, ...] = ()
) -> list[MetricSeries]:
    times = [t for t in range(0, int(until) + 1, 30) if t not in skip]
    out = []
    for metric in ("kepler_node_cpu_active_joules_total", "kepler_node_cpu_idle_joules_total"):
        for zone in ("package", "dram"):
            out.append(
                series(
                    metric, {"node_name": name, "zone": zone}, [(float(t), float(t)) for t in times]
                )
            )
    return out


def pod(
    uid: str,
    points: list[tuple[float, float]],
    *,
    zone: str = "package",
    state: str = "running",
    ns: str = "dev",
    name: str = "web-1",
) -> MetricSeries:
    labels = {
        "pod_id": uid,
        "pod_name": name,
        "pod_namespace": ns,
        "state": state,
        "zone": zone,
        "node_name": "n1",
    }
    return series("kepler_pod_cpu_joules_total", labels, points)


def owner(
    uid: str, kind: str, name: str, *, pod_name: str = "web-1", ns: str = "dev"
) -> MetricSeries:
    labels = {
        "namespace": ns,
        "pod": pod_name,
        "uid": uid,
        "owner_kind": kind,
        "owner_name": name,
        "owner_is_controller": "true",
    }
    return series("kube_pod_owner", labels, [(0.0, 1.0)])


RS = series(
    "kube_replicaset_owner",
    {"namespace": "dev", "replicaset": "web-abc", "owner_kind": "Deployment", "owner_name": "web"},
    [(0.0, 1.0)],
)
WEB = WorkloadRef("Deployment", "dev", "web")


def test_deltas_are_spread_over_their_span_and_attributed_to_the_deployment() -> None:
    """A counter rising 1 J per second from t=0 puts 60 J in every minute of the Deployment."""
    rows = [
        *node(),
        RS,
        owner("u1", "ReplicaSet", "web-abc"),
        pod("u1", [(float(t), float(t)) for t in range(0, 301, 30)]),
    ]
    grids = workload_grids(rows, SHAPE)
    assert list(grids) == [WEB]
    assert list(grids[WEB].joules) == [60.0] * 5


def test_a_reset_counts_from_zero() -> None:
    """A drop from 120 to 10 is a restart: the new 10 J count, nothing is subtracted."""
    points = [
        (0.0, 0.0),
        (60.0, 60.0),
        (120.0, 120.0),
        (180.0, 10.0),
        (240.0, 70.0),
        (300.0, 130.0),
    ]
    grids = workload_grids(
        [*node(), RS, owner("u1", "ReplicaSet", "web-abc"), pod("u1", points)], SHAPE
    )
    assert list(grids[WEB].joules) == [60.0, 60.0, 10.0, 60.0, 60.0]


def test_terminated_sample_continues_its_running_series() -> None:
    """state=terminated is the same counter: only its increment counts (no double counting)."""
    running = pod("u1", [(0.0, 0.0), (60.0, 60.0), (120.0, 120.0)])
    done = pod("u1", [(180.0, 150.0)], state="terminated")
    grids = workload_grids(
        [*node(), RS, owner("u1", "ReplicaSet", "web-abc"), running, done], SHAPE
    )
    assert list(grids[WEB].joules) == [60.0, 60.0, 30.0, 0.0, 0.0]


def test_package_and_dram_add_other_zones_do_not() -> None:
    """package + dram are disjoint and add; core is inside package and is ignored."""
    pts = [(float(t), float(t)) for t in range(0, 301, 60)]
    rows = [
        *node(),
        RS,
        owner("u1", "ReplicaSet", "web-abc"),
        pod("u1", pts),
        pod("u1", pts, zone="dram"),
        pod("u1", pts, zone="core"),
    ]
    assert list(workload_grids(rows, SHAPE)[WEB].joules) == [120.0] * 5


def test_steps_without_kepler_scrapes_are_nan_and_long_gaps_unattributed() -> None:
    """Kepler unscraped for 6 minutes: the covered gap is not spread, its steps are NaN."""
    rows = [
        *node(until=600.0, skip=tuple(range(30, 391, 30))),
        RS,
        owner("u1", "ReplicaSet", "web-abc"),
        pod("u1", [(0.0, 0.0), (400.0, 400.0), (420.0, 420.0), (600.0, 600.0)]),
    ]
    shape = GridShape(start=0.0, step=60.0, steps=10)
    joules = list(workload_grids(rows, shape)[WEB].joules)
    assert all(math.isnan(v) for v in joules[:7])
    assert joules[7:] == [60.0, 60.0, 60.0]


def test_covered_steps_without_pods_are_zero() -> None:
    """Scraped but no pods (scaled to zero): 0.0, not NaN."""
    rows = [
        *node(),
        RS,
        owner("u1", "ReplicaSet", "web-abc"),
        pod("u1", [(0.0, 0.0), (30.0, 30.0), (60.0, 60.0)]),
    ]
    assert list(workload_grids(rows, SHAPE)[WEB].joules) == [60.0, 0.0, 0.0, 0.0, 0.0]


def test_a_series_born_inside_the_range_counts_from_zero() -> None:
    """A pod whose first sample (30 J at t=150) comes after the range start had 30 J before it."""
    rows = [
        *node(),
        RS,
        owner("u1", "ReplicaSet", "web-abc"),
        pod("u1", [(150.0, 30.0), (180.0, 60.0)], name="web-2"),
    ]
    joules = list(
        workload_grids(rows, GridShape(start=0.0, step=60.0, steps=5, max_gap=60.0))[WEB].joules
    )
    assert joules == [0.0, 0.0, 60.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("kind", "name", "extra", "expected"),
    [
        ("StatefulSet", "db", [], WorkloadRef("StatefulSet", "dev", "db")),
        (
            "Job",
            "batch-1",
            [
                series(
                    "kube_job_owner",
                    {
                        "namespace": "dev",
                        "job_name": "batch-1",
                        "owner_kind": "CronJob",
                        "owner_name": "batch",
                    },
                    [(0.0, 1.0)],
                )
            ],
            WorkloadRef("CronJob", "dev", "batch"),
        ),
        ("ReplicaSet", "orphan-rs", [], WorkloadRef("ReplicaSet", "dev", "orphan-rs")),
    ],
    ids=["statefulset", "cronjob-via-job", "replicaset-without-deployment"],
)
def test_owner_chains(
    kind: str, name: str, extra: list[MetricSeries], expected: WorkloadRef
) -> None:
    """Pods map to their top controller through kube-state-metrics owner series."""
    rows = [*node(), *extra, owner("u1", kind, name), pod("u1", [(0.0, 0.0), (300.0, 300.0)])]
    assert list(workload_grids(rows, SHAPE)) == [expected]


def test_pods_without_owner_stand_for_themselves() -> None:
    """No kube_pod_owner: the pod is its own target."""
    rows = [*node(), pod("u9", [(0.0, 0.0), (300.0, 300.0)], name="lonely")]
    assert list(workload_grids(rows, SHAPE)) == [WorkloadRef("Pod", "dev", "lonely")]


def test_namespace_grids_sum_every_pod_and_include_empty_namespaces() -> None:
    """flux-system adds all its pods; a namespace without pods is measured as 0 J."""
    rows = [
        *node(),
        pod("a", [(0.0, 0.0), (300.0, 300.0)], ns="flux-system"),
        pod("b", [(0.0, 0.0), (300.0, 600.0)], ns="flux-system", name="x"),
    ]
    grids = namespace_grids(rows, SHAPE, namespaces=["flux-system", "offhours"])
    assert list(grids["flux-system"].joules) == [180.0] * 5
    assert list(grids["offhours"].joules) == [0.0] * 5


def test_node_grids_add_active_and_idle_per_node_with_own_coverage() -> None:
    """Each node's four counters (1 J/s each) add to 240 J a minute; a gone node is NaN."""
    grids = node_grids([*node("n1"), *node("n2", until=120.0)], SHAPE)
    assert list(grids["n1"].joules) == [240.0] * 5
    assert list(grids["n2"].joules[:2]) == [240.0, 240.0]
    assert all(math.isnan(v) for v in grids["n2"].joules[2:])


def test_node_counts_follow_kube_node_info() -> None:
    """Two nodes, one gone after two minutes: 2, 2, 1, 1, 1 at the step midpoints."""
    info = [
        series("kube_node_info", {"node": "n1"}, [(float(t), 1.0) for t in range(0, 301, 30)]),
        series("kube_node_info", {"node": "n2"}, [(float(t), 1.0) for t in range(0, 91, 30)]),
    ]
    counts = node_counts([*node(), *info], SHAPE)
    assert list(counts.counts) == [2.0, 2.0, 1.0, 1.0, 1.0]
