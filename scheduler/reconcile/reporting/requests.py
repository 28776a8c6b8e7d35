"""CPU requests per workload from kube-state-metrics: the input of the no-Kepler estimate.

One ``query_range`` per chunk of the timeline (``sum by (namespace, pod)`` of
``kube_pod_container_resource_requests{resource="cpu"}`` in the targets' namespaces) and one
owner request per chunk, whatever the number of workloads. Pods are attributed to workloads
like Kepler pods (kube-state-metrics owners, then name patterns, then the placed Flux target that
renders the workload). A workload's requested cores
*while on* is the median of its per-step sum over the steps where it had pods.
"""

from __future__ import annotations

import math
import statistics
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.kepler import queries
from scheduler.core.kepler.owners import OwnerIndex, attribute_pod
from scheduler.core.kepler.releases import Placement, Placements
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef

__all__ = ["METRIC", "CpuRequests", "read_cpu_requests"]

METRIC = "kube_pod_container_resource_requests"


@dataclass(frozen=True)
class CpuRequests:
    """Requested CPU cores while on, per workload; cores per step per namespace."""

    cores: dict[WorkloadRef, float]
    namespaces: dict[str, array[float]]
    timeline: Timeline
    found: bool

    def namespace_grid(self, namespace: str, *, watts_per_core: float) -> EnergyGrid | None:
        """Estimated joules per step of a namespace (cores x watts per core x step)."""
        cores = self.namespaces.get(namespace)
        if cores is None:
            return None
        step = self.timeline.step
        joules = array("d", (c * watts_per_core * step if c == c else math.nan for c in cores))
        return EnergyGrid(self.timeline.start, step, joules)


def _query(namespaces: Sequence[str]) -> str:
    scope = ['resource="cpu"']
    if namespaces:
        scope.append(f"namespace=~{queries.string_literal(queries.one_of(sorted(namespaces)))}")
    return f"sum by (namespace, pod) ({METRIC}{{{','.join(scope)}}})"


def read_cpu_requests(
    client: PrometheusClient,
    *,
    timeline: Timeline,
    namespaces: Sequence[str],
    targets: Sequence[WorkloadRef],
    placements: Sequence[Placement] = (),
    chunk_steps: int | None = None,
) -> CpuRequests:
    """Requested cores per workload and per namespace over ``timeline``."""
    owners = OwnerIndex()
    pods: dict[tuple[str, str], array[float]] = {}
    placed = Placements(placements, targets=targets)
    query = _query(namespaces)
    matchers = queries.ownership_matchers(list(namespaces), flux_labels=bool(placed))
    for first, last in timeline.chunks(chunk_steps or client.range_chunk_steps):
        start, end = timeline.point_time(first), timeline.point_time(last)
        owners.add(client.series(matchers, start=start - timeline.step, end=end))
        for series in client.range(query, start=start, end=end, step=timeline.step).series:
            labels = series.label_map
            key = (labels.get("namespace", ""), labels.get("pod", ""))
            grid = pods.setdefault(key, array("d", [math.nan]) * timeline.steps)
            for t, value in zip(series.times, series.values, strict=True):
                point = timeline.point_index(t)
                if point:
                    grid[point - 1] = value
    return _fold(pods, owners=owners, timeline=timeline, targets=targets, placements=placed)


def _add(into: array[float], values: array[float]) -> None:
    for i, v in enumerate(values):
        if v == v:
            into[i] = v if into[i] != into[i] else into[i] + v


def _fold(
    pods: dict[tuple[str, str], array[float]],
    *,
    owners: OwnerIndex,
    timeline: Timeline,
    targets: Sequence[WorkloadRef],
    placements: Placements,
) -> CpuRequests:
    workloads: dict[WorkloadRef, array[float]] = {}
    namespaces: dict[str, array[float]] = {}
    for (namespace, pod), values in sorted(pods.items()):
        workload = attribute_pod(
            namespace, pod, owners=owners, targets=targets, placements=placements
        ).workload
        empty = array("d", [math.nan]) * timeline.steps
        _add(workloads.setdefault(workload, empty), values)
        _add(namespaces.setdefault(namespace, array("d", empty)), values)
    cores = {}
    for workload, values in workloads.items():
        on = [v for v in values if v == v and v > 0]
        if on:
            cores[workload] = float(statistics.median(on))
    return CpuRequests(cores, namespaces, timeline, found=bool(pods))
