"""Cron expressions for ``sleep``/``wake`` pairs: parsing and exact fire instants.

``croniter`` only parses and expands the five fields (names such as ``mon-fri``, ranges,
steps, ``@daily``); the fire instants are computed here so that the DST rules hold exactly:
a fire time is a wall-clock time in the policy zone; one that falls in a spring-forward gap
fires at the first instant after the gap, one in a repeated (fall-back) hour fires once, at its
first occurrence (``zones.to_instants``).

Day matching follows standard (Vixie) cron: when both day-of-month and day-of-week are
restricted (neither field starts with ``*``), a day matches if *either* does; otherwise both
must. Syntax whose meaning depends on the calendar in ways we do not evaluate exactly
(``L``, ``W``, ``#``, ``H``, a seconds or year field, ``@reboot``) is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from croniter import CroniterError, croniter

from scheduler.core import zones
from scheduler.core.instants import DAY, day_number, local_date
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = ["CronSpec", "fires", "last_fire_before", "parse_cron"]

CRON_EXAMPLE = '5 fields "minute hour day-of-month month day-of-week", e.g. "0 20 * * 1-5"'
_UNSUPPORTED = re.compile(r"[LW#H]", re.IGNORECASE)
_NAMES = re.compile(
    r"\b(?:sun|mon|tue|wed|thu|fri|sat|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b",
    re.IGNORECASE,
)
SHORTHANDS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_MONTH_DAYS = {
    1: 31,
    2: 29,
    3: 31,
    4: 30,
    5: 31,
    6: 30,
    7: 31,
    8: 31,
    9: 30,
    10: 31,
    11: 30,
    12: 31,
}
_FIELD_COUNT = 5


@dataclass(frozen=True, slots=True)
class CronSpec:
    """A parsed 5-field cron expression."""

    text: str
    seconds_of_day: tuple[int, ...]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday, as in cron
    day_restricted: bool
    weekday_restricted: bool

    def matches(self, day: date) -> bool:
        """Whether the expression fires on ``day`` (a local calendar date)."""
        if day.month not in self.months:
            return False
        dom = day.day in self.days
        dow = (day.weekday() + 1) % 7 in self.weekdays
        if self.day_restricted and self.weekday_restricted:
            return dom or dow
        return dom and dow


def _values(field: list[int | str], full: range) -> frozenset[int]:
    if field == ["*"]:
        return frozenset(full)
    return frozenset(int(v) for v in field)


def parse_cron(text: str) -> CronSpec:
    """Parse a 5-field expression or a croniter ``@`` shorthand; raises ``SyntaxProblem``."""
    value = " ".join(text.split())
    _check_form(value, text)
    try:
        expanded, nth = croniter.expand(value.lower() if value.startswith("@") else value)
    except (CroniterError, ValueError, KeyError) as exc:
        raise SyntaxProblem(
            f"invalid cron expression: {exc}", got=quote(text), expected=CRON_EXAMPLE
        ) from exc
    if nth or len(expanded) != _FIELD_COUNT:
        raise SyntaxProblem("unsupported cron expression", got=quote(text), expected=CRON_EXAMPLE)
    raw = _raw_fields(value, expanded)
    spec = CronSpec(
        text=value,
        seconds_of_day=tuple(
            sorted(
                h * 3600 + m * 60
                for h in _values(expanded[1], range(24))
                for m in _values(expanded[0], range(60))
            )
        ),
        days=_values(expanded[2], range(1, 32)),
        months=_values(expanded[3], range(1, 13)),
        weekdays=_values(expanded[4], range(7)),
        day_restricted=not raw[2].startswith(("*", "?")),
        weekday_restricted=not raw[4].startswith(("*", "?")),
    )
    _check_fires(spec, text)
    return spec


def _check_form(value: str, text: str) -> None:
    if value.startswith("@"):
        if value.lower() not in SHORTHANDS:
            raise SyntaxProblem(
                f"unknown cron shorthand {quote(value)}",
                got=quote(text),
                expected=f"one of {', '.join(sorted(SHORTHANDS))}, or {CRON_EXAMPLE}",
            )
        return
    fields = value.split(" ")
    if len(fields) != _FIELD_COUNT:
        raise SyntaxProblem(
            f"a cron expression has 5 fields, this one has {len(fields)}",
            got=quote(text),
            expected=CRON_EXAMPLE,
        )
    if _UNSUPPORTED.search(_NAMES.sub("", value)):
        raise SyntaxProblem(
            "L, W, # and H are not supported in cron expressions",
            got=quote(text),
            expected=CRON_EXAMPLE,
        )


def _raw_fields(value: str, expanded: list[list[int | str]]) -> list[str]:
    if not value.startswith("@"):
        return value.split(" ")
    return ["*" if field == ["*"] else "x" for field in expanded]


def _check_fires(spec: CronSpec, text: str) -> None:
    if spec.weekday_restricted and spec.day_restricted:
        return
    if any(day <= _MONTH_DAYS[month] for month in spec.months for day in spec.days):
        return
    raise SyntaxProblem(
        "this cron expression never fires (no month has that day)",
        got=quote(text),
        expected=CRON_EXAMPLE,
    )


def _fires_on(spec: CronSpec, zone: ZoneInfo, day: date) -> list[int]:
    if not spec.matches(day):
        return []
    midnight = day_number(day) * DAY
    return zones.to_instants(zone, [midnight + s for s in spec.seconds_of_day])


def fires(spec: CronSpec, zone: ZoneInfo, *, start: int, end: int) -> list[int]:
    """Every fire instant in ``[start, end)``, sorted, each once."""
    if end <= start:
        return []
    first = local_date(zones.local_seconds(zone, start)) - timedelta(days=1)
    last = local_date(zones.local_seconds(zone, end)) + timedelta(days=1)
    out: list[int] = []
    day = first
    while day <= last:
        for instant in _fires_on(spec, zone, day):
            if start <= instant < end and (not out or instant > out[-1]):
                out.append(instant)
        day += timedelta(days=1)
    return out


def last_fire_before(spec: CronSpec, zone: ZoneInfo, instant: int, *, lookback: int) -> int | None:
    """The latest fire ``f`` with ``instant - lookback < f < instant``, or ``None``."""
    day = local_date(zones.local_seconds(zone, instant)) + timedelta(days=1)
    oldest = local_date(zones.local_seconds(zone, instant - lookback)) - timedelta(days=1)
    while day >= oldest:
        candidates = [f for f in _fires_on(spec, zone, day) if instant - lookback < f < instant]
        if candidates:
            return candidates[-1]
        day -= timedelta(days=1)
    return None
