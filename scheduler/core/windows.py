"""Window strings: when an ``uptime``/``downtime`` schedule applies, as exact instant sets.

Two forms, both matched against the wall clock of their zone (``zones``):

* weekly ``<DAY>[-<DAY>] <HH:MM>-<HH:MM> [<IANA zone>]``: on each listed day (ranges may wrap,
  ``Fri-Mon``) from the start time until the end time; ``24:00`` ends at midnight and an end
  at or before the start runs past midnight into the next day;
* absolute ``<ISO-8601> - <ISO-8601> [<IANA zone>]``: a stretch of time; bounds with a UTC
  offset are instants, bounds without one are wall-clock times in the zone.

A schedule value is a list of window strings or one comma-separated string (the
kube-downscaler annotation form). This module parses and evaluates windows; the keywords
``always``/``never`` and the choice of uptime versus downtime belong to the policy reader.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from scheduler.core import zones
from scheduler.core.instants import DAY, Stamp, parse_stamp
from scheduler.core.intervals import IntervalSet
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = [
    "DAY_NAMES",
    "AbsoluteWindow",
    "WeeklyWindow",
    "Window",
    "covered",
    "parse_window",
    "split_windows",
]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEK = 7 * DAY
#: 1970-01-05, the first Monday after the epoch, in local seconds.
MONDAY = 4 * DAY
WINDOW_EXAMPLE = (
    '"Mon-Fri 07:30-19:00", "Sat 09:00-13:00 Europe/Berlin" or '
    '"2026-12-24T18:00 - 2026-12-27T08:00"'
)

_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKLY = re.compile(
    r"^(?P<d1>[A-Za-z]+)(?:\s*-\s*(?P<d2>[A-Za-z]+))?\s+"
    r"(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})"
    r"(?:\s+(?P<zone>\S+))?$"
)
_ISO = (
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?)?"
)
_ABSOLUTE = re.compile(rf"^(?P<a>{_ISO})\s*-\s*(?P<b>{_ISO})(?:\s+(?P<zone>[A-Za-z]\S*))?$")


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """Each of ``days`` (0 = Monday) from minute ``start`` to ``end`` of the day, in ``zone``.

    ``end`` is 1..1440; ``end <= start`` means the window ends the next day at ``end``.
    """

    text: str
    days: tuple[int, ...]
    start: int
    end: int
    zone: str

    def pieces(self) -> tuple[tuple[int, int], ...]:
        """The window as local-second offsets from Monday 00:00 (may extend past Sunday)."""
        span = (self.end - self.start) * 60
        if span <= 0:
            span += DAY
        return tuple(
            (day * DAY + self.start * 60, day * DAY + self.start * 60 + span) for day in self.days
        )


@dataclass(frozen=True, slots=True)
class AbsoluteWindow:
    """``[start, end)``: instants when ``local`` is false, else wall-clock times in ``zone``."""

    text: str
    start: int
    end: int
    local: bool
    zone: str


Window = WeeklyWindow | AbsoluteWindow


def split_windows(text: str) -> list[tuple[str, int]]:
    """The comma-separated windows of ``text`` with their character offsets in ``text``."""
    out: list[tuple[str, int]] = []
    offset = 0
    for part in text.split(","):
        stripped = part.strip()
        out.append((stripped, offset + (len(part) - len(part.lstrip()))))
        offset += len(part) + 1
    return out


def parse_window(text: str, *, zone: str) -> Window:
    """Parse one window string; ``zone`` is the policy zone, used unless the string names one."""
    value = text.strip()
    absolute = _ABSOLUTE.match(value)
    if absolute:
        return _absolute(value, absolute, zone)
    weekly = _WEEKLY.match(value)
    if weekly:
        return _weekly(value, weekly, zone)
    raise SyntaxProblem("not a window", got=quote(text), expected=WINDOW_EXAMPLE)


def _day(name: str, text: str) -> int:
    folded = name.lower()
    for index, full in enumerate(_FULL_NAMES):
        if folded in {full, full[:3]}:
            return index
    raise SyntaxProblem(
        f"unknown day {quote(name)}",
        got=quote(text),
        expected="one of Mon, Tue, Wed, Thu, Fri, Sat, Sun, or a range such as Mon-Fri",
    )


def _minute(hours: str, minutes: str, text: str, *, end: bool) -> int:
    h, m = int(hours), int(minutes)
    if end and (h, m) == (24, 0):
        return 1440
    if h > 23 or m > 59:
        what = f"{hours}:{minutes} is not a time of day"
        if (h, m) == (24, 0):
            what = "24:00 is only allowed as an end time"
        raise SyntaxProblem(
            what, got=quote(text), expected="HH:MM from 00:00 to 23:59 (24:00 as an end)"
        )
    return h * 60 + m


def _weekly(text: str, match: re.Match[str], zone: str) -> WeeklyWindow:
    first = _day(match["d1"], text)
    last = _day(match["d2"], text) if match["d2"] else first
    days = tuple((first + i) % 7 for i in range((last - first) % 7 + 1))
    start = _minute(match["h1"], match["m1"], text, end=False)
    end = _minute(match["h2"], match["m2"], text, end=True)
    own_zone = match["zone"]
    if own_zone:
        zones.get_zone(own_zone)
    return WeeklyWindow(text, days, start, end, own_zone or zone)


def _absolute(text: str, match: re.Match[str], zone: str) -> AbsoluteWindow:
    expected = "2026-12-24T18:00 - 2026-12-27T08:00 (for whole days use offDays/onDays)"
    bounds: list[Stamp] = []
    for key in ("a", "b"):
        if "T" not in match[key].upper() and ":" not in match[key]:
            raise SyntaxProblem(
                "absolute windows need a time on both ends", got=quote(text), expected=expected
            )
        bounds.append(parse_stamp(match[key]))
    start, end = bounds
    own_zone = match["zone"]
    if own_zone:
        if start.aware and end.aware:
            raise SyntaxProblem(
                "a zone has no effect when both ends carry a UTC offset",
                got=quote(text),
                expected="offsets or a zone: 2026-12-24T18:00 - 2026-12-27T08:00 Europe/Berlin",
            )
        zones.get_zone(own_zone)
    window_zone = own_zone or zone
    window = _resolve(text, start, end, zone=window_zone)
    if window.end <= window.start:
        raise SyntaxProblem("the window ends before it starts", got=quote(text), expected=expected)
    return window


def _resolve(text: str, start: Stamp, end: Stamp, *, zone: str) -> AbsoluteWindow:
    if not start.aware and not end.aware:
        return AbsoluteWindow(text, start.seconds, end.seconds, local=True, zone=zone)
    tz = zones.get_zone(zone)
    a = start.seconds if start.aware else zones.first_instant_at_or_after(tz, start.seconds)
    b = end.seconds if end.aware else zones.first_instant_at_or_after(tz, end.seconds)
    return AbsoluteWindow(text, a, b, local=False, zone=zone)


def _weekly_pieces(pieces: Sequence[tuple[int, int]]) -> zones.LocalPieces:
    def generate(lo: int, hi: int) -> Iterator[tuple[int, int]]:
        week = (lo - MONDAY) // WEEK - 1
        while MONDAY + week * WEEK < hi:
            base = MONDAY + week * WEEK
            for a, b in pieces:
                if base + a < hi and base + b > lo:
                    yield base + a, base + b
            week += 1

    return generate


def covered(windows: Sequence[Window], *, start: int, end: int) -> IntervalSet:
    """The instants of ``[start, end)`` covered by any of ``windows``."""
    by_zone: dict[str, list[tuple[int, int]]] = {}
    exact: list[tuple[int, int]] = []
    for window in windows:
        if isinstance(window, WeeklyWindow):
            by_zone.setdefault(window.zone, []).extend(window.pieces())
        elif window.local:
            piece = zones.single((window.start, window.end))
            result = zones.preimage(zones.get_zone(window.zone), piece, start=start, end=end)
            exact.extend((int(a), int(b)) for a, b in result.pairs)
        else:
            exact.append((max(window.start, start), min(window.end, end)))
    out = IntervalSet(exact)
    for name, pieces in by_zone.items():
        tz = zones.get_zone(name)
        out = out.union(zones.preimage(tz, _weekly_pieces(pieces), start=start, end=end))
    return out
