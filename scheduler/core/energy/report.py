"""The savings report: three separately labelled figures, overhead, net and conversions.

1. *Estimated avoided workload energy* (the headline): per target, baseline minus residual
   (``savings``), added per policy, namespace and overall (``targets``). With no Kepler at all
   the same figure comes from the CCF estimate and says so.
2. *Measured node energy in off windows vs comparable on windows* (``nodes``): observational.
3. *Node energy saved by nodes actually removed* (``nodes``): only when it happened.

Figures (2) and (3) are never added to (1), nor to each other: the net figure is (1) minus the
overhead (offhours + Flux, ``overhead``) and nothing else. ``to_json_dict`` is the report's
JSON contract; the CLI serialises it as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from scheduler.core.energy import baseline, ccf, conversions, nodes, overhead
from scheduler.core.energy import targets as rows
from scheduler.core.energy.baseline import BaselineMethod
from scheduler.core.intervals import Interval

__all__ = ["FigureKind", "SavingsReport", "iso"]

HEADLINE_LABEL = (
    "estimated avoided workload energy: Kepler active energy the targets would have used "
    "in their off windows (always-on baseline) minus what they used"
)


class FigureKind(StrEnum):
    """The three figures a report keeps apart."""

    AVOIDED_WORKLOAD = "estimated-avoided-workload-energy"
    NODE_COMPARISON = "measured-node-energy-off-vs-on"
    NODES_REMOVED = "node-energy-of-removed-nodes"


def iso(t: float) -> str:
    """A Unix instant as RFC 3339 UTC (``2025-01-06T00:00:00Z``)."""
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True)
class SavingsReport:
    """Everything ``offhours report`` prints for one period."""

    period: Interval
    kepler_schema: str | None
    zones: tuple[str, ...]
    options: baseline.BaselineOptions
    factors: conversions.ConversionFactors
    targets: tuple[rows.TargetSavings, ...]
    overhead: overhead.Overhead
    node_comparison: nodes.NodeComparison | None = None
    nodes_removed: nodes.NodesRemoved | None = None

    @property
    def without_kepler(self) -> bool:
        """Whether the headline is the CCF estimate (no Kepler data)."""
        return any(t.estimate.method is BaselineMethod.CCF for t in self.targets)

    @property
    def totals(self) -> rows.SavingsTotals:
        """Figure (1) over every target."""
        return rows.summarise(self.targets)

    @property
    def net_saved_joules(self) -> float | None:
        """Figure (1) minus the overhead; ``None`` if either is unknown."""
        return _minus(self.totals.saved_joules, self.overhead.joules)

    def _net(self) -> dict[str, Any]:
        totals, cost = self.totals, self.overhead.joules
        point = _minus(totals.saved_joules, cost)
        converted = None if point is None else conversions.convert(point, self.factors)
        return {
            "savedJoules": point,
            "savedJoulesLow": _minus(totals.saved_joules_low, cost),
            "savedJoulesHigh": _minus(totals.saved_joules_high, cost),
            "savedKWh": None if converted is None else converted.kwh,
            "co2eGrams": None if converted is None else converted.co2e_grams,
            "cost": None if converted is None else converted.cost,
            "currency": self.factors.currency,
        }

    def _baseline(self) -> dict[str, Any]:
        o = self.options
        return {
            "method": "ccf-estimate" if self.without_kepler else str(o.choice),
            "tz": baseline.zone_name(o.tz),
            "minHistorySeconds": o.min_history_seconds,
            "trailingLookbackSeconds": o.trailing_lookback_seconds,
            "settleSeconds": o.settle_seconds,
            "minBinSeconds": o.min_bin_seconds,
            "minTrailingSeconds": o.min_trailing_seconds,
            "range": "p10-p90 of typical step power, not a confidence interval",
        }

    def _nodes(self) -> dict[str, Any]:
        removed_note = None
        if self.nodes_removed is None:
            removed_note = "no node was removed during the off windows (or no node data)"
        return {
            "comparison": None
            if self.node_comparison is None
            else self.node_comparison.to_json_dict(),
            "removed": None if self.nodes_removed is None else self.nodes_removed.to_json_dict(),
            "removedNote": removed_note,
        }

    def to_json_dict(self, *, include_windows: bool = False) -> dict[str, Any]:
        """The report's JSON contract."""
        return {
            "from": iso(self.period.start),
            "until": iso(self.period.end),
            "keplerSchema": self.kepler_schema,
            "zones": list(self.zones),
            "baselineMethod": self._baseline()["method"],
            "baseline": self._baseline(),
            "headline": ccf.LABEL if self.without_kepler else HEADLINE_LABEL,
            "figures": {
                str(FigureKind.AVOIDED_WORKLOAD): "totals",
                str(FigureKind.NODE_COMPARISON): "nodes.comparison",
                str(FigureKind.NODES_REMOVED): "nodes.removed",
            },
            "targets": [t.to_json_dict(include_windows=include_windows) for t in self.targets],
            "totals": self.totals.to_json_dict(self.factors),
            "byPolicy": {
                k: v.to_json_dict(self.factors) for k, v in rows.by_policy(self.targets).items()
            },
            "byNamespace": {
                k: v.to_json_dict(self.factors) for k, v in rows.by_namespace(self.targets).items()
            },
            "overheadJoules": self.overhead.joules,
            "overhead": self.overhead.to_json_dict(),
            "netSavedJoules": self.net_saved_joules,
            "net": self._net(),
            "nodes": self._nodes(),
            "conversion": self.factors.to_json_dict(),
        }
