"""Savings per target on small grids verified on paper, and every edge case."""

from __future__ import annotations

import math
from array import array
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from scheduler.core.energy import baseline
from scheduler.core.energy.baseline import BaselineChoice, BaselineMethod, BaselineOptions
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.savings import estimate_savings
from scheduler.core.intervals import Interval, IntervalSet

NAN = math.nan
TRAILING = BaselineOptions(
    choice=BaselineChoice.TRAILING,
    settle_seconds=0,
    trailing_lookback_seconds=20,
    min_trailing_seconds=0,
)


def grid(values: list[float], *, step: float = 10.0, start: float = 0.0) -> EnergyGrid:
    return EnergyGrid(start, step, array("d", values))


def test_four_steps_residual_above_baseline_is_reported_negative() -> None:
    """Watts 1, 2 | 3, 4 with [20, 40) off: baseline 1.5 W x 20 s = 30 J, residual 70 J, -40 J."""
    e = estimate_savings(
        grid([10, 20, 30, 40]),
        windows=IntervalSet.of(20, 40),
        period=Interval(0, 40),
        options=TRAILING,
    )
    assert e.method is BaselineMethod.TRAILING
    assert (e.baseline_joules, e.baseline_joules_low, e.baseline_joules_high) == (
        30.0,
        pytest.approx(22.0),
        pytest.approx(38.0),
    )
    assert e.residual_joules == 70.0
    assert e.saved_joules == -40.0
    assert e.saved_joules_low == pytest.approx(-48.0)
    assert e.saved_joules_high == pytest.approx(-32.0)
    assert (e.baseline_watts, e.baseline_watts_p10, e.baseline_watts_p90) == (
        1.5,
        pytest.approx(1.1),
        pytest.approx(1.9),
    )
    assert e.coverage == 1.0
    assert any(n.startswith("residual exceeds baseline: 70 J") for n in e.notes)


def test_partially_covered_step_is_pro_rated() -> None:
    """Off [25, 40): half of step 2 (4 J) counts 2 J; baseline 1 W x 15 s; saved 15 - 4 = 11 J."""
    e = estimate_savings(
        grid([10, 10, 4, 2]),
        windows=IntervalSet.of(25, 40),
        period=Interval(0, 40),
        options=TRAILING,
    )
    assert e.off_seconds == 15.0
    assert e.baseline_joules == 15.0
    assert e.residual_joules == 4.0
    assert e.saved_joules == 11.0
    assert [w.saved_joules for w in e.windows] == [11.0]


def test_nan_off_steps_are_uncovered_not_zero_residual() -> None:
    """A NaN step in the off window is left out of both sides and lowers the coverage."""
    e = estimate_savings(
        grid([10, 10, NAN, 2]),
        windows=IntervalSet.of(20, 40),
        period=Interval(0, 40),
        options=TRAILING,
    )
    assert (e.covered_seconds, e.no_data_seconds) == (10.0, 10.0)
    assert e.baseline_joules == 10.0
    assert e.residual_joules == 2.0
    assert e.saved_joules == 8.0
    assert e.coverage == 0.5
    assert any("no energy data for 50.0 % of off time" in n for n in e.notes)


def test_all_nan_grid_has_no_baseline_and_no_estimate() -> None:
    """Without any data: method none, savings None (not 0), coverage 0."""
    e = estimate_savings(
        grid([NAN] * 4),
        windows=IntervalSet.of(20, 40),
        period=Interval(0, 40),
        options=BaselineOptions(settle_seconds=0),
    )
    assert e.method is BaselineMethod.NONE
    assert e.saved_joules is None
    assert e.saved_joules_low is None
    assert e.baseline_watts is None
    assert e.coverage == 0.0
    assert e.measured_joules is None
    assert e.notes[0].startswith("no on-time history: no baseline")


def test_no_on_time_history_is_an_explicit_no_baseline() -> None:
    """Off for the whole grid: nothing to compare with, but the measured residual is kept."""
    e = estimate_savings(
        grid([1, 1, 1, 1]),
        windows=IntervalSet.of(0, 40),
        period=Interval(0, 40),
        options=BaselineOptions(settle_seconds=0),
    )
    assert e.method is BaselineMethod.NONE
    assert e.saved_joules is None
    assert e.no_baseline_seconds == 40.0
    assert e.measured_joules == 4.0
    assert e.estimated is False


def test_off_window_partially_outside_the_period_is_clipped() -> None:
    """Period [0, 30), window [20, 40): only [20, 30) counts."""
    e = estimate_savings(
        grid([10, 10, 4, 2]),
        windows=IntervalSet.of(20, 40),
        period=Interval(0, 30),
        options=TRAILING,
    )
    assert e.off_seconds == 10.0
    assert e.baseline_joules == 10.0
    assert e.saved_joules == 6.0


def test_off_time_beyond_the_grid_counts_as_no_data() -> None:
    """Grid [0, 40), window [30, 60): 20 s outside the grid are uncovered."""
    e = estimate_savings(
        grid([10, 10, 10, 2]),
        windows=IntervalSet.of(30, 60),
        period=Interval(0, 60),
        options=TRAILING,
    )
    assert (e.off_seconds, e.covered_seconds, e.no_data_seconds) == (30.0, 10.0, 20.0)
    assert e.saved_joules == 8.0


def test_never_off_saves_exactly_zero() -> None:
    """No off windows: savings are 0 (nothing avoided), coverage undefined."""
    e = estimate_savings(
        grid([10, 10]), windows=IntervalSet(), period=Interval(0, 20), options=TRAILING
    )
    assert e.saved_joules == 0.0
    assert e.coverage is None
    assert e.estimated is True


def test_too_little_trailing_history_leaves_window_without_baseline() -> None:
    """A window whose lookback holds too little on-time has no baseline; others still count."""
    options = BaselineOptions(
        choice=BaselineChoice.TRAILING,
        settle_seconds=0,
        trailing_lookback_seconds=20,
        min_trailing_seconds=20,
    )
    e = estimate_savings(
        grid([10, 30, 10, 10, 10, 10, 3, 3]),
        windows=IntervalSet([(10, 20), (60, 80)]),
        period=Interval(0, 80),
        options=options,
    )
    assert e.no_baseline_seconds == 10.0
    assert e.covered_seconds == 20.0
    assert e.saved_joules == 20.0 - 6.0
    assert any("no baseline for 33.3 % of off time" in n for n in e.notes)


def test_settle_margin_keeps_start_up_tails_out_of_the_baseline() -> None:
    """A 9 W start-up step after a window lifts the hour's mean (2.6 W) unless settled."""
    values = [10, 10, 10, 0, 0, 90, 10, 10, 10, 10, 0, 0]
    windows = IntervalSet([(30, 50), (100, 120)])
    common = {
        "choice": BaselineChoice.TRAILING,
        "trailing_lookback_seconds": 60,
        "min_trailing_seconds": 0,
    }
    loose = estimate_savings(
        grid(values),
        windows=windows,
        period=Interval(100, 120),
        options=BaselineOptions(settle_seconds=0, **common),
    )
    settled = estimate_savings(
        grid(values),
        windows=windows,
        period=Interval(100, 120),
        options=BaselineOptions(settle_seconds=10, **common),
    )
    assert loose.baseline_watts == pytest.approx(2.6)
    assert loose.baseline_watts_p90 == pytest.approx(5.8)
    assert settled.baseline_watts == settled.baseline_watts_p90 == 1.0


def test_actual_off_time_is_not_history() -> None:
    """Zero replicas seen by kube-state-metrics outside the intended windows are not on-time."""
    e = estimate_savings(
        grid([10, 0, 10, 10, 2]),
        windows=IntervalSet.of(40, 50),
        period=Interval(0, 50),
        options=BaselineOptions(
            choice=BaselineChoice.TRAILING,
            settle_seconds=0,
            trailing_lookback_seconds=40,
            min_trailing_seconds=0,
        ),
        actual_off=IntervalSet.of(10, 20),
    )
    assert e.history_seconds == 30.0
    assert e.baseline_joules == 10.0
    assert e.comparison == IntervalSet([(0, 10), (20, 40)])


MONDAY = datetime(2025, 1, 6, tzinfo=UTC).timestamp()


def weekly(weeks: int, *, tz: ZoneInfo | None = None) -> list[float]:
    """Hourly joules whose power equals the bin number (so the baseline is readable)."""
    from scheduler.core.energy.weekhours import hour_of_week

    zone = tz or UTC
    return [float(hour_of_week(MONDAY + (i + 0.5) * 3600, zone)) * 3600 for i in range(168 * weeks)]


HOW = BaselineOptions(choice=BaselineChoice.HOUR_OF_WEEK, settle_seconds=0, min_bin_seconds=3600)


def test_hour_of_week_uses_each_hours_median() -> None:
    """Week 3, Tue 10:00-12:00 off: baseline = (34 + 35) W x 3600 s, residual 0."""
    values = weekly(3)
    start = MONDAY + (2 * 168 + 34) * 3600
    values[2 * 168 + 34] = values[2 * 168 + 35] = 0.0
    e = estimate_savings(
        grid(values, step=3600, start=MONDAY),
        windows=IntervalSet.of(start, start + 7200),
        period=Interval(MONDAY, MONDAY + 3 * 7 * 86400),
        options=HOW,
    )
    assert e.method is BaselineMethod.HOUR_OF_WEEK
    assert e.baseline_joules == (34 + 35) * 3600.0
    assert e.baseline_joules_low == e.baseline_joules_high == e.baseline_joules
    assert e.saved_joules == (34 + 35) * 3600.0
    assert e.fallback_seconds == 0.0


def test_thin_bin_falls_back_to_trailing_and_says_so() -> None:
    """Bin 35 without history: trailing weekday 11:00 hours of the past week (11, 59, 83, 107 W)."""
    values = weekly(3)
    values[35] = values[168 + 35] = NAN
    start = MONDAY + (2 * 168 + 34) * 3600
    values[2 * 168 + 34] = values[2 * 168 + 35] = 0.0
    e = estimate_savings(
        grid(values, step=3600, start=MONDAY),
        windows=IntervalSet.of(start, start + 7200),
        period=Interval(MONDAY, MONDAY + 3 * 7 * 86400),
        options=HOW,
    )
    assert e.baseline_joules == (34 + 71) * 3600.0
    assert e.fallback_seconds == 3600.0
    assert e.unmatched_seconds == 0.0
    assert any(n.startswith("trailing fallback for 50.0 % of off time") for n in e.notes)


def test_trailing_without_the_same_hour_uses_the_plain_median_and_says_so() -> None:
    """No weekday 11:00 on-time at all: the plain median of the lookback (85 W), flagged."""
    values = weekly(3)
    for week in range(3):
        for day in range(5):
            values[week * 168 + day * 24 + 11] = NAN
    start = MONDAY + (2 * 168 + 34) * 3600
    values[2 * 168 + 34] = values[2 * 168 + 35] = 0.0
    e = estimate_savings(
        grid(values, step=3600, start=MONDAY),
        windows=IntervalSet.of(start, start + 7200),
        period=Interval(MONDAY, MONDAY + 3 * 7 * 86400),
        options=HOW,
    )
    assert e.baseline_joules == (34 + 85) * 3600.0
    assert (e.fallback_seconds, e.unmatched_seconds) == (3600.0, 3600.0)
    assert any("plain trailing median used, which ignores the daily cycle" in n for n in e.notes)


def test_hour_of_week_bins_follow_the_policy_zone_across_dst() -> None:
    """Berlin, history over the 2025-03-30 change: Monday 09:00 local after it gets bin 9."""
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2025, 3, 17, tzinfo=berlin).timestamp()
    from scheduler.core.energy.weekhours import hour_of_week

    values = [float(hour_of_week(start + (i + 0.5) * 3600, berlin)) * 3600 for i in range(3 * 168)]
    nine = datetime(2025, 3, 31, 9, tzinfo=berlin).timestamp()
    i = int((nine - start) // 3600)
    values[i] = 0.0
    e = estimate_savings(
        grid(values, step=3600, start=start),
        windows=IntervalSet.of(nine, nine + 3600),
        period=Interval(start, start + 3 * 168 * 3600),
        options=BaselineOptions(tz=berlin, choice=BaselineChoice.HOUR_OF_WEEK, settle_seconds=0),
    )
    assert e.baseline_joules == 9 * 3600.0
    assert e.fallback_seconds == 0.0


def test_stored_profile_replaces_the_grids_bins() -> None:
    """A profile stored before adoption gives the night bins the grid no longer has."""
    history = grid(weekly(2), step=3600, start=MONDAY)
    h = baseline.on_time_history(history, excluded=IntervalSet(), settle_seconds=0)
    profile = baseline.build_profile(h, steps=336, tz=UTC)
    later = MONDAY + 4 * 168 * 3600
    flat = grid([3600.0] * 168, step=3600, start=later)
    window = IntervalSet.of(later + 2 * 3600, later + 3 * 3600)
    e = estimate_savings(
        flat,
        windows=window,
        period=Interval(later, later + 168 * 3600),
        options=BaselineOptions(settle_seconds=0),
        profile=profile,
    )
    assert e.method is BaselineMethod.HOUR_OF_WEEK
    assert e.baseline_joules == 2 * 3600.0


def test_auto_picks_hour_of_week_with_two_weeks_and_trailing_with_less() -> None:
    """auto: 3 weeks of hourly history -> hour-of-week; 1 week -> trailing."""
    long = estimate_savings(
        grid(weekly(3), step=3600, start=MONDAY),
        windows=IntervalSet.of(MONDAY + 500 * 3600, MONDAY + 501 * 3600),
        period=Interval(MONDAY, MONDAY + 504 * 3600),
        options=BaselineOptions(settle_seconds=0),
    )
    short = estimate_savings(
        grid(weekly(1), step=3600, start=MONDAY),
        windows=IntervalSet.of(MONDAY + 160 * 3600, MONDAY + 161 * 3600),
        period=Interval(MONDAY, MONDAY + 168 * 3600),
        options=BaselineOptions(settle_seconds=0),
    )
    assert long.method is BaselineMethod.HOUR_OF_WEEK
    assert short.method is BaselineMethod.TRAILING
    assert short.notes[0].startswith("trailing baseline: median over the on-time in the 14 d")


def test_windows_are_reported_one_by_one() -> None:
    """Each off window carries its own arithmetic."""
    e = estimate_savings(
        grid([10, 10, 0, 10, 10, 0]),
        windows=IntervalSet([(20, 30), (50, 60)]),
        period=Interval(0, 60),
        options=TRAILING,
    )
    assert [(w.start, w.end, w.saved_joules) for w in e.windows] == [(20, 30, 10.0), (50, 60, 10.0)]
    assert e.windows[0].to_json_dict()["savedJoules"] == 10.0


def test_duty_cycled_workload_counts_its_hourly_mean() -> None:
    """A job at 6 W for 10 of every 60 minutes: baseline 1 W (the step median would be 0 W)."""
    hour = [1800.0, 1800.0] + [0.0] * 10
    values = hour * 24 * 7 + [0.0] * 12
    start = MONDAY
    off = start + 168 * 3600
    e = estimate_savings(
        grid(values, step=300, start=start),
        windows=IntervalSet.of(off, off + 3600),
        period=Interval(start, off + 3600),
        options=BaselineOptions(choice=BaselineChoice.TRAILING, settle_seconds=0),
    )
    assert e.baseline_watts == pytest.approx(1.0)
    assert (e.baseline_watts_p10, e.baseline_watts_p90) == (0.0, pytest.approx(6.0))
    assert e.saved_joules == pytest.approx(3600.0)
