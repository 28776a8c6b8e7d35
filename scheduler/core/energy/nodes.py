"""Node-level figures, each reported on its own and never added to the headline.

Figure (2), *measured node energy in off windows vs comparable on windows* (observational):
each node's measured energy (active + idle, the zones the reader chose) during the off
windows, against the same node's hour-of-week (or trailing) median power from on-time
history, i.e. the same baseline machinery as the workloads, applied to whole nodes. It is
the only figure made of measurements on both sides, and it is confounded by everything else
that runs on those nodes; the comparison windows are reported with it.

Figure (3), *node energy saved by nodes actually removed*: the node count during the off
windows (``count(kube_node_info)``) against its own on-time baseline count, times the
measured per-node power of the nodes still present in the off windows. Reported only when the
count actually dropped. RAPL covers CPU package and DRAM only, so the real saving of a
removed machine (PSU, fans, disks, network) is larger than this figure.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.core.energy import baseline, quantiles, savings
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import Interval, IntervalSet

__all__ = [
    "NodeComparison",
    "NodeCounts",
    "NodesRemoved",
    "compare_nodes",
    "node_power",
    "nodes_removed",
]

COMPARISON_LABEL = (
    "measured node energy in off windows vs comparable on windows "
    "(observational: includes everything else running on the nodes)"
)
REMOVED_LABEL = (
    "node energy saved by nodes actually removed (node count drop x measured node power; "
    "RAPL package and DRAM only)"
)


def _pairs(intervals: IntervalSet) -> list[list[float]]:
    return [[s, e] for s, e in intervals.pairs]


@dataclass(frozen=True)
class NodeComparison:
    """Figure (2): per node, measured off-window energy against its on-time baseline."""

    nodes: tuple[tuple[str, savings.SavingsEstimate], ...]

    def _total(self, name: str) -> float:
        return math.fsum(getattr(e, name) for _, e in self.nodes)

    @property
    def measured_joules(self) -> float:
        """Energy measured on the nodes in the covered off time."""
        return self._total("residual_joules")

    @property
    def comparable_joules(self) -> float:
        """What the same nodes drew in comparable on windows, over the same covered seconds."""
        return self._total("baseline_joules")

    @property
    def difference_joules(self) -> float:
        """Comparable minus measured (positive: nodes drew less while targets were off)."""
        return self.comparable_joules - self.measured_joules

    @property
    def comparison(self) -> IntervalSet:
        """The on-time windows the comparable figures come from."""
        out = IntervalSet()
        for _, e in self.nodes:
            out = out.union(e.comparison)
        return out

    def to_json_dict(self) -> dict[str, Any]:
        """Figure (2) as reported."""
        low = self._total("baseline_joules_low") - self.measured_joules
        high = self._total("baseline_joules_high") - self.measured_joules
        return {
            "label": COMPARISON_LABEL,
            "measuredOffJoules": self.measured_joules,
            "comparableOnJoules": self.comparable_joules,
            "differenceJoules": self.difference_joules,
            "differenceJoulesLow": low,
            "differenceJoulesHigh": high,
            "comparisonWindows": _pairs(self.comparison),
            "nodes": [
                {
                    "node": name,
                    "method": str(e.method),
                    "offSeconds": e.off_seconds,
                    "coverage": e.coverage,
                    "measuredOffJoules": e.residual_joules,
                    "comparableOnJoules": e.baseline_joules,
                    "comparableWatts": e.baseline_watts,
                    "notes": list(e.notes),
                }
                for name, e in self.nodes
            ],
        }


def compare_nodes(
    node_grids: Mapping[str, EnergyGrid],
    *,
    windows: IntervalSet,
    period: Interval,
    options: baseline.BaselineOptions,
) -> NodeComparison | None:
    """Figure (2) for every node with data; ``None`` without node data."""
    if not node_grids:
        return None
    return NodeComparison(
        tuple(
            (name, savings.estimate_savings(g, windows=windows, period=period, options=options))
            for name, g in sorted(node_grids.items())
        )
    )


def node_power(
    node_grids: Mapping[str, EnergyGrid], *, windows: IntervalSet, period: Interval
) -> quantiles.PowerStats | None:
    """Median and p10/p90 of per-node step power of the nodes present in the off windows."""
    pieces = windows.clip(period.start, period.end)
    watts: list[float] = []
    step = 0.0
    for grid in node_grids.values():
        step = grid.step
        for w in pieces:
            first = max(0, math.ceil((w.start - grid.start) / grid.step))
            stop = min(len(grid.joules), math.floor((w.end - grid.start) / grid.step))
            watts.extend(v / grid.step for v in grid.joules[first:stop] if v == v)
    return quantiles.power_stats(watts, step=step)


@dataclass(frozen=True)
class NodeCounts:
    """Number of nodes per step (``count(kube_node_info)``), NaN where unknown."""

    start: float
    step: float
    counts: array[float]

    def as_grid(self) -> EnergyGrid:
        """The counts as node-seconds per step, so the baseline machinery applies unchanged."""
        return EnergyGrid(self.start, self.step, array("d", (c * self.step for c in self.counts)))


@dataclass(frozen=True)
class NodesRemoved:
    """Figure (3): node-seconds removed in the off windows times measured node power."""

    count: savings.SavingsEstimate
    node_watts: quantiles.PowerStats

    @property
    def removed_node_seconds(self) -> float:
        """Baseline node-seconds minus observed node-seconds over the covered off time."""
        return self.count.baseline_joules - self.count.residual_joules

    @property
    def saved_joules(self) -> float:
        """Removed node-seconds times the median measured node power."""
        return self.removed_node_seconds * self.node_watts.median

    def to_json_dict(self) -> dict[str, Any]:
        """Figure (3) as reported."""
        c = self.count
        low = (c.baseline_joules_low - c.residual_joules) * self.node_watts.p10
        high = (c.baseline_joules_high - c.residual_joules) * self.node_watts.p90
        return {
            "label": REMOVED_LABEL,
            "savedJoules": self.saved_joules,
            "savedJoulesLow": min(low, high),
            "savedJoulesHigh": max(low, high),
            "removedNodeSeconds": self.removed_node_seconds,
            "baselineNodes": c.baseline_watts,
            "offNodes": c.residual_joules / c.covered_seconds if c.covered_seconds > 0 else None,
            "nodeWatts": self.node_watts.to_json_dict(),
            "method": str(c.method),
            "coverage": c.coverage,
            "comparisonWindows": _pairs(c.comparison),
        }


def nodes_removed(
    counts: NodeCounts,
    *,
    node_watts: quantiles.PowerStats | None,
    windows: IntervalSet,
    period: Interval,
    options: baseline.BaselineOptions,
) -> NodesRemoved | None:
    """Figure (3), or ``None`` when the node count did not drop in the off windows."""
    if node_watts is None:
        return None
    estimate = savings.estimate_savings(
        counts.as_grid(), windows=windows, period=period, options=options
    )
    result = NodesRemoved(estimate, node_watts)
    if estimate.covered_seconds <= 0 or result.removed_node_seconds <= 0:
        return None
    return result
