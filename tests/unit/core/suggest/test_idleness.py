"""Floors, idle cells and slots: one active week keeps a slot on, unknown cells do not count,
holidays idle on every one seen leave the weekly pattern."""

from __future__ import annotations

import math
import random
from array import array
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scheduler.core.suggest.floor import floor_of
from scheduler.core.suggest.idleness import ACTIVE, IDLE, UNKNOWN, Signal, UnitActivity, idleness
from scheduler.core.suggest.weekslots import WeekSlots, cell_map
from scheduler.core.workloads import WorkloadRef

UTC_SLOTS = WeekSlots(3600, ZoneInfo("UTC"))
MONDAY = datetime(2026, 5, 4, tzinfo=ZoneInfo("UTC")).timestamp()
WEB = WorkloadRef("Deployment", "shop", "web")


def _cpu(weeks: int, *, busy: set[int], noise: float = 0.05, seed: int = 1) -> array[float]:
    rng = random.Random(seed)
    out = array("d")
    for i in range(weeks * 168):
        level = 0.3 if i % 168 in busy else 0.01
        out.append(level * (1 + noise * rng.gauss(0, 1)))
    return out


def _unit(values: array[float], *extra: Signal) -> UnitActivity:
    return UnitActivity(WEB, "shop", (WEB,), (Signal("cpu", values), *extra))


OFFICE = {d * 24 + h for d in range(5) for h in range(8, 18)}


def test_floor_is_the_quiet_level_with_a_robust_margin() -> None:
    found = floor_of(_cpu(4, busy=OFFICE), epsilon=1e-4)
    assert found is not None
    assert 0.009 < found.level < 0.011
    assert 1.2 * found.level < found.threshold < 0.05
    assert floor_of([math.nan], epsilon=1.0) is None


def test_one_active_week_keeps_the_slot_on() -> None:
    values = _cpu(4, busy=OFFICE)
    values[2 * 168 + 6 * 24 + 3] = 0.4  # Sunday 03:00 of week 3 only
    cells = cell_map(UTC_SLOTS, start=MONDAY, step=3600, steps=len(values))
    found = idleness(_unit(values), cells, holidays=frozenset(), min_weeks=2)
    assert found.cells[2 * 168 + 6 * 24 + 3] == ACTIVE
    assert not found.idle_slots[6 * 24 + 3]
    assert found.idle_slots[6 * 24 + 4]
    assert not any(found.idle_slots[s] for s in OFFICE)
    assert found.observed_weeks == 4


def test_unknown_cells_do_not_count_and_too_few_weeks_stay_on() -> None:
    values = _cpu(2, busy=OFFICE)
    values[168 + 30] = math.nan  # Tuesday 06:00 unseen in week 2
    cells = cell_map(UTC_SLOTS, start=MONDAY, step=3600, steps=len(values))
    found = idleness(_unit(values), cells, holidays=frozenset(), min_weeks=2)
    assert found.cells[168 + 30] == UNKNOWN
    assert found.weeks_seen[30] == 1
    assert not found.idle_slots[30]
    assert found.idle_slots[31]
    assert found.cells[31] == IDLE


def test_any_request_is_activity() -> None:
    values = _cpu(2, busy=OFFICE)
    requests = array("d", [0.0]) * len(values)
    requests[168 + 2] = 0.001  # one request, Monday 02:00 of week 2
    cells = cell_map(UTC_SLOTS, start=MONDAY, step=3600, steps=len(values))
    found = idleness(
        _unit(values, Signal("requests", requests, events=True)),
        cells,
        holidays=frozenset(),
        min_weeks=2,
    )
    assert not found.idle_slots[2]
    assert found.idle_slots[3]


def test_holidays_idle_on_every_one_seen_leave_the_weekly_pattern() -> None:
    values = _cpu(3, busy=OFFICE)
    ascension = date(2026, 5, 14)  # Thursday of week 2
    day = (ascension - date(2026, 5, 4)).days
    for h in range(24):
        values[day * 24 + h] = 0.01
    cells = cell_map(UTC_SLOTS, start=MONDAY, step=3600, steps=len(values))
    found = idleness(_unit(values), cells, holidays=frozenset({ascension.toordinal()}), min_weeks=2)
    assert found.holidays_idle is True
    assert found.weeks_seen[3 * 24 + 10] == 2  # Thursday 10:00: the holiday left out
    busy_holiday = _cpu(3, busy=OFFICE)
    found = idleness(
        _unit(busy_holiday), cells, holidays=frozenset({ascension.toordinal()}), min_weeks=2
    )
    assert found.holidays_idle is False
    assert found.weeks_seen[3 * 24 + 10] == 3
