"""The schedule engine agrees with an obviously-correct minute-by-minute evaluator.

The slow evaluator below shares no code with the engine: for every minute it converts the
instant to the local wall clock with zoneinfo and checks each rule of the README directly
(overrides, onDays, offDays/holidays, then the schedule). Cron fires are simulated by walking
the wall clock forward: a fire time fires at the first minute whose wall clock reaches it
(so gap times fire when the gap ends and a repeated hour fires only once). Ranges sit within
a few days of the 2026 DST changes of Europe/London, America/New_York and Australia/Sydney.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.core import schedule
from scheduler.core.policy import Policy, load_policies

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney")
DST_DAYS = {
    "Europe/London": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Sydney": (date(2026, 4, 5), date(2026, 10, 4)),
}
#: The wall-clock hour skipped in spring and repeated in autumn (Sundays, 2026).
GAP_HOURS = {"Europe/London": 1, "America/New_York": 2, "Australia/Sydney": 2}
COUNTRIES = {"Europe/London": "GB", "America/New_York": "US", "Australia/Sydney": "AU"}
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
NOW = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
MINUTE = 60
SLOW = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- the random policy, as data the brute force reads directly -------------------------------
@dataclass
class Weekly:
    first: int
    last: int
    start: int  # minutes
    end: int  # minutes, 1..1440
    zone: str | None

    def text(self) -> str:
        days = (
            DAYS[self.first] if self.first == self.last else f"{DAYS[self.first]}-{DAYS[self.last]}"
        )
        end = "24:00" if self.end == 1440 else f"{self.end // 60:02d}:{self.end % 60:02d}"
        zone = f" {self.zone}" if self.zone else ""
        return f"{days} {self.start // 60:02d}:{self.start % 60:02d}-{end}{zone}"


@dataclass
class Absolute:
    start: datetime  # naive = policy-zone wall clock, aware = instant
    end: datetime

    def text(self) -> str:
        return f"{self.start.isoformat()} - {self.end.isoformat()}"


@dataclass
class Cron:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    weekdays: tuple[int, ...] | None  # cron numbering, 0 = Sunday; None = "*"

    def text(self) -> str:
        dow = "*" if self.weekdays is None else ",".join(map(str, self.weekdays))
        return f"{','.join(map(str, self.minutes))} {','.join(map(str, self.hours))} * * {dow}"

    def matches(self, local: datetime) -> bool:
        return (
            local.minute in self.minutes
            and local.hour in self.hours
            and (self.weekdays is None or (local.weekday() + 1) % 7 in self.weekdays)
        )


@dataclass
class Spec:
    zone: str
    form: str  # uptime | downtime | cron
    windows: list[Weekly | Absolute] = field(default_factory=list)
    constant: str | None = None  # always | never
    sleep: Cron | None = None
    wake: Cron | None = None
    off_days: list[date] = field(default_factory=list)
    on_days: list[date] = field(default_factory=list)
    country: str | None = None
    overrides: list[tuple[str, int | None, int]] = field(default_factory=list)
    enabled: bool = True

    def document(self) -> str:
        spec: dict[str, object] = {"timeZone": self.zone, "targets": [{"namespaces": ["dev"]}]}
        if self.form == "cron":
            assert self.sleep
            assert self.wake
            spec["sleep"], spec["wake"] = self.sleep.text(), self.wake.text()
        else:
            spec[self.form] = self.constant or [w.text() for w in self.windows]
        if self.off_days:
            spec["offDays"] = [d.isoformat() for d in self.off_days]
        if self.on_days:
            spec["onDays"] = [d.isoformat() for d in self.on_days]
        if self.country:
            spec["holidays"] = {"country": self.country}
        overrides = []
        for state, start, until in self.overrides:
            entry = {"state": state, "until": datetime.fromtimestamp(until, UTC).isoformat()}
            if start is not None:
                entry["from"] = datetime.fromtimestamp(start, UTC).isoformat()
            overrides.append(entry)
        if overrides:
            spec["overrides"] = overrides
        if not self.enabled:
            spec["enabled"] = False
        doc = {
            "apiVersion": "offhours.dev/v1alpha1",
            "kind": "OffHoursPolicy",
            "metadata": {"name": "random"},
            "spec": spec,
        }
        return json.dumps(doc)


# -- the brute force -------------------------------------------------------------------------
def weekly_covers(w: Weekly, local: datetime) -> bool:
    days = {(w.first + i) % 7 for i in range((w.last - w.first) % 7 + 1)}
    minute = local.hour * 60 + local.minute
    today, yesterday = local.weekday(), (local.weekday() - 1) % 7
    if w.end > w.start:
        return today in days and w.start <= minute < w.end
    return (today in days and minute >= w.start) or (yesterday in days and minute < w.end)


def window_covers(spec: Spec, w: Weekly | Absolute, t: int) -> bool:
    if isinstance(w, Weekly):
        return weekly_covers(w, datetime.fromtimestamp(t, ZoneInfo(w.zone or spec.zone)))
    if w.start.tzinfo is not None:
        return w.start.timestamp() <= t < w.end.timestamp()
    wall = datetime.fromtimestamp(t, ZoneInfo(spec.zone)).replace(tzinfo=None)
    return w.start <= wall < w.end


def cron_fires(spec: Spec, start: int, end: int) -> dict[int, str]:
    """Fire minute -> "off"/"on", walking the wall clock from 8 days before ``start``."""
    zone = ZoneInfo(spec.zone)
    begin = start - 8 * 86400
    high = datetime.fromtimestamp(begin - MINUTE, zone).replace(tzinfo=None)
    fired: dict[int, str] = {}
    for t in range(begin, end, MINUTE):
        wall = datetime.fromtimestamp(t, zone).replace(tzinfo=None)
        local = high + timedelta(minutes=1)
        while local <= wall:  # every wall-clock minute reached for the first time
            assert spec.sleep
            assert spec.wake
            if spec.wake.matches(local):
                fired[t] = "on"
            elif spec.sleep.matches(local) and fired.get(t) != "on":
                fired[t] = "off"
            local += timedelta(minutes=1)
        high = max(high, wall)
    return fired


def brute_off(spec: Spec, start: int, end: int) -> set[int]:
    zone = ZoneInfo(spec.zone)
    fired = cron_fires(spec, start, end) if spec.form == "cron" else {}
    calendar = (
        holidays.country_holidays(spec.country, years=range(2025, 2028)) if spec.country else {}
    )
    off: set[int] = set()
    state = "on"
    for t in range(start - 8 * 86400 if fired else start, end, MINUTE):
        state = fired.get(t, state)
        if t >= start and minute_is_off(spec, t, zone, cron_state=state, calendar=calendar):
            off.add(t)
    return off


def minute_is_off(spec: Spec, t: int, zone: ZoneInfo, *, cron_state: str, calendar: object) -> bool:
    if not spec.enabled:
        return False
    for state, begin, until in reversed(spec.overrides):
        if (begin is None or begin <= t) and t < until:
            return state == "off"
    day = datetime.fromtimestamp(t, zone).date()
    if day in spec.on_days:
        return False
    if day in spec.off_days or day in calendar:  # type: ignore[operator]
        return True
    if spec.form == "cron":
        return cron_state == "off"
    if spec.constant is not None:
        covered = spec.constant == "always"
    else:
        covered = any(window_covers(spec, w, t) for w in spec.windows)
    return covered != (spec.form == "uptime")


# -- strategies ------------------------------------------------------------------------------
minutes = st.integers(0, 23).flatmap(
    lambda h: st.sampled_from([0, 15, 30, 45]).map(lambda m: h * 60 + m)
)


@st.composite
def weekly(draw: st.DrawFn) -> Weekly:
    first = draw(st.integers(0, 6))
    last = draw(st.one_of(st.just(first), st.integers(0, 6)))
    start = draw(minutes)
    end = draw(st.one_of(minutes.filter(lambda m: m > 0), st.just(1440), st.just(start)))
    zone = draw(st.one_of(st.none(), st.none(), st.sampled_from(ZONES)))
    return Weekly(first, last, start, end, zone)


@st.composite
def absolute(draw: st.DrawFn, *, anchor: datetime, zone: str) -> Absolute:
    begin = anchor + timedelta(minutes=15 * draw(st.integers(-8 * 4, 48 * 4)))
    end = begin + timedelta(minutes=15 * draw(st.integers(1, 24 * 4)))
    if draw(st.booleans()):
        return Absolute(begin.replace(tzinfo=None), end.replace(tzinfo=None))
    return Absolute(begin.astimezone(UTC), end.astimezone(UTC))


@st.composite
def cron(draw: st.DrawFn, *, hour_pool: tuple[int, ...]) -> Cron:
    hours = draw(st.lists(st.sampled_from(hour_pool), min_size=1, max_size=3, unique=True))
    mins = draw(st.lists(st.sampled_from([0, 15, 30, 45]), min_size=1, max_size=2, unique=True))
    sundays = st.lists(st.integers(0, 6), max_size=3, unique=True).map(lambda d: sorted({0, *d}))
    any_days = st.lists(st.integers(0, 6), min_size=1, max_size=4, unique=True)
    weekdays = draw(st.one_of(st.none(), sundays, any_days))
    dow = None if weekdays is None else tuple(sorted(weekdays))
    return Cron(tuple(sorted(mins)), tuple(sorted(hours)), dow)


def cron_pair(draw: st.DrawFn, zone: str) -> tuple[Cron, Cron]:
    """Often both fire inside the DST gap/fold hour (every DST change here is on a Sunday)."""
    gap = GAP_HOURS[zone]
    if draw(st.integers(0, 2)) == 0:
        sleep_min, wake_min = draw(
            st.lists(st.sampled_from([0, 15, 30, 45]), min_size=2, max_size=2, unique=True)
        )
        return Cron((sleep_min,), (gap,), (0,)), Cron((wake_min,), (gap,), (0,))
    pool = (0, gap, gap, gap, 3, 5, 7, 12, 18, 22, 23)
    return draw(cron(hour_pool=pool)), draw(cron(hour_pool=pool))


@st.composite
def scenario(
    draw: st.DrawFn, *, forms: tuple[str, ...] = ("uptime", "downtime", "cron")
) -> tuple[Spec, int, int]:
    zone = draw(st.sampled_from(ZONES))
    dst_day = draw(st.sampled_from(DST_DAYS[zone]))
    start = int(datetime(dst_day.year, dst_day.month, dst_day.day, tzinfo=UTC).timestamp())
    start += 1800 * draw(st.integers(-72, 24))
    end = start + 1800 * draw(st.integers(2, 4 * 48))
    spec = Spec(zone, draw(st.sampled_from(forms)))
    anchor = datetime.fromtimestamp(start, ZoneInfo(zone))
    if spec.form == "cron":
        spec.sleep, spec.wake = cron_pair(draw, zone)
    elif draw(st.integers(0, 9)) == 0:
        spec.constant = draw(st.sampled_from(["always", "never"]))
    else:
        one = st.one_of(weekly(), weekly(), absolute(anchor=anchor, zone=zone))
        spec.windows = draw(st.lists(one, min_size=1, max_size=3))
    days = [dst_day + timedelta(days=d) for d in range(-4, 4)]
    chosen = draw(st.lists(st.sampled_from(days), max_size=3, unique=True))
    split = draw(st.integers(0, len(chosen)))
    spec.off_days, spec.on_days = chosen[:split], chosen[split:]
    if draw(st.integers(0, 3)) == 0:
        spec.country = COUNTRIES[zone]
    begin = start + 900 * draw(st.integers(-8, 4 * 4 * 24))
    for _ in range(draw(st.integers(0, 3))):
        until = begin + 900 * draw(st.integers(1, 4 * 24))
        state = draw(st.sampled_from(["on", "off"]))
        spec.overrides.append((state, draw(st.sampled_from([begin, begin, None])), until))
        begin += 900 * draw(st.integers(-8, 16))  # the next one usually overlaps this one
    spec.enabled = draw(st.integers(0, 15)) > 0
    return spec, start, end


def load(spec: Spec) -> Policy:
    result = load_policies([("random.yaml", spec.document())], now=NOW)
    assert not result.errors, [str(d) for d in result.errors]
    return result.policies[0]


def assert_agrees(spec: Spec, start: int, end: int) -> None:
    policy = load(spec)
    off = schedule.off_intervals(policy, start, end)
    assert all(b % MINUTE == 0 for b in off.boundaries()), off
    engine = {t for t in range(start, end, MINUTE) if t in off}
    expected = brute_off(spec, start, end)
    if engine != expected:
        wrong = sorted(engine ^ expected)[:5]
        shown = [datetime.fromtimestamp(t, ZoneInfo(spec.zone)).isoformat() for t in wrong]
        raise AssertionError(f"{spec.document()}\ndisagree at {shown}")
    assert off.total() == MINUTE * len(expected)


# -- the properties --------------------------------------------------------------------------
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(forms=("uptime", "downtime")))
def test_windows_days_holidays_overrides_match_brute_force(case: tuple[Spec, int, int]) -> None:
    """Window schedules with days, holidays and overrides agree with the minute-by-minute rules."""
    assert_agrees(*case)


@SLOW
@given(scenario(forms=("cron",)))
def test_cron_pairs_match_brute_force(case: tuple[Spec, int, int]) -> None:
    """Cron pairs (gap and repeated-hour fires, wake wins ties) agree with a wall-clock walk."""
    assert_agrees(*case)


@settings(max_examples=60, deadline=None)
@given(scenario(), st.integers(1, 99))
def test_evaluation_is_additive_over_ranges(case: tuple[Spec, int, int], percent: int) -> None:
    """Evaluating [a, c) equals evaluating [a, b) and [b, c): no state leaks from the range ends."""
    spec, start, end = case
    policy = load(spec)
    middle = start + (end - start) * percent // 100
    whole = schedule.off_intervals(policy, start, end)
    parts = schedule.off_intervals(policy, start, middle).union(
        schedule.off_intervals(policy, middle, end)
    )
    assert whole == parts


@settings(max_examples=60, deadline=None)
@given(scenario())
def test_transitions_state_and_next_transition_agree(case: tuple[Spec, int, int]) -> None:
    """transitions(), state_at() and next_transition() describe the same off set."""
    spec, start, end = case
    policy = load(spec)
    off = schedule.off_intervals(policy, start, end)
    changes = schedule.transitions(policy, start, end)
    for change in changes:
        assert schedule.state_at(policy, change.at) is change.to
        assert schedule.state_at(policy, change.at - 1) is not change.to
    inner = [b for b in off.boundaries() if start < b < end]
    assert [c.at for c in changes if c.at > start] == inner
    after = schedule.next_transition(policy, start)
    first = next((c for c in changes if c.at > start), None)
    if first is not None:
        assert after == first
    elif after is not None:
        assert after.at >= end
