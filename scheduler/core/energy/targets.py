"""Per-target results with their identity, and totals per policy, namespace and overall.

Totals add the *estimated* targets only and count the others: a target without a baseline (or
without any covered off time) is ``targetsNotEstimated``, never a silent zero. Low and high
totals add the targets' p10 and p90 figures, so they keep the same meaning (every target at
its typical-low / typical-high power), not a quantile of the sum. Everything here is figure
(1), estimated avoided workload energy; node figures live in ``nodes``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from scheduler.core.energy import conversions
from scheduler.core.energy.savings import SavingsEstimate
from scheduler.core.workloads import WorkloadRef

__all__ = ["SavingsTotals", "TargetSavings", "by_namespace", "by_policy", "summarise"]


@dataclass(frozen=True)
class TargetSavings:
    """The avoided-energy estimate of one target (figure 1), with who it is."""

    target: WorkloadRef
    policy: str
    estimate: SavingsEstimate

    def to_json_dict(self, *, include_windows: bool = False) -> dict[str, Any]:
        """One row of the report's ``targets`` list (camelCase keys, ``null`` = not estimated)."""
        e = self.estimate
        row: dict[str, Any] = {
            "kind": self.target.kind,
            "namespace": self.target.namespace,
            "name": self.target.name,
            "policy": self.policy,
            "method": str(e.method),
            "offSeconds": e.off_seconds,
            "coveredSeconds": e.covered_seconds,
            "coverage": e.coverage,
            "baselineWatts": e.baseline_watts,
            "baselineWattsP10": e.baseline_watts_p10,
            "baselineWattsP90": e.baseline_watts_p90,
            "baselineJoules": e.baseline_joules if e.covered_seconds > 0 else None,
            "savedJoules": e.saved_joules,
            "savedJoulesLow": e.saved_joules_low,
            "savedJoulesHigh": e.saved_joules_high,
            "residualJoules": e.residual_joules,
            "measuredOffJoules": e.measured_joules,
            "fallbackSeconds": e.fallback_seconds,
            "unmatchedSeconds": e.unmatched_seconds,
            "noDataSeconds": e.no_data_seconds,
            "noBaselineSeconds": e.no_baseline_seconds,
            "historySeconds": e.history_seconds,
            "notes": list(e.notes),
        }
        if include_windows:
            row["windows"] = [w.to_json_dict() for w in e.windows]
        return row


@dataclass(frozen=True)
class SavingsTotals:
    """Figure (1) added over a group of targets."""

    targets: int
    targets_estimated: int
    off_seconds: float
    covered_seconds: float
    baseline_joules: float
    residual_joules: float
    saved_joules: float | None
    saved_joules_low: float | None
    saved_joules_high: float | None

    @property
    def targets_not_estimated(self) -> int:
        """Targets with off time but no estimate (no baseline or no data)."""
        return self.targets - self.targets_estimated

    @property
    def coverage(self) -> float | None:
        """Covered fraction of the group's off time."""
        return self.covered_seconds / self.off_seconds if self.off_seconds > 0 else None

    def to_json_dict(self, factors: conversions.ConversionFactors) -> dict[str, Any]:
        """The totals with kWh, CO2e and cost of the point, low and high figures."""
        point = _converted(self.saved_joules, factors)
        low = _converted(self.saved_joules_low, factors)
        high = _converted(self.saved_joules_high, factors)
        return {
            "targets": self.targets,
            "targetsEstimated": self.targets_estimated,
            "targetsNotEstimated": self.targets_not_estimated,
            "offSeconds": self.off_seconds,
            "coveredSeconds": self.covered_seconds,
            "coverage": self.coverage,
            "baselineJoules": self.baseline_joules,
            "residualJoules": self.residual_joules,
            "savedJoules": self.saved_joules,
            "savedJoulesLow": self.saved_joules_low,
            "savedJoulesHigh": self.saved_joules_high,
            "savedKWh": None if point is None else point.kwh,
            "facilityKWh": None if point is None else point.facility_kwh,
            "co2eGrams": None if point is None else point.co2e_grams,
            "co2eGramsLow": None if low is None else low.co2e_grams,
            "co2eGramsHigh": None if high is None else high.co2e_grams,
            "cost": None if point is None else point.cost,
            "currency": factors.currency,
        }


def _converted(
    joules: float | None, factors: conversions.ConversionFactors
) -> conversions.Converted | None:
    return None if joules is None else conversions.convert(joules, factors)


def _sum(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return math.fsum(kept) if kept else None


def summarise(results: Iterable[TargetSavings]) -> SavingsTotals:
    """Totals over targets; the saved figures are ``None`` when no target could be estimated."""
    rows = list(results)
    estimated = [r.estimate for r in rows if r.estimate.saved_joules is not None]
    covered = [e for e in estimated if e.covered_seconds > 0]
    return SavingsTotals(
        targets=len(rows),
        targets_estimated=len(estimated),
        off_seconds=math.fsum(r.estimate.off_seconds for r in rows),
        covered_seconds=math.fsum(e.covered_seconds for e in covered),
        baseline_joules=math.fsum(e.baseline_joules for e in covered),
        residual_joules=math.fsum(e.residual_joules for e in covered),
        saved_joules=_sum(e.saved_joules for e in estimated),
        saved_joules_low=_sum(e.saved_joules_low for e in estimated),
        saved_joules_high=_sum(e.saved_joules_high for e in estimated),
    )


def _grouped(
    results: Iterable[TargetSavings], key: Callable[[TargetSavings], str]
) -> dict[str, SavingsTotals]:
    groups: dict[str, list[TargetSavings]] = {}
    for r in results:
        groups.setdefault(key(r), []).append(r)
    return {name: summarise(rows) for name, rows in sorted(groups.items())}


def by_policy(results: Iterable[TargetSavings]) -> dict[str, SavingsTotals]:
    """Totals per policy name, sorted by name."""
    return _grouped(results, lambda r: r.policy)


def by_namespace(results: Iterable[TargetSavings]) -> dict[str, SavingsTotals]:
    """Totals per namespace, sorted by name."""
    return _grouped(results, lambda r: r.target.namespace)
