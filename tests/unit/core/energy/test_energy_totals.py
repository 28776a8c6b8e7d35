"""Totals per policy, namespace and overall keep unestimated targets out and counted."""

from __future__ import annotations

import math
from array import array

import pytest

from scheduler.core.energy.baseline import BaselineChoice, BaselineOptions
from scheduler.core.energy.conversions import ConversionFactors
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.savings import estimate_savings
from scheduler.core.energy.targets import TargetSavings, by_namespace, by_policy, summarise
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.workloads import WorkloadRef

OPTIONS = BaselineOptions(
    choice=BaselineChoice.TRAILING,
    settle_seconds=0,
    trailing_lookback_seconds=20,
    min_trailing_seconds=0,
)


def target(ns: str, name: str, policy: str, values: list[float]) -> TargetSavings:
    e = estimate_savings(
        EnergyGrid(0, 10, array("d", values)),
        windows=IntervalSet.of(20, 40),
        period=Interval(0, 40),
        options=OPTIONS,
    )
    return TargetSavings(WorkloadRef("Deployment", ns, name), policy, e)


def fleet() -> list[TargetSavings]:
    return [
        target("dev", "a", "nights", [10, 10, 0, 0]),  # saves 20 J
        target("dev", "b", "weekends", [20, 20, 5, 5]),  # saves 40 - 10 = 30 J
        target("qa", "c", "nights", [math.nan] * 4),  # no baseline
    ]


def test_summarise_adds_estimated_targets_and_counts_the_rest() -> None:
    """20 J + 30 J saved; the target without a baseline is counted, not added as 0."""
    totals = summarise(fleet())
    assert (totals.targets, totals.targets_estimated, totals.targets_not_estimated) == (3, 2, 1)
    assert totals.saved_joules == 50.0
    assert totals.baseline_joules == 60.0
    assert totals.residual_joules == 10.0
    assert totals.off_seconds == 60.0
    assert totals.coverage == pytest.approx(40.0 / 60.0)


def test_nothing_estimated_totals_none() -> None:
    """When no target could be estimated the total is None, never 0."""
    totals = summarise([fleet()[2]])
    assert totals.saved_joules is None
    assert totals.to_json_dict(ConversionFactors())["co2eGrams"] is None


def test_groups_by_policy_and_namespace() -> None:
    """Policy and namespace groups are sorted and hold their own sums."""
    policies = by_policy(fleet())
    namespaces = by_namespace(fleet())
    assert list(policies) == ["nights", "weekends"]
    assert policies["nights"].saved_joules == 20.0
    assert policies["nights"].targets_not_estimated == 1
    assert namespaces["dev"].saved_joules == 50.0
    assert namespaces["qa"].saved_joules is None


def test_totals_json_converts_point_low_and_high() -> None:
    """kWh, CO2e and cost come from the saved joules; low and high CO2e too."""
    data = summarise(fleet()).to_json_dict(ConversionFactors(pue=2.0))
    assert data["savedJoules"] == 50.0
    assert data["savedKWh"] == pytest.approx(50.0 / 3.6e6)
    assert data["co2eGrams"] == pytest.approx(50.0 / 3.6e6 * 2.0 * 480.0)
    assert data["co2eGramsLow"] is not None
    assert data["currency"] == "EUR"


def test_target_row_follows_the_report_contract() -> None:
    """A target row has the contract's keys and null where nothing was estimated."""
    row = fleet()[2].to_json_dict()
    for key in (
        "kind",
        "namespace",
        "name",
        "policy",
        "offSeconds",
        "baselineWatts",
        "baselineWattsP10",
        "baselineWattsP90",
        "savedJoules",
        "savedJoulesLow",
        "savedJoulesHigh",
        "residualJoules",
        "coverage",
    ):
        assert key in row
    assert (row["savedJoules"], row["baselineWatts"], row["method"]) == (None, None, "none")
    assert "windows" in fleet()[0].to_json_dict(include_windows=True)
