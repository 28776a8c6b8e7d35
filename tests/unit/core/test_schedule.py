"""Policy evaluation: precedence, overrides, keywords, cron-pair rules and the query API."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from scheduler.core import calendar, schedule
from scheduler.core.policy import Policy, State, load_policies
from scheduler.core.schedule import Reason, Transition

NOW = datetime(2026, 11, 1, tzinfo=UTC).timestamp()


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def make(now: float = NOW, **spec: Any) -> Policy:
    spec.setdefault("targets", [{"namespaces": ["dev"]}])
    doc = {
        "apiVersion": "offhours.dev/v1alpha1",
        "kind": "OffHoursPolicy",
        "metadata": {"name": "p"},
        "spec": spec,
    }
    result = load_policies([("p.yaml", json.dumps(doc))], now=now)
    assert not result.errors, [str(d) for d in result.errors]
    return result.policies[0]


def hours_off(policy: Policy, start: int, end: int) -> float:
    return schedule.off_intervals(policy, start, end).total() / 3600


# 2026-12-21 is a Monday; Christmas Day 2026 is a Friday.
LAYERED = {
    "timeZone": "UTC",
    "uptime": ["Mon-Fri 08:00-18:00"],
    "offDays": ["2026-12-22"],
    "onDays": ["2026-12-26"],
    "holidays": {"country": "DE"},
    "overrides": [
        {"state": "off", "from": "2026-12-23T12:00:00Z", "until": "2026-12-23T14:00:00Z"}
    ],
}


@pytest.mark.parametrize(
    ("at", "state", "reason"),
    [
        pytest.param(utc(2026, 12, 21, 12), State.ON, Reason.SCHEDULE, id="schedule-on"),
        pytest.param(utc(2026, 12, 21, 20), State.OFF, Reason.SCHEDULE, id="schedule-off"),
        pytest.param(utc(2026, 12, 22, 12), State.OFF, Reason.OFF_DAY, id="offDays-beat-schedule"),
        pytest.param(
            utc(2026, 12, 23, 13), State.OFF, Reason.OVERRIDE, id="override-beats-schedule"
        ),
        pytest.param(utc(2026, 12, 25, 12), State.OFF, Reason.HOLIDAY, id="holiday-beats-schedule"),
        pytest.param(
            utc(2026, 12, 26, 3), State.ON, Reason.ON_DAY, id="onDays-beat-holiday-and-schedule"
        ),
    ],
)
def test_precedence_of_the_layers(at: int, state: State, reason: Reason) -> None:
    """Override, then onDays, then offDays/holidays, then the schedule."""
    policy = make(**LAYERED)
    assert schedule.state_at(policy, at) is state
    assert schedule.explain(policy, at).reason is reason


def test_an_override_beats_on_days() -> None:
    """An active override wins even on an onDays date."""
    policy = make(
        uptime="always",
        onDays=["2026-12-26"],
        overrides=[{"state": "off", "until": "2026-12-27T00:00:00Z"}],
    )
    assert schedule.state_at(policy, utc(2026, 12, 26, 12)) is State.OFF


def test_the_later_override_wins() -> None:
    """Overrides apply in list order; the last active one decides."""
    policy = make(
        uptime="never",
        overrides=[
            {"state": "on", "from": "2026-12-01T00:00:00Z", "until": "2026-12-10T00:00:00Z"},
            {"state": "off", "from": "2026-12-05T00:00:00Z", "until": "2026-12-06T00:00:00Z"},
        ],
    )
    off = schedule.off_intervals(policy, utc(2026, 12, 1), utc(2026, 12, 10))
    assert off.pairs == ((utc(2026, 12, 5), utc(2026, 12, 6)),)


def test_override_without_from_is_active_since_the_beginning_of_time() -> None:
    """No ``from`` means active from any past instant until ``until``."""
    policy = make(uptime="never", overrides=[{"state": "on", "until": "2026-12-02T00:00:00Z"}])
    assert hours_off(policy, utc(2026, 11, 30), utc(2026, 12, 3)) == 24


def test_override_with_a_local_time_uses_the_policy_zone() -> None:
    """``until`` without an offset is a Berlin wall-clock time."""
    policy = make(
        timeZone="Europe/Berlin",
        uptime="never",
        overrides=[{"state": "on", "until": "2026-12-02T00:00"}],
    )
    assert schedule.next_transition(policy, utc(2026, 12, 1)) == Transition(
        utc(2026, 12, 1, 23), State.OFF
    )


def test_expired_override_still_shapes_the_past() -> None:
    """An override whose until has passed is ignored for validation but evaluated over history."""
    policy = make(
        now=utc(2026, 12, 20),
        uptime="never",
        overrides=[
            {"state": "on", "from": "2026-12-01T00:00:00Z", "until": "2026-12-02T00:00:00Z"}
        ],
    )
    assert hours_off(policy, utc(2026, 11, 30), utc(2026, 12, 3)) == 48


def test_disabled_policy_is_always_on() -> None:
    """enabled: false wakes everything, overrides included."""
    policy = make(
        uptime="never", enabled=False, overrides=[{"state": "off", "until": "2027-01-01T00:00:00Z"}]
    )
    assert not schedule.off_intervals(policy, utc(2026, 12, 1), utc(2026, 12, 31))
    assert schedule.explain(policy, utc(2026, 12, 1)).reason is Reason.DISABLED
    assert schedule.next_transition(policy, utc(2026, 12, 1)) is None


@pytest.mark.parametrize(
    ("form", "keyword", "hours"),
    [
        ("uptime", "always", 0),
        ("uptime", "never", 48),
        ("downtime", "always", 48),
        ("downtime", "never", 0),
    ],
)
def test_always_and_never(form: str, keyword: str, hours: int) -> None:
    """uptime/downtime accept the keywords always and never."""
    policy = make(**{form: keyword})
    assert hours_off(policy, utc(2026, 12, 1), utc(2026, 12, 3)) == hours


def test_holiday_only_policy() -> None:
    """uptime: always with holidays is off exactly on the holidays."""
    policy = make(
        timeZone="Europe/Berlin", uptime="always", holidays={"country": "DE", "subdivision": "BE"}
    )
    off = schedule.off_intervals(policy, utc(2026, 12, 20), utc(2027, 1, 5))
    assert off.pairs == (
        (utc(2026, 12, 24, 23), utc(2026, 12, 26, 23)),
        (utc(2026, 12, 31, 23), utc(2027, 1, 1, 23)),
    )


def test_cron_pair_wake_wins_a_tie() -> None:
    """When sleep and wake fire at the same instant, the state is on."""
    policy = make(sleep="0 * * * *", wake="0 */2 * * *")
    off = schedule.off_intervals(policy, utc(2026, 12, 1), utc(2026, 12, 1, 6))
    assert off.pairs == tuple((utc(2026, 12, 1, h), utc(2026, 12, 1, h + 1)) for h in (1, 3, 5))


def test_cron_pair_ties_in_a_dst_gap_go_to_wake() -> None:
    """Sleep at 01:10 and wake at 01:40 both fire when London's gap ends: wake wins."""
    policy = make(timeZone="Europe/London", sleep="10 1 * * *", wake="40 1 * * *")
    assert schedule.state_at(policy, utc(2026, 3, 29, 1)) is State.ON
    assert schedule.state_at(policy, utc(2026, 3, 28, 1, 20)) is State.OFF


def test_cron_pair_without_a_fire_in_366_days_is_on() -> None:
    """A sleep fire stays in effect for 366 days, then the targets come back on."""
    policy = make(sleep="0 12 29 2 *", wake="0 0 29 2 *")  # leap days only
    assert schedule.state_at(policy, utc(2027, 6, 1)) is State.ON  # last fire 2024-02-29: too old
    assert schedule.state_at(policy, utc(2028, 2, 29, 11)) is State.ON  # wake at 00:00
    assert schedule.state_at(policy, utc(2028, 12, 1)) is State.OFF  # sleep at 12:00
    assert schedule.next_transition(policy, utc(2028, 12, 1)) == Transition(
        utc(2029, 3, 1, 12), State.ON
    )


def test_cron_pair_state_before_the_range_comes_from_the_last_fire() -> None:
    """A range starting on a Saturday knows the targets slept since Friday 20:00."""
    policy = make(timeZone="Europe/Berlin", sleep="0 20 * * 5", wake="30 7 * * 1")
    off = schedule.off_intervals(policy, utc(2026, 11, 28, 12), utc(2026, 12, 1))
    assert off.pairs == ((utc(2026, 11, 28, 12), utc(2026, 11, 30, 6, 30)),)


def test_transitions_include_a_change_exactly_at_the_start() -> None:
    """A change at the first instant of the range is listed; the state before it is compared."""
    policy = make(uptime=["Mon-Fri 08:00-18:00"])
    changes = schedule.transitions(policy, utc(2026, 12, 1, 8), utc(2026, 12, 2))
    assert changes == (
        Transition(utc(2026, 12, 1, 8), State.ON),
        Transition(utc(2026, 12, 1, 18), State.OFF),
    )


def test_next_transition_is_strictly_after_and_searches_far() -> None:
    """The daemon's question: the first change after t, weeks ahead if need be."""
    policy = make(offDays=["2027-03-01"], uptime="always")
    assert schedule.next_transition(policy, utc(2026, 12, 1)) == Transition(
        utc(2027, 3, 1), State.OFF
    )
    assert schedule.next_transition(policy, utc(2027, 3, 1)) == Transition(
        utc(2027, 3, 2), State.ON
    )
    assert schedule.next_transition(policy, utc(2026, 12, 1), horizon=86400) is None


def test_fractional_range_ends_are_clipped_exactly() -> None:
    """Ranges need not be whole seconds; the result is clipped to them."""
    policy = make(uptime="never")
    off = schedule.off_intervals(policy, utc(2026, 12, 1) + 0.25, utc(2026, 12, 1) + 10.5)
    assert off.pairs == ((utc(2026, 12, 1) + 0.25, utc(2026, 12, 1) + 10.5),)


def test_explain_describes_the_schedule() -> None:
    """The decision carries a sentence for plans and commit messages."""
    policy = make(uptime=["Mon-Fri 08:00-18:00"])
    decision = schedule.explain(policy, utc(2026, 12, 1, 20))
    assert (decision.state, decision.detail) == (State.OFF, "outside uptime Mon-Fri 08:00-18:00")
    cron_policy = make(sleep="0 20 * * *", wake="0 8 * * *")
    assert (
        schedule.explain(cron_policy, utc(2026, 12, 1, 21)).detail
        == 'cron pair: after sleep "0 20 * * *"'
    )


def test_next_change_across_policies() -> None:
    """The daemon wakes at the earliest change of any policy and learns every change then."""
    evenings = make(uptime=["Mon-Fri 08:00-18:00"])
    nights = make(downtime=["Mon-Sun 18:00-06:00"])
    later = make(offDays=["2027-01-01"], uptime="always")
    upcoming = schedule.next_change([evenings, nights, later], utc(2026, 12, 1, 12))
    assert upcoming == schedule.Upcoming(utc(2026, 12, 1, 18), (("p", State.OFF), ("p", State.OFF)))
    assert schedule.next_change([], utc(2026, 12, 1)) is None


def test_holidays_are_looked_up_only_while_the_schedule_is_on() -> None:
    """Off by the schedule already, the state needs no calendar (a plan at night loads
    none); on, the calendar decides. New Year's Day 2041 is a Tuesday."""
    policy = make(timeZone="UTC", uptime=["Mon-Fri 08:00-18:00"], holidays={"country": "FR"})
    calendar._year_holidays.cache_clear()
    assert schedule.state_at(policy, utc(2041, 1, 1, 22)) is State.OFF
    assert calendar._year_holidays.cache_info().currsize == 0
    assert schedule.state_at(policy, utc(2041, 1, 1, 12)) is State.OFF
    assert calendar._year_holidays.cache_info().currsize == 1
    assert schedule.state_at(policy, utc(2041, 1, 2, 12)) is State.ON
