"""Hour-of-week bins in the policy's time zone.

Workloads follow local office hours, so the bins are local: bin ``0`` is Monday 00:00–01:00
*local time* and bin ``167`` is Sunday 23:00–24:00. A grid step is binned by its midpoint.
Across a daylight-saving change the mapping stays local: in the autumn the repeated hour
(e.g. 02:00–03:00 twice) feeds the same bin with two UTC hours of samples; in the spring the
skipped hour's bin simply gets no samples that week. *Day-type hours* pool the bins into 48:
the 24 local hours of weekdays and the 24 of weekend days (trailing baselines use them).
Nothing here reads the clock; the zone is passed in.
"""

from __future__ import annotations

import functools
from array import array
from dataclasses import dataclass
from datetime import datetime, tzinfo

__all__ = [
    "DAY_TYPE_HOURS",
    "DAY_TYPE_OF_BIN",
    "HOURS_PER_WEEK",
    "GridHours",
    "bin_label",
    "grid_bins",
    "grid_hours",
    "hour_of_week",
]

HOURS_PER_WEEK = 168
DAY_TYPE_HOURS = 48
# Weekday hours 0..23, weekend (Saturday, Sunday) hours 24..47, by hour-of-week bin.
DAY_TYPE_OF_BIN = tuple((24 if b >= 120 else 0) + b % 24 for b in range(HOURS_PER_WEEK))
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


@dataclass(frozen=True)
class GridHours:
    """Per grid step (by its midpoint): hour-of-week bin and local clock hour.

    ``hours[i]`` numbers local clock hours (``date.toordinal() * 24 + hour``): steps sharing it
    lie in the same occurrence of an hour, e.g. Tuesday 4 March 10:00–11:00 local.
    """

    bins: bytes
    hours: array[int]


@functools.lru_cache(maxsize=64)
def grid_hours(start: float, step: float, steps: int, *, tz: tzinfo) -> GridHours:
    """Bins and local clock hours of a grid geometry (cached: a report shares one geometry)."""
    half = step / 2.0
    bins = bytearray(steps)
    hours = array("l", bytes(8 * steps))
    for i in range(steps):
        local = datetime.fromtimestamp(start + i * step + half, tz)
        bins[i] = local.weekday() * 24 + local.hour
        hours[i] = local.toordinal() * 24 + local.hour
    return GridHours(bytes(bins), hours)


def grid_bins(start: float, step: float, steps: int, *, tz: tzinfo) -> bytes:
    """The hour-of-week bin of every step's midpoint."""
    return grid_hours(start, step, steps, tz=tz).bins
