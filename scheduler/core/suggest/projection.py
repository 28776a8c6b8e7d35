"""What the proposed off windows would save per week, and how close they come to activity.

Power per slot follows the report's baseline method (``scheduler.core.energy.quantiles``):
the median over the observed weeks of the slot's mean power (each week one value, so one odd
week cannot move it), with the p10/p90 of step power as its range. A week's projected saving is
the sum over the off slots of that median times the slot length; the range sums the p10s and
the p90s. Off slots without any Kepler data are counted and left out, never taken as zero.

Risk: the share of the observed active cells that fall in off slots (zero by construction,
computed anyway) and the active cell closest to an off slot.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.quantiles import PowerStats, power_stats
from scheduler.core.suggest.idleness import ACTIVE, Idleness
from scheduler.core.suggest.weekslots import CellMap

__all__ = ["Closest", "Projection", "project", "risk", "slot_power"]


def slot_power(
    grid: EnergyGrid,
    cells: CellMap,
    *,
    skip: frozenset[int],
    only: Sequence[int] | None = None,
) -> list[PowerStats | None]:
    """Per week slot (those set in ``only``, when given): median of weekly mean power and
    p10/p90 of step power; None without data (or outside ``only``)."""
    per_week, weeks = cells.slots.per_week, cells.weeks
    sums = array("d", bytes(8 * weeks * per_week))
    counts = array("l", bytes(8 * weeks * per_week))
    steps: list[list[float]] = [[] for _ in range(per_week)]
    inverse = 1.0 / grid.step
    for i, joules in enumerate(islice(grid.joules, len(cells.slot))):
        slot = cells.slot[i]
        if joules != joules or (only is not None and not only[slot]):
            continue
        if skip and cells.day[i] in skip:
            continue
        watts = joules * inverse
        steps[slot].append(watts)
        cell = cells.week[i] * per_week + slot
        sums[cell] += watts
        counts[cell] += 1
    out: list[PowerStats | None] = []
    for s in range(per_week):
        cells_of_slot = range(s, weeks * per_week, per_week)
        means = [sums[c] / counts[c] for c in cells_of_slot if counts[c]]
        out.append(power_stats(steps[s], step=grid.step, hour_means=means) if means else None)
    return out


@dataclass(frozen=True)
class Projection:
    """Joules a week saved in the off slots: point and p10-p90 range."""

    joules: float
    low: float
    high: float
    off_seconds: float
    unknown_slots: int

    def __add__(self, other: Projection) -> Projection:
        return Projection(
            self.joules + other.joules,
            self.low + other.low,
            self.high + other.high,
            self.off_seconds + other.off_seconds,
            self.unknown_slots + other.unknown_slots,
        )

    @classmethod
    def zero(cls) -> Projection:
        """Nothing saved."""
        return cls(0.0, 0.0, 0.0, 0.0, 0)


def project(
    power: Sequence[PowerStats | None], off: Sequence[int], *, slot_seconds: float
) -> Projection:
    """The weekly saving of switching off ``off`` slots."""
    point = low = high = 0.0
    unknown = 0
    for stats, is_off in zip(power, off, strict=True):
        if not is_off:
            continue
        if stats is None:
            unknown += 1
            continue
        point += stats.median * slot_seconds
        low += stats.p10 * slot_seconds
        high += stats.p90 * slot_seconds
    return Projection(point, low, high, sum(1 for v in off if v) * slot_seconds, unknown)


@dataclass(frozen=True)
class Closest:
    """Observed activity nearest to an off slot: the share of active cells inside off time,
    the distance in minutes of the nearest one, its week slot and the Monday of its week."""

    share_inside: float
    minutes: float | None
    slot: int | None
    week_of: date | None


def _distance(off: Sequence[int], slot: int) -> int | None:
    n = len(off)
    for d in range(n // 2 + 1):
        if off[(slot + d) % n] or off[(slot - d) % n]:
            return d
    return None


def risk(idle: Idleness, off: Sequence[int], cells: CellMap) -> Closest:
    """How much observed activity the off slots would have cut, and the nearest miss."""
    per_week = cells.slots.per_week
    active = inside = 0
    best: tuple[int, int, int] | None = None
    for c, state in enumerate(idle.cells):
        if state != ACTIVE:
            continue
        week, slot = divmod(c, per_week)
        active += 1
        d = _distance(off, slot)
        if d is None:
            continue
        inside += d == 0
        if best is None or d < best[0]:
            best = (d, slot, week)
    if best is None:
        return Closest(inside / active if active else 0.0, None, None, None)
    minutes = max(0, best[0] - 1) * cells.slots.granularity / 60 if best[0] else 0.0
    week_of = date.fromordinal(cells.first_monday.toordinal() + 7 * best[2])
    return Closest(inside / active if active else 0.0, minutes, best[1], week_of)
