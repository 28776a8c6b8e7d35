"""From idle slots to off windows and the ``uptime`` lines of a policy.

Off time is the idle slots *eroded* by the margin: a slot is off only when every slot within
``margin`` slots before and after it is idle too (the week wraps around: Sunday night runs into
Monday morning). Off runs shorter than ``min_length`` slots are dropped. ``uptime`` writes the
complement per day as ``<DAY>[-<DAY>] HH:MM-HH:MM`` lines; when treating Monday to Friday alike
and Saturday and Sunday alike (the union of their on-time) costs at most ``MERGE_LOSS`` of the
off time, the day groups are used, which reads as people plan ("Mon-Fri 07:00-19:30").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from scheduler.core.intervals import IntervalSet
from scheduler.core.suggest.weekslots import WEEKDAYS, WeekSlots

__all__ = ["Uptime", "off_slots", "runs", "uptime", "weekly_intervals"]

MERGE_LOSS = 0.10
DAY_GROUPS = ((0, 1, 2, 3, 4), (5, 6))


def runs(mask: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of set slots on the circular week as ``(start, length)``; the whole week is
    ``(0, n)``."""
    n = len(mask)
    if all(mask):
        return [(0, n)] if n else []
    first = next(i for i in range(n) if not mask[i])
    out: list[tuple[int, int]] = []
    length = 0
    for k in range(1, n + 1):
        i = (first + k) % n
        if mask[i]:
            length += 1
            continue
        if length:
            out.append(((i - length) % n, length))
        length = 0
    return sorted(out)


def off_slots(idle: Sequence[int], *, margin: int, min_length: int) -> bytearray:
    """Idle slots eroded by ``margin`` slots on both sides, without runs under ``min_length``."""
    n = len(idle)
    eroded = bytearray(
        1 if all(idle[(s + d) % n] for d in range(-margin, margin + 1)) else 0 for s in range(n)
    )
    out = bytearray(n)
    for start, length in runs(eroded):
        if length >= min_length:
            for k in range(length):
                out[(start + k) % n] = 1
    return out


@dataclass(frozen=True)
class Uptime:
    """The ``uptime`` lines, the off slots they mean, and whether day groups were used."""

    lines: tuple[str, ...]
    off: bytearray
    grouped: bool


def _day_ranges(on: Sequence[int], day: int, per_day: int) -> tuple[tuple[int, int], ...]:
    out: list[tuple[int, int]] = []
    start = None
    for k in range(per_day + 1):
        lit = k < per_day and on[day * per_day + k]
        if lit and start is None:
            start = k
        elif not lit and start is not None:
            out.append((start, k))
            start = None
    return tuple(out)


def _grouped(on: Sequence[int], per_day: int) -> bytearray:
    out = bytearray(on)
    for group in DAY_GROUPS:
        for k in range(per_day):
            lit = any(on[d * per_day + k] for d in group)
            for d in group:
                out[d * per_day + k] = lit
    return out


def _lines(on: Sequence[int], slots: WeekSlots) -> tuple[str, ...]:
    per_day = slots.per_day
    days = [_day_ranges(on, d, per_day) for d in range(7)]
    lines: list[str] = []
    d = 0
    while d < 7:
        last = d
        while last + 1 < 7 and days[last + 1] == days[d]:
            last += 1
        name = WEEKDAYS[d] if last == d else f"{WEEKDAYS[d]}-{WEEKDAYS[last]}"
        lines += [f"{name} {slots.clock(a)}-{slots.clock(b)}" for a, b in days[d]]
        d = last + 1
    return tuple(lines)


def uptime(off: Sequence[int], slots: WeekSlots) -> Uptime:
    """The ``uptime`` lines whose complement is ``off`` (or, when cheap, its day groups)."""
    on = bytearray(0 if v else 1 for v in off)
    grouped_on = _grouped(on, slots.per_day)
    exact_off = sum(1 for v in off if v)
    lost = sum(grouped_on) - sum(on)
    if exact_off and lost <= MERGE_LOSS * exact_off and sum(grouped_on) < len(on):
        return Uptime(_lines(grouped_on, slots), bytearray(1 - v for v in grouped_on), True)
    return Uptime(_lines(on, slots), bytearray(off), False)


def weekly_intervals(
    off: Sequence[int], slots: WeekSlots, *, start: float, end: float
) -> IntervalSet:
    """The instants of ``[start, end)`` whose local week slot is off (DST-aware)."""
    tz = slots.tz
    first = datetime.fromtimestamp(start, tz).date() - timedelta(days=1)
    last = datetime.fromtimestamp(end, tz).date() + timedelta(days=1)
    pieces = []
    day = first
    step = timedelta(seconds=slots.granularity)
    while day <= last:
        midnight = datetime.combine(day, time(0), tzinfo=tz)
        base = day.weekday() * slots.per_day
        for k in range(slots.per_day):
            if off[base + k]:
                a = (midnight + k * step).timestamp()
                pieces.append((a, (midnight + (k + 1) * step).timestamp()))
        day += timedelta(days=1)
    return IntervalSet(pieces).clip(start, end)
