"""Time zones as offset segments: the exact map between instants and wall-clock time.

A zone's UTC offset is constant between transitions, so any instant range splits into
*segments* ``(start, end, offset)``. Inside one segment the wall clock shows
``local = instant + offset``, and the instants at which it shows a local time in ``[A, B)``
are exactly ``[A - offset, B - offset)`` clipped to the segment. That gives the wall-clock
rule its exact meaning: local times skipped by a spring-forward gap never occur, and both
passes through a repeated (fall-back) hour are in or out together.

Transitions are found per zone and UTC year by a coarse scan (every 3 hours) refined by
bisection to the second, and cached; zoneinfo exposes no transition table. The scan misses
only a pair of transitions less than 3 hours apart, which the IANA database does not contain
for the years a schedule can name (1970..2999). Loading a zone reads tzdata, which the core
treats like any other pure data package; nothing here reads the clock.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from scheduler.core.instants import MAX_YEAR, MIN_YEAR
from scheduler.core.intervals import IntervalSet
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = [
    "ZONE_EXAMPLE",
    "LocalPieces",
    "Segment",
    "first_instant_at_or_after",
    "get_zone",
    "local_seconds",
    "offset_at",
    "preimage",
    "segments",
    "single",
    "to_instants",
]

#: ``(start, end, offset)``: instants ``start <= t < end`` all have UTC offset ``offset``.
Segment = tuple[int, int, int]
#: Local pieces ``[A, B)`` (local seconds) overlapping a local range ``[lo, hi)``.
LocalPieces = Callable[[int, int], Iterable[tuple[int, int]]]

_PROBE = 3 * 3600
#: More than the largest UTC offset in use (+14 h) plus a day: bounds every local/UTC search.
MARGIN = 40 * 3600
_REFUSED = frozenset({"localtime", "posixrules", "Factory"})
ZONE_EXAMPLE = "an IANA zone such as Europe/Berlin, America/New_York or UTC"


@lru_cache(maxsize=512)
def get_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; raises ``SyntaxProblem`` (with a suggestion) if unknown."""
    try:
        if name in _REFUSED or name != name.strip() or not name:
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise SyntaxProblem(
            "unknown time zone", got=quote(name), expected=_zone_hint(name)
        ) from exc


@lru_cache(maxsize=1)
def _known_zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones()))


def _zone_hint(name: str) -> str:
    known = _known_zones()
    folded = {key.lower(): key for key in known}
    if name.lower() in folded:
        return f"{quote(folded[name.lower()])} (zone names are case-sensitive)"
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    return f"{ZONE_EXAMPLE}; did you mean {quote(close[0])}?" if close else ZONE_EXAMPLE


def offset_at(zone: ZoneInfo, instant: int) -> int:
    """The UTC offset (seconds) of ``zone`` at ``instant``."""
    delta = datetime.fromtimestamp(instant, zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def local_seconds(zone: ZoneInfo, instant: int) -> int:
    """What the wall clock of ``zone`` shows at ``instant``, as local seconds."""
    return instant + offset_at(zone, instant)


def _year_start(year: int) -> int:
    return int((datetime(year, 1, 1) - datetime(1970, 1, 1)).total_seconds())


@lru_cache(maxsize=4096)
def _year_transitions(zone: ZoneInfo, year: int) -> tuple[tuple[int, int], ...]:
    """``(instant, new_offset)`` for every offset change at an instant in ``(Y-01-01, next)]``."""
    t, end = _year_start(year), _year_start(year + 1)
    current = offset_at(zone, t)
    found: list[tuple[int, int]] = []
    while t < end:
        probe = min(t + _PROBE, end)
        if offset_at(zone, probe) == current:
            t = probe
            continue
        lo, hi = t, probe
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if offset_at(zone, mid) == current:
                lo = mid
            else:
                hi = mid
        current = offset_at(zone, hi)
        found.append((hi, current))
        t = hi
    return tuple(found)


def _year_of(instant: int) -> int:
    return datetime.fromtimestamp(instant, UTC).year


@lru_cache(maxsize=8192)
def _segments(zone: ZoneInfo, start: int, end: int) -> tuple[Segment, ...]:
    first = max(_year_of(start) - 1, MIN_YEAR - 1)
    last = min(_year_of(max(start, end - 1)), MAX_YEAR + 1)
    changes = [
        change
        for year in range(first, last + 1)
        for change in _year_transitions(zone, year)
        if start < change[0] < end
    ]
    out: list[Segment] = []
    cursor, offset = start, offset_at(zone, start)
    for instant, new_offset in changes:
        out.append((cursor, instant, offset))
        cursor, offset = instant, new_offset
    out.append((cursor, end, offset))
    return tuple(out)


def segments(zone: ZoneInfo, start: int, end: int) -> tuple[Segment, ...]:
    """Constant-offset segments covering ``[start, end)`` in order (empty if ``end <= start``)."""
    if end <= start:
        return ()
    return _segments(zone, start, end)


def preimage(zone: ZoneInfo, pieces: LocalPieces, *, start: int, end: int) -> IntervalSet:
    """The instants of ``[start, end)`` whose wall-clock time lies in the local pieces.

    ``pieces(lo, hi)`` yields the local ``[A, B)`` pieces overlapping the local range
    ``[lo, hi)`` of one segment; they need not be clipped, sorted or disjoint.
    """
    out: list[tuple[int, int]] = []
    for seg_start, seg_end, offset in segments(zone, start, end):
        for a, b in pieces(seg_start + offset, seg_end + offset):
            lo, hi = max(a - offset, seg_start), min(b - offset, seg_end)
            if lo < hi:
                out.append((lo, hi))
    return IntervalSet(out)


def single(piece: tuple[int, int]) -> LocalPieces:
    """Local pieces consisting of the one local interval ``piece``."""

    def generate(_lo: int, _hi: int) -> Iterable[tuple[int, int]]:
        return (piece,)

    return generate


def first_instant_at_or_after(zone: ZoneInfo, local: int) -> int:
    """The first instant whose wall clock shows ``local`` or later.

    A local time inside a spring-forward gap maps to the end of the gap; a repeated local
    time (fall-back) maps to its first occurrence.
    """
    return to_instants(zone, (local,))[0]


def to_instants(zone: ZoneInfo, locals_: Sequence[int]) -> list[int]:
    """``first_instant_at_or_after`` for each of the sorted local times ``locals_``."""
    if not locals_:
        return []
    segs = segments(zone, locals_[0] - MARGIN, locals_[-1] + MARGIN)
    ends = [seg_end + offset for _, seg_end, offset in segs]
    out: list[int] = []
    i = 0
    for local in locals_:
        # the first segment whose last local time is past ``local`` holds the answer
        while ends[i] <= local:
            i += 1
        seg_start, _, offset = segs[i]
        out.append(max(seg_start, local - offset))
    return out
