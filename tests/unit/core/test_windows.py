"""Window strings: parsing, error texts, and the wall-clock rule."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.core import windows
from scheduler.core.syntax import SyntaxProblem
from scheduler.core.windows import AbsoluteWindow, WeeklyWindow


def utc(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp())


def covered(texts: list[str], zone: str, start: int, end: int) -> list[tuple[float, float]]:
    parsed = [windows.parse_window(t, zone=zone) for t in texts]
    return list(windows.covered(parsed, start=start, end=end).pairs)


@pytest.mark.parametrize(
    ("text", "days", "start", "end", "zone"),
    [
        pytest.param("Mon-Fri 07:30-19:00", (0, 1, 2, 3, 4), 450, 1140, "UTC", id="range"),
        pytest.param("Fri-Mon 20:00-07:00", (4, 5, 6, 0), 1200, 420, "UTC", id="wraps"),
        pytest.param("sat 9:00-24:00", (5,), 540, 1440, "UTC", id="24:00-end"),
        pytest.param("Sunday 00:00-00:00", (6,), 0, 0, "UTC", id="full-name-whole-day"),
        pytest.param("Tue 08:00-09:00 Asia/Tokyo", (1,), 480, 540, "Asia/Tokyo", id="own-zone"),
    ],
)
def test_parses_weekly_windows(
    text: str, days: tuple[int, ...], start: int, end: int, zone: str
) -> None:
    """Day ranges (wrapping too), 24:00, full day names and an own zone are understood."""
    assert windows.parse_window(text, zone="UTC") == WeeklyWindow(text, days, start, end, zone)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "Mon-Fri 7:30",
            'not a window (got "Mon-Fri 7:30"; expected "Mon-Fri 07:30-19:00", '
            '"Sat 09:00-13:00 Europe/Berlin" or "2026-12-24T18:00 - 2026-12-27T08:00")',
        ),
        (
            "Mox 08:00-09:00",
            'unknown day "Mox" (got "Mox 08:00-09:00"; expected one of Mon, Tue, Wed, Thu, Fri, '
            "Sat, Sun, or a range such as Mon-Fri)",
        ),
        (
            "Mon 25:00-26:00",
            '25:00 is not a time of day (got "Mon 25:00-26:00"; expected HH:MM from 00:00 to '
            "23:59 (24:00 as an end))",
        ),
        (
            "Mon 24:00-08:00",
            '24:00 is only allowed as an end time (got "Mon 24:00-08:00"; expected HH:MM from '
            "00:00 to 23:59 (24:00 as an end))",
        ),
        (
            "Mon 08:00-09:00 Mars/Olympus",
            'unknown time zone (got "Mars/Olympus"; expected an IANA zone such as Europe/Berlin, '
            "America/New_York or UTC)",
        ),
        (
            "2026-12-24 - 2026-12-27",
            'absolute windows need a time on both ends (got "2026-12-24 - 2026-12-27"; expected '
            "2026-12-24T18:00 - 2026-12-27T08:00 (for whole days use offDays/onDays))",
        ),
        (
            "2026-12-27T08:00 - 2026-12-24T18:00",
            'the window ends before it starts (got "2026-12-27T08:00 - 2026-12-24T18:00"; '
            "expected 2026-12-24T18:00 - 2026-12-27T08:00 (for whole days use offDays/onDays))",
        ),
        (
            "2026-12-24T18:00Z - 2026-12-27T08:00Z Europe/Berlin",
            "a zone has no effect when both ends carry a UTC offset (got "
            '"2026-12-24T18:00Z - 2026-12-27T08:00Z Europe/Berlin"; expected offsets or a zone: '
            "2026-12-24T18:00 - 2026-12-27T08:00 Europe/Berlin)",
        ),
    ],
)
def test_error_texts(text: str, message: str) -> None:
    """Each mistake says what is wrong, what was given and what would work."""
    with pytest.raises(SyntaxProblem) as caught:
        windows.parse_window(text, zone="UTC")
    assert str(caught.value) == message


def test_splits_the_comma_separated_form_with_offsets() -> None:
    """The kube-downscaler string form splits into windows with their character offsets."""
    assert windows.split_windows("Mon-Fri 07:30-19:00, Sat 10:00-12:00") == [
        ("Mon-Fri 07:30-19:00", 0),
        ("Sat 10:00-12:00", 21),
    ]


def test_window_past_midnight_ends_the_next_day() -> None:
    """Mon-Fri 20:00-07:00 includes Friday 20:00 to Saturday 07:00, not Sunday night."""
    # 2026-11-27 is a Friday
    found = covered(["Mon-Fri 20:00-07:00"], "UTC", utc(2026, 11, 27), utc(2026, 11, 30, 12))
    assert found == [
        (utc(2026, 11, 27, 0), utc(2026, 11, 27, 7)),
        (utc(2026, 11, 27, 20), utc(2026, 11, 28, 7)),
    ]


def test_day_ranges_wrap_around_the_week() -> None:
    """Sat-Mon covers Saturday, Sunday and Monday."""
    found = covered(["Sat-Mon 10:00-11:00"], "UTC", utc(2026, 11, 27), utc(2026, 12, 1))
    assert [datetime.fromtimestamp(a, UTC).strftime("%a") for a, _ in found] == [
        "Sat",
        "Sun",
        "Mon",
    ]


def test_end_equal_to_start_is_a_whole_day() -> None:
    """Mon 08:00-08:00 runs 24 hours, to Tuesday 08:00."""
    found = covered(["Mon 08:00-08:00"], "UTC", utc(2026, 11, 30), utc(2026, 12, 2))
    assert found == [(utc(2026, 11, 30, 8), utc(2026, 12, 1, 8))]


def test_24_00_ends_at_midnight() -> None:
    """Fri 22:00-24:00 stops at Saturday 00:00."""
    found = covered(["Fri 22:00-24:00"], "UTC", utc(2026, 11, 27), utc(2026, 11, 29))
    assert found == [(utc(2026, 11, 27, 22), utc(2026, 11, 28))]


def test_spring_forward_gap_never_occurs() -> None:
    """London's 01:00-02:00 on 2026-03-29 does not exist: a window there covers only 00:30-01:00."""
    found = covered(["Sun 00:30-01:30"], "Europe/London", utc(2026, 3, 28), utc(2026, 3, 30))
    assert found == [(utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1))]
    assert covered(["Sun 01:00-02:00"], "Europe/London", utc(2026, 3, 28), utc(2026, 3, 30)) == []


def test_repeated_hour_is_inside_both_times() -> None:
    """01:30-01:45 on London's fall-back day happens twice, an hour apart."""
    found = covered(["Sun 01:30-01:45"], "Europe/London", utc(2026, 10, 24), utc(2026, 10, 26))
    assert found == [
        (utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 0, 45)),
        (utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 1, 45)),
    ]


def test_repeated_hour_is_outside_both_times() -> None:
    """A window after the repeated hour covers neither pass through it."""
    found = covered(["Sun 02:00-03:00"], "Europe/London", utc(2026, 10, 24), utc(2026, 10, 26))
    assert found == [(utc(2026, 10, 25, 2), utc(2026, 10, 25, 3))]


def test_zone_in_the_string_overrides_the_policy_zone() -> None:
    """ "Mon 09:00-10:00 Asia/Tokyo" is 00:00-01:00 UTC whatever the policy zone is."""
    found = covered(
        ["Mon 09:00-10:00 Asia/Tokyo"], "America/New_York", utc(2026, 11, 30), utc(2026, 12, 1)
    )
    assert found == [(utc(2026, 11, 30, 0), utc(2026, 11, 30, 1))]


def test_absolute_window_with_offsets_is_a_pair_of_instants() -> None:
    """Offsets make the bounds instants; the zone plays no part."""
    window = windows.parse_window(
        "2026-12-24T18:00+01:00 - 2026-12-27T08:00+01:00", zone="Asia/Tokyo"
    )
    assert window == AbsoluteWindow(
        window.text, utc(2026, 12, 24, 17), utc(2026, 12, 27, 7), local=False, zone="Asia/Tokyo"
    )


def test_absolute_window_without_offsets_follows_the_wall_clock() -> None:
    """Naive bounds are wall-clock times: across fall-back the repeated hour counts twice."""
    found = covered(
        ["2026-10-25T00:00 - 2026-10-25T01:30"],
        "Europe/London",
        utc(2026, 10, 24),
        utc(2026, 10, 26),
    )
    assert found == [
        (utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30)),
        (utc(2026, 10, 25, 1), utc(2026, 10, 25, 1, 30)),
    ]


def test_absolute_window_with_one_offset_resolves_the_other_end() -> None:
    """A naive end is the first instant its wall-clock time is reached."""
    window = windows.parse_window("2026-03-29T00:00Z - 2026-03-29T01:30", zone="Europe/London")
    assert (window.start, window.end, window.local) == (
        utc(2026, 3, 29),
        utc(2026, 3, 29, 1),
        False,
    )
