"""Whole local days: ``offDays``/``onDays`` entries and public-holiday calendars.

A day is every instant whose local date (in the policy zone) is that date, so a day is 23 or
25 hours long across a DST change. Entries are ``YYYY-MM-DD`` or an inclusive range
``YYYY-MM-DD..YYYY-MM-DD``. Holidays come from the ``holidays`` package (pure data); names
are asked for in English where the package has them, so output never depends on the locale.
The package is imported by the first policy that names a country; its calendars (all
countries load together) only when a holiday is looked up.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from scheduler.core import zones
from scheduler.core.instants import DAY, day_number, local_date, parse_date
from scheduler.core.intervals import IntervalSet
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = [
    "DayRange",
    "HolidayCalendar",
    "check_categories",
    "check_country",
    "check_subdivision",
    "days_covered",
    "parse_day_range",
]

DAY_EXAMPLE = '"2026-12-24" or "2026-12-27..2027-01-01"'


@dataclass(frozen=True, slots=True)
class DayRange:
    """The local dates ``first..last`` (inclusive)."""

    first: date
    last: date
    text: str

    def overlaps(self, other: DayRange) -> bool:
        """Whether the two ranges share a date."""
        return self.first <= other.last and other.first <= self.last

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


def parse_day_range(text: str) -> DayRange:
    """``YYYY-MM-DD`` or ``YYYY-MM-DD..YYYY-MM-DD``; raises ``SyntaxProblem``."""
    value = text.strip()
    first_text, sep, last_text = value.partition("..")
    try:
        first = parse_date(first_text.strip())
        last = parse_date(last_text.strip()) if sep else first
    except SyntaxProblem as exc:
        raise SyntaxProblem(exc.what, got=quote(text), expected=DAY_EXAMPLE) from exc
    if last < first:
        raise SyntaxProblem(
            "the range ends before it starts", got=quote(text), expected=DAY_EXAMPLE
        )
    return DayRange(first, last, value)


def _day_pieces(ranges: Sequence[tuple[int, int]]) -> zones.LocalPieces:
    def generate(lo: int, hi: int) -> Iterator[tuple[int, int]]:
        for a, b in ranges:
            if a < hi and b > lo:
                yield a, b

    return generate


def days_covered(
    days: Sequence[date | DayRange], zone: ZoneInfo, *, start: int, end: int
) -> IntervalSet:
    """The instants of ``[start, end)`` whose local date is one of ``days``."""
    local = [
        (day_number(d.first) * DAY, (day_number(d.last) + 1) * DAY)
        if isinstance(d, DayRange)
        else (day_number(d) * DAY, (day_number(d) + 1) * DAY)
        for d in days
    ]
    return zones.preimage(zone, _day_pieces(local), start=start, end=end)


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """The supported country codes and their aliases, from the package's registry: no
    country's module is loaded (loading one loads them all, about 0.05 s)."""
    from holidays.registry import EntityLoader

    return frozenset(EntityLoader.get_country_codes(include_aliases=True))


@lru_cache(maxsize=256)
def _country_class(country: str) -> Any:
    import holidays

    return type(holidays.country_holidays(country))


def check_country(code: str) -> str:
    """The canonical ISO 3166 code for ``code``; raises ``SyntaxProblem`` if unsupported."""
    known = _countries()
    if code.upper() in known:
        return code.upper()
    raise SyntaxProblem(
        "unknown or unsupported country",
        got=quote(code),
        expected="an ISO 3166-1 alpha-2 code such as DE, FR, GB, US",
    )


def check_subdivision(country: str, code: str) -> str:
    """The canonical subdivision code of ``country`` for ``code`` (aliases accepted)."""
    subdivisions: tuple[str, ...] = tuple(_country_class(country).subdivisions)
    aliases: Mapping[str, str] = getattr(_country_class(country), "subdivisions_aliases", {}) or {}
    for candidate in (*subdivisions, *aliases):
        if candidate.casefold() == code.casefold():
            return aliases.get(candidate, candidate)
    listed = ", ".join(subdivisions) if subdivisions else "none (omit subdivision)"
    raise SyntaxProblem(
        f"unknown subdivision for {country}",
        got=quote(code),
        expected=f"one of {listed}",
    )


def check_categories(country: str, categories: Sequence[str]) -> tuple[str, ...]:
    """The categories, checked against what ``country`` supports (e.g. public, optional)."""
    supported: tuple[str, ...] = tuple(
        getattr(_country_class(country), "supported_categories", ("public",))
    )
    for category in categories:
        if category.lower() not in supported:
            raise SyntaxProblem(
                f"unknown holiday category for {country}",
                got=quote(category),
                expected=f"one of {', '.join(supported)}",
            )
    return tuple(c.lower() for c in categories)


@lru_cache(maxsize=2048)
def _year_holidays(
    country: str, subdivision: str | None, categories: tuple[str, ...], *, year: int
) -> tuple[tuple[date, str], ...]:
    import holidays

    cls = _country_class(country)
    languages = tuple(getattr(cls, "supported_languages", ()))
    language = "en_US" if "en_US" in languages else getattr(cls, "default_language", None)
    calendar = holidays.country_holidays(
        country,
        subdiv=subdivision,
        years=year,
        language=language,
        categories=categories or None,
    )
    return tuple(sorted(calendar.items()))


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays of ``country`` (and ``subdivision``), limited to ``categories``."""

    country: str
    subdivision: str | None = None
    categories: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``DE-BE`` style name of the calendar."""
        return f"{self.country}-{self.subdivision}" if self.subdivision else self.country

    def names(self, first: date, last: date) -> dict[date, str]:
        """Holiday names by date for ``first..last`` (inclusive)."""
        out: dict[date, str] = {}
        for year in range(first.year, last.year + 1):
            for day, name in _year_holidays(
                self.country, self.subdivision, self.categories, year=year
            ):
                if first <= day <= last:
                    out[day] = name
        return out

    def covered(self, zone: ZoneInfo, *, start: int, end: int) -> IntervalSet:
        """The instants of ``[start, end)`` whose local date is a holiday."""
        first = local_date(zones.local_seconds(zone, start))
        last = local_date(zones.local_seconds(zone, max(start, end - 1)))
        return days_covered(list(self.names(first, last)), zone, start=start, end=end)
