"""The report's time geometry: the period, the history read before it, the grid step.

Every instant is a multiple of the step (``query_range`` answers at multiples of the step on
stores that align, and the Kepler reader drops off-grid answers): ``from`` is rounded down,
``until`` down too (a partial last step is not reported), and the history start is ``from``
minus the lookback, also a whole number of steps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from scheduler.core.intervals import Interval
from scheduler.core.kepler.timeline import Timeline
from scheduler.errors import ConfigError

__all__ = ["ReportWindow"]


@dataclass(frozen=True)
class ReportWindow:
    """``[start, end)`` reported, ``[history_start, end)`` read, on a grid of ``step`` s."""

    start: float
    end: float
    step: float
    history_start: float

    @classmethod
    def aligned(
        cls, *, start: datetime, end: datetime, step: float, history_seconds: float
    ) -> ReportWindow:
        """The window with every bound on a multiple of ``step``."""
        if not step >= 60:
            raise ConfigError(f"--step must be at least 60 seconds (got {step:g})")
        first = math.floor(start.timestamp() / step) * step
        last = math.floor(end.timestamp() / step) * step
        if last <= first:
            raise ConfigError(
                f"the report period is empty: --until {end.isoformat()} must be at least one "
                f"step ({step:g} s) after --from {start.isoformat()}"
            )
        history = math.ceil(max(0.0, history_seconds) / step) * step
        return cls(float(first), float(last), float(step), float(first - history))

    @property
    def period(self) -> Interval:
        """The reported period."""
        return Interval(self.start, self.end)

    @property
    def timeline(self) -> Timeline:
        """The grid of everything read (history and period)."""
        return Timeline.spanning(self.history_start, self.end, self.step)

    def datetimes(self) -> tuple[datetime, datetime]:
        """``(start, end)`` as aware UTC datetimes."""
        return datetime.fromtimestamp(self.start, UTC), datetime.fromtimestamp(self.end, UTC)
