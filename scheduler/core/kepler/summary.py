"""Totals of an energy reading for people: per namespace, per pod, and before/after.

``summarise`` turns an ``EnergyReading`` into joules, watt-hours and mean power per namespace
and per pod (mean power is over the time with data, and coverage says how much that was);
``compare`` sets a period against an earlier one of the same length (difference and ratio).
``as_json`` is the machine-readable form ``offhours energy --format json`` prints. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.kepler.reading import EnergyReading, GridTotal, ReadingMetadata, grid_total

__all__ = ["Comparison", "PeriodSummary", "PodRow", "as_json", "compare", "summarise"]


@dataclass(frozen=True)
class PodRow:
    """One pod's energy over the period."""

    namespace: str
    pod: str
    workload: str
    attribution: str
    joules: float
    seconds: float

    @property
    def watts(self) -> float:
        """Mean power while the pod was observed."""
        return self.joules / self.seconds if self.seconds > 0 else math.nan


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
        PodRow(ref.namespace, ref.name, str(e.workload), e.attribution, e.joules, e.seconds)
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
    def difference_joules(self) -> float:
        """Current minus baseline energy."""
        return self.current.total.joules - self.baseline.total.joules

    @property
    def difference_watts(self) -> float:
        """Current minus baseline mean power."""
        return self.current.total.watts - self.baseline.total.watts

    @property
    def ratio(self) -> float:
        """Current energy / baseline energy (NaN if the baseline is 0)."""
        base = self.baseline.total.joules
        return self.current.total.joules / base if base > 0 else math.nan


def compare(current: EnergyReading, baseline: EnergyReading) -> Comparison:
    """Compare two readings of equal length."""
    if (
        current.timeline.steps != baseline.timeline.steps
        or current.timeline.step != baseline.timeline.step
    ):
        raise ValueError("the two periods must have the same length and step")
    return Comparison(summarise(current), summarise(baseline))


def _total_json(total: GridTotal) -> dict[str, float | None]:
    def clean(value: float) -> float | None:
        return None if math.isnan(value) else value

    return {
        "joules": total.joules,
        "watt_hours": total.watt_hours,
        "mean_watts": clean(total.watts),
        "coverage": total.coverage,
    }


def _period_json(summary: PeriodSummary) -> dict[str, Any]:
    meta = summary.metadata
    return {
        "start": summary.start,
        "end": summary.end,
        "step_seconds": summary.step,
        "total": _total_json(summary.total),
        "namespaces": {n: _total_json(t) for n, t in summary.namespaces.items()},
        "pods": [
            {
                "namespace": p.namespace,
                "pod": p.pod,
                "workload": p.workload,
                "attribution": p.attribution,
                "joules": p.joules,
                "seconds": p.seconds,
                "mean_watts": None if math.isnan(p.watts) else p.watts,
            }
            for p in summary.pods
        ],
        "kepler": {
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
        },
    }


def as_json(current: PeriodSummary, comparison: Comparison | None = None) -> dict[str, Any]:
    """The JSON document of ``offhours energy``."""
    document: dict[str, Any] = {"period": _period_json(current)}
    if comparison is not None:
        document["baseline"] = _period_json(comparison.baseline)
        document["difference"] = {
            "joules": comparison.difference_joules,
            "watt_hours": comparison.difference_joules / 3600.0,
            "mean_watts": None
            if math.isnan(comparison.difference_watts)
            else comparison.difference_watts,
            "ratio": None if math.isnan(comparison.ratio) else comparison.ratio,
        }
    return document
