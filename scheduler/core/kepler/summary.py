"""Totals of an energy reading for people: per namespace, per pod, and before/after.

``summarise`` turns an ``EnergyReading`` into joules, watt-hours and mean power per namespace
and per pod (mean power is over the time with data, and coverage says how much that was); a
total without any step of data is *unknown*, with the reason (``UNKNOWN_REASON``), never 0 J;
``compare`` sets a period against an earlier one of the same length (difference and ratio).
``as_json`` is the machine-readable form ``offhours energy --format json`` prints. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.kepler.reading import EnergyReading, GridTotal, ReadingMetadata, grid_total

__all__ = [
    "UNKNOWN_REASON",
    "Comparison",
    "PeriodSummary",
    "PodRow",
    "as_json",
    "compare",
    "summarise",
]

UNKNOWN_REASON = (
    "no step of the period had Kepler data at both of its ends (Kepler data begins or ends "
    "inside every step, and the energy before a series' first sample is unknown): use a "
    "longer period or a shorter --step"
)


@dataclass(frozen=True)
class PodRow:
    """One pod's energy over the period."""

    namespace: str
    pod: str
    workload: str
    attribution: str
    joules: float
    seconds: float
    start_rule: str | None = None
    ended: bool = False

    @property
    def watts(self) -> float:
        """Mean power while the pod was observed."""
        return self.joules / self.seconds if self.seconds > 0 else math.nan

    @property
    def known(self) -> bool:
        """Whether any of its energy was measured (a pod seen only as a baseline, for one
        point, has none: its energy is unknown, not 0 J)."""
        return self.seconds > 0 or self.joules > 0


@dataclass(frozen=True)
class PeriodSummary:
    """A period's totals: all selected namespaces together, each namespace, each pod."""

    start: float
    end: float
    step: float
    total: GridTotal
    namespaces: dict[str, GridTotal]
    pods: tuple[PodRow, ...]
    metadata: ReadingMetadata


def _sum_grids(grids: list[EnergyGrid], *, start: float, step: float, steps: int) -> EnergyGrid:
    joules = EnergyGrid.empty(start=start, step=step, steps=steps, fill=0.0).joules
    for grid in grids:
        for i, value in enumerate(grid.joules):
            joules[i] += value
    return EnergyGrid(start, step, joules)


def summarise(reading: EnergyReading) -> PeriodSummary:
    """Totals of ``reading`` (NaN steps are excluded and show up as lower coverage)."""
    line = reading.timeline
    total = _sum_grids(
        list(reading.namespaces.values()), start=line.start, step=line.step, steps=line.steps
    )
    pods = tuple(
        PodRow(
            ref.namespace,
            ref.name,
            str(e.workload),
            e.attribution,
            e.joules,
            e.seconds,
            e.start_rule.value if e.start_rule is not None else None,
            e.ended,
        )
        for ref, e in sorted(reading.pods.items())
    )
    return PeriodSummary(
        start=line.start,
        end=line.end,
        step=line.step,
        total=grid_total(total),
        namespaces={n: grid_total(g) for n, g in reading.namespaces.items()},
        pods=pods,
        metadata=reading.metadata,
    )


@dataclass(frozen=True)
class Comparison:
    """A period against a baseline period of the same length."""

    current: PeriodSummary
    baseline: PeriodSummary

    @property
    def known(self) -> bool:
        """Whether both periods have at least one step of data."""
        return self.current.total.seconds > 0 and self.baseline.total.seconds > 0

    @property
    def difference_joules(self) -> float:
        """Current minus baseline energy (NaN if either is unknown)."""
        if not self.known:
            return math.nan
        return self.current.total.joules - self.baseline.total.joules

    @property
    def difference_watts(self) -> float:
        """Current minus baseline mean power."""
        return self.current.total.watts - self.baseline.total.watts

    @property
    def ratio(self) -> float:
        """Current energy / baseline energy (NaN if the baseline is 0 or either is unknown)."""
        base = self.baseline.total.joules
        return self.current.total.joules / base if base > 0 and self.known else math.nan


def compare(current: EnergyReading, baseline: EnergyReading) -> Comparison:
    """Compare two readings of equal length."""
    if (
        current.timeline.steps != baseline.timeline.steps
        or current.timeline.step != baseline.timeline.step
    ):
        raise ValueError("the two periods must have the same length and step")
    return Comparison(summarise(current), summarise(baseline))


def _total_json(total: GridTotal) -> dict[str, float | str | None]:
    def clean(value: float) -> float | None:
        return None if math.isnan(value) else value

    if total.seconds <= 0:
        return {
            "joules": None,
            "watt_hours": None,
            "mean_watts": None,
            "coverage": 0.0,
            "unknown_reason": UNKNOWN_REASON,
        }
    return {
        "joules": total.joules,
        "watt_hours": total.watt_hours,
        "mean_watts": clean(total.watts),
        "coverage": total.coverage,
    }


def _pod_json(p: PodRow) -> dict[str, Any]:
    return {
        "namespace": p.namespace,
        "pod": p.pod,
        "workload": p.workload,
        "attribution": p.attribution,
        "joules": p.joules if p.known else None,
        "seconds": p.seconds,
        "mean_watts": None if math.isnan(p.watts) else p.watts,
        "start_rule": p.start_rule,
        "ended_inside": p.ended,
    }


def _kepler_json(meta: ReadingMetadata) -> dict[str, Any]:
    return {
        "schema": meta.schema.value,
        "schema_label": meta.schema.label,
        "versions": list(meta.versions),
        "zones": list(meta.zones),
        "modes": list(meta.modes),
        "pseudo_containers": meta.pseudo_containers,
        "attribution": dict(meta.attribution),
        "node_source": meta.node_source,
        "method": meta.method,
        "coverage": meta.coverage,
        "unit_correction": meta.unit_correction,
        "other_schemas": [s.value for s in meta.other_schemas],
        "warnings": list(meta.warnings),
        "queries": meta.queries,
        "lookback_seconds": meta.lookback,
        "scrape_interval_seconds": meta.scrape_interval,
        "edges": dict(meta.edges),
        "edge_rules": list(meta.edge_notes),
        "notes": list(meta.notes),
    }


def _period_json(summary: PeriodSummary) -> dict[str, Any]:
    return {
        "start": summary.start,
        "end": summary.end,
        "step_seconds": summary.step,
        "steps": round((summary.end - summary.start) / summary.step),
        "total": _total_json(summary.total),
        "namespaces": {n: _total_json(t) for n, t in summary.namespaces.items()},
        "pods": [_pod_json(p) for p in summary.pods],
        "kepler": _kepler_json(summary.metadata),
    }


def as_json(current: PeriodSummary, comparison: Comparison | None = None) -> dict[str, Any]:
    """The JSON document of ``offhours energy``."""
    document: dict[str, Any] = {"period": _period_json(current)}
    if comparison is not None:
        document["baseline"] = _period_json(comparison.baseline)
        difference = comparison.difference_joules
        known = not math.isnan(difference)
        document["difference"] = {
            "joules": difference if known else None,
            "watt_hours": difference / 3600.0 if known else None,
            "mean_watts": None
            if math.isnan(comparison.difference_watts)
            else comparison.difference_watts,
            "ratio": None if math.isnan(comparison.ratio) else comparison.ratio,
        }
    return document
