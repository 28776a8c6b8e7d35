"""Per-step "fraction at zero" -> off intervals placed against their neighbours."""

from __future__ import annotations

import math

import pytest

from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.offstate import off_state
from scheduler.core.kepler.timeline import Timeline

LINE = Timeline(0.0, 100.0, 5)
NAN = math.nan


@pytest.mark.parametrize(
    ("fractions", "expected"),
    [
        ([0, 0, 1, 1, 0], [(200, 400)]),
        ([0, 0.25, 1, 0.5, 0], [(175, 350)]),
        ([1, 0.5, 1, 0, 0], [(0, 125), (175, 300)]),
        ([0, 0, 0.2, 0, 0], [(240, 260)]),
    ],
    ids=["whole-steps", "transitions", "brief-on-between-offs", "isolated"],
)
def test_partial_steps_sit_against_off_neighbours(
    fractions: list[float], expected: list[tuple[float, float]]
) -> None:
    """A partial step's off time touches the neighbouring off step (the transition side)."""
    state = off_state(LINE, fractions)
    assert state.off == IntervalSet(expected)
    assert state.off.total() == pytest.approx(sum(fractions) * 100)


def test_unobserved_steps_are_neither_on_nor_off() -> None:
    """NaN steps are missing from ``observed`` and from ``off``."""
    state = off_state(LINE, [1, NAN, NAN, 0, 1])
    assert state.observed == IntervalSet([(0, 100), (300, 500)])
    assert state.off == IntervalSet([(0, 100), (400, 500)])


def test_fraction_count_must_match_the_timeline() -> None:
    """One fraction per step, or a clear error."""
    with pytest.raises(ValueError, match="expected 5 step fractions, got 2"):
        off_state(LINE, [0, 1])
