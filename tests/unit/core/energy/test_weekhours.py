"""Hour-of-week bins follow local time in the policy zone, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.core.energy.weekhours import bin_label, grid_bins, hour_of_week

BERLIN = ZoneInfo("Europe/Berlin")


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2025-01-06T00:30:00+01:00", 0),
        ("2025-01-07T09:59:59+01:00", 24 + 9),
        ("2025-01-12T23:30:00+01:00", 167),
        ("2025-01-05T23:30:00+00:00", 0),
    ],
    ids=["monday-0030", "tuesday-0959", "sunday-2330", "utc-sunday-is-local-monday"],
)
def test_hour_of_week_is_local(instant: str, expected: int) -> None:
    """Bin 0 is Monday 00:00 local; a UTC Sunday 23:30 is already Monday in Berlin."""
    assert hour_of_week(ts(instant), BERLIN) == expected


def test_monday_nine_is_one_bin_before_and_after_spring_change() -> None:
    """Monday 09:00 local maps to bin 9 in CET and in CEST although the UTC hour moved."""
    before = ts("2025-03-24T08:00:00+00:00")
    after = ts("2025-03-31T07:00:00+00:00")
    assert hour_of_week(before, BERLIN) == hour_of_week(after, BERLIN) == 9


def test_autumn_repeated_hour_feeds_one_bin_twice() -> None:
    """On 2025-10-26 02:00–03:00 local happens twice; both UTC hours land in Sun 02:00."""
    first = ts("2025-10-26T00:30:00+00:00")
    second = ts("2025-10-26T01:30:00+00:00")
    assert hour_of_week(first, BERLIN) == hour_of_week(second, BERLIN) == 6 * 24 + 2


def test_spring_skipped_hour_gets_no_samples() -> None:
    """On 2025-03-30 local 02:00–03:00 does not exist: hourly UTC steps skip bin Sun 02:00."""
    bins = grid_bins(ts("2025-03-29T23:00:00+00:00"), 3600.0, 4, tz=BERLIN)
    assert list(bins) == [6 * 24 + 0, 6 * 24 + 1, 6 * 24 + 3, 6 * 24 + 4]


def test_grid_bins_use_step_midpoints() -> None:
    """A 40-minute step starting 08:40 UTC has its midpoint at 09:00: bin 9 (Monday, UTC)."""
    bins = grid_bins(ts("2025-01-06T08:40:00+00:00"), 2400.0, 2, tz=UTC)
    assert list(bins) == [9, 9]


def test_bin_label_names_day_and_hour() -> None:
    """Bins read as weekday and local hour; out-of-range bins are rejected."""
    assert bin_label(0) == "Mon 00:00"
    assert bin_label(24 + 9) == "Tue 09:00"
    assert bin_label(167) == "Sun 23:00"
    with pytest.raises(ValueError, match=r"0\.\.167, got 168"):
        bin_label(168)
