"""Instants and local date-times as whole seconds, and their ISO-8601 text forms.

An *instant* is Unix seconds (UTC). A *local time* is the seconds a wall clock shows, counted
as if its zone were UTC ("local seconds"): ``2026-12-24T08:00`` is the same local time in every
zone. Policies write both: ``2026-11-28T23:00:00+01:00`` is an instant, ``2026-12-24T08:00``
a local time that the policy's zone turns into instants (see ``zones``). Sub-second parts
are dropped. This module parses and formats; it never reads the clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from scheduler.core.syntax import SyntaxProblem, quote

__all__ = [
    "DAY",
    "EPOCH_ORDINAL",
    "MAX_YEAR",
    "MIN_YEAR",
    "STAMP_EXAMPLE",
    "Stamp",
    "day_number",
    "format_utc",
    "from_datetime",
    "local_date",
    "parse_date",
    "parse_stamp",
    "to_datetime",
]

DAY = 86_400
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
MIN_YEAR = 1970
MAX_YEAR = 2999

_EPOCH = datetime(1970, 1, 1)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
STAMP_EXAMPLE = "2026-11-28T23:00:00+01:00, 2026-11-28T22:00:00Z or 2026-11-28T23:00"


@dataclass(frozen=True, slots=True)
class Stamp:
    """A parsed ISO date-time: an instant when ``aware``, otherwise local seconds."""

    seconds: int
    aware: bool
    text: str


def day_number(day: date) -> int:
    """Days since 1970-01-01 (so ``day_number(d) * DAY`` is local midnight in local seconds)."""
    return day.toordinal() - EPOCH_ORDINAL


def local_date(local_seconds: int) -> date:
    """The calendar date a local time falls on."""
    return date.fromordinal(EPOCH_ORDINAL + local_seconds // DAY)


def _check_year(year: int, text: str, expected: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise SyntaxProblem(
            f"year {year} is out of range ({MIN_YEAR}..{MAX_YEAR})",
            got=quote(text),
            expected=expected,
        )


def parse_date(text: str) -> date:
    """``YYYY-MM-DD``; raises ``SyntaxProblem`` for anything else."""
    expected = "a date such as 2026-12-24"
    if not _DATE.match(text):
        raise SyntaxProblem("not a date", got=quote(text), expected=expected)
    try:
        day = date.fromisoformat(text)
    except ValueError as exc:
        raise SyntaxProblem(f"not a valid date: {exc}", got=quote(text), expected=expected) from exc
    _check_year(day.year, text, expected)
    return day


def parse_stamp(text: str) -> Stamp:
    """An ISO-8601 date-time with or without a UTC offset (``Z`` allowed)."""
    value = text.strip()
    if not _STAMP.match(value):
        raise SyntaxProblem("not an ISO-8601 date-time", got=quote(text), expected=STAMP_EXAMPLE)
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError as exc:
        raise SyntaxProblem(
            f"not a valid date-time: {exc}", got=quote(text), expected=STAMP_EXAMPLE
        ) from exc
    _check_year(parsed.year, text, STAMP_EXAMPLE)
    parsed = parsed.replace(microsecond=0)
    if parsed.tzinfo is None:
        return Stamp(int((parsed - _EPOCH).total_seconds()), aware=False, text=value)
    return Stamp(int(parsed.timestamp()), aware=True, text=value)


def from_datetime(moment: datetime) -> int:
    """Whole Unix seconds of an aware datetime (rounded down); naive datetimes are refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass a timezone-aware datetime")
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1))


def to_datetime(instant: float) -> datetime:
    """The UTC datetime of an instant."""
    return datetime.fromtimestamp(instant, UTC)


def format_utc(instant: float) -> str:
    """``2026-12-21T06:30:00Z``: UTC, to the second."""
    return _format_second(int(instant // 1))


@lru_cache(maxsize=1 << 16)
def _format_second(second: int) -> str:
    """``format_utc`` of a whole second, cached: a JSON preview of 1,000 policies writes
    some 90,000 instants, fewer than 2,000 of them distinct."""
    return to_datetime(second).strftime("%Y-%m-%dT%H:%M:%SZ")
