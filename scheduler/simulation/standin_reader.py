"""A test-oriented stand-in for the Kepler reader: series in memory → ``EnergyGrid``s.

It turns Kepler 0.10 counters (``MetricSeries`` as the simulation generates them, or as parsed
from raw Prometheus samples) into the grids the savings maths consumes, so tests and the demo
can run without Prometheus. The real reader (``scheduler.adapters``, querying Prometheus) does
the same against a live store and replaces this module there; keep the two in step.

Rules (``kepler.md`` §0, §3b):

- deltas per series, never across series; ``state`` is ignored when grouping, so the one
  ``terminated`` sample continues its ``running`` series (``max without (state)``);
- a decrease is a counter reset: the new value counts from 0;
- a delta between samples at most ``max_gap`` apart is spread uniformly over that span; a
  longer gap is not attributed (its steps have no data); the first sample of a series that
  begins inside the range counts from 0 over the preceding ``scrape_interval``;
- zones ``package`` and ``dram`` are disjoint RAPL domains and are added; nothing else is;
- a step has data only if Kepler was scraped across all of it (node series, per node for
  node grids); a covered step without pods is ``0.0``, an uncovered one ``NaN``;
- pods are attributed by ``pod_id`` = ``kube_pod_owner{uid}``, then ReplicaSet → Deployment
  (``kube_replicaset_owner``) and Job → CronJob (``kube_job_owner``), then, given
  ``placements``, to the placed Flux target whose labels the workload carries
  (``kube_<kind>_labels``; ``scheduler.core.kepler.releases``).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.nodes import NodeCounts
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.releases import LABEL_METRICS, FluxLabels, Placements
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef

__all__ = ["GridShape", "namespace_grids", "node_counts", "node_grids", "workload_grids"]

POD_METRIC = "kepler_pod_cpu_joules_total"
NODE_METRICS = ("kepler_node_cpu_active_joules_total", "kepler_node_cpu_idle_joules_total")


@dataclass(frozen=True)
class GridShape:
    """The grid to fill and how to read the counters."""

    start: float
    step: float
    steps: int
    zones: tuple[str, ...] = ("package", "dram")
    max_gap: float = 300.0
    scrape_interval: float = 30.0

    @property
    def end(self) -> float:
        """End of the last step."""
        return self.start + self.step * self.steps


def _runs(s: MetricSeries, max_gap: float) -> Iterator[tuple[float, float]]:
    times = s.times
    if not times:
        return
    first = prev = times[0]
    for t in times[1:]:
        if t - prev > max_gap:
            if prev > first:
                yield first, prev
            first = t
        prev = t
    if prev > first:
        yield first, prev


def _mask(covered: IntervalSet, shape: GridShape) -> bytearray:
    mask = bytearray(shape.steps)
    for a, b in covered.pairs:
        lo = max(0, math.ceil((a - shape.start) / shape.step - 1e-9))
        hi = min(shape.steps, math.floor((b - shape.start) / shape.step + 1e-9))
        if hi > lo:
            mask[lo:hi] = b"\x01" * (hi - lo)
    return mask


def _covered(series: Iterable[MetricSeries], shape: GridShape) -> IntervalSet:
    return IntervalSet(run for s in series for run in _runs(s, shape.max_gap))


def _spread(acc: array[float], shape: GridShape, delta: tuple[float, float, float]) -> None:
    a, b, joules = delta
    start, step = shape.start, shape.step
    first = math.floor((a - start) / step)
    if b <= start + (first + 1) * step:
        if 0 <= first < len(acc):
            acc[first] += joules
        return
    stop = min(len(acc), math.ceil((b - start) / step))
    span = b - a
    for i in range(max(0, first), stop):
        s = start + i * step
        o = min(s + step, b) - max(s, a)
        if o > 0:
            acc[i] += joules * o / span


def _samples(parts: list[MetricSeries]) -> Iterable[tuple[float, float]]:
    if len(parts) == 1:
        return zip(parts[0].times, parts[0].values, strict=True)
    return sorted((t, v) for s in parts for t, v in zip(s.times, s.values, strict=True))


def _deltas(parts: list[MetricSeries], shape: GridShape) -> Iterator[tuple[float, float, float]]:
    prev_t = prev_v = math.nan
    for t, v in _samples(parts):
        if prev_t != prev_t:
            if t - shape.start > shape.max_gap:
                yield t - shape.scrape_interval, t, v
        elif t == prev_t:
            v = max(v, prev_v)
        elif t - prev_t <= shape.max_gap:
            yield prev_t, t, (v - prev_v if v >= prev_v else v)
        prev_t, prev_v = t, v


def _label(s: MetricSeries, name: str) -> str:
    for key, value in s.labels:
        if key == name:
            return value
    return ""


def _flux_labels(series: list[MetricSeries]) -> FluxLabels:
    labels = FluxLabels()
    for s in series:
        if s.name in LABEL_METRICS:
            labels.add({**dict(s.labels), "__name__": s.name})
    return labels


def _lifted(
    owners: dict[str, WorkloadRef], placements: Placements, series: list[MetricSeries]
) -> None:
    labels = _flux_labels(series)
    for uid, ref in owners.items():
        lift = placements.lift(ref, labels=labels)
        if lift is not None:
            owners[uid] = lift.owner


def _owners(series: list[MetricSeries], placements: Placements | None) -> dict[str, WorkloadRef]:
    parents: dict[tuple[str, str, str], str] = {}
    for s in series:
        if s.name == "kube_replicaset_owner" and _label(s, "owner_kind") == "Deployment":
            parents["ReplicaSet", _label(s, "namespace"), _label(s, "replicaset")] = _label(
                s, "owner_name"
            )
        elif s.name == "kube_job_owner" and _label(s, "owner_kind") == "CronJob":
            parents["Job", _label(s, "namespace"), _label(s, "job_name")] = _label(s, "owner_name")
    lifted = {"ReplicaSet": "Deployment", "Job": "CronJob"}
    owners: dict[str, WorkloadRef] = {}
    for s in series:
        if s.name != "kube_pod_owner":
            continue
        ns, kind, name = _label(s, "namespace"), _label(s, "owner_kind"), _label(s, "owner_name")
        parent = parents.get((kind, ns, name))
        ref = WorkloadRef(lifted[kind], ns, parent) if parent else WorkloadRef(kind, ns, name)
        owners[_label(s, "uid")] = ref
    if placements:
        _lifted(owners, placements, series)
    return owners


def _grids(
    series: list[MetricSeries],
    shape: GridShape,
    key: Callable[[MetricSeries], str | WorkloadRef | None],
) -> dict[str | WorkloadRef, array[float]]:
    groups: dict[tuple[str | WorkloadRef, str, str], list[MetricSeries]] = {}
    for s in series:
        if s.name != POD_METRIC or _label(s, "zone") not in shape.zones:
            continue
        target = key(s)
        if target is not None:
            groups.setdefault((target, _label(s, "pod_id"), _label(s, "zone")), []).append(s)
    out: dict[str | WorkloadRef, array[float]] = {}
    for (target, _, _), parts in groups.items():
        acc = out.setdefault(target, array("d", [0.0]) * shape.steps)
        for a, b, joules in _deltas(parts, shape):
            _spread(acc, shape, (a, b, joules))
    return out


def _finish(acc: array[float], mask: bytearray) -> array[float]:
    for i, has in enumerate(mask):
        if not has:
            acc[i] = math.nan
    return acc


def _node_series(series: list[MetricSeries], shape: GridShape) -> list[MetricSeries]:
    return [s for s in series if s.name in NODE_METRICS and _label(s, "zone") in shape.zones]


def workload_grids(
    series: Iterable[MetricSeries], shape: GridShape, *, placements: Placements | None = None
) -> dict[WorkloadRef, EnergyGrid]:
    """Energy per workload (every owner found in ``kube_pod_owner``, or the placed Flux target
    rendering it)."""
    rows = list(series)
    owners = _owners(rows, placements)
    mask = _mask(_covered(_node_series(rows, shape), shape), shape)

    def owner(s: MetricSeries) -> WorkloadRef:
        return owners.get(_label(s, "pod_id")) or WorkloadRef(
            "Pod", _label(s, "pod_namespace"), _label(s, "pod_name")
        )

    grids = _grids(rows, shape, owner)
    return {
        ref: EnergyGrid(shape.start, shape.step, _finish(acc, mask))
        for ref, acc in grids.items()
        if isinstance(ref, WorkloadRef)
    }


def namespace_grids(
    series: Iterable[MetricSeries], shape: GridShape, *, namespaces: Collection[str]
) -> dict[str, EnergyGrid]:
    """Energy of all pods per namespace (e.g. ``flux-system`` for the overhead)."""
    rows = list(series)
    mask = _mask(_covered(_node_series(rows, shape), shape), shape)

    def namespace(s: MetricSeries) -> str | None:
        ns = _label(s, "pod_namespace")
        return ns if ns in namespaces else None

    grids = _grids(rows, shape, namespace)
    out = {
        ns: EnergyGrid(shape.start, shape.step, _finish(acc, mask))
        for ns, acc in grids.items()
        if isinstance(ns, str)
    }
    for ns in namespaces:
        out.setdefault(
            ns, EnergyGrid(shape.start, shape.step, _finish(array("d", [0.0]) * shape.steps, mask))
        )
    return out


def node_grids(series: Iterable[MetricSeries], shape: GridShape) -> dict[str, EnergyGrid]:
    """Whole-node energy (active + idle, the chosen zones) per node, NaN where it had no data."""
    by_node: dict[str, list[MetricSeries]] = {}
    for s in _node_series(list(series), shape):
        by_node.setdefault(_label(s, "node_name"), []).append(s)
    out = {}
    for node, parts in sorted(by_node.items()):
        acc = array("d", [0.0]) * shape.steps
        for part in parts:
            for a, b, joules in _deltas([part], shape):
                _spread(acc, shape, (a, b, joules))
        mask = _mask(_covered(parts, shape), shape)
        out[node] = EnergyGrid(shape.start, shape.step, _finish(acc, mask))
    return out


def node_counts(series: Iterable[MetricSeries], shape: GridShape) -> NodeCounts:
    """``count(kube_node_info)`` per step (at the step midpoint), NaN without Kepler data."""
    rows = list(series)
    mask = _mask(_covered(_node_series(rows, shape), shape), shape)
    counts = array("d", [0.0]) * shape.steps
    for s in rows:
        if s.name != "kube_node_info":
            continue
        for a, b in _runs(s, shape.max_gap):
            _count(counts, shape, (a, b + shape.scrape_interval))
    return NodeCounts(shape.start, shape.step, _finish(counts, mask))


def _count(counts: array[float], shape: GridShape, span: tuple[float, float]) -> None:
    a, b = span
    first = max(0, math.ceil((a - shape.start) / shape.step - 0.5))
    stop = min(shape.steps, math.ceil((b - shape.start) / shape.step - 0.5))
    for i in range(first, stop):
        counts[i] += 1.0
