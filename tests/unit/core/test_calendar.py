"""Whole local days and public-holiday calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler.core import calendar, zones
from scheduler.core.calendar import DayRange, HolidayCalendar
from scheduler.core.syntax import SyntaxProblem


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def test_parses_dates_and_inclusive_ranges() -> None:
    """A date is a one-day range; ``a..b`` includes both ends."""
    assert calendar.parse_day_range("2026-12-24") == DayRange(
        date(2026, 12, 24), date(2026, 12, 24), "2026-12-24"
    )
    found = calendar.parse_day_range("2026-12-27..2027-01-01")
    assert (found.first, found.last) == (date(2026, 12, 27), date(2027, 1, 1))
    assert date(2027, 1, 1) in found


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "2026-12-32",
            'not a valid date: day is out of range for month (got "2026-12-32"; expected '
            '"2026-12-24" or "2026-12-27..2027-01-01")',
        ),
        (
            "24.12.2026",
            'not a date (got "24.12.2026"; expected "2026-12-24" or "2026-12-27..2027-01-01")',
        ),
        (
            "2027-01-01..2026-12-27",
            'the range ends before it starts (got "2027-01-01..2026-12-27"; expected "2026-12-24" '
            'or "2026-12-27..2027-01-01")',
        ),
    ],
)
def test_day_errors(text: str, message: str) -> None:
    """Bad days are refused with an example of good ones."""
    with pytest.raises(SyntaxProblem) as caught:
        calendar.parse_day_range(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 11, 28), 24)],
)
def test_a_day_is_its_local_date_so_dst_days_are_23_or_25_hours(day: date, hours: int) -> None:
    """Whole local days follow the wall clock."""
    london = zones.get_zone("Europe/London")
    found = calendar.days_covered([day], london, start=utc(2026, 1, 1), end=utc(2027, 1, 1))
    assert found.total() == hours * 3600


def test_country_and_subdivision_codes_are_canonicalised() -> None:
    """Lower-case codes and subdivision names are accepted and normalised."""
    assert calendar.check_country("de") == "DE"
    assert calendar.check_subdivision("DE", "be") == "BE"
    assert calendar.check_subdivision("DE", "Berlin") == "BE"


def test_unknown_subdivision_lists_the_valid_ones() -> None:
    """The error names every subdivision the country has."""
    with pytest.raises(SyntaxProblem) as caught:
        calendar.check_subdivision("DE", "XX")
    assert str(caught.value) == (
        'unknown subdivision for DE (got "XX"; expected one of BB, BE, BW, BY, HB, HE, HH, MV, '
        "NI, NW, RP, SH, SL, SN, ST, TH, Augsburg)"
    )


def test_unknown_country_and_category_are_refused() -> None:
    """Only supported countries and their categories pass."""
    with pytest.raises(
        SyntaxProblem, match=r'^unknown or unsupported country \(got "XX"; expected an ISO 3166-1'
    ):
        calendar.check_country("XX")
    with pytest.raises(
        SyntaxProblem,
        match=r'^unknown holiday category for DE \(got "bank"; expected one of catholic, public, '
        r"school\)",
    ):
        calendar.check_categories("DE", ["bank"])


def test_holiday_names_are_english_whatever_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output does not depend on LANG/LANGUAGE."""
    monkeypatch.setenv("LANG", "de_AT.UTF-8")
    monkeypatch.setenv("LANGUAGE", "de")
    names = HolidayCalendar("AT").names(date(2031, 12, 25), date(2031, 12, 25))
    assert names == {date(2031, 12, 25): "Christmas Day"}


def test_holidays_of_a_subdivision() -> None:
    """Berlin has International Women's Day; Bavaria does not."""
    berlin = HolidayCalendar("DE", "BE").names(date(2026, 3, 8), date(2026, 3, 8))
    bavaria = HolidayCalendar("DE", "BY").names(date(2026, 3, 8), date(2026, 3, 8))
    assert list(berlin) == [date(2026, 3, 8)]
    assert bavaria == {}
