"""When a workload was actually off, from per-step "fraction of the window at zero" values.

The off-state query (``queries.off_state_query``) gives, at each grid point, the fraction of
the window that ended there during which the workload was scaled to zero or suspended
(sampled every ``resolution`` seconds inside the window). ``OffTimeline`` turns the fractions
into an ``IntervalSet``: whole steps when the fraction is 1, and for a partial step an interval
of that length placed against the neighbouring off step (the transition side); with off
neighbours on both sides the off time is split between both ends, with none it is centred.
So the total off duration is exact to the sampling resolution, and each transition is placed
within one step. Steps without any sample are unobserved, neither on nor off. Pure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.timeline import Timeline

__all__ = ["OffState", "off_state"]

_EPSILON = 1e-9


@dataclass(frozen=True)
class OffState:
    """Time at zero/suspended (``off``) and time with state samples at all (``observed``)."""

    off: IntervalSet
    observed: IntervalSet


def _placed(
    start: float, end: float, fraction: float, *, before: bool, after: bool
) -> list[tuple[float, float]]:
    length = fraction * (end - start)
    if before and not after:
        return [(start, start + length)]
    if after and not before:
        return [(end - length, end)]
    if before and after:
        return [(start, start + length / 2), (end - length / 2, end)]
    middle = (start + end) / 2
    return [(middle - length / 2, middle + length / 2)]


def off_state(timeline: Timeline, fractions: Sequence[float]) -> OffState:
    """``fractions[i]`` is the off fraction of step ``i`` (NaN: no sample in that step)."""
    if len(fractions) != timeline.steps:
        raise ValueError(f"expected {timeline.steps} step fractions, got {len(fractions)}")
    off: list[tuple[float, float]] = []
    observed: list[tuple[float, float]] = []

    def is_off(index: int) -> bool:
        return 0 <= index < len(fractions) and fractions[index] > _EPSILON

    for i, fraction in enumerate(fractions):
        if math.isnan(fraction):
            continue
        start, end = timeline.point_time(i), timeline.point_time(i + 1)
        observed.append((start, end))
        if fraction >= 1 - _EPSILON:
            off.append((start, end))
        elif fraction > _EPSILON:
            off += _placed(start, end, fraction, before=is_off(i - 1), after=is_off(i + 1))
    return OffState(IntervalSet(off), IntervalSet(observed))
