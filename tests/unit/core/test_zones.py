"""Offset segments and the exact map between instants and wall-clock time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.core import zones
from scheduler.core.syntax import SyntaxProblem

LONDON = zones.get_zone("Europe/London")


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def local(*args: int) -> int:
    """Local seconds: the wall-clock time counted as if it were UTC."""
    return utc(*args)


def test_segments_split_exactly_at_the_transitions() -> None:
    """London's 2026 changes are found to the second, with the right offsets."""
    segs = zones.segments(LONDON, utc(2026, 1, 1), utc(2027, 1, 1))
    assert segs == (
        (utc(2026, 1, 1), utc(2026, 3, 29, 1), 0),
        (utc(2026, 3, 29, 1), utc(2026, 10, 25, 1), 3600),
        (utc(2026, 10, 25, 1), utc(2027, 1, 1), 0),
    )


def test_fixed_offset_zone_is_one_segment() -> None:
    """UTC never changes offset."""
    utc_zone = zones.get_zone("UTC")
    assert zones.segments(utc_zone, 0, utc(2030, 1, 1)) == ((0, utc(2030, 1, 1), 0),)


@pytest.mark.parametrize(
    ("wall", "instant"),
    [
        pytest.param(local(2026, 3, 29, 0, 30), utc(2026, 3, 29, 0, 30), id="before-gap"),
        pytest.param(local(2026, 3, 29, 1, 30), utc(2026, 3, 29, 1), id="in-gap-goes-to-gap-end"),
        pytest.param(local(2026, 3, 29, 2, 0), utc(2026, 3, 29, 1), id="gap-end"),
        pytest.param(local(2026, 10, 25, 1, 30), utc(2026, 10, 25, 0, 30), id="repeated-first"),
        pytest.param(local(2026, 10, 25, 2, 0), utc(2026, 10, 25, 2), id="after-repeat"),
    ],
)
def test_first_instant_at_or_after_a_wall_clock_time(wall: int, instant: int) -> None:
    """Gap times map to the end of the gap, repeated times to their first occurrence."""
    assert zones.first_instant_at_or_after(LONDON, wall) == instant


def test_preimage_of_a_skipped_hour_is_empty() -> None:
    """No instant shows 01:00-02:00 on the spring-forward day."""
    piece = zones.single((local(2026, 3, 29, 1), local(2026, 3, 29, 2)))
    assert not zones.preimage(LONDON, piece, start=utc(2026, 3, 28), end=utc(2026, 3, 30))


def test_preimage_of_a_repeated_hour_holds_both_passes() -> None:
    """01:00-02:00 on the fall-back day lasts two hours of real time."""
    piece = zones.single((local(2026, 10, 25, 1), local(2026, 10, 25, 2)))
    found = zones.preimage(LONDON, piece, start=utc(2026, 10, 24), end=utc(2026, 10, 26))
    assert found.pairs == ((utc(2026, 10, 25, 0), utc(2026, 10, 25, 2)),)


def test_unknown_zone_suggests_the_closest_name() -> None:
    """A misspelt zone is refused with a did-you-mean."""
    with pytest.raises(SyntaxProblem) as caught:
        zones.get_zone("Europe/Berlim")
    assert str(caught.value) == (
        'unknown time zone (got "Europe/Berlim"; expected an IANA zone such as Europe/Berlin, '
        'America/New_York or UTC; did you mean "Europe/Berlin"?)'
    )


def test_zone_names_are_case_sensitive() -> None:
    """A zone in the wrong case names the right spelling."""
    with pytest.raises(SyntaxProblem, match=r'expected "Europe/Berlin" \(zone names are case'):
        zones.get_zone("europe/berlin")


@pytest.mark.parametrize("name", ["localtime", "", " UTC", "../etc/passwd"])
def test_refuses_names_that_are_not_iana_zones(name: str) -> None:
    """The host's local time and path tricks are not zones."""
    with pytest.raises(SyntaxProblem):
        zones.get_zone(name)
