"""Node figures (2) and (3): observational comparison and removed nodes, kept apart."""

from __future__ import annotations

import math
from array import array

import pytest

from scheduler.core.energy import nodes
from scheduler.core.energy.baseline import BaselineChoice, BaselineOptions
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.quantiles import PowerStats
from scheduler.core.intervals import Interval, IntervalSet

OPTIONS = BaselineOptions(
    choice=BaselineChoice.TRAILING,
    settle_seconds=0,
    trailing_lookback_seconds=40,
    min_trailing_seconds=0,
)
WINDOW = IntervalSet.of(40, 60)
PERIOD = Interval(0, 60)


def grid(values: list[float]) -> EnergyGrid:
    return EnergyGrid(0, 10, array("d", values))


def test_node_comparison_sets_measured_off_energy_against_on_windows() -> None:
    """Node at 10 W while on, 6 W while off: 200 J comparable vs 120 J measured."""
    figure = nodes.compare_nodes(
        {"node-0": grid([100, 100, 100, 100, 60, 60])},
        windows=WINDOW,
        period=PERIOD,
        options=OPTIONS,
    )
    assert figure is not None
    assert (figure.comparable_joules, figure.measured_joules) == (200.0, 120.0)
    assert figure.difference_joules == 80.0
    data = figure.to_json_dict()
    assert data["comparisonWindows"] == [[0.0, 40.0]]
    assert data["label"].startswith("measured node energy in off windows")
    assert data["nodes"][0]["comparableWatts"] == 10.0


def test_no_node_data_no_comparison() -> None:
    """Without node grids figure (2) is absent."""
    assert nodes.compare_nodes({}, windows=WINDOW, period=PERIOD, options=OPTIONS) is None


def test_node_power_pools_present_nodes_in_the_off_windows() -> None:
    """Per-node step power of the steps inside the windows: 6, 6, 4, 4 W (NaN ignored)."""
    stats = nodes.node_power(
        {
            "a": grid([1, 1, 1, 1, 60, 60]),
            "b": grid([1, 1, 1, 1, 40, 40]),
            "gone": grid([1, 1, 1, 1, math.nan, math.nan]),
        },
        windows=WINDOW,
        period=PERIOD,
    )
    assert stats is not None
    assert (stats.median, stats.samples) == (5.0, 4)


def counts(values: list[float]) -> nodes.NodeCounts:
    return nodes.NodeCounts(0, 10, array("d", values))


def test_removed_nodes_times_node_power() -> None:
    """3 nodes on, 2 in the 20 s off window: 20 node-seconds x 50 W = 1000 J."""
    watts = PowerStats(median=50.0, p10=40.0, p90=60.0, seconds=100.0, samples=10)
    figure = nodes.nodes_removed(
        counts([3, 3, 3, 3, 2, 2]),
        node_watts=watts,
        windows=WINDOW,
        period=PERIOD,
        options=OPTIONS,
    )
    assert figure is not None
    assert figure.removed_node_seconds == 20.0
    assert figure.saved_joules == 1000.0
    data = figure.to_json_dict()
    assert (data["savedJoulesLow"], data["savedJoulesHigh"]) == (800.0, 1200.0)
    assert (data["baselineNodes"], data["offNodes"]) == (3.0, 2.0)
    assert data["label"].startswith("node energy saved by nodes actually removed")


@pytest.mark.parametrize(
    "values", [[3, 3, 3, 3, 3, 3], [3, 3, 3, 3, 4, 4]], ids=["unchanged", "added"]
)
def test_no_removal_no_figure(values: list[float]) -> None:
    """Figure (3) appears only when the node count actually dropped."""
    watts = PowerStats(median=50.0, p10=40.0, p90=60.0, seconds=100.0, samples=10)
    assert (
        nodes.nodes_removed(
            counts(values), node_watts=watts, windows=WINDOW, period=PERIOD, options=OPTIONS
        )
        is None
    )


def test_no_node_power_no_removal_figure() -> None:
    """Without measured node power there is nothing to multiply with."""
    assert (
        nodes.nodes_removed(
            counts([3, 3, 3, 3, 2, 2]),
            node_watts=None,
            windows=WINDOW,
            period=PERIOD,
            options=OPTIONS,
        )
        is None
    )
