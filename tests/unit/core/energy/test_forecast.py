"""Weekly savings forecast for preview: profile power over the coming week's off time."""

from __future__ import annotations

from array import array
from datetime import UTC, datetime

import pytest

from scheduler.core.energy import baseline, forecast
from scheduler.core.energy.baseline import BaselineChoice, BaselineMethod, BaselineOptions
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import IntervalSet

MONDAY = datetime(2025, 1, 6, tzinfo=UTC).timestamp()
NEXT = MONDAY + 3 * 7 * 86400


def profile(weeks: int) -> baseline.BaselineProfile:
    values = array("d", (float(i % 168) * 3600 for i in range(168 * weeks)))
    h = baseline.on_time_history(
        EnergyGrid(MONDAY, 3600, values), excluded=IntervalSet(), settle_seconds=0
    )
    return baseline.build_profile(h, steps=len(values), tz=UTC)


def test_seconds_by_bin_counts_local_hours() -> None:
    """Tuesday 10:00-11:30 is 3600 s in bin 34 and 1800 s in bin 35."""
    seconds = forecast.seconds_by_bin(IntervalSet.of(NEXT + 34 * 3600, NEXT + 35.5 * 3600), UTC)
    assert (seconds[34], seconds[35], sum(seconds)) == (3600.0, 1800.0, 5400.0)


def test_hour_of_week_forecast_uses_each_hours_median() -> None:
    """Two weeks of history: Tue 10:00-12:00 forecasts (34 + 35) W x 3600 s."""
    f = forecast.forecast_week(
        profile(2),
        off=IntervalSet.of(NEXT + 34 * 3600, NEXT + 36 * 3600),
        options=BaselineOptions(),
    )
    assert f.method is BaselineMethod.HOUR_OF_WEEK
    assert f.joules == (34 + 35) * 3600.0
    assert f.to_json_dict()["label"].startswith("estimate")


def test_short_history_forecasts_with_the_day_type_hour() -> None:
    """One week: Monday 00:00-02:00 uses weekday hours 0 (median of 0, 24, .., 96 = 48 W), 1."""
    f = forecast.forecast_week(
        profile(1), off=IntervalSet.of(NEXT, NEXT + 7200), options=BaselineOptions()
    )
    assert f.method is BaselineMethod.TRAILING
    assert f.joules == pytest.approx((48 + 49) * 3600)


def test_thin_day_type_hours_fall_back_to_the_overall_median() -> None:
    """With a day-type minimum above the history, the overall median (83.5 W) is used."""
    f = forecast.forecast_week(
        profile(1),
        off=IntervalSet.of(NEXT, NEXT + 3600),
        options=BaselineOptions(choice=BaselineChoice.TRAILING, min_bin_seconds=10 * 3600),
    )
    assert f.joules == pytest.approx(83.5 * 3600)


def test_residual_power_is_subtracted() -> None:
    """A known residual of 4 W lowers the forecast by 4 W x off seconds."""
    f = forecast.forecast_week(
        profile(2),
        off=IntervalSet.of(NEXT + 34 * 3600, NEXT + 35 * 3600),
        options=BaselineOptions(),
        residual_watts=4.0,
    )
    assert f.joules == 30 * 3600.0


def test_no_profile_is_no_forecast() -> None:
    """Without history the forecast is None, not zero."""
    f = forecast.forecast_week(None, off=IntervalSet.of(NEXT, NEXT + 60), options=BaselineOptions())
    assert (f.method, f.joules, f.off_seconds) == (BaselineMethod.NONE, None, 60.0)


def test_combine_adds_targets_and_reports_mixed_methods() -> None:
    """A policy's forecast sums its targets; differing methods read as mixed."""
    off = IntervalSet.of(NEXT + 34 * 3600, NEXT + 35 * 3600)
    a = forecast.forecast_week(profile(2), off=off, options=BaselineOptions())
    b = forecast.forecast_week(
        profile(2), off=off, options=BaselineOptions(choice=BaselineChoice.TRAILING)
    )
    none = forecast.forecast_week(None, off=off, options=BaselineOptions())
    total = forecast.combine([a, b, none])
    assert total.joules == pytest.approx(34 * 3600.0 + 58 * 3600)
    assert total.off_seconds == 3 * 3600.0
    assert total.to_json_dict()["method"] == "mixed"
    assert forecast.combine([a, a]).method is BaselineMethod.HOUR_OF_WEEK
    assert forecast.combine([none]).joules is None
