"""On-time history selection, method choice, trailing stats and stored profiles."""

from __future__ import annotations

import math
from array import array
from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from scheduler.core.energy import baseline
from scheduler.core.energy.baseline import BaselineChoice, BaselineMethod, BaselineOptions
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.weekhours import grid_hours
from scheduler.core.intervals import IntervalSet

NAN = math.nan


def grid(values: list[float], *, step: float = 10.0, start: float = 0.0) -> EnergyGrid:
    return EnergyGrid(start, step, array("d", values))


def test_history_keeps_steps_with_data_outside_excluded_time() -> None:
    """Steps touching the excluded interval and NaN steps are not on-time history."""
    g = grid([10.0, 20.0, 30.0, 40.0, NAN, 60.0])
    h = baseline.on_time_history(g, excluded=IntervalSet.of(20, 30), settle_seconds=0)
    assert list(h.indices) == [0, 1, 3, 5]
    assert list(h.watts) == [1.0, 2.0, 4.0, 6.0]
    assert h.seconds == 40.0
    assert h.span_seconds == 60.0


def test_settle_margin_widens_the_excluded_time_on_both_sides() -> None:
    """With 5 s of settling, [20, 30) blocks [15, 35): steps 1, 2 and 3 go."""
    g = grid([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    h = baseline.on_time_history(g, excluded=IntervalSet.of(20, 30), settle_seconds=5)
    assert list(h.indices) == [0, 4, 5]


def test_history_intervals_merge_consecutive_steps() -> None:
    """The comparison windows are the history steps as merged instants."""
    g = grid([1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    h = baseline.on_time_history(g, excluded=IntervalSet.of(20, 30), settle_seconds=0)
    assert h.intervals() == IntervalSet([(0, 20), (30, 60)])


def test_history_window_selects_whole_steps_only() -> None:
    """Samples whose step lies entirely within [lo, hi) are selected."""
    g = grid([1.0] * 6)
    h = baseline.on_time_history(g, excluded=IntervalSet(), settle_seconds=0)
    assert h.window(5, 45) == (1, 4)
    assert h.window(0, 60) == (0, 6)


def history_spanning(days: float) -> baseline.History:
    steps = int(days * 24)
    return baseline.on_time_history(
        grid([3600.0] * steps, step=3600.0), excluded=IntervalSet(), settle_seconds=0
    )


@pytest.mark.parametrize(
    ("choice", "days", "stored", "expected"),
    [
        (BaselineChoice.AUTO, 14, False, BaselineMethod.HOUR_OF_WEEK),
        (BaselineChoice.AUTO, 13.9, False, BaselineMethod.TRAILING),
        (BaselineChoice.AUTO, 0, False, BaselineMethod.NONE),
        (BaselineChoice.AUTO, 0, True, BaselineMethod.HOUR_OF_WEEK),
        (BaselineChoice.TRAILING, 30, True, BaselineMethod.TRAILING),
        (BaselineChoice.TRAILING, 0, False, BaselineMethod.NONE),
        (BaselineChoice.HOUR_OF_WEEK, 1, False, BaselineMethod.HOUR_OF_WEEK),
        (BaselineChoice.HOUR_OF_WEEK, 0, False, BaselineMethod.NONE),
    ],
    ids=[
        "auto-14-days",
        "auto-short",
        "auto-no-history",
        "auto-stored-profile",
        "trailing-forced",
        "trailing-no-history",
        "hour-of-week-forced",
        "hour-of-week-no-history",
    ],
)
def test_method_choice(
    choice: BaselineChoice, days: float, stored: bool, expected: BaselineMethod
) -> None:
    """auto picks hour-of-week from a 14-day span; no history at all means no baseline."""
    options = BaselineOptions(choice=choice)
    assert (
        baseline.choose_method(options, history=history_spanning(days), stored=stored) is expected
    )


def trailing(
    values: list[float], *, before: float, **kwargs: float
) -> baseline.TrailingStats | None:
    g = grid(values)
    h = baseline.on_time_history(g, excluded=IntervalSet(), settle_seconds=0)
    hours = grid_hours(g.start, g.step, len(values), tz=UTC)
    options = BaselineOptions(**kwargs)  # type: ignore[arg-type]
    return baseline.trailing_stats(h, before=before, options=options, hours=hours)


def test_trailing_stats_use_the_lookback_before_the_window() -> None:
    """Median, p10 and p90 over on-time steps entirely within [before - lookback, before)."""
    stats = trailing(
        [10.0, 20.0, 30.0, 40.0, 50.0],
        before=40,
        trailing_lookback_seconds=30,
        min_trailing_seconds=0,
    )
    assert stats is not None
    plain = stats.plain
    assert (plain.median, plain.p10, plain.p90, plain.seconds) == (
        3.0,
        pytest.approx(2.2),
        pytest.approx(3.8),
        30.0,
    )
    assert all(d is None for d in stats.day_types)


def test_trailing_stats_group_by_day_type_hour() -> None:
    """The Unix epoch is a Thursday 00:00 UTC: every 10 s step is weekday hour 0."""
    stats = trailing(
        [10.0, 20.0, 30.0, 40.0, 50.0],
        before=40,
        trailing_lookback_seconds=30,
        min_trailing_seconds=0,
        min_bin_seconds=30,
    )
    assert stats is not None
    weekday_midnight = stats.day_types[0]
    assert weekday_midnight is not None
    assert weekday_midnight.median == 3.0
    assert sum(d is not None for d in stats.day_types) == 1


def test_trailing_stats_need_enough_on_time() -> None:
    """Less on-time than min_trailing_seconds in the lookback gives no baseline."""
    assert (
        trailing(
            [10.0, 20.0, 30.0], before=30, trailing_lookback_seconds=100, min_trailing_seconds=40
        )
        is None
    )


def test_profile_bins_by_local_hour_of_week() -> None:
    """Hourly steps of two UTC weeks with power = bin fill every bin twice."""
    monday = 1736121600.0  # 2025-01-06T00:00:00Z
    values = [float(i % 168) * 3600.0 for i in range(336)]
    g = grid(values, step=3600.0, start=monday)
    h = baseline.on_time_history(g, excluded=IntervalSet(), settle_seconds=0)
    profile = baseline.build_profile(h, steps=len(values), tz=UTC)
    assert [b.median for b in profile.bins if b is not None] == [float(i) for i in range(168)]
    assert all(b is not None and b.seconds == 7200.0 for b in profile.bins)
    assert profile.overall is not None
    assert profile.overall.median == 83.5


def test_profile_filled_drops_thin_bins() -> None:
    """Bins with less than min_bin_seconds of history are not used (None)."""
    monday = 1736121600.0
    g = grid([3600.0] * 168 + [NAN] * 10, step=3600.0, start=monday)
    h = baseline.on_time_history(g, excluded=IntervalSet(), settle_seconds=0)
    profile = baseline.build_profile(h, steps=178, tz=UTC)
    assert sum(b is not None for b in profile.filled(3600.0)) == 168
    assert sum(b is not None for b in profile.filled(3601.0)) == 0


def test_profile_json_round_trip_keeps_zone() -> None:
    """A stored profile (e.g. from before adoption) reads back equal, zone included."""
    berlin = ZoneInfo("Europe/Berlin")
    g = grid([3600.0 * (i % 5) for i in range(200)], step=3600.0, start=1736121600.0)
    h = baseline.on_time_history(g, excluded=IntervalSet(), settle_seconds=0)
    profile = baseline.build_profile(h, steps=200, tz=berlin)
    again = baseline.BaselineProfile.from_json_dict(profile.to_json_dict())
    assert again == profile
    assert baseline.zone_name(again.tz) == "Europe/Berlin"


def test_profile_needs_168_bins() -> None:
    """A profile with the wrong number of bins is rejected."""
    with pytest.raises(ValueError, match="168 hour-of-week bins, got 3"):
        baseline.BaselineProfile(UTC, (None, None, None), (None,) * 48, None, 0.0, 0.0)


def test_options_reject_negative_durations() -> None:
    """Negative option durations are configuration errors."""
    with pytest.raises(ValueError, match="settle_seconds must be >= 0 seconds, got -1"):
        BaselineOptions(settle_seconds=-1)


def test_zone_name_of_utc_and_iana_zones() -> None:
    """UTC and IANA zones are named by their keys."""
    assert baseline.zone_name(UTC) == "UTC"
    assert baseline.zone_name(ZoneInfo("America/New_York")) == "America/New_York"
