"""Cron expressions: accepted syntax, refused syntax, day matching and DST-exact fire instants."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler.core import cron, zones
from scheduler.core.syntax import SyntaxProblem

LONDON = zones.get_zone("Europe/London")
NEW_YORK = zones.get_zone("America/New_York")
EXAMPLE = 'expected 5 fields "minute hour day-of-month month day-of-week", e.g. "0 20 * * 1-5"'


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def fires(text: str, zone: zones.ZoneInfo, start: int, end: int) -> list[int]:
    return cron.fires(cron.parse_cron(text), zone, start=start, end=end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "0 20 * * 1-5 *",
            f'a cron expression has 5 fields, this one has 6 (got "0 20 * * 1-5 *"; {EXAMPLE})',
        ),
        (
            "0 7 L * *",
            f'L, W, # and H are not supported in cron expressions (got "0 7 L * *"; {EXAMPLE})',
        ),
        (
            "0 7 15W * *",
            f'L, W, # and H are not supported in cron expressions (got "0 7 15W * *"; {EXAMPLE})',
        ),
        (
            "0 7 * * 5#2",
            f'L, W, # and H are not supported in cron expressions (got "0 7 * * 5#2"; {EXAMPLE})',
        ),
        (
            "H 7 * * *",
            f'L, W, # and H are not supported in cron expressions (got "H 7 * * *"; {EXAMPLE})',
        ),
        (
            "0 0 31 4 *",
            f'this cron expression never fires (no month has that day) (got "0 0 31 4 *"; '
            f"{EXAMPLE})",
        ),
        (
            "@reboot",
            'unknown cron shorthand "@reboot" (got "@reboot"; expected one of @annually, @daily, '
            "@hourly, @midnight, @monthly, @weekly, @yearly, or "
            f"{EXAMPLE.removeprefix('expected ')})",
        ),
    ],
)
def test_refuses_what_it_cannot_evaluate_exactly(text: str, message: str) -> None:
    """Unsupported or impossible expressions are refused with the reason."""
    with pytest.raises(SyntaxProblem) as caught:
        cron.parse_cron(text)
    assert str(caught.value) == message


def test_out_of_range_values_are_refused() -> None:
    """croniter's range check is reported as an invalid expression."""
    with pytest.raises(SyntaxProblem, match=r'^invalid cron expression: .*\(got "60 7 \* \* \*"'):
        cron.parse_cron("60 7 * * *")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        pytest.param("30 7 * * mon-fri", [2, 3, 4, 5, 6], id="names"),
        pytest.param("@daily", [1, 2, 3, 4, 5, 6, 7], id="shorthand"),
        pytest.param("0 0 * * 7", [1], id="7-is-sunday"),
        pytest.param("0 0 2 * 3", [2, 4], id="dom-or-dow-when-both-restricted"),
        pytest.param("0 0 */2 * 2", [3], id="star-step-dom-is-unrestricted-so-and"),
    ],
)
def test_day_matching_follows_standard_cron(text: str, days: list[int]) -> None:
    """Names, shorthands and Vixie's day-of-month OR day-of-week rule (2026-11-01 is a Sunday)."""
    spec = cron.parse_cron(text)
    assert [d for d in range(1, 8) if spec.matches(date(2026, 11, d))] == days


def test_fire_in_a_spring_forward_gap_fires_when_the_gap_ends() -> None:
    """01:30 does not exist in London on 2026-03-29: it fires at 02:00 BST (01:00 UTC)."""
    assert fires("30 1 * * *", LONDON, utc(2026, 3, 28, 12), utc(2026, 3, 30, 12)) == [
        utc(2026, 3, 29, 1),
        utc(2026, 3, 30, 0, 30),
    ]


def test_several_fires_in_one_gap_fire_once() -> None:
    """02:00, 02:15, 02:30 and 02:45 in New York's gap all fire once, at 03:00 EDT."""
    assert fires("*/15 2 8 3 *", NEW_YORK, utc(2026, 3, 8), utc(2026, 3, 9)) == [utc(2026, 3, 8, 7)]


def test_fire_in_a_repeated_hour_fires_once_at_the_first_occurrence() -> None:
    """01:30 happens twice in London on 2026-10-25; it fires only at 01:30 BST (00:30 UTC)."""
    assert fires("30 1 25 10 *", LONDON, utc(2026, 10, 24), utc(2026, 10, 26)) == [
        utc(2026, 10, 25, 0, 30)
    ]


def test_last_fire_before_respects_the_lookback() -> None:
    """The latest fire strictly before the instant, and none older than the lookback."""
    spec = cron.parse_cron("0 12 29 2 *")  # leap days only
    zone = zones.get_zone("UTC")
    assert cron.last_fire_before(spec, zone, utc(2028, 3, 1), lookback=366 * 86400) == utc(
        2028, 2, 29, 12
    )
    assert cron.last_fire_before(spec, zone, utc(2028, 2, 29, 12), lookback=366 * 86400) is None
    assert cron.last_fire_before(spec, zone, utc(2029, 3, 2), lookback=366 * 86400) is None
