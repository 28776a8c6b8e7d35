"""The report grid in Prometheus terms: evaluation points and the steps between them.

A ``Timeline`` of ``steps`` steps of ``step`` seconds from ``start`` has ``steps + 1``
evaluation points ``start + j*step`` (j = 0..steps). A ``query_range`` over the points with a
window of one step returns, at point ``j``, what happened in ``[t(j-1), t(j)]``: so point ``j``
closes grid step ``j - 1``, and point 0 only gives the baseline. Pure arithmetic, no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scheduler.core.energy.grid import EnergyGrid

__all__ = ["Timeline"]


@dataclass(frozen=True)
class Timeline:
    """``steps`` steps of ``step`` seconds from ``start`` (Unix seconds)."""

    start: float
    step: float
    steps: int

    def __post_init__(self) -> None:
        if not self.step > 0 or not math.isfinite(self.step):
            raise ValueError(f"step must be a positive number of seconds, got {self.step!r}")
        if self.steps < 1:
            raise ValueError(f"a timeline needs at least one step, got {self.steps}")

    @classmethod
    def spanning(cls, start: float, end: float, step: float) -> Timeline:
        """The grid from ``start`` covering ``[start, end)`` (the last step may reach past end;
        a millionth of a step is rounding of Unix-time floats, not a step)."""
        if not end > start:
            raise ValueError(f"end {end!r} must be after start {start!r}")
        return cls(start, step, max(1, math.ceil((end - start) / step - 1e-6)))

    @property
    def end(self) -> float:
        """The last evaluation point (end of the last step)."""
        return self.point_time(self.steps)

    def point_time(self, point: int) -> float:
        """The instant of evaluation point ``point``."""
        return self.start + point * self.step

    def point_index(self, t: float) -> int | None:
        """The evaluation point at instant ``t``, or None if ``t`` is not on the grid."""
        point = round((t - self.start) / self.step)
        if not 0 <= point <= self.steps:
            return None
        if abs(self.point_time(point) - t) > max(1e-3, 1e-9 * abs(t)):
            return None
        return point

    def chunks(self, points_per_chunk: int) -> list[tuple[int, int]]:
        """Consecutive ``(first_point, last_point)`` ranges covering every point once."""
        if points_per_chunk < 1:
            raise ValueError(f"points per chunk must be positive, got {points_per_chunk}")
        out = []
        first = 0
        while first <= self.steps:
            last = min(self.steps, first + points_per_chunk - 1)
            out.append((first, last))
            first = last + 1
        return out

    def grid(self, fill: float = 0.0) -> EnergyGrid:
        """An ``EnergyGrid`` over this timeline, every step holding ``fill``."""
        return EnergyGrid.empty(start=self.start, step=self.step, steps=self.steps, fill=fill)
