"""Hour-of-week bins in the policy's time zone.

Workloads follow local office hours, so the bins are local: bin ``0`` is Monday 00:00–01:00
*local time* and bin ``167`` is Sunday 23:00–24:00. A grid step is binned by its midpoint.
Across a daylight-saving change the mapping stays local: in the autumn the repeated hour
(e.g. 02:00–03:00 twice) feeds the same bin with two UTC hours of samples; in the spring the
skipped hour's bin simply gets no samples that week. Nothing here reads the clock; the zone
is passed in.
"""

from __future__ import annotations

import functools
from datetime import datetime, tzinfo

__all__ = ["HOURS_PER_WEEK", "bin_label", "grid_bins", "hour_of_week"]

HOURS_PER_WEEK = 168
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def hour_of_week(t: float, tz: tzinfo) -> int:
    """The local hour of the week (0 = Monday 00:00–01:00) of Unix instant ``t`` in ``tz``."""
    local = datetime.fromtimestamp(t, tz)
    return local.weekday() * 24 + local.hour


def bin_label(index: int) -> str:
    """A readable name for a bin, e.g. ``Tue 09:00``."""
    if not 0 <= index < HOURS_PER_WEEK:
        raise ValueError(f"hour-of-week bin must be within 0..167, got {index}")
    return f"{_DAYS[index // 24]} {index % 24:02d}:00"


@functools.lru_cache(maxsize=64)
def grid_bins(start: float, step: float, steps: int, *, tz: tzinfo) -> bytes:
    """The hour-of-week bin of every step's midpoint, for a grid geometry (cached).

    Every workload of a report shares one grid geometry, so the bins are computed once.
    """
    half = step / 2.0
    return bytes(hour_of_week(start + i * step + half, tz) for i in range(steps))
