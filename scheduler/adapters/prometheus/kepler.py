"""Kepler energy per workload, namespace and node from any PromQL endpoint.

``read_energy(client, request)`` detects the Kepler schema in the window (one label-values
request), reads build versions (one series request), then walks the timeline in chunks of
``range_chunk_steps`` grid steps. Per chunk it sends at most three requests, whatever the number
of workloads: node energy + node count (one ``query_range``), kube-state-metrics owners and,
with placed Flux targets, the workloads' Flux labels (one ``/api/v1/series``), and the
per-pod/container counters of the selected namespaces with their pods' ``kube_pod_start_time``
(one ``query_range``). Answers are folded into grids as they arrive (``scheduler.core.kepler``),
so memory holds the grids plus one chunk of one response. ``scrape_interval`` measures Kepler's
scrape interval in one instant query, for callers that choose the grid from the data.

Nothing is written anywhere: a failure raises (``MetricsUnavailable``/``QueryError``) and the
caller gets no partial reading.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler import errors
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler import gauges, queries, schema
from scheduler.core.kepler.counters import CounterLedger, ResetPolicy
from scheduler.core.kepler.edges import Horizon
from scheduler.core.kepler.nodes import NodeTally
from scheduler.core.kepler.owners import OwnerIndex, attribute_pod
from scheduler.core.kepler.pods import PodTally
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest, ReadingMetadata
from scheduler.core.kepler.releases import Placements
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef

__all__ = ["Detected", "detect", "read_energy", "scrape_interval"]

_NODE_COUNT_RESOLUTION_FRACTION = 10
_ON_GRID = 0.01  # a returned timestamp within 1 % of a step from a grid point is that point
_PROBE_SPAN_LIMIT = 86400.0  # scrape-interval probe: at most the last day of the window


@dataclass(frozen=True)
class Detected:
    """The schema chosen for a window, what else was present, and the Kepler build versions."""

    detection: schema.Detection
    schema: schema.KeplerSchema
    versions: tuple[str, ...]


def detect(
    client: PrometheusClient,
    *,
    start: float,
    end: float,
    override: schema.KeplerSchema | None = None,
) -> Detected:
    """Detect the Kepler schema of ``[start, end]`` (two requests); ``MetricsError`` if none."""
    names = client.label_values(
        "__name__", matchers=[queries.names_matcher(schema.PROBE_METRICS)], start=start, end=end
    )
    detection = schema.detect(names)
    try:
        chosen = schema.choose_schema(detection, override)
    except schema.NoKeplerData as exc:
        raise errors.NoKeplerData(f"Prometheus at {client.url}: {exc}") from exc
    info = [n for n in schema.BUILD_INFO_METRICS if detection.has(n)]
    versions: set[str] = set()
    if info:
        for labels in client.series(info, start=start, end=end):
            if labels.get("version"):
                versions.add(labels["version"])
    return Detected(detection, chosen, tuple(sorted(versions)))


def scrape_interval(
    client: PrometheusClient, found: Detected, *, start: float, end: float
) -> float | None:
    """Kepler's scrape interval in ``[start, end]`` (at most its last day), from the densest
    series of a node energy metric: span / samples. None without samples (one request)."""
    metric = found.detection.scrape_metric(found.schema)
    if metric is None:
        return None
    span = min(end - start, _PROBE_SPAN_LIMIT)
    result = client.instant(queries.scrape_probe(metric, span=span), at=end)
    counts = [v for s in result.series for v in s.values if v > 0]
    return span / max(counts) if counts else None


def _points(timeline: Timeline, series: MetricSeries) -> tuple[list[int], Sequence[float], int]:
    """Grid points of a series' timestamps, its values, and how many samples were off-grid.

    Prometheus answers exactly at the requested instants; a store that aligns ``query_range``
    differently (VictoriaMetrics rounds ``start`` down to a multiple of ``step``) would give
    other instants, which are dropped rather than shifted onto the grid.
    """
    inverse = 1.0 / timeline.step
    start = timeline.start
    raw = [(t - start) * inverse for t in series.times]
    points = [round(r) for r in raw]
    last = timeline.steps
    if all(abs(r - p) < _ON_GRID for r, p in zip(raw, points, strict=True)) and (
        not points or (points[0] >= 0 and points[-1] <= last)
    ):
        return points, series.values, 0
    keep = [
        i
        for i, (r, p) in enumerate(zip(raw, points, strict=True))
        if abs(r - p) < _ON_GRID and 0 <= p <= last
    ]
    return [points[i] for i in keep], [series.values[i] for i in keep], len(points) - len(keep)


class _EnergyRead:
    """The state of one ``read_energy`` call."""

    def __init__(self, client: PrometheusClient, request: EnergyRequest, found: Detected) -> None:
        self.client = client
        self.request = request
        self.found = found
        self.schema = found.schema
        self.timeline = request.timeline
        steps = self.timeline.steps
        self.covered = bytearray(steps + 1)
        self.bound = array("d", [math.nan]) * steps
        self.samples = array("d", [math.nan]) * (steps + 1)
        self.selection = queries.Selection(
            request.selected_namespaces, request.pod_regex, request.include_pseudo_containers
        )
        self.reach = queries.Reach(window=self.timeline.step, lookback=request.lookback)
        self.owners = OwnerIndex()
        self.placements = Placements(request.placements, targets=request.targets)
        self.nodes = NodeTally(
            self.timeline, self.schema, self.covered, gauge_interval=request.scrape_interval
        )
        linger = math.ceil(self.reach.counters / self.timeline.step - 1e-9) - 1
        gauge = self.schema is schema.KeplerSchema.V0_3
        self.pods = PodTally(self.timeline, gauge=gauge, linger=linger)
        self.pod_starts: dict[tuple[str, str], float] = {}
        self.workloads: dict[WorkloadRef, array[float]] = {}
        self.namespaces: dict[str, array[float]] = {}
        self.zones: set[str] = set()
        self.modes: set[str] = set()
        self.warnings: list[str] = []
        self.off_grid = 0
        self.container_total = self.schema is schema.KeplerSchema.V0_7 and not any(
            found.detection.has(f"kepler_container_{z}_joules_total") for z in request.zones
        )
        self.scale, self.unit_correction = self._unit_scale()
        self.ledger = CounterLedger(
            policy=ResetPolicy.FROM_ZERO,
            covered=self.covered,
            bound=self.bound,
            scale=self.scale,
            horizon=Horizon(self.timeline.start, self.timeline.step, self.reach.counters),
        )

    def _unit_scale(self) -> tuple[float, str | None]:
        if not self.container_total:
            return 1.0, None
        bug = schema.millijoule_bug(self.found.versions)
        if bug:
            return (
                0.001,
                "kepler_container_joules_total divided by 1000 (Kepler v0.7.3 exported mJ)",
            )
        if bug is None:
            self.warnings.append(
                "Kepler versions mix v0.7.3 (kepler_container_joules_total in mJ) with others; "
                "no unit correction applied"
            )
        return 1.0, None

    # -- chunks ----------------------------------------------------------------------------
    def run(self, chunk_steps: int) -> None:
        ksm_nodes = self.found.detection.has("kube_node_info")
        step = self.timeline.step
        resolution = max(step / _NODE_COUNT_RESOLUTION_FRACTION, min(step, 15.0))
        node_query = queries.node_query(
            self.schema,
            reach=self.reach,
            zones=self.request.zones,
            node_count_resolution=resolution if ksm_nodes else None,
        )
        work_query = queries.workload_query(
            self.schema,
            selection=self.selection,
            reach=self.reach,
            zones=self.request.zones,
            container_total=self.container_total,
            pod_starts=self.found.detection.has("kube_pod_start_time"),
        )
        owner_matchers = queries.ownership_matchers(
            self.selection.namespaces, flux_labels=bool(self.placements)
        )
        for first, last in self.timeline.chunks(chunk_steps):
            start, end = self.timeline.point_time(first), self.timeline.point_time(last)
            result = self.client.range(node_query, start=start, end=end, step=step)
            self._take_nodes(result.series, first, last)
            if self.found.detection.has_ksm_owners:
                self.owners.add(self.client.series(owner_matchers, start=start - step, end=end))
            result = self.client.range(work_query, start=start, end=end, step=step)
            self._take_workloads(result.series)

    def _take_nodes(self, series: Sequence[MetricSeries], first: int, last: int) -> None:
        for one in series:
            part = one.label_map.get("part")
            points, values = self._on_grid(one)
            if part == "node_count":
                self.nodes.take_count(points, values)
            elif part == "samples":
                for point, value in zip(points, values, strict=True):
                    self.samples[point] = value
                    if value > 0:
                        self.covered[point] = 1
        for one in series:
            if one.label_map.get("part") in ("node_count", "samples"):
                continue
            points, values = self._on_grid(one)
            for point in points:
                self.covered[point] = 1
            self.nodes.take(one, points, values, samples=self.samples)
        self.nodes.cross_check(first=max(0, first - 1), last=last)
        self.nodes.bound_into(self.bound, first=max(0, first - 1), last=last)

    def _take_workloads(self, series: Sequence[MetricSeries]) -> None:
        plans = []
        for one in series:
            points, values = self._on_grid(one)
            if one.label_map.get("part") == "pod_start":
                self._take_pod_start(one, values)
                continue
            for point in points:
                self.covered[point] = 1
            plans.append((one, points, values))
        for one, points, values in plans:
            self._feed(one, points, values)

    def _take_pod_start(self, one: MetricSeries, values: Sequence[float]) -> None:
        labels = one.label_map
        known = [v for v in values if not math.isnan(v)]
        if known:
            key = (labels.get("namespace", ""), labels.get("pod", ""))
            self.pod_starts[key] = max([*known, self.pod_starts.get(key, -math.inf)])

    def _on_grid(self, one: MetricSeries) -> tuple[list[int], Sequence[float]]:
        points, values, dropped = _points(self.timeline, one)
        self.off_grid += dropped
        return points, values

    def _feed(self, one: MetricSeries, points: list[int], values: Sequence[float]) -> None:
        labels = one.label_map
        namespace = labels.get(queries.NAMESPACE_LABEL[self.schema], "")
        pod = labels.get("pod_name", "")
        self.zones.add(labels.get("zone", ""))
        if self.schema is schema.KeplerSchema.V0_7:
            self.modes.add(labels.get("mode") or "none")
        sinks = self._sinks(namespace, pod)
        if self.schema is schema.KeplerSchema.V0_3:
            fed = gauges.feed_gauge(
                points,
                values,
                weight=gauges.SampleWeight(
                    self.samples, self.timeline.step, self.request.scrape_interval
                ),
                unit_joules=gauges.MILLIJOULE,
                sinks=sinks,
            )
        else:
            fed = self.ledger.feed(
                one.labels,
                points,
                values,
                sinks=sinks,
                started_at=self.pod_starts.get((namespace, pod)),
            )
        self.pods.add(namespace, pod, key=one.labels, points=points, fed=fed)

    def _sinks(self, namespace: str, pod: str) -> list[array[float]]:
        sinks = [self._namespace(namespace)]
        if pod in queries.PSEUDO_PODS:
            pseudo = WorkloadRef("Pod", namespace, pod)
            self.pods.attribute(namespace, pod, workload=pseudo, how="pseudo-container")
            return sinks
        workload = self.pods.workload_of(namespace, pod)
        if workload is None:
            found = attribute_pod(
                namespace,
                pod,
                owners=self.owners,
                targets=self.request.targets,
                placements=self.placements,
            )
            workload = found.workload
            self.pods.attribute(
                namespace, pod, workload=workload, how=found.how, rendered=found.rendered
            )
        sinks.append(self._workload(workload))
        return sinks

    def _namespace(self, namespace: str) -> array[float]:
        grid = self.namespaces.get(namespace)
        if grid is None:
            grid = self.namespaces[namespace] = array("d", bytes(8 * self.timeline.steps))
        return grid

    def _workload(self, workload: WorkloadRef) -> array[float]:
        grid = self.workloads.get(workload)
        if grid is None:
            grid = self.workloads[workload] = array("d", bytes(8 * self.timeline.steps))
        return grid

    # -- result ----------------------------------------------------------------------------
    def _step_covered(self) -> list[bool]:
        """Counter steps need data at both ends; gauge steps (<=0.3) only in their own window."""
        c = self.covered
        if self.schema is schema.KeplerSchema.V0_3:
            return [bool(c[i + 1]) for i in range(self.timeline.steps)]
        return [bool(c[i] and c[i + 1]) for i in range(self.timeline.steps)]

    def _finish(self, grid: array[float], step_covered: Sequence[bool]) -> EnergyGrid:
        for i, ok in enumerate(step_covered):
            if not ok:
                grid[i] = math.nan
        return EnergyGrid(self.timeline.start, self.timeline.step, grid)

    def result(self, queries_sent: int) -> EnergyReading:
        step_covered = self._step_covered()
        for target in self.request.targets:
            self._workload(target)
        workloads = {w: self._finish(g, step_covered) for w, g in sorted(self.workloads.items())}
        namespaces = {n: self._finish(g, step_covered) for n, g in sorted(self.namespaces.items())}
        for namespace in self.request.namespaces:
            namespaces.setdefault(namespace, self._finish(self._namespace(namespace), step_covered))
        covered = IntervalSet(
            (self.timeline.point_time(i), self.timeline.point_time(i + 1))
            for i, ok in enumerate(step_covered)
            if ok
        )
        coverage = sum(step_covered) / len(step_covered)
        return EnergyReading(
            timeline=self.timeline,
            workloads=workloads,
            namespaces=namespaces,
            pods=self.pods.result(),
            nodes=self.nodes.result(step_covered),
            node_count=self.nodes.count(step_covered),
            covered=covered,
            metadata=self._metadata(coverage, queries_sent),
        )

    def _method(self) -> str:
        if self.schema is schema.KeplerSchema.V0_3:
            return (
                "estimate: mean of sampled mJ-per-3-s gauges x time (Kepler <=0.3), "
                "the samples in (from, until]"
            )
        return (
            "exact: raw counter deltas between grid points (last sample within "
            f"{self.reach.counters:.4g} s, last_over_time), each sample's delta in the step "
            "that holds it, no extrapolation"
        )

    def _notes(self, ended: int) -> list[str]:
        if self.schema is schema.KeplerSchema.V0_7 and ended:
            return [
                "Kepler 0.4-0.9 exports no final sample: the energy of a pod between its last "
                "scrape and its end is not in the data (at most one scrape interval per pod)"
            ]
        return []

    def _metadata(self, coverage: float, queries_sent: int) -> ReadingMetadata:
        if self.schema is schema.KeplerSchema.V0_10:
            pseudo = "not applicable (Kepler 0.10+ has no pseudo-containers)"
        elif self.request.include_pseudo_containers:
            pseudo = "included in their pseudo-namespaces (system, kernel), never in workloads"
        else:
            pseudo = "excluded (system_processes, kernel_processes)"
        warnings = [*self.warnings, *self.nodes.warnings(), *self.client.warnings]
        if self.off_grid:
            warnings.append(
                f"{self.off_grid} answers were not at the requested step instants and were "
                "ignored; start the window at a multiple of the step"
            )
        others = tuple(s for s in self.found.detection.present if s is not self.schema)
        if others:
            warnings.append(
                "other Kepler schemas also have data in the window and were not read: "
                + ", ".join(s.value for s in others)
            )
        edges = self.pods.edges()
        return ReadingMetadata(
            schema=self.schema,
            versions=self.found.versions,
            zones=tuple(sorted(z for z in self.zones if z)) or tuple(self.request.zones),
            modes=tuple(sorted(self.modes)) if self.modes else self._default_modes(),
            pseudo_containers=pseudo,
            attribution=self.pods.attribution_counts(),
            node_source=self.nodes.source(),
            method=self._method(),
            coverage=coverage,
            unit_correction=self.unit_correction,
            other_schemas=others,
            warnings=tuple(warnings),
            queries=queries_sent,
            lookback=self.reach.counters,
            scrape_interval=self.request.scrape_interval,
            edges=edges.as_dict(),
            edge_notes=tuple(edges.lines()),
            notes=tuple(self._notes(edges.ended)),
        )

    def _default_modes(self) -> tuple[str, ...]:
        if self.schema is schema.KeplerSchema.V0_10:
            return ("active (pods carry active energy only)",)
        return ("dynamic",) if self.schema is schema.KeplerSchema.V0_7 else ()


def read_energy(
    client: PrometheusClient,
    request: EnergyRequest,
    *,
    detected: Detected | None = None,
    chunk_steps: int | None = None,
) -> EnergyReading:
    """Read Kepler energy for ``request``; the number of requests does not grow with workloads.

    ``detected`` reuses an earlier ``detect`` of the same window; ``chunk_steps`` overrides the
    client's ``range_chunk_steps``.
    """
    calls_before = client.stats.calls
    found = detected or detect(
        client, start=request.start - request.lookback, end=request.end, override=request.schema
    )
    read = _EnergyRead(client, request, found)
    read.run(chunk_steps or client.range_chunk_steps)
    return read.result(client.stats.calls - calls_before)
