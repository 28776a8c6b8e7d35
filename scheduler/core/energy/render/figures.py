"""The headline numbers every format prints, computed once from a ``ReportDocument``.

Figure (1) with its range, conversions and coverage; figures (2) and (3) when they exist;
overhead per part; net = (1) minus overhead with its range and conversions. ``None`` means
unknown or not estimated and is printed as such. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.core.energy import conversions
from scheduler.core.energy.render.document import ReportDocument

__all__ = ["Figures", "OverheadRow", "figures"]


def _minus(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


@dataclass(frozen=True, slots=True)
class OverheadRow:
    """One overhead part."""

    name: str
    joules: float | None
    watts: float | None
    coverage: float | None


@dataclass(frozen=True)
class Figures:
    """The numbers of the report's summary."""

    saved: float | None
    saved_low: float | None
    saved_high: float | None
    converted: conversions.Converted | None
    targets: int
    estimated: int
    off_seconds: float
    coverage: float | None
    comparison_measured: float | None
    comparison_comparable: float | None
    comparison_difference: tuple[float, float, float] | None
    removed: tuple[float, float, float] | None
    removed_node_seconds: float | None
    removed_node_watts: float | None
    overhead: float | None
    overhead_parts: tuple[OverheadRow, ...]
    net: float | None
    net_low: float | None
    net_high: float | None
    net_converted: conversions.Converted | None


def figures(doc: ReportDocument) -> Figures:
    """The summary numbers of ``doc``."""
    report = doc.savings
    totals = report.totals
    factors = report.factors
    cmp = report.node_comparison
    removed = report.nodes_removed
    removed_json = removed.to_json_dict() if removed is not None else None
    cost = report.overhead.joules
    net = report.net_saved_joules
    return Figures(
        saved=totals.saved_joules,
        saved_low=totals.saved_joules_low,
        saved_high=totals.saved_joules_high,
        converted=None
        if totals.saved_joules is None
        else conversions.convert(totals.saved_joules, factors),
        targets=totals.targets,
        estimated=totals.targets_estimated,
        off_seconds=totals.off_seconds,
        coverage=totals.coverage,
        comparison_measured=cmp.measured_joules if cmp else None,
        comparison_comparable=cmp.comparable_joules if cmp else None,
        comparison_difference=None
        if cmp is None
        else (
            cmp.difference_joules,
            cmp.to_json_dict()["differenceJoulesLow"],
            cmp.to_json_dict()["differenceJoulesHigh"],
        ),
        removed=None
        if removed_json is None
        else (
            removed_json["savedJoules"],
            removed_json["savedJoulesLow"],
            removed_json["savedJoulesHigh"],
        ),
        removed_node_seconds=removed.removed_node_seconds if removed else None,
        removed_node_watts=removed.node_watts.median if removed else None,
        overhead=cost,
        overhead_parts=tuple(
            OverheadRow(p.name, p.joules, p.mean_watts, p.coverage) for p in report.overhead.parts
        ),
        net=net,
        net_low=_minus(totals.saved_joules_low, cost),
        net_high=_minus(totals.saved_joules_high, cost),
        net_converted=None if net is None else conversions.convert(net, factors),
    )
