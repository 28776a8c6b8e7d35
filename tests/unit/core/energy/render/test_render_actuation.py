"""Lag between intended (ledger) and actual (kube-state-metrics) off time."""

from __future__ import annotations

import pytest

from scheduler.core.energy.render.actuation import actuation
from scheduler.core.intervals import Interval, IntervalSet

PERIOD = Interval(0.0, 100_000.0)
SEEN = IntervalSet.of(0.0, 100_000.0)


def test_lags_are_actual_minus_intended_edges() -> None:
    """Sleep and wake lags per window, their medians and maxima, overlap and outside time."""
    intended = IntervalSet([(1000, 5000), (20_000, 30_000)])
    actual = IntervalSet([(1060, 5090), (20_030, 30_120)])
    a = actuation(intended, actual, observed=SEEN, period=PERIOD)
    assert a.sleep_lags == (60, 30)
    assert a.wake_lags == (90, 120)
    assert (a.sleep_lag_median, a.wake_lag_max) == (45, 120)
    assert a.overlap_seconds == pytest.approx(3940 + 9970)
    assert a.outside_seconds == pytest.approx(90 + 120)
    assert (a.windows, a.missed, a.unobserved) == (2, 0, 0)


def test_missed_and_unobserved_windows() -> None:
    """No zero replicas in an observed window is missed; a window without samples has no lag."""
    intended = IntervalSet([(1000, 2000), (50_000, 60_000)])
    observed = IntervalSet.of(0.0, 40_000.0)
    a = actuation(intended, IntervalSet(), observed=observed, period=PERIOD)
    assert (a.missed, a.unobserved, a.sleep_lags) == (1, 1, ())
    assert a.sleep_lag_median is None


def test_edges_at_the_end_of_the_data_are_unknown() -> None:
    """An off interval running into the end of the state data gives no wake lag."""
    intended = IntervalSet([(1000, 5000)])
    actual = IntervalSet([(1060, 8000)])
    a = actuation(intended, actual, observed=IntervalSet.of(0.0, 8000.0), period=PERIOD)
    assert (a.sleep_lags, a.wake_lags) == ((60,), ())
