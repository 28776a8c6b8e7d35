"""Sample quantiles of step power: the median and the p10–p90 spread every baseline reports.

One definition everywhere: linear interpolation between closest ranks (Hyndman & Fan type 7,
the default of R, NumPy and pandas). For ``n`` sorted samples the ``q`` quantile sits at rank
``h = (n - 1) * q``; between two ranks it is interpolated linearly. The median of an even
number of samples is therefore the mean of the two middle ones.

``PowerStats.median`` is the median of *hourly mean* power when hour means are given (one per
occurrence of a local clock hour): energy within an hour is its mean power, so a CronJob that
runs ten minutes an hour counts with a sixth of its power, while an unusual hour cannot move
the median. ``p10``/``p90`` are quantiles of *step* power, the typical spread, widened to
include the median if needed.

Owns the arithmetic only: which samples go in (on-time history, one hour-of-week bin, a
trailing lookback) is decided by ``baseline``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["PowerStats", "power_stats", "quantile"]


def quantile(ordered: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of already sorted samples (type 7, linear interpolation)."""
    if not ordered:
        raise ValueError("quantile of no samples")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile level must be within [0, 1], got {q}")
    h = (len(ordered) - 1) * q
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


@dataclass(frozen=True, slots=True)
class PowerStats:
    """Median and p10/p90 of step power (watts) over ``seconds`` of samples."""

    median: float
    p10: float
    p90: float
    seconds: float
    samples: int
    hours: int = 0

    def to_json_dict(self) -> dict[str, float | int]:
        """The stats as a JSON-ready dict (camelCase keys)."""
        return {
            "median": self.median,
            "p10": self.p10,
            "p90": self.p90,
            "seconds": self.seconds,
            "samples": self.samples,
            "hours": self.hours,
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> PowerStats:
        """Rebuild stats written by ``to_json_dict``."""
        return cls(
            median=float(data["median"]),
            p10=float(data["p10"]),
            p90=float(data["p90"]),
            seconds=float(data["seconds"]),
            samples=int(data["samples"]),
            hours=int(data.get("hours", 0)),
        )


def power_stats(
    watts: Iterable[float], *, step: float, hour_means: Sequence[float] = ()
) -> PowerStats | None:
    """Median, p10 and p90 of step powers, each sample standing for ``step`` seconds.

    With ``hour_means`` the median is theirs (see the module docstring). ``None`` when there
    are no samples: "no baseline" is never silently zero.
    """
    ordered = sorted(watts)
    if not ordered:
        return None
    median = quantile(sorted(hour_means), 0.5) if hour_means else quantile(ordered, 0.5)
    return PowerStats(
        median=median,
        p10=min(quantile(ordered, 0.1), median),
        p90=max(quantile(ordered, 0.9), median),
        seconds=len(ordered) * step,
        samples=len(ordered),
        hours=len(hour_means),
    )
