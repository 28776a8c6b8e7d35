"""The grid of an energy read: exact equal steps, the step chosen from the data, the lookback."""

from __future__ import annotations

import pytest

from scheduler.core.kepler import resolution


@pytest.mark.parametrize(
    ("width", "target", "step"),
    [
        (3600.0, 30.0, 30.0),
        (563.0, 2.99, 2.815),
        (89.0, 12.714, 11.125),
        (86400.0, 120.0, 120.0),
        (7.0, 30.0, 7.0),
        (3601.0, 60.0, 55.4),
    ],
    ids=["hour", "coremark-span", "dec-span", "day", "shorter-than-target", "odd-seconds"],
)
def test_exact_step_divides_the_period_and_is_never_longer(
    width: float, target: float, step: float
) -> None:
    """Equal steps of whole milliseconds, the longest not above the target, fill the period."""
    chosen = resolution.exact_step(width, target=target)
    assert chosen == pytest.approx(step)
    assert chosen <= target or chosen == width
    assert round(width * 1000) % round(chosen * 1000) == 0


def test_gauge_steps_are_never_shorter_than_the_scrape_interval() -> None:
    """Kepler <=0.3 gauges are summed per step: the shortest exact step not below the
    target, or the whole period when it is shorter than one scrape."""
    assert resolution.exact_step(11594.0, target=16.1, gauges=True) == pytest.approx(17.0)
    assert resolution.exact_step(3600.0, target=15.0, gauges=True) == 15.0
    assert resolution.exact_step(10.0, target=15.0, gauges=True) == 10.0


def test_millisecond_bounds_without_a_divisor_are_refused_with_advice() -> None:
    """54.185 s has no whole-millisecond divisor near 3 s: the message says what to do."""
    with pytest.raises(resolution.NoExactStep, match="give --from and --until to the second"):
        resolution.exact_step(54.185, target=3.0)


@pytest.mark.parametrize(
    ("width", "scrape", "gauges", "target"),
    [
        (563.0, 2.99, False, 2.99),
        (86400.0, 30.0, False, 120.0),
        (60.0, None, False, 15.0),
        (10.0, 30.0, False, 10.0),
        (86400.0, 5.0, True, 120.0),
        (600.0, 30.0, True, 30.0),
    ],
    ids=[
        "short-at-scrape",
        "long-at-720-steps",
        "unknown-scrape",
        "shorter-than-scrape",
        "gauges-long",
        "gauges-short",
    ],
)
def test_auto_target_follows_the_scrape_interval_within_720_steps(
    width: float, scrape: float | None, gauges: bool, target: float
) -> None:
    """Short periods use the scrape interval, long ones at most 720 steps."""
    assert resolution.auto_target(width, scrape_interval=scrape, gauges=gauges) == target


def test_lookback_covers_a_few_scrapes_and_at_least_one_step() -> None:
    """2.5 scrape intervals (120 s when unknown), never less than the step."""
    assert resolution.lookback(3.0, scrape_interval=3.0) == 7.5
    assert resolution.lookback(300.0, scrape_interval=30.0) == 300.0
    assert resolution.lookback(60.0, scrape_interval=None) == 120.0
    assert resolution.lookback(300.0, scrape_interval=None) == 300.0
