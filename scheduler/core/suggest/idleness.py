"""Which week slots a workload was idle in, in every observed week.

A *cell* is one slot of one observed week. A cell is *active* when any signal in it is above
that signal's floor (``floor``; events count from zero), *unknown* when no signal has data
there (a Prometheus gap, or before the workload existed) and *idle* otherwise. A slot is idle
when it was seen in at least ``min_weeks`` weeks and idle in every one of them: one active
week is enough to keep it on.

Public holidays (dates given by the caller): when the workload was idle on every observed
holiday, those dates are left out of the weekly pattern (the policy then names the holiday
calendar); otherwise they count like any other day.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scheduler.core.suggest.floor import Floor, absolute_floor, floor_of
from scheduler.core.suggest.weekslots import CellMap
from scheduler.core.workloads import WorkloadRef

__all__ = ["IDLE", "UNKNOWN", "Idleness", "Signal", "UnitActivity", "idleness"]

IDLE, ACTIVE, UNKNOWN = 0, 1, 2
EPSILON = {"cpu": 1e-4, "network": 1.0, "power": 1e-3}
DEFAULT_EPSILON = 1e-9


@dataclass(frozen=True)
class Signal:
    """One activity signal of a unit per grid step (NaN: no data); ``events``: a count or
    rate of events (floor zero), else a level (the unit's own floor)."""

    name: str
    values: array[float]
    events: bool = False


@dataclass(frozen=True)
class UnitActivity:
    """What ``suggest`` analyses: a workload (or the HelmRelease rendering ``members``),
    the namespace its pods run in, and its signals on the activity grid."""

    unit: WorkloadRef
    home: str
    members: tuple[WorkloadRef, ...]
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class Idleness:
    """The verdict per cell and per slot of one unit."""

    unit: UnitActivity
    cells: bytearray
    idle_slots: bytearray
    weeks_seen: array[int]
    active_weeks: array[int]
    floors: Mapping[str, Floor]
    holidays_idle: bool | None
    holidays_seen: tuple[int, ...]

    @property
    def observed_weeks(self) -> int:
        """The most weeks any slot was seen in."""
        return max(self.weeks_seen, default=0)

    @property
    def fewest_weeks(self) -> int:
        """The fewest weeks a slot was seen in."""
        return min(self.weeks_seen, default=0)

    @property
    def idle_share(self) -> float:
        """The share of the week's slots idle in every observed week."""
        return sum(self.idle_slots) / len(self.idle_slots) if self.idle_slots else 0.0


def _floors(signals: Iterable[Signal]) -> dict[str, Floor]:
    out = {}
    for s in signals:
        epsilon = EPSILON.get(s.name, DEFAULT_EPSILON)
        found = absolute_floor(epsilon) if s.events else floor_of(s.values, epsilon=epsilon)
        if found is not None:
            out[s.name] = found
    return out


def _classify(unit: UnitActivity, floors: Mapping[str, Floor], cells: CellMap) -> bytearray:
    verdict = bytearray([UNKNOWN]) * (cells.weeks * cells.slots.per_week)
    checks = [(s.values, floors[s.name].threshold) for s in unit.signals if s.name in floors]
    for i in range(len(cells.slot)):
        state = UNKNOWN
        for values, threshold in checks:
            v = values[i]
            if v != v:
                continue
            if v > threshold:
                state = ACTIVE
                break
            state = IDLE
        c = cells.cell(i)
        if state == ACTIVE or verdict[c] == UNKNOWN:
            verdict[c] = state
    return verdict


def _holidays(
    verdict: bytearray, cells: CellMap, holidays: frozenset[int]
) -> tuple[bool | None, tuple[int, ...]]:
    seen: dict[int, bool] = {}
    for i, day in enumerate(cells.day):
        if day not in holidays:
            continue
        state = verdict[cells.cell(i)]
        if state != UNKNOWN:
            seen[day] = seen.get(day, True) and state == IDLE
    if not seen:
        return None, ()
    return all(seen.values()), tuple(sorted(seen))


def _weekly(
    verdict: bytearray, cells: CellMap, *, skip: frozenset[int], min_weeks: int
) -> tuple[bytearray, array[int], array[int]]:
    per_week = cells.slots.per_week
    skipped = {cells.cell(i) for i, day in enumerate(cells.day) if day in skip}
    seen, active = array("l", [0]) * per_week, array("l", [0]) * per_week
    for week in range(cells.weeks):
        for slot in range(per_week):
            c = week * per_week + slot
            if c in skipped or verdict[c] == UNKNOWN:
                continue
            seen[slot] += 1
            active[slot] += verdict[c] == ACTIVE
    idle = bytearray(1 if seen[s] >= min_weeks and not active[s] else 0 for s in range(per_week))
    return idle, seen, active


def idleness(
    unit: UnitActivity, cells: CellMap, *, holidays: frozenset[int], min_weeks: int
) -> Idleness:
    """Classify every cell of ``unit`` and find the slots idle in every observed week."""
    floors = _floors(unit.signals)
    verdict = _classify(unit, floors, cells)
    holidays_idle, seen_days = _holidays(verdict, cells, holidays)
    skip = frozenset(seen_days) if holidays_idle else frozenset()
    idle, seen, active = _weekly(verdict, cells, skip=skip, min_weeks=min_weeks)
    return Idleness(unit, verdict, idle, seen, active, floors, holidays_idle, seen_days)
