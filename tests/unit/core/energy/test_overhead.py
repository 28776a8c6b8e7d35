"""Overhead of offhours and Flux: measured, gaps filled, unknown when unmeasured."""

from __future__ import annotations

import math
from array import array

import pytest

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.overhead import measure_overhead, measure_part
from scheduler.core.intervals import Interval

NAN = math.nan


def grid(values: list[float]) -> EnergyGrid:
    return EnergyGrid(0, 10, array("d", values))


def test_gaps_are_filled_at_the_mean_measured_power() -> None:
    """3 J over 30 covered seconds is 0.1 W; the 10 s gap adds 1 J: 4 J."""
    part = measure_part("flux-system", grid([1, 1, NAN, 1]), period=Interval(0, 40))
    assert (part.measured_joules, part.covered_seconds) == (3.0, 30.0)
    assert part.mean_watts == pytest.approx(0.1)
    assert part.joules == pytest.approx(4.0)
    assert part.coverage == 0.75


def test_period_edges_pro_rate_steps() -> None:
    """Period [5, 25): half of step 0, all of step 1, half of step 2."""
    part = measure_part("offhours", grid([2, 4, 6, 8]), period=Interval(5, 25))
    assert part.measured_joules == 1 + 4 + 3
    assert part.period_seconds == 20.0


def test_a_part_without_data_makes_the_overhead_unknown() -> None:
    """No data at all: overhead None (not zero), with a note."""
    overhead = measure_overhead(
        {"flux-system": grid([NAN] * 4), "offhours": grid([1] * 4)}, period=Interval(0, 40)
    )
    assert overhead.joules is None
    assert "flux-system: no energy data in the period, overhead unknown" in overhead.notes


def test_parts_add_up_and_are_labelled_an_upper_bound() -> None:
    """Flux 4 J + offhours 8 J = 12 J, reported as an upper bound."""
    overhead = measure_overhead(
        {"flux-system": grid([1] * 4), "offhours": grid([2] * 4)}, period=Interval(0, 40)
    )
    assert overhead.joules == 12.0
    assert overhead.notes[0].startswith("upper bound")
    assert [p["name"] for p in overhead.to_json_dict()["parts"]] == ["flux-system", "offhours"]


def test_no_parts_is_zero_and_says_why() -> None:
    """offhours run outside the cluster and no Flux pods: 0 J, with a note."""
    overhead = measure_overhead({}, period=Interval(0, 40))
    assert overhead.joules == 0.0
    assert any("no offhours or flux-system pods measured" in n for n in overhead.notes)
