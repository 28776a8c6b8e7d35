"""Kepler 0.10 counters for simulated pods and nodes.

Per pod and zone (``package``; ``dram`` = ``dram_ratio`` x package) one
``kepler_pod_cpu_joules_total{pod_id, pod_name, pod_namespace, state="running", zone,
node_name}`` series sampled at every scrape while the pod runs, then one
``state="terminated"`` sample with the final total at the first scrape after it ended (a new
series, as Kepler exports it). A Kepler restart drops that scrape and resets every counter to
0. Per node ``kepler_node_cpu_active_joules_total`` (the node's pods plus system activity) and
``kepler_node_cpu_idle_joules_total`` (constant idle power), for both zones.

Energy of a pod in interval ``k``: ``watts_k * seconds * day_factor * max(0, 1 + noise * N(0,1))``
where ``watts_k = base + peak * load(local midpoint of k)`` (``base + peak`` during the start-up
spike) and ``day_factor`` is drawn once per workload and local day with mean 1.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field

from scheduler.core.intervals import IntervalSet
from scheduler.core.series import MetricSeries
from scheduler.simulation.lives import PodLife
from scheduler.simulation.load import load_per_interval
from scheduler.simulation.spec import WorkloadSpec
from scheduler.simulation.timeline import Timeline

__all__ = ["NodeEnergy", "PodGenerator", "Residual", "node_series", "watts_per_interval"]

POD_METRIC = "kepler_pod_cpu_joules_total"
ACTIVE_METRIC = "kepler_node_cpu_active_joules_total"
IDLE_METRIC = "kepler_node_cpu_idle_joules_total"
PATHS = {
    "package": "/sys/class/powercap/intel-rapl:0",
    "dram": "/sys/class/powercap/intel-rapl:0:0",
}


def watts_per_interval(w: WorkloadSpec, tl: Timeline) -> array[float]:
    """Expected package watts of one pod (or running Job) in every interval."""
    base, peak = w.base_watts, w.peak_watts
    return array("d", (base + peak * load for load in load_per_interval(w, tl)))


@dataclass
class Residual:
    """Realised energy (package + DRAM) a workload drew inside its intended off windows."""

    starts: array[float] = field(default_factory=lambda: array("d"))
    ends: array[float] = field(default_factory=lambda: array("d"))
    joules: array[float] = field(default_factory=lambda: array("d"))

    def add(self, a: float, b: float, joules: float) -> None:
        """Record ``joules`` drawn uniformly over ``[a, b)``."""
        self.starts.append(a)
        self.ends.append(b)
        self.joules.append(joules)


@dataclass
class NodeEnergy:
    """Per-interval package and DRAM energy of the pods on each node."""

    count: int
    package: dict[str, array[float]] = field(default_factory=dict)
    dram: dict[str, array[float]] = field(default_factory=dict)

    def arrays(self, node: str) -> tuple[array[float], array[float]]:
        """The node's package and DRAM accumulators (created on first use)."""
        if node not in self.package:
            self.package[node] = array("d", [0.0]) * self.count
            self.dram[node] = array("d", [0.0]) * self.count
        return self.package[node], self.dram[node]


def _in_window(intended: IntervalSet, tl: Timeline) -> bytearray:
    """Per interval: 0 outside the intended windows, 1 inside, 2 partly inside."""
    mask = bytearray(tl.count)
    for s, e in intended.pairs:
        k0, k1 = tl.first_interval(s), tl.last_interval(e)
        for k in range(k0, k1 + 1):
            inside = tl.t(k - 1) >= s and tl.t(k) <= e
            mask[k] = 1 if inside and mask[k] != 2 else 2
    return mask


@dataclass
class PodGenerator:
    """Generates the Kepler series of one workload's pods and its realised residual."""

    workload: WorkloadSpec
    tl: Timeline
    watts: array[float]
    day_factor: dict[int, float]
    intended: IntervalSet
    nodes: NodeEnergy
    rng: random.Random
    residual: Residual = field(default_factory=Residual)
    series: list[MetricSeries] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._mask = _in_window(self.intended, self.tl)

    def _record_residual(self, k: int, span: tuple[float, float], e: float) -> None:
        a, b = span
        total = e * (1.0 + self.workload.dram_ratio)
        if self._mask[k] == 1:
            self.residual.add(a, b, total)
            return
        for piece in self.intended.clip(a, b):
            self.residual.add(piece.start, piece.end, total * piece.duration / (b - a))

    def run(self, life: PodLife) -> array[float]:
        """Generate one pod life's counters; returns the instants of its running samples."""
        w, tl = self.workload, self.tl
        pkg_acc, dram_acc = self.nodes.arrays(life.node)
        spike = w.base_watts + w.peak_watts
        gauss, noise, ratio = self.rng.gauss, w.noise, w.dram_ratio
        times, package = array("d"), array("d")
        counter = 0.0
        k0, k1 = tl.first_interval(life.start), tl.last_interval(life.end)
        for k in range(k0, k1 + 1):
            t0, t1 = tl.t(k - 1), tl.t(k)
            a, b = max(t0, life.start), min(t1, life.end)
            if b <= a:
                continue
            watts = spike if (a + b) / 2 < life.spike_until else self.watts[k]
            factor = 1.0 + noise * gauss() if noise > 0 else 1.0
            e = watts * (b - a) * self.day_factor[tl.local_day[k]] * max(0.0, factor)
            pkg_acc[k] += e
            dram_acc[k] += e * ratio
            if self._mask[k]:
                self._record_residual(k, (a, b), e)
            counter = 0.0 if tl.kepler_down[k] else counter + e
            if t1 < life.end and tl.ok[k] and not tl.kepler_down[k]:
                times.append(t1)
                package.append(counter)
        self._emit(life, times, package)
        self._terminated(life, k1, counter)
        return times

    def _labels(self, life: PodLife, *, zone: str, state: str) -> dict[str, str]:
        return {
            "pod_id": life.uid,
            "pod_name": life.pod,
            "pod_namespace": self.workload.namespace,
            "state": state,
            "zone": zone,
            "node_name": life.node,
        }

    def _emit(self, life: PodLife, times: array[float], package: array[float]) -> None:
        if not times:
            return
        ratio = self.workload.dram_ratio
        dram = array("d", (v * ratio for v in package))
        for zone, values in (("package", package), ("dram", dram)):
            labels = self._labels(life, zone=zone, state="running")
            self.series.append(
                MetricSeries(POD_METRIC, tuple(sorted(labels.items())), times, values)
            )

    def _terminated(self, life: PodLife, k1: int, counter: float) -> None:
        tl = self.tl
        if life.end >= tl.t(tl.count - 1):
            return
        k = k1 if tl.t(k1) >= life.end else k1 + 1
        while k < tl.count and not tl.ok[k]:
            if tl.kepler_down[k]:
                return
            k += 1
        if k >= tl.count or tl.kepler_down[k]:
            return
        at = array("d", [tl.t(k)])
        for zone, value in (("package", counter), ("dram", counter * self.workload.dram_ratio)):
            labels = self._labels(life, zone=zone, state="terminated")
            self.series.append(
                MetricSeries(POD_METRIC, tuple(sorted(labels.items())), at, array("d", [value]))
            )


@dataclass(frozen=True)
class NodeModel:
    """Node power besides its pods: idle (package, DRAM) and system activity, in watts."""

    idle: float
    dram_idle: float
    system: float


def node_series(
    name: str,
    *,
    life: tuple[float, float],
    tl: Timeline,
    model: NodeModel,
    pods: NodeEnergy,
    rng: random.Random,
) -> list[MetricSeries]:
    """The four active/idle x package/DRAM counters of one node from ``life[0]`` to ``life[1]``."""
    pkg_pods, dram_pods = pods.arrays(name)
    counters = [0.0, 0.0, 0.0, 0.0]
    times = array("d")
    values: list[array[float]] = [array("d") for _ in range(4)]
    for k in range(tl.first_interval(life[0]), tl.last_interval(life[1]) + 1):
        a, b = max(tl.t(k - 1), life[0]), min(tl.t(k), life[1])
        if b <= a:
            continue
        seconds = b - a
        system = model.system * seconds * max(0.0, 1.0 + 0.05 * rng.gauss())
        parts = (
            pkg_pods[k] + system,
            model.idle * seconds,
            dram_pods[k] + 0.1 * system,
            model.dram_idle * seconds,
        )
        for j in range(4):
            counters[j] = 0.0 if tl.kepler_down[k] else counters[j] + parts[j]
        if tl.ok[k] and not tl.kepler_down[k] and tl.t(k) < life[1]:
            times.append(tl.t(k))
            for j in range(4):
                values[j].append(counters[j])
    out = []
    for j, (metric, zone) in enumerate(
        (
            (ACTIVE_METRIC, "package"),
            (IDLE_METRIC, "package"),
            (ACTIVE_METRIC, "dram"),
            (IDLE_METRIC, "dram"),
        )
    ):
        labels = {"node_name": name, "zone": zone, "path": PATHS[zone]}
        out.append(MetricSeries(metric, tuple(sorted(labels.items())), times, values[j]))
    return out
