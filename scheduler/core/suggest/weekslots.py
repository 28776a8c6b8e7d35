"""Local week slots: the week cut into equal slots of ``granularity`` seconds, local time.

Slot ``0`` starts Monday 00:00 local; a day has ``86400 / granularity`` slots. A grid step
belongs to the slot, local date and observed week of its midpoint (week ``0`` starts on the
local Monday on or before the grid's first step). Across a DST change the slots stay local:
a repeated hour puts two steps in one slot (``CellMap`` keeps both), a skipped one none.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

__all__ = ["CellMap", "WeekSlots", "cell_map"]

DAY = 86400
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class WeekSlots:
    """The slot geometry of one suggestion."""

    granularity: int
    tz: tzinfo

    def __post_init__(self) -> None:
        if self.granularity < 300 or DAY % self.granularity or self.granularity % 60:
            raise ValueError(
                f"granularity must be whole minutes, at least 5, dividing a day; "
                f"got {self.granularity} s"
            )

    @property
    def per_day(self) -> int:
        """Slots in a day."""
        return DAY // self.granularity

    @property
    def per_week(self) -> int:
        """Slots in a week."""
        return 7 * self.per_day

    def clock(self, slot_of_day: int) -> str:
        """``HH:MM`` at which a slot of the day starts (``24:00`` for the day's end)."""
        minutes = slot_of_day * self.granularity // 60
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    def label(self, slot: int) -> str:
        """``Tue 06:30`` for a slot of the week."""
        return f"{WEEKDAYS[slot // self.per_day]} {self.clock(slot % self.per_day)}"

    def slot_of(self, local: datetime) -> int:
        """The week slot holding a local instant."""
        minute = local.hour * 60 + local.minute
        return local.weekday() * self.per_day + minute * 60 // self.granularity


@dataclass(frozen=True)
class CellMap:
    """Per grid step: its week slot, observed week and local date ordinal."""

    slots: WeekSlots
    start: float
    step: float
    first_monday: date
    weeks: int
    slot: array[int]
    week: array[int]
    day: array[int]

    def cell(self, index: int) -> int:
        """``week * per_week + slot`` of step ``index``."""
        return self.week[index] * self.slots.per_week + self.slot[index]


def cell_map(slots: WeekSlots, *, start: float, step: float, steps: int) -> CellMap:
    """Place every step of a grid in its local week slot."""
    first = datetime.fromtimestamp(start + step / 2, slots.tz).date()
    monday = first - timedelta(days=first.weekday())
    slot, week, day = array("l"), array("l"), array("l")
    for i in range(steps):
        local = datetime.fromtimestamp(start + (i + 0.5) * step, slots.tz)
        slot.append(slots.slot_of(local))
        week.append((local.date() - monday).days // 7)
        day.append(local.date().toordinal())
    weeks = (max(week) + 1) if steps else 0
    return CellMap(slots, start, step, monday, weeks, slot, week, day)
