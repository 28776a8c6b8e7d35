"""The report: three figures kept apart, net = headline minus overhead, JSON contract."""

from __future__ import annotations

import json
import math
from array import array
from datetime import UTC, datetime

import pytest

from scheduler.core.energy import ccf, nodes
from scheduler.core.energy.baseline import BaselineChoice, BaselineOptions
from scheduler.core.energy.conversions import ConversionFactors
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.overhead import measure_overhead
from scheduler.core.energy.quantiles import PowerStats
from scheduler.core.energy.report import FigureKind, SavingsReport, iso
from scheduler.core.energy.savings import estimate_savings
from scheduler.core.energy.targets import TargetSavings
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.workloads import WorkloadRef

T0 = datetime(2025, 1, 6, tzinfo=UTC).timestamp()
OPTIONS = BaselineOptions(
    choice=BaselineChoice.TRAILING,
    settle_seconds=0,
    trailing_lookback_seconds=40,
    min_trailing_seconds=0,
)
WINDOW = IntervalSet.of(T0 + 40, T0 + 60)
PERIOD = Interval(T0, T0 + 60)


def grid(values: list[float]) -> EnergyGrid:
    return EnergyGrid(T0, 10, array("d", values))


def report(*, node_scale: float = 1.0) -> SavingsReport:
    web = estimate_savings(
        grid([10, 10, 10, 10, 0, 0]), windows=WINDOW, period=PERIOD, options=OPTIONS
    )
    comparison = nodes.compare_nodes(
        {"node-0": grid([x * node_scale for x in (100, 100, 100, 100, 60, 60)])},
        windows=WINDOW,
        period=PERIOD,
        options=OPTIONS,
    )
    removed = nodes.nodes_removed(
        nodes.NodeCounts(T0, 10, array("d", [3, 3, 3, 3, 2, 2])),
        node_watts=PowerStats(50.0 * node_scale, 40.0, 60.0 * node_scale, 100.0, 10),
        windows=WINDOW,
        period=PERIOD,
        options=OPTIONS,
    )
    return SavingsReport(
        period=PERIOD,
        kepler_schema="0.10+",
        zones=("package", "dram"),
        options=OPTIONS,
        factors=ConversionFactors(),
        targets=(TargetSavings(WorkloadRef("Deployment", "dev", "web"), "nights", web),),
        overhead=measure_overhead({"flux-system": grid([0.5] * 6)}, period=PERIOD),
        node_comparison=comparison,
        nodes_removed=removed,
    )


def test_net_is_headline_minus_overhead_only() -> None:
    """20 J avoided minus 3 J of Flux: 17 J net; node figures play no part."""
    r = report()
    assert r.totals.saved_joules == 20.0
    assert r.overhead.joules == 3.0
    assert r.net_saved_joules == 17.0


def test_the_three_figures_are_never_summed() -> None:
    """Scaling the node figures a thousandfold changes them and nothing else."""
    small, large = report().to_json_dict(), report(node_scale=1000.0).to_json_dict()
    assert small["nodes"] != large["nodes"]
    for key in ("totals", "byPolicy", "byNamespace", "targets", "netSavedJoules", "net"):
        assert small[key] == large[key]
    assert small["totals"]["savedJoules"] == 20.0
    assert small["nodes"]["comparison"]["differenceJoules"] == 80.0
    assert small["nodes"]["removed"]["savedJoules"] == 1000.0


def test_json_contract() -> None:
    """The report serialises to strict JSON with the contract's keys."""
    data = report().to_json_dict(include_windows=True)
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["from"] == "2025-01-06T00:00:00Z"
    for key in (
        "from",
        "until",
        "keplerSchema",
        "baselineMethod",
        "targets",
        "totals",
        "overheadJoules",
        "netSavedJoules",
        "nodes",
    ):
        assert key in data
    for key in ("savedJoules", "savedKWh", "co2eGrams", "cost"):
        assert key in data["totals"]
    assert data["baselineMethod"] == "trailing"
    assert set(data["figures"]) == {str(k) for k in FigureKind}
    assert data["targets"][0]["windows"][0]["savedJoules"] == 20.0
    assert data["net"]["savedJoules"] == 17.0


def test_unknown_overhead_makes_net_unknown() -> None:
    """Flux without data: overhead unknown, so no net figure rather than a flattering one."""
    r = report()
    unmeasured = measure_overhead({"flux-system": grid([math.nan] * 6)}, period=PERIOD)
    r2 = SavingsReport(**{**r.__dict__, "overhead": unmeasured})
    assert r2.net_saved_joules is None
    assert r2.to_json_dict()["net"]["co2eGrams"] is None


def test_without_kepler_the_headline_says_estimated() -> None:
    """A CCF estimate relabels the headline and the method."""
    e = ccf.estimate_without_kepler(
        cpu_cores=1, windows=WINDOW, period=PERIOD, row=ccf.coefficients("aws")
    )
    r = SavingsReport(
        period=PERIOD,
        kepler_schema=None,
        zones=(),
        options=OPTIONS,
        factors=ConversionFactors(),
        targets=(TargetSavings(WorkloadRef("Deployment", "dev", "web"), "nights", e),),
        overhead=measure_overhead({}, period=PERIOD),
    )
    data = r.to_json_dict()
    assert data["headline"].startswith("estimated, no Kepler")
    assert data["baselineMethod"] == "ccf-estimate"
    assert data["nodes"] == {
        "comparison": None,
        "removed": None,
        "removedNote": "no node was removed during the off windows (or no node data)",
    }
    assert data["totals"]["savedJoules"] == pytest.approx(2.12 * 20)


def test_iso_is_utc_with_z() -> None:
    """Instants print as RFC 3339 UTC."""
    assert iso(0.0) == "1970-01-01T00:00:00Z"
