"""Energy on a regular time grid: the hand-off between the Kepler readers and the savings maths.

``EnergyGrid.joules[i]`` is the energy measured in ``[start + i*step, start + (i+1)*step)``.
``NaN`` means *no data* for that step (Kepler was not scraped, Prometheus had a gap): it is
never read as zero. A workload that is scaled to zero while Kepler is being scraped has
``0.0`` steps, not ``NaN``.
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field

from scheduler.core.intervals import IntervalSet

__all__ = ["EnergyGrid"]


@dataclass(frozen=True)
class EnergyGrid:
    """Joules per step on a regular grid starting at ``start`` (Unix seconds)."""

    start: float
    step: float
    joules: array[float] = field(default_factory=lambda: array("d"))

    def __post_init__(self) -> None:
        if self.step <= 0:
            raise ValueError(f"grid step must be positive, got {self.step}")

    @classmethod
    def empty(cls, *, start: float, step: float, steps: int, fill: float = math.nan) -> EnergyGrid:
        """A grid of ``steps`` steps, each holding ``fill``."""
        return cls(start, step, array("d", [fill]) * steps)

    @property
    def end(self) -> float:
        """The end of the last step."""
        return self.start + self.step * len(self.joules)

    def step_start(self, index: int) -> float:
        """The start instant of step ``index``."""
        return self.start + index * self.step

    def index_of(self, t: float) -> int:
        """The index of the step containing ``t`` (may be out of range)."""
        return math.floor((t - self.start) / self.step)

    def covered(self) -> IntervalSet:
        """The instants for which the grid has data (non-NaN steps)."""
        return IntervalSet(
            (self.step_start(i), self.step_start(i + 1))
            for i, value in enumerate(self.joules)
            if not math.isnan(value)
        )
