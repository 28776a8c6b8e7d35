"""The energy of the GitOps machinery itself: offhours and the Flux controllers.

Each part (e.g. ``flux-system``, the offhours Deployment) is measured over the whole report
period from its energy grid. Where the grid has no data the part's mean measured power fills
the gap: unlike savings, overhead is *extrapolated*, because under-counting it would inflate
the net figure. A part with no data at all makes the overhead unknown (``None``), and with it
the net figure; a part that does not exist (offhours run as a CLI outside the cluster) is
simply not passed. The whole ``flux-system`` namespace is counted, although Flux would run
without offhours too: the overhead is an upper bound. Owns measuring; subtracting is
``report``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import Interval

__all__ = ["Overhead", "OverheadPart", "measure_overhead", "measure_part"]


@dataclass(frozen=True, slots=True)
class OverheadPart:
    """The measured energy of one component over the period."""

    name: str
    period_seconds: float
    covered_seconds: float
    measured_joules: float

    @property
    def coverage(self) -> float | None:
        """Fraction of the period with data."""
        return self.covered_seconds / self.period_seconds if self.period_seconds > 0 else None

    @property
    def mean_watts(self) -> float | None:
        """Mean measured power over the covered time."""
        return self.measured_joules / self.covered_seconds if self.covered_seconds > 0 else None

    @property
    def joules(self) -> float | None:
        """Energy over the whole period: measured, gaps filled at the mean measured power."""
        if self.period_seconds <= 0:
            return 0.0
        watts = self.mean_watts
        if watts is None:
            return None
        return self.measured_joules + watts * (self.period_seconds - self.covered_seconds)

    def to_json_dict(self) -> dict[str, Any]:
        """The part as reported."""
        return {
            "name": self.name,
            "joules": self.joules,
            "measuredJoules": self.measured_joules,
            "coverage": self.coverage,
            "meanWatts": self.mean_watts,
        }


def measure_part(name: str, grid: EnergyGrid, *, period: Interval) -> OverheadPart:
    """Energy of one grid over ``period`` (partial steps pro-rated, NaN steps uncovered)."""
    a, b = period.start, period.end
    joules, start, step = grid.joules, grid.start, grid.step
    first = max(0, math.floor((a - start) / step))
    stop = min(len(joules), math.ceil((b - start) / step))
    covered = measured = 0.0
    for i in range(first, stop):
        s = start + i * step
        o = min(s + step, b) - max(s, a)
        v = joules[i]
        if o > 0 and v == v:
            covered += o
            measured += v * o / step
    return OverheadPart(name, period.duration, covered, measured)


@dataclass(frozen=True)
class Overhead:
    """Energy of offhours and Flux over the report period."""

    parts: tuple[OverheadPart, ...]

    @property
    def joules(self) -> float | None:
        """Total overhead; ``None`` if any part had no data at all (unknown, not zero)."""
        values = [p.joules for p in self.parts]
        if any(v is None for v in values):
            return None
        return math.fsum(v for v in values if v is not None)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the reader should know about these figures."""
        notes = ["upper bound: the whole energy of each part, not only what offhours caused"]
        for p in self.parts:
            if p.joules is None:
                notes.append(f"{p.name}: no energy data in the period, overhead unknown")
            elif p.covered_seconds < p.period_seconds:
                notes.append(f"{p.name}: gaps filled at its mean measured power")
        if not self.parts:
            notes.append("no offhours or flux-system pods measured: overhead 0")
        return tuple(notes)

    def to_json_dict(self) -> dict[str, Any]:
        """The overhead as reported."""
        return {
            "joules": self.joules,
            "parts": [p.to_json_dict() for p in self.parts],
            "notes": list(self.notes),
        }


def measure_overhead(parts: Mapping[str, EnergyGrid], *, period: Interval) -> Overhead:
    """Measure every part (name → grid) over the period."""
    return Overhead(
        tuple(measure_part(name, grid, period=period) for name, grid in sorted(parts.items()))
    )
