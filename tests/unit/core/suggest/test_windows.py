"""Off windows from idle slots: margin erosion on the circular week, minimum length, the
``uptime`` lines (day groups only when cheap), and their instants across DST."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.core.suggest.weekslots import WeekSlots
from scheduler.core.suggest.windows import off_slots, runs, uptime, weekly_intervals

BERLIN = ZoneInfo("Europe/Berlin")
HOURLY = WeekSlots(3600, BERLIN)


def _week(on: dict[int, tuple[int, int]]) -> bytearray:
    """An idle mask (1 = idle) of hourly slots, active ``on[day] = (from, to)`` hours."""
    idle = bytearray([1]) * 168
    for day, (a, b) in on.items():
        for h in range(a, b):
            idle[day * 24 + h] = 0
    return idle


def test_runs_wrap_around_the_week() -> None:
    mask = bytearray(168)
    mask[160:168] = b"\x01" * 8
    mask[0:5] = b"\x01" * 5
    assert runs(mask) == [(160, 13)]
    assert runs(bytearray([1]) * 168) == [(0, 168)]
    assert runs(bytearray(168)) == []


def test_margin_erodes_both_sides_and_short_windows_are_dropped() -> None:
    idle = _week(dict.fromkeys(range(5), (8, 18)))
    idle[12 * 1 + 24 * 2] = 1  # a lone idle hour at Wednesday noon
    off = off_slots(idle, margin=1, min_length=3)
    assert not off[7]  # an hour kept on either side of activity
    assert not off[18]
    assert off[6]
    assert off[19]
    assert not off[2 * 24 + 12]  # too short, and within the margin
    assert off[5 * 24 + 12]  # the weekend is off


def test_uptime_groups_days_when_it_costs_little() -> None:
    idle = _week({0: (7, 19), 1: (7, 19), 2: (7, 19), 3: (7, 19), 4: (7, 18)})
    result = uptime(off_slots(idle, margin=0, min_length=1), HOURLY)
    assert result.grouped
    assert result.lines == ("Mon-Fri 07:00-19:00",)
    assert not result.off[4 * 24 + 18]  # Friday 18:00 stays on with the group


def test_uptime_keeps_days_apart_when_grouping_would_cost_too_much() -> None:
    idle = _week({0: (0, 24), 5: (10, 12)})
    result = uptime(off_slots(idle, margin=0, min_length=1), HOURLY)
    assert not result.grouped
    assert result.lines == ("Mon 00:00-24:00", "Sat 10:00-12:00")


def test_weekly_intervals_follow_the_local_clock_across_dst() -> None:
    off = bytearray(168)
    off[6 * 24 + 2] = 1  # Sunday 02:00-03:00 local
    start = datetime(2026, 3, 23, tzinfo=BERLIN).timestamp()  # DST starts Sunday 29 March
    end = datetime(2026, 4, 6, tzinfo=BERLIN).timestamp()
    got = weekly_intervals(off, HOURLY, start=start, end=end)
    # 02:00-03:00 does not exist on 29 March: only Sunday 5 April is off, for one hour
    sunday = datetime(2026, 4, 5, 2, tzinfo=BERLIN).timestamp()
    assert got.pairs == ((sunday, sunday + 3600),)
