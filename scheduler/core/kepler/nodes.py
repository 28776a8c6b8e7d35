"""Node energy per step, the node count, and the plausibility bound for pod counters.

Per schema (see ``queries.node_query``):

* 0.10: node total = ``active + idle`` counters, zones package (+ dram); both are accumulated
  deltas that Kepler re-initialises from the raw RAPL counter when it restarts, so a drop or a
  newly seen series re-bases (the step is unknown) instead of counting from zero, and a step in
  which they grew more than the raw counter ``kepler_node_cpu_joules_total`` (a re-initialised
  total higher than before) is unknown too;
* 0.4-0.9: package and dram counters summed over sockets (``package`` label) and modes
  (``dynamic`` = active, ``idle``); if the platform meter (``kepler_node_platform_joules_total``,
  which includes package and DRAM) reports energy for a node and reads at least package + dram,
  that node's total is the platform reading instead; a platform reading below package + dram
  (seen in the Dec 2023 recording) is physically inconsistent: RAPL is kept and a warning says
  so;
* <=0.3: ``node_curr_energy_in_{pkg,dram}_joule`` gauges (joules per 3-s sample), estimated.

The node name is ``node_name`` (0.10), else the first of ``node``/``instance``/
``exported_instance`` that is not a ``host:port`` address (kube-prometheus relabels ``instance``
to the node; Kepler's own ``instance`` label becomes ``exported_instance``). Pure.
"""

from __future__ import annotations

import math
import re
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.kepler import gauges
from scheduler.core.kepler.counters import CounterLedger, ResetPolicy
from scheduler.core.kepler.reading import NodeCount, NodeEnergy
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.series import MetricSeries

__all__ = ["BOUND_FACTOR", "PLATFORM_MIN_RATIO", "RAW_TOLERANCE", "NodeTally", "node_name"]

# A pod counter may not grow by more than this many times the largest node's energy in a step.
BOUND_FACTOR = 2.0
# The platform meter is used only if it reads at least this share of package + dram.
PLATFORM_MIN_RATIO = 0.98
# 0.10 active + idle must match the raw RAPL counter they are split from (same scrape).
RAW_TOLERANCE = 0.02
_ADDRESS = re.compile(r".*:\d+")


def node_name(labels: Mapping[str, str]) -> str:
    """The node a node-level Kepler series describes."""
    for key in ("node_name", "node", "instance", "exported_instance"):
        value = labels.get(key)
        if value and not _ADDRESS.fullmatch(value):
            return value
    return labels.get("instance") or labels.get("exported_instance") or "unknown"


@dataclass
class _Parts:
    total: array[float]
    active: array[float]
    idle: array[float]
    split: bool = False


def _zeros(steps: int) -> array[float]:
    return array("d", bytes(8 * steps))


class NodeTally:
    """Node grids, node presence and the node count, fed chunk by chunk."""

    def __init__(
        self,
        timeline: Timeline,
        schema: KeplerSchema,
        covered: bytearray,
        *,
        gauge_interval: float | None = None,
    ) -> None:
        self.timeline = timeline
        self.schema = schema
        self.gauge_interval = gauge_interval
        policy = ResetPolicy.REBASE if schema is KeplerSchema.V0_10 else ResetPolicy.FROM_ZERO
        self.ledger = CounterLedger(policy=policy, covered=covered)
        self.nodes: dict[str, dict[str, _Parts]] = {}
        self.presence: dict[str, bytearray] = {}
        # 0.10 only: the hardware RAPL counter, to catch re-initialised active/idle counters.
        self.raw_ledger = CounterLedger(policy=ResetPolicy.REBASE, covered=covered)
        self.raw: dict[str, array[float]] = {}
        self.raw_points: dict[str, bytearray] = {}
        self.counts = array("d", [math.nan]) * timeline.steps
        self.counted = False

    def _parts(self, node: str, group: str) -> _Parts:
        groups = self.nodes.setdefault(node, {})
        parts = groups.get(group)
        if parts is None:
            steps = self.timeline.steps
            parts = groups[group] = _Parts(_zeros(steps), _zeros(steps), _zeros(steps))
        return parts

    def take_count(self, points: Sequence[int], values: Sequence[float]) -> None:
        """Mean ``kube_node_info`` node count of the windows closed by ``points``."""
        self.counted = True
        for point, value in zip(points, values, strict=True):
            if point > 0:
                self.counts[point - 1] = value

    def take(
        self,
        series: MetricSeries,
        points: Sequence[int],
        values: Sequence[float],
        *,
        samples: Sequence[float],
    ) -> None:
        """Fold one node energy series (a ``node_query`` answer) into its node's grids."""
        labels = series.label_map
        node = node_name(labels)
        presence = self.presence.setdefault(node, bytearray(self.timeline.steps + 1))
        for point in points:
            presence[point] = 1
        if self.schema is KeplerSchema.V0_3:
            parts = self._parts(node, "rapl")
            gauges.feed_gauge(
                points,
                values,
                weight=gauges.SampleWeight(samples, self.timeline.step, self.gauge_interval),
                unit_joules=1.0,
                sinks=[parts.total],
            )
            return
        if self.schema is KeplerSchema.V0_10:
            if labels.get("part") == "raw":
                self._take_raw(node, series.labels, points=points, values=values)
                return
            parts, mode = self._parts(node, "rapl"), labels.get("part", "")
        else:
            group = "platform" if labels.get("component") == "platform" else "rapl"
            parts, mode = self._parts(node, group), labels.get("mode", "")
        sinks = [parts.total]
        if mode in ("active", "dynamic"):
            sinks.append(parts.active)
            parts.split = True
        elif mode == "idle":
            sinks.append(parts.idle)
        self.ledger.feed(series.labels, points, values, sinks=sinks)

    def _take_raw(
        self,
        node: str,
        key: tuple[tuple[str, str], ...],
        *,
        points: Sequence[int],
        values: Sequence[float],
    ) -> None:
        steps = self.timeline.steps
        raw = self.raw.setdefault(node, _zeros(steps))
        seen = self.raw_points.setdefault(node, bytearray(steps + 1))
        for point in points:
            seen[point] = 1
        self.raw_ledger.feed(key, points, values, sinks=[raw])

    def cross_check(self, *, first: int, last: int) -> None:
        """0.10: mark steps unknown where active + idle grew more than the raw RAPL counter.

        Kepler re-initialises its active/idle totals from the raw counter when it restarts; if
        the new value is higher, the jump looks like energy. The raw counter is unaffected.
        """
        for node, raw in self.raw.items():
            seen = self.raw_points[node]
            parts = self.nodes.get(node, {}).get("rapl")
            if parts is None:
                continue
            for step in range(first, last):
                limit = raw[step]
                if not (seen[step] and seen[step + 1]) or math.isnan(limit):
                    continue
                if parts.total[step] > limit * (1 + RAW_TOLERANCE) + 1.0:
                    for grid in (parts.total, parts.active, parts.idle):
                        grid[step] = math.nan

    def _platform_state(self, node: str) -> str:
        """``absent``, ``consistent`` (reads at least package + dram) or ``below-rapl``."""
        groups = self.nodes[node]
        platform, rapl = groups.get("platform"), groups.get("rapl")
        if platform is None:
            return "absent"
        platform_sum = math.fsum(j for j in platform.total if not math.isnan(j))
        if platform_sum <= 0:
            return "absent"
        rapl_sum = math.fsum(j for j in rapl.total if not math.isnan(j)) if rapl else 0.0
        return "consistent" if platform_sum >= rapl_sum * PLATFORM_MIN_RATIO else "below-rapl"

    def _chosen(self, node: str) -> tuple[str, _Parts]:
        groups = self.nodes[node]
        if self._platform_state(node) == "consistent":
            return "platform", groups["platform"]
        return "rapl", groups.get("rapl") or groups.get("platform") or self._parts(node, "rapl")

    def warnings(self) -> list[str]:
        """Meter disagreements worth stating in a report."""
        below = [n for n in sorted(self.nodes) if self._platform_state(n) == "below-rapl"]
        if not below:
            return []
        return [
            "platform meter reads less than RAPL package + dram on "
            + ", ".join(below)
            + "; node energy uses RAPL there (meters disagree)"
        ]

    def bound_into(self, bound: array[float], *, first: int, last: int) -> None:
        """Set ``bound[first:last]`` to ``BOUND_FACTOR`` x the largest node total (NaN: unknown)."""
        totals = [parts.total for groups in self.nodes.values() for parts in groups.values()]
        for step in range(first, last):
            values = [total[step] for total in totals]
            if not values or any(math.isnan(v) for v in values):
                bound[step] = math.nan
            else:
                bound[step] = BOUND_FACTOR * max(values)

    def result(self, step_covered: Sequence[bool]) -> dict[str, NodeEnergy]:
        """Every node's grids; steps without cluster-wide Kepler data are NaN."""
        out = {}
        for node in sorted(self.nodes):
            group, parts = self._chosen(node)
            grids = [self._grid(g, step_covered) for g in (parts.total, parts.active, parts.idle)]
            source = self._source_of(group)
            if parts.split:
                out[node] = NodeEnergy(grids[0], grids[1], grids[2], source)
            else:
                out[node] = NodeEnergy(grids[0], None, None, source)
        return out

    def _grid(self, joules: array[float], step_covered: Sequence[bool]) -> EnergyGrid:
        copy = array("d", joules)
        for i, ok in enumerate(step_covered):
            if not ok:
                copy[i] = math.nan
        return EnergyGrid(self.timeline.start, self.timeline.step, copy)

    def _source_of(self, group: str) -> str:
        if self.schema is KeplerSchema.V0_10:
            return "kepler_node_cpu_active_joules_total + kepler_node_cpu_idle_joules_total"
        if self.schema is KeplerSchema.V0_3:
            return "node_curr_energy_in_*_joule gauges (estimate)"
        if group == "platform":
            return "kepler_node_platform_joules_total (platform meter)"
        return "kepler_node_{package,dram}_joules_total, all sockets and modes"

    def source(self) -> str:
        """The node energy source(s) in words."""
        used = sorted({self._source_of(self._chosen(node)[0]) for node in self.nodes})
        return "; ".join(used) if used else "no node energy series"

    def count(self, step_covered: Sequence[bool]) -> NodeCount:
        """Mean nodes per step: from ``kube_node_info`` if present, else nodes with Kepler data."""
        steps = self.timeline.steps
        if self.counted:
            counts, source = array("d", self.counts), "kube_node_info (mean per step)"
        else:
            counts = array(
                "d", [float(sum(p[i + 1] for p in self.presence.values())) for i in range(steps)]
            )
            source = "nodes with Kepler data in the step"
        for i, ok in enumerate(step_covered):
            if not ok and not self.counted:
                counts[i] = math.nan
        return NodeCount(self.timeline.start, self.timeline.step, counts, source)
