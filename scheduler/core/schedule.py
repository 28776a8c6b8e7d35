"""Schedule evaluation: is a policy's target off at instant t, and when does that change?

Everything is interval arithmetic over a range ``[start, end)`` of Unix seconds, never
sampling. Layers, lowest precedence first, each overriding the ones before it:

1. the schedule: ``uptime`` (off outside its windows), ``downtime`` (off inside) or the
   ``sleep``/``wake`` cron pair (off from a sleep fire until the next wake fire; a tie is a
   wake; a fire's effect lasts at most 366 days);
2. ``offDays`` and ``holidays``: off for the whole local day;
3. ``onDays``: on for the whole local day;
4. ``overrides``, in list order (a later active override beats an earlier one);

and a disabled policy (``enabled: false``) is always on. The planner asks ``state_at``,
the daemon ``next_transition``, previews and reports ``off_intervals``/``transitions``.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.core import calendar, cron, windows, zones
from scheduler.core.instants import DAY, format_utc, local_date
from scheduler.core.intervals import IntervalSet
from scheduler.core.policy.model import CronSchedule, Policy, ScheduleForm, State, WindowSchedule

__all__ = [
    "DEFAULT_HORIZON",
    "LOOKBACK",
    "Decision",
    "Reason",
    "Transition",
    "Upcoming",
    "explain",
    "next_change",
    "next_transition",
    "off_and_transitions",
    "off_intervals",
    "state_at",
    "transitions",
]

#: How long a cron fire stays in effect when no other fire follows.
LOOKBACK = 366 * DAY
#: How far ``next_transition`` looks ahead by default.
DEFAULT_HORIZON = 400 * DAY
_CHUNKS = (2 * DAY, 16 * DAY, 64 * DAY)


@dataclass(frozen=True, slots=True, order=True)
class Transition:
    """At instant ``at`` the policy's targets go ``to`` this state."""

    at: int
    to: State


class Reason(enum.StrEnum):
    """Which rule decided the state at an instant."""

    DISABLED = "disabled"
    OVERRIDE = "override"
    ON_DAY = "onDays"
    OFF_DAY = "offDays"
    HOLIDAY = "holiday"
    SCHEDULE = "schedule"


@dataclass(frozen=True, slots=True)
class Upcoming:
    """The next instant at which any policy changes state, and what changes then."""

    at: int
    changes: tuple[tuple[str, State], ...]  # (policy name, new state)


@dataclass(frozen=True, slots=True)
class Decision:
    """The state at an instant, the rule that decided it, and a sentence for people."""

    state: State
    reason: Reason
    detail: str


# -- the layers ------------------------------------------------------------------------------
def _window_off(schedule: WindowSchedule, start: int, end: int) -> IntervalSet:
    if schedule.constant is not None:
        inside = IntervalSet.of(start, end) if schedule.constant else IntervalSet()
    else:
        inside = windows.covered(schedule.windows, start=start, end=end)
    if schedule.form is ScheduleForm.UPTIME:
        return inside.complement(start, end)
    return inside


def _cron_events(schedule: CronSchedule, start: int, end: int) -> list[tuple[int, State]]:
    """Fires in ``[start, end)`` preceded by the last fire before ``start``; wake wins ties."""
    zone = zones.get_zone(schedule.zone)
    merged: dict[int, State] = {}
    prior: dict[int, State] = {}
    for spec, state in ((schedule.sleep, State.OFF), (schedule.wake, State.ON)):
        for instant in cron.fires(spec, zone, start=start, end=end):
            if merged.get(instant) is not State.ON:
                merged[instant] = state
        last = cron.last_fire_before(spec, zone, start, lookback=LOOKBACK)
        if last is not None and prior.get(last) is not State.ON:
            prior[last] = state
    events = sorted(merged.items())
    if prior:
        latest = max(prior)
        events.insert(0, (latest, prior[latest]))
    return events


def _cron_off(schedule: CronSchedule, start: int, end: int) -> IntervalSet:
    events = _cron_events(schedule, start, end)
    out: list[tuple[int, int]] = []
    for index, (at, state) in enumerate(events):
        if state is State.OFF:
            following = events[index + 1][0] if index + 1 < len(events) else end
            out.append((max(at, start), min(following, at + LOOKBACK, end)))
    return IntervalSet(out)


def _schedule_off(policy: Policy, start: int, end: int) -> IntervalSet:
    """Layer 1 only: when the schedule itself says off."""
    if isinstance(policy.schedule, CronSchedule):
        return _cron_off(policy.schedule, start, end)
    return _window_off(policy.schedule, start, end)


def _days_off(policy: Policy, start: int, end: int, *, off: IntervalSet) -> IntervalSet:
    """``off`` with the policy's off days and holidays added. Holidays are looked up only
    when something of ``[start, end)`` is still on: they can only add off time, and the
    calendars are the slowest thing a plan at night would otherwise load."""
    zone = zones.get_zone(policy.zone)
    off = off.union(calendar.days_covered(policy.off_days, zone, start=start, end=end))
    if policy.holidays is not None and not _covers(off, start, end):
        off = off.union(policy.holidays.covered(zone, start=start, end=end))
    return off


def _covers(off: IntervalSet, start: int, end: int) -> bool:
    return any(a <= start and end <= b for a, b in off.pairs)


def _evaluate(policy: Policy, start: int, end: int) -> IntervalSet:
    if not policy.enabled or end <= start:
        return IntervalSet()
    off = _days_off(policy, start, end, off=_schedule_off(policy, start, end))
    if policy.on_days:
        zone = zones.get_zone(policy.zone)
        off = off.difference(calendar.days_covered(policy.on_days, zone, start=start, end=end))
    for override in policy.overrides:
        if override.targets:  # per-object exceptions: the planner applies them
            continue
        lo = start if override.start is None else max(override.start, start)
        span = IntervalSet.of(lo, min(override.until, end))
        off = off.union(span) if override.state is State.OFF else off.difference(span)
    return off


# -- public API ------------------------------------------------------------------------------
def off_intervals(policy: Policy, start: float, end: float) -> IntervalSet:
    """The instants of ``[start, end)`` (Unix seconds) at which the targets are off."""
    lo, hi = math.floor(start), math.ceil(end)
    off = _evaluate(policy, lo, hi)
    return off if (lo, hi) == (start, end) else off.clip(start, end)


def state_at(policy: Policy, at: float) -> State:
    """The state at instant ``at``."""
    second = math.floor(at)
    return State.OFF if _evaluate(policy, second, second + 1) else State.ON


def transitions(policy: Policy, start: float, end: float) -> tuple[Transition, ...]:
    """Every change of state at an instant in ``[start, end)`` (one second before ``start``
    is compared too, so a change exactly at ``start`` is listed)."""
    lo, hi = math.floor(start), math.ceil(end)
    return _changes(_evaluate(policy, lo - 1, hi), start, end, hi=hi)


def _changes(off: IntervalSet, start: float, end: float, *, hi: int) -> tuple[Transition, ...]:
    """The transitions in ``[start, end)`` of ``off``, evaluated over ``[start - 1, hi)``."""
    out: list[Transition] = []
    for a, b in off.pairs:
        if start <= a < end:
            out.append(Transition(int(a), State.OFF))
        if start <= b < end and b < hi:
            out.append(Transition(int(b), State.ON))
    return tuple(out)


def off_and_transitions(
    policy: Policy, start: int, end: int
) -> tuple[IntervalSet, tuple[Transition, ...]]:
    """``off_intervals`` and ``transitions`` of ``[start, end)`` (whole seconds) from one
    evaluation: the state is a function of the instant, so the off set of ``[start - 1,
    end)`` restricted to ``[start, end)`` is the off set of ``[start, end)``."""
    off = _evaluate(policy, start - 1, end)
    return off.clip(start, end), _changes(off, start, end, hi=end)


def next_transition(
    policy: Policy, after: float, *, horizon: float = DEFAULT_HORIZON
) -> Transition | None:
    """The first change of state strictly after ``after``, within ``horizon`` seconds."""
    base = math.floor(after) + 1
    for chunk in (*_CHUNKS, horizon):
        span = min(chunk, horizon)
        found = transitions(policy, base, base + span)
        if found:
            return found[0]
        if span >= horizon:
            break
    return None


def next_change(
    policies: Iterable[Policy], after: float, *, horizon: float = DEFAULT_HORIZON
) -> Upcoming | None:
    """The earliest transition of any policy strictly after ``after`` (for the daemon's sleep)."""
    found = [
        (t, policy.name)
        for policy in policies
        if (t := next_transition(policy, after, horizon=horizon)) is not None
    ]
    if not found:
        return None
    first = min(t.at for t, _ in found)
    changes = tuple(sorted((name, t.to) for t, name in found if t.at == first))
    return Upcoming(first, changes)


def explain(policy: Policy, at: float) -> Decision:
    """The state at ``at`` and which rule decided it (for plans, commit messages, previews)."""
    second = math.floor(at)
    if not policy.enabled:
        return Decision(State.ON, Reason.DISABLED, "the policy is disabled (spec.enabled: false)")
    for override in reversed(policy.overrides):
        if not override.targets and override.active(second):
            note = f": {override.reason}" if override.reason else ""
            detail = f"override {override.state} until {format_utc(override.until)}{note}"
            return Decision(override.state, Reason.OVERRIDE, detail)
    zone = zones.get_zone(policy.zone)
    today = local_date(zones.local_seconds(zone, second))
    for day_range in policy.on_days:
        if today in day_range:
            return Decision(State.ON, Reason.ON_DAY, f"onDays {day_range.text}")
    for day_range in policy.off_days:
        if today in day_range:
            return Decision(State.OFF, Reason.OFF_DAY, f"offDays {day_range.text}")
    if policy.holidays is not None:
        names = policy.holidays.names(today, today)
        if names:
            detail = f"public holiday ({policy.holidays.label}): {names[today]}"
            return Decision(State.OFF, Reason.HOLIDAY, detail)
    off = bool(_schedule_off(policy, second, second + 1))
    return Decision(
        State.OFF if off else State.ON, Reason.SCHEDULE, _schedule_detail(policy, off=off)
    )


def _schedule_detail(policy: Policy, *, off: bool) -> str:
    schedule = policy.schedule
    if isinstance(schedule, CronSchedule):
        if off:
            return f'cron pair: after sleep "{schedule.sleep.text}"'
        return f'cron pair: after wake "{schedule.wake.text}", or no fire within 366 days'
    if schedule.constant is not None:
        return f"{schedule.form}: {'always' if schedule.constant else 'never'}"
    inside = (schedule.form is ScheduleForm.UPTIME) != off
    where = "inside" if inside else "outside"
    return f"{where} {schedule.form} {', '.join(w.text for w in schedule.windows)}"
