"""Sample quantiles: the one definition every baseline uses (type 7, linear interpolation)."""

from __future__ import annotations

import pytest

from scheduler.core.energy.quantiles import PowerStats, power_stats, quantile


@pytest.mark.parametrize(
    ("q", "expected"),
    [(0.0, 1.0), (0.1, 1.3), (0.5, 2.5), (0.9, 3.7), (1.0, 4.0)],
    ids=["min", "p10", "median", "p90", "max"],
)
def test_quantile_interpolates_between_ranks(q: float, expected: float) -> None:
    """Four samples: rank h = 3q, interpolated linearly (p10 = 1 + 0.3 * (2 - 1))."""
    assert quantile([1.0, 2.0, 3.0, 4.0], q) == pytest.approx(expected)


def test_quantile_of_one_sample_is_that_sample() -> None:
    """A single sample is every quantile."""
    assert quantile([7.5], 0.1) == quantile([7.5], 0.9) == 7.5


def test_quantile_rejects_no_samples_and_bad_levels() -> None:
    """No samples and levels outside [0, 1] are errors, not zeros."""
    with pytest.raises(ValueError, match="no samples"):
        quantile([], 0.5)
    with pytest.raises(ValueError, match=r"within \[0, 1\], got 1.5"):
        quantile([1.0], 1.5)


def test_power_stats_sorts_and_counts_seconds() -> None:
    """Stats sort their input; seconds are samples times the step."""
    stats = power_stats([4.0, 1.0, 3.0, 2.0], step=300.0)
    assert stats == PowerStats(
        median=2.5, p10=pytest.approx(1.3), p90=pytest.approx(3.7), seconds=1200.0, samples=4
    )


def test_power_stats_of_nothing_is_none() -> None:
    """No samples means no stats (never a zero baseline)."""
    assert power_stats([], step=60.0) is None


def test_power_stats_json_round_trip() -> None:
    """Stats survive a JSON dict round trip."""
    stats = power_stats([1.0, 2.0, 9.0], step=60.0)
    assert stats is not None
    assert PowerStats.from_json_dict(stats.to_json_dict()) == stats


def test_hour_means_set_the_median_and_widen_the_range() -> None:
    """With hour means the median is theirs; p10/p90 of steps widen to include it."""
    stats = power_stats([0.0] * 10 + [6.0] * 2, step=300.0, hour_means=[1.0, 1.0, 1.2])
    assert stats is not None
    assert (stats.median, stats.p10, stats.p90, stats.hours) == (1.0, 0.0, pytest.approx(5.4), 3)
    flat = power_stats([2.0, 2.0], step=60.0, hour_means=[5.0])
    assert flat is not None
    assert (flat.p10, flat.median, flat.p90) == (2.0, 5.0, 5.0)
