"""Chart data: measured power downsampled for drawing, and cumulative savings over time.

``power_series`` averages an ``EnergyGrid`` over buckets of whole steps (mean power = known
joules / known seconds, so energy is preserved; a bucket without data is a gap, never 0).
``cumulative_savings`` adds each off window's saved energy at the window's end, giving the
running total (point, p10 and p90) a report draws. Pure; the renderers only scale these.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.savings import SavingsEstimate
from scheduler.core.intervals import Interval

__all__ = ["CumulativePoint", "PowerSeries", "cumulative_savings", "power_series", "sum_grids"]


@dataclass(frozen=True)
class PowerSeries:
    """Mean power per bucket: ``watts[i]`` over ``[start + i*bucket, start + (i+1)*bucket)``."""

    start: float
    bucket: float
    watts: tuple[float | None, ...]

    @property
    def end(self) -> float:
        """End of the last bucket."""
        return self.start + self.bucket * len(self.watts)

    @property
    def peak(self) -> float:
        """The largest known value (0 without data)."""
        return max((w for w in self.watts if w is not None), default=0.0)


def power_series(grid: EnergyGrid, *, period: Interval, points: int = 240) -> PowerSeries:
    """``grid`` within ``period`` as at most ``points`` buckets of mean power."""
    first = max(0, math.floor((period.start - grid.start) / grid.step))
    stop = min(len(grid.joules), math.ceil((period.end - grid.start) / grid.step))
    steps = max(0, stop - first)
    per = max(1, math.ceil(steps / max(1, points)))
    watts: list[float | None] = []
    for lo in range(first, stop, per):
        known = [v for v in grid.joules[lo : min(stop, lo + per)] if v == v]
        watts.append(math.fsum(known) / (len(known) * grid.step) if known else None)
    return PowerSeries(grid.start + first * grid.step, per * grid.step, tuple(watts))


def sum_grids(grids: Iterable[EnergyGrid]) -> EnergyGrid | None:
    """Step-wise sum of grids of one geometry; a step is NaN only where every grid is NaN."""
    total: EnergyGrid | None = None
    for grid in grids:
        if total is None:
            total = EnergyGrid(grid.start, grid.step, grid.joules[:])
            continue
        joules = total.joules
        for i, v in enumerate(grid.joules):
            if v == v:
                joules[i] = v if joules[i] != joules[i] else joules[i] + v
    return total


@dataclass(frozen=True, slots=True)
class CumulativePoint:
    """Saved energy so far at ``t`` (point, p10 and p90 baselines)."""

    t: float
    joules: float
    low: float
    high: float


def cumulative_savings(
    estimates: Iterable[SavingsEstimate], *, period: Interval
) -> tuple[CumulativePoint, ...]:
    """The running total of saved energy, one point per off-window end (plus the start)."""
    events: list[tuple[float, float, float, float]] = []
    for e in estimates:
        for w in e.windows:
            if w.covered_seconds <= 0:
                continue
            residual = w.residual_joules
            events.append(
                (
                    w.end,
                    w.baseline_joules - residual,
                    w.baseline_joules_low - residual,
                    w.baseline_joules_high - residual,
                )
            )
    events.sort()
    points = [CumulativePoint(period.start, 0.0, 0.0, 0.0)]
    point = low = high = 0.0
    for t, a, b, c in events:
        point, low, high = point + a, low + b, high + c
        if points[-1].t == t:
            points[-1] = CumulativePoint(t, point, low, high)
        else:
            points.append(CumulativePoint(t, point, low, high))
    if points[-1].t < period.end:
        points.append(CumulativePoint(period.end, point, low, high))
    return tuple(points)
