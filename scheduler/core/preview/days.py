"""A preview broken into local days: 30-minute cells, off time and notes for each day.

Shared by the text calendar and the markdown tables. A day is the instants whose local date
(in the policy zone) is that date; a cell is the instants whose wall clock is in its half
hour, so a skipped half hour (spring forward) has no instants and a repeated one (fall back)
has an hour of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.core import zones
from scheduler.core.instants import DAY, day_number, local_date
from scheduler.core.intervals import IntervalSet
from scheduler.core.policy.model import Policy, State
from scheduler.core.preview.model import PolicyPreview

__all__ = ["CELL", "DayRow", "day_rows", "local_label"]

CELL = 1800
CELLS_PER_DAY = DAY // CELL


@dataclass(frozen=True, slots=True)
class DayRow:
    """One local day of a policy preview.

    ``cells`` holds the off fraction of each half hour (``None``: no instant of that half
    hour is in the range, or the wall clock skips it); ``off_ranges`` are the off stretches as
    local ``HH:MM`` pairs.
    """

    day: date
    cells: tuple[float | None, ...]
    off_seconds: int
    seconds: int
    off_ranges: tuple[tuple[str, str], ...]
    notes: tuple[str, ...]


def _measure(off: IntervalSet, starts: Sequence[float], *, lo: int, hi: int) -> int:
    """Seconds of ``off`` inside ``[lo, hi)``."""
    total = 0.0
    pairs = off.pairs
    i = max(0, bisect.bisect_right(starts, lo) - 1)
    while i < len(pairs) and pairs[i][0] < hi:
        a, b = pairs[i]
        total += max(0.0, min(b, hi) - max(a, lo))
        i += 1
    return int(total)


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def local_label(zone: ZoneInfo, instant: int) -> str:
    """``Tue 2026-12-22 07:30 CET``: an instant on the zone's wall clock."""
    return datetime.fromtimestamp(instant, zone).strftime("%a %Y-%m-%d %H:%M %Z")


class _DayBuilder:
    def __init__(self, item: PolicyPreview, *, start: int, end: int) -> None:
        self.item = item
        self.policy = item.policy
        self.zone = zones.get_zone(self.policy.zone)
        self.start, self.end = start, end
        self.starts = [a for a, _ in item.off.pairs]

    def instants(self, lo_local: int, hi_local: int) -> IntervalSet:
        piece = (lo_local, hi_local)
        return zones.preimage(self.zone, zones.single(piece), start=self.start, end=self.end)

    def row(self, day: date, notes: tuple[str, ...]) -> DayRow:
        midnight = day_number(day) * DAY
        cells: list[float | None] = []
        for index in range(CELLS_PER_DAY):
            span = self.instants(midnight + index * CELL, midnight + (index + 1) * CELL)
            size = span.total()
            off = sum(
                _measure(self.item.off, self.starts, lo=int(a), hi=int(b)) for a, b in span.pairs
            )
            cells.append(off / size if size else None)
        whole = self.instants(midnight, midnight + DAY)
        off_part = self.item.off.intersection(whole)
        ranges = tuple(
            (
                _clock(zones.local_seconds(self.zone, int(a)) - midnight),
                _clock(zones.local_seconds(self.zone, int(b) - 1) + 1 - midnight),
            )
            for a, b in off_part.pairs
        )
        return DayRow(day, tuple(cells), int(off_part.total()), int(whole.total()), ranges, notes)


def _notes(policy: Policy, first: date, last: date) -> dict[date, list[str]]:
    notes: dict[date, list[str]] = {}
    day = first
    while day <= last:
        for on_range in policy.on_days:
            if day in on_range:
                notes.setdefault(day, []).append("onDays")
        for off_range in policy.off_days:
            if day in off_range:
                notes.setdefault(day, []).append("offDays")
        day += timedelta(days=1)
    if policy.holidays is not None:
        for day, name in policy.holidays.names(first, last).items():
            notes.setdefault(day, []).append(f"holiday: {name}")
    return notes


def _override_notes(
    policy: Policy, zone: ZoneInfo, *, start: int, end: int
) -> dict[date, list[str]]:
    notes: dict[date, list[str]] = {}
    for override in policy.overrides:
        lo = start if override.start is None else max(start, override.start)
        hi = min(end, override.until)
        if lo >= hi:
            continue
        first = local_date(zones.local_seconds(zone, lo))
        last = local_date(zones.local_seconds(zone, hi - 1))
        text = f"override {override.state}" + (f" ({override.reason})" if override.reason else "")
        day = first
        while day <= last:
            notes.setdefault(day, []).append(text)
            day += timedelta(days=1)
    return notes


def day_rows(item: PolicyPreview, *, start: int, end: int) -> list[DayRow]:
    """One row per local day touching ``[start, end)``."""
    builder = _DayBuilder(item, start=start, end=end)
    zone = builder.zone
    first = local_date(zones.local_seconds(zone, start))
    last = local_date(zones.local_seconds(zone, end - 1))
    notes = _notes(item.policy, first, last)
    for day, texts in _override_notes(item.policy, zone, start=start, end=end).items():
        notes.setdefault(day, []).extend(texts)
    if not item.policy.enabled:
        notes.setdefault(first, []).append("policy disabled")
    rows: list[DayRow] = []
    day = first
    while day <= last:
        rows.append(builder.row(day, tuple(notes.get(day, ()))))
        day += timedelta(days=1)
    return rows


def state_word(state: State) -> str:
    """``off``/``on`` for people."""
    return "off" if state is State.OFF else "on"
