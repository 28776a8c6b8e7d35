"""From each workload's idleness to proposed policies, with the evidence.

Per unit (a workload, or the HelmRelease that renders it): the idle slots, the off windows
after margin and minimum length, the ``uptime`` lines, the projected weekly saving and the
risk. A unit is proposed only when it has off time, was active at least once (a workload
never active in the observed weeks is listed for a person to look at, not scheduled), and
draws measurable power in its off time. Proposed units are grouped per namespace by
identical windows and holiday use: one policy per group that saves at least ``min_saving``
joules a week, targeting the whole namespace when the group is every unit seen there (all
plain workloads), else by kind and name; HelmReleases get ``action: scale``. Units of a
namespace whose windows differ by little (each keeps at least 90 % of its own off time)
share their common off time first, so one policy covers them, as a person would write it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from scheduler.core.calendar import HolidayCalendar
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.quantiles import PowerStats
from scheduler.core.suggest.idleness import ACTIVE, Idleness, UnitActivity, idleness
from scheduler.core.suggest.projection import Closest, Projection, project, risk, slot_power
from scheduler.core.suggest.weekslots import CellMap, WeekSlots
from scheduler.core.suggest.windows import MERGE_LOSS, Uptime, off_slots, uptime
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "PLAIN_KINDS",
    "ProposedPolicy",
    "Reason",
    "Settings",
    "Suggestion",
    "UnitVerdict",
    "propose",
]

PLAIN_KINDS = ("Deployment", "StatefulSet", "CronJob")


class Reason(StrEnum):
    """Why a unit is, or is not, in a proposed policy."""

    PROPOSED = "proposed"
    NEVER_IDLE = "never idle long enough"
    NEVER_ACTIVE = "never above its own floor: unused, or busy at one constant level (check which)"
    TOO_LITTLE_DATA = "too few weeks observed"
    BELOW_MIN_SAVING = "its policy saves less than --min-saving"
    NO_SAVING = "draws no measurable power in its idle time"
    NO_POWER = "no Kepler data for its off time"


@dataclass(frozen=True)
class Settings:
    """How ``propose`` decides (slots, margin and minimum window in slots)."""

    slots: WeekSlots
    margin_slots: int
    min_window_slots: int
    min_weeks: int
    min_saving_joules: float
    holidays: HolidayCalendar | None = None


@dataclass(frozen=True)
class UnitVerdict:
    """One unit: its idleness, windows, projection, risk and the decision."""

    idle: Idleness
    reason: Reason
    uptime: Uptime | None
    projection: Projection
    closest: Closest
    holidays: bool
    power: tuple[PowerStats | None, ...] = ()

    @property
    def unit(self) -> UnitActivity:
        """The unit."""
        return self.idle.unit

    @property
    def ref(self) -> WorkloadRef:
        """The unit's reference (a policy target)."""
        return self.idle.unit.unit


@dataclass(frozen=True)
class ProposedPolicy:
    """A policy to write: name, namespace, windows, holidays, the units it targets."""

    name: str
    namespace: str
    uptime: tuple[str, ...]
    holidays: HolidayCalendar | None
    units: tuple[UnitVerdict, ...]
    namespace_wide: bool
    projection: Projection

    @property
    def closest_minutes(self) -> float | None:
        """The nearest observed activity to this policy's off time, in minutes."""
        found = [u.closest.minutes for u in self.units if u.closest.minutes is not None]
        return min(found) if found else None


@dataclass(frozen=True)
class Suggestion:
    """Every unit's verdict, the proposed policies, and what they would save a week."""

    settings: Settings
    start: float
    end: float
    verdicts: tuple[UnitVerdict, ...]
    policies: tuple[ProposedPolicy, ...]
    notes: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    power_only: bool = False
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def projection(self) -> Projection:
        """The proposed policies' weekly saving together."""
        total = Projection.zero()
        for p in self.policies:
            total = total + p.projection
        return total

    @property
    def weeks_observed(self) -> int:
        """The most weeks any unit's slot was seen in."""
        return max((v.idle.observed_weeks for v in self.verdicts), default=0)


def _holidays_used(idle: Idleness, up: Uptime, cells: CellMap) -> bool:
    """Holidays are named when the unit was idle on every one seen and one of them fell on a
    day the windows keep partly on."""
    if not idle.holidays_idle:
        return False
    per_day = cells.slots.per_day
    on_days = {d for d in range(7) if not all(up.off[d * per_day : (d + 1) * per_day])}
    return any(date.fromordinal(day).weekday() in on_days for day in idle.holidays_seen)


def _verdict(
    unit: UnitActivity,
    grid: EnergyGrid | None,
    *,
    settings: Settings,
    cells: CellMap,
    power_cells: CellMap | None,
    holiday_days: frozenset[int],
) -> UnitVerdict:
    idle = idleness(unit, cells, holidays=holiday_days, min_weeks=settings.min_weeks)
    nothing = Projection.zero()
    none = Closest(0.0, None, None, None)
    if idle.observed_weeks < settings.min_weeks:
        return UnitVerdict(idle, Reason.TOO_LITTLE_DATA, None, nothing, none, False)
    if not any(state == ACTIVE for state in idle.cells):
        return UnitVerdict(idle, Reason.NEVER_ACTIVE, None, nothing, none, False)
    off = off_slots(
        idle.idle_slots, margin=settings.margin_slots, min_length=settings.min_window_slots
    )
    if not any(off):
        return UnitVerdict(idle, Reason.NEVER_IDLE, None, nothing, none, False)
    up = uptime(off, settings.slots)
    holidays = _holidays_used(idle, up, cells)
    closest = risk(idle, up.off, cells)
    if grid is None or power_cells is None:
        return UnitVerdict(idle, Reason.NO_POWER, up, nothing, closest, holidays)
    skip = frozenset(idle.holidays_seen) if idle.holidays_idle else frozenset()
    power = slot_power(grid, power_cells, skip=skip, only=up.off)
    projection = project(power, up.off, slot_seconds=settings.slots.granularity)
    if projection.unknown_slots == sum(up.off):
        return UnitVerdict(idle, Reason.NO_POWER, up, projection, closest, holidays)
    reason = Reason.NO_SAVING if projection.joules <= 0 else Reason.PROPOSED
    return UnitVerdict(idle, reason, up, projection, closest, holidays, tuple(power))


def _off(v: UnitVerdict) -> bytearray:
    return v.uptime.off if v.uptime is not None else bytearray()


def _fits(members: Sequence[UnitVerdict], off: bytearray) -> bool:
    """Whether every member keeps at least ``1 - MERGE_LOSS`` of its own off time."""
    kept = sum(off)
    return kept > 0 and all(kept >= (1 - MERGE_LOSS) * sum(_off(m)) for m in members)


def _shared(groups: list[list[UnitVerdict]], v: UnitVerdict) -> bool:
    for group in groups:
        if group[0].holidays != v.holidays:
            continue
        off = bytearray(a & b for a, b in zip(_off(group[0]), _off(v), strict=True))
        if _fits([*group, v], off):
            group.append(v)
            return True
    return False


def _rewindowed(
    v: UnitVerdict, off: bytearray, *, settings: Settings, cells: CellMap
) -> UnitVerdict:
    up = uptime(off, settings.slots)
    projection = project(v.power, up.off, slot_seconds=settings.slots.granularity)
    return replace(v, uptime=up, projection=projection, closest=risk(v.idle, up.off, cells))


def _merged(
    verdicts: Sequence[UnitVerdict], *, settings: Settings, cells: CellMap
) -> tuple[UnitVerdict, ...]:
    """Proposed units of one namespace whose windows differ by little share the common off
    time (each keeps at least ``1 - MERGE_LOSS`` of its own), as one policy would."""
    by_home: dict[str, list[UnitVerdict]] = {}
    for v in verdicts:
        if v.reason is Reason.PROPOSED:
            by_home.setdefault(v.unit.home, []).append(v)
    changed: dict[WorkloadRef, UnitVerdict] = {}
    for units in by_home.values():
        groups: list[list[UnitVerdict]] = []
        for v in sorted(units, key=lambda u: -u.projection.joules):
            if not _shared(groups, v):
                groups.append([v])
        for group in groups:
            off = bytearray(all(col) for col in zip(*(_off(m) for m in group), strict=True))
            for m in group:
                if off != _off(m):
                    changed[m.ref] = _rewindowed(m, off, settings=settings, cells=cells)
    return tuple(changed.get(v.ref, v) for v in verdicts)


def _groups(
    verdicts: Sequence[UnitVerdict], *, settings: Settings
) -> tuple[list[tuple[tuple[str, tuple[str, ...], bool], list[UnitVerdict]]], set[WorkloadRef]]:
    """Proposed units by (namespace, uptime, holidays), largest saving first per namespace;
    and the units of groups under ``min_saving``."""
    groups: dict[tuple[str, tuple[str, ...], bool], list[UnitVerdict]] = {}
    for v in verdicts:
        if v.reason is Reason.PROPOSED and v.uptime is not None:
            groups.setdefault((v.unit.home, v.uptime.lines, v.holidays), []).append(v)
    small = {
        u.ref
        for units in groups.values()
        if sum(u.projection.joules for u in units) < settings.min_saving_joules
        for u in units
    }
    ranked = sorted(
        ((key, units) for key, units in groups.items() if units[0].ref not in small),
        key=lambda item: (item[0][0], -sum(u.projection.joules for u in item[1])),
    )
    return ranked, small


def _policies(
    verdicts: Sequence[UnitVerdict], *, settings: Settings
) -> tuple[tuple[UnitVerdict, ...], tuple[ProposedPolicy, ...]]:
    ranked, small = _groups(verdicts, settings=settings)
    verdicts = tuple(
        replace(v, reason=Reason.BELOW_MIN_SAVING) if v.ref in small else v for v in verdicts
    )
    seen: dict[str, set[WorkloadRef]] = {}
    for v in verdicts:
        seen.setdefault(v.unit.home, set()).add(v.ref)
    out: list[ProposedPolicy] = []
    count: dict[str, int] = {}
    for (home, lines, holidays), units in ranked:
        count[home] = count.get(home, 0) + 1
        refs = {u.ref for u in units}
        total = Projection.zero()
        for u in units:
            total = total + u.projection
        out.append(
            ProposedPolicy(
                name=f"{home}-offhours" + (f"-{count[home]}" if count[home] > 1 else ""),
                namespace=home,
                uptime=lines,
                holidays=settings.holidays if holidays else None,
                units=tuple(sorted(units, key=lambda u: u.ref)),
                namespace_wide=refs == seen[home]
                and all(r.kind in PLAIN_KINDS and r.namespace == home for r in refs),
                projection=total,
            )
        )
    return verdicts, tuple(out)


def propose(
    units: Sequence[UnitActivity],
    power: Mapping[WorkloadRef, EnergyGrid],
    *,
    settings: Settings,
    cells: CellMap,
    power_cells: CellMap | None,
    holiday_days: frozenset[int] = frozenset(),
) -> tuple[tuple[UnitVerdict, ...], tuple[ProposedPolicy, ...]]:
    """Every unit's verdict and the policies grouping the proposed ones."""
    verdicts = tuple(
        _verdict(
            unit,
            power.get(unit.unit),
            settings=settings,
            cells=cells,
            power_cells=power_cells,
            holiday_days=holiday_days,
        )
        for unit in sorted(units, key=lambda u: u.unit)
    )
    return _policies(_merged(verdicts, settings=settings, cells=cells), settings=settings)
