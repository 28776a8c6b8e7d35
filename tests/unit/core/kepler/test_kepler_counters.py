"""Counter values at grid points -> joules per step: deltas, resets, gaps, new series."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest

from scheduler.core.kepler.counters import CounterLedger, ResetPolicy, integrate_counter
from scheduler.core.kepler.edges import Horizon, StartRule
from scheduler.testing import recordings

DATA = Path(__file__).resolve().parents[3] / "data" / "kepler"
NAN = math.nan


def _ledger(
    steps: int = 6,
    *,
    policy: ResetPolicy = ResetPolicy.FROM_ZERO,
    covered: bytes | None = None,
    bound: list[float] | None = None,
) -> tuple[CounterLedger, array[float]]:
    ledger = CounterLedger(
        policy=policy,
        covered=bytearray(covered if covered is not None else b"\x01" * (steps + 1)),
        bound=array("d", bound) if bound is not None else None,
    )
    return ledger, array("d", bytes(8 * steps))


def _same(grid: array[float], expected: list[float]) -> None:
    assert [repr(v) for v in grid] == [repr(float(v)) for v in expected]


def test_consecutive_points_give_exact_deltas() -> None:
    """Step i holds v(i+1) - v(i); the value at point 0 is only a baseline."""
    ledger, grid = _ledger(3)
    fed = ledger.feed("k", [0, 1, 2, 3], [10.0, 12.5, 12.5, 20.0], sinks=[grid])
    _same(grid, [2.5, 0.0, 7.5])
    assert (fed.joules, fed.steps, fed.unknown, fed.started) == (10.0, 3, 0, False)
    assert (fed.rule, fed.last_change) == (StartRule.BEFORE, 3)


def test_a_drop_is_a_restart_counted_from_zero() -> None:
    """FROM_ZERO: after 100 -> 3 the step gets 3 (energy since the restart)."""
    ledger, grid = _ledger(3)
    ledger.feed("k", [0, 1, 2, 3], [90.0, 100.0, 3.0, 5.0], sinks=[grid])
    _same(grid, [10.0, 3.0, 2.0])


def test_rebase_marks_the_reset_step_unknown() -> None:
    """REBASE (0.10 node counters): the drop step is NaN, the new value a baseline."""
    ledger, grid = _ledger(3, policy=ResetPolicy.REBASE)
    ledger.feed("k", [0, 1, 2, 3], [90.0, 100.0, 3.0, 5.0], sinks=[grid])
    _same(grid, [10.0, NAN, 2.0])


def test_new_series_counts_from_zero_only_after_covered_points() -> None:
    """A series first seen at point 2 started inside step 1 if Kepler was scraped at point 1."""
    ledger, grid = _ledger(3)
    fed = ledger.feed("k", [2, 3], [4.0, 6.0], sinks=[grid])
    _same(grid, [0.0, 4.0, 2.0])
    assert fed.started
    assert fed.rule is StartRule.STARTED_NEW
    unseen, grid2 = _ledger(3, covered=b"\x01\x00\x01\x01")
    fed2 = unseen.feed("k", [2, 3], [4000.0, 4002.0], sinks=[grid2])
    _same(grid2, [0.0, 0.0, 2.0])
    assert fed2.rule is StartRule.NO_EARLIER_DATA


def test_pod_start_time_decides_before_the_scrape_heuristic() -> None:
    """With kube_pod_start_time: a pod started after the previous point's lookback began is
    counted from zero even where Kepler data begins (and above the bound); one started
    earlier ran unobserved and its first value is a baseline, even while Kepler was scraped."""
    horizon = Horizon(1000.0, 10.0, 25.0)  # point 2 is first seen; point 1 looked back to 985
    ledger = CounterLedger(
        policy=ResetPolicy.FROM_ZERO,
        covered=bytearray(b"\x00\x00\x01\x01"),
        bound=array("d", [1.0, 1.0, 1.0]),
        horizon=horizon,
    )
    grid = array("d", bytes(24))
    fed = ledger.feed("new", [2, 3], [40.0, 45.0], sinks=[grid], started_at=990.0)
    _same(grid, [0.0, 40.0, 5.0])
    assert fed.rule is StartRule.STARTED_KSM
    grid2 = array("d", bytes(24))
    scraped = CounterLedger(
        policy=ResetPolicy.FROM_ZERO, covered=bytearray(b"\x01" * 4), horizon=horizon
    )
    fed2 = scraped.feed("old", [2, 3], [900.0, 905.0], sinks=[grid2], started_at=900.0)
    _same(grid2, [0.0, 0.0, 5.0])
    assert fed2.rule is StartRule.EXISTED_KSM


def test_rebase_never_counts_a_new_series_from_zero() -> None:
    """A re-initialised node counter appearing mid-range is a baseline."""
    ledger, grid = _ledger(3, policy=ResetPolicy.REBASE)
    ledger.feed("k", [2, 3], [5000.0, 5010.0], sinks=[grid])
    _same(grid, [0.0, 0.0, 10.0])


def test_implausible_first_value_is_unknown_not_energy() -> None:
    """A counter that ran unseen (value above the node-energy bound) never becomes one step's
    energy: the step is NaN."""
    ledger, grid = _ledger(3, bound=[50.0, 50.0, 50.0])
    fed = ledger.feed("k", [2, 3], [9000.0, 9010.0], sinks=[grid])
    _same(grid, [0.0, NAN, 10.0])
    assert fed.rule is StartRule.IMPLAUSIBLE


def test_a_gap_in_one_series_leaves_its_steps_unknown() -> None:
    """Seen at points 0-1, missing at 2-3 while the cluster was scraped, back at 4."""
    ledger, grid = _ledger(5)
    fed = ledger.feed("k", [0, 1, 4, 5], [0.0, 1.0, 9.0, 10.0], sinks=[grid])
    _same(grid, [1.0, NAN, NAN, NAN, 1.0])
    assert fed.unknown == 3


def test_a_series_that_ends_adds_nothing_afterwards() -> None:
    """After its last point a counter contributes 0 J (the pod is gone)."""
    ledger, grid = _ledger(4)
    ledger.feed("k", [0, 1, 2], [0.0, 2.0, 5.0], sinks=[grid])
    _same(grid, [2.0, 3.0, 0.0, 0.0])


def test_state_carries_across_chunks() -> None:
    """Feeding points in two calls gives the same steps as one call."""
    one, grid_one = _ledger(4)
    one.feed("k", [0, 1, 2, 3, 4], [0.0, 1.0, 3.0, 6.0, 10.0], sinks=[grid_one])
    two, grid_two = _ledger(4)
    two.feed("k", [0, 1, 2], [0.0, 1.0, 3.0], sinks=[grid_two])
    two.feed("k", [3, 4], [6.0, 10.0], sinks=[grid_two])
    _same(grid_two, list(grid_one))


def test_nan_samples_are_skipped_and_scale_applies() -> None:
    """A stored NaN is no data; scale converts units (v0.7.3 millijoules)."""
    ledger = CounterLedger(
        policy=ResetPolicy.FROM_ZERO, covered=bytearray(b"\x01" * 4), scale=0.001
    )
    grid = array("d", bytes(24))
    ledger.feed("k", [0, 1, 2, 3], [1000.0, NAN, 3000.0, 4000.0], sinks=[grid])
    _same(grid, [NAN, NAN, 1.0])


def test_every_sink_receives_the_same_steps() -> None:
    """Workload and namespace grids get identical additions."""
    ledger, grid = _ledger(2)
    other = array("d", [5.0, 5.0])
    ledger.feed("k", [0, 1, 2], [0.0, 1.0, 3.0], sinks=[grid, other])
    _same(other, [6.0, 7.0])


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0.0),
        ([5.0], 0.0),
        ([1.0, 2.0, 4.0], 3.0),
        ([100.0, 695.0, 0.0, 395.0], 990.0),
        ([1.0, NAN, 3.0], 2.0),
    ],
    ids=["empty", "single", "rising", "reset", "nan"],
)
def test_integrate_counter_is_the_raw_sample_reference(
    values: list[float], expected: float
) -> None:
    """Sum of deltas with a drop counted from 0 (kepler.md 3b: 100 -> 695, reset, -> 395 = 990)."""
    assert integrate_counter(values) == expected


def test_recorded_command_split_is_one_continuing_counter() -> None:
    """Sep 2023: per container_id the ``runc``/``coremark`` series continue one counter; merged
    per container the counter never drops, and its integral from zero is the last value,
    while summing per-series deltas would lose the first series' value."""
    series = recordings.load_query_range_dump(DATA / "kms-coremark-2023-09-22-queryrange.json.gz")
    split = [
        s
        for s in series
        if s.name == "kepler_container_package_joules_total"
        and s.label_map.get("mode") == "dynamic"
        and s.label_map["pod_name"] == "coremark-cpeh-4044583399-6dzfl"
    ]
    assert sorted(s.label_map["command"] for s in split) == ["coremark-1", "runc:[1:CH"]
    merged = sorted((t, v) for s in split for t, v in zip(s.times, s.values, strict=True))
    values = [v for _, v in merged]
    assert values == sorted(values)
    assert integrate_counter([0.0, *values]) == pytest.approx(2426.136)
    per_series = sum(integrate_counter(list(s.values)) for s in split)
    assert per_series == pytest.approx(2426.136 - 84.351)


def test_recorded_feb_2023_idle_counters_are_identical_across_containers() -> None:
    """Feb 2023 (v0.4): every container's idle counter holds the same value at each instant,
    so summing mode="idle" over containers multiplies the node's idle energy."""
    path = DATA / "kms-kind-2023-02-09-csv" / "kepler_container_joules_total.csv.gz"
    idle = [s for s in recordings.load_pandas_csv(path) if s.label_map.get("mode") == "idle"]
    assert len(idle) == 17
    assert len({tuple(s.values) for s in idle}) == 1
    watts = integrate_counter(list(idle[0].values)) / (idle[0].times[-1] - idle[0].times[0])
    assert watts == pytest.approx(32.8, abs=0.1)
