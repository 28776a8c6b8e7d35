"""The grid of an energy read: equal steps that fit the period exactly, and the lookback.

A period ``[from, until)`` is never snapped to a grid: ``exact_step`` cuts it into ``n`` equal
steps of a whole number of milliseconds (Prometheus' resolution), each no longer than asked,
so the first point is ``from`` and the last is ``until``. ``auto_target`` picks that step from
the data: the scrape interval for short periods (a pod shorter than a minute still
spans several points), at most ``MAX_AUTO_STEPS`` steps for long ones; for Kepler <=0.3
gauges, which are summed per step, it is never shorter than the scrape interval. ``lookback``
is how far each point looks back for a counter's last sample: at least one step and a few
scrape intervals, so a grid finer than the scrape interval sees every series at every point.
Pure arithmetic.
"""

from __future__ import annotations

import math

__all__ = [
    "LOOKBACK_FLOOR",
    "LOOKBACK_SCRAPES",
    "MAX_AUTO_STEPS",
    "NoExactStep",
    "auto_target",
    "exact_step",
    "lookback",
]

MAX_AUTO_STEPS = 720
#: lookback when the scrape interval is unknown (covers a 60 s scrape that missed once)
LOOKBACK_FLOOR = 120.0
#: lookback in scrape intervals when the interval is known (covers jitter and one miss)
LOOKBACK_SCRAPES = 2.5
#: the longest step when the scrape interval is unknown and the period is short
_UNKNOWN_SCRAPE_STEP = 15.0
#: how far past the fewest steps ``exact_step`` searches for a divisor
_SEARCH_FACTOR = 20


class NoExactStep(ValueError):
    """No step of whole milliseconds near the one asked for divides the period."""


def exact_step(width: float, *, target: float, gauges: bool = False) -> float:
    """The step (seconds, whole ms) dividing ``width`` exactly into equal steps.

    Counters: the longest such step not above ``target``. Gauges (``gauges``): the shortest
    not below ``target`` (a gauge step must hold a scrape), or the whole period if shorter.
    """
    total = round(width * 1000)
    if total < 1:
        raise NoExactStep(f"the period must last at least 1 ms (got {width!r} s)")
    wanted = max(1.0, target * 1000)
    if gauges:
        most = max(1, math.floor(total / wanted))
        count = next((n for n in range(most, 0, -1) if total % n == 0), 1)
        return total / count / 1000
    fewest = max(1, math.ceil(total / wanted - 1e-9))
    for count in range(fewest, min(total, fewest * _SEARCH_FACTOR) + 1):
        if total % count == 0:
            return total / count / 1000
    raise NoExactStep(
        f"the period of {width:g} s cannot be cut into at most {fewest * _SEARCH_FACTOR} "
        f"equal steps of whole milliseconds (Prometheus' resolution) no longer than "
        f"{target:.6g} s; give --from and --until to the second"
    )


def auto_target(width: float, *, scrape_interval: float | None, gauges: bool = False) -> float:
    """The ``exact_step`` target for a period of ``width`` seconds and the data's scrape
    interval (None: unknown): the scrape interval, but at most ``MAX_AUTO_STEPS`` steps."""
    coarse = width / MAX_AUTO_STEPS
    fine = scrape_interval if scrape_interval else _UNKNOWN_SCRAPE_STEP
    if gauges:
        return max(fine, coarse)
    return max(min(fine, width), coarse)


def lookback(step: float, *, scrape_interval: float | None) -> float:
    """How far a point looks back for a counter's last sample: at least ``step``, and
    ``LOOKBACK_SCRAPES`` scrape intervals (``LOOKBACK_FLOOR`` when the interval is unknown)."""
    floor = LOOKBACK_SCRAPES * scrape_interval if scrape_interval else LOOKBACK_FLOOR
    return max(step, floor)
