"""Kepler <=0.3 millijoule-per-3-s gauges: power of a sample and energy of a window."""

from __future__ import annotations

import math
from array import array
from pathlib import Path

import pytest

from scheduler.core.kepler import gauges
from scheduler.testing import recordings

DATA = Path(__file__).resolve().parents[3] / "data" / "kepler"


def test_recorded_flux_controllers_power() -> None:
    """Oct 2022: 73 + 68 + 118 + 108 mJ per 3 s of package = 0.122 W for the four Flux
    controllers; the recorded sum() at a later instant (387 mJ) is 0.129 W; DRAM 122 mJ
    per 3 s is 0.041 W. The total_* counters hold garbage (>1e16)."""
    entries = list(
        recordings.load_instant_responses(
            DATA / "flux-gitopscon2022-kepler-early-api-responses.json"
        )
    )
    pkg = next(
        e
        for q, e in entries
        if q == "pod_curr_energy_in_pkg_millijoule{pod_namespace='flux-system'}"
    )
    samples = [float(r["value"][1]) for r in pkg["data"]["result"]]
    assert samples == [73.0, 68.0, 118.0, 108.0]
    assert sum(gauges.power_watts(s) for s in samples) == pytest.approx(0.1223, abs=1e-4)
    assert gauges.power_watts(387) == pytest.approx(0.129)
    assert gauges.power_watts(122) == pytest.approx(0.0407, abs=1e-4)
    totals = next(e for q, e in entries if q.startswith("pod_total_energy_in_pkg"))
    assert min(float(r["value"][1]) for r in totals["data"]["result"]) > 1e16


def test_window_energy_is_mean_sampled_power_times_time() -> None:
    """Four windows of 60 s: 10 samples of 300 mJ -> 0.1 W x 60 s = 6 J; missing reference
    (no scrape at all) leaves the step untouched."""
    grid = array("d", bytes(32))
    reference = array("d", [math.nan, 10.0, 10.0, 0.0, 10.0])
    fed = gauges.feed_gauge(
        [1, 2, 3, 4],
        [3000.0, 1500.0, 3000.0, 3000.0],
        weight=gauges.SampleWeight(reference, 60.0),
        unit_joules=gauges.MILLIJOULE,
        sinks=[grid],
    )
    assert list(grid) == pytest.approx([6.0, 3.0, 0.0, 6.0])
    assert fed.unknown == 1
    assert fed.steps == 3


def test_measured_interval_weighs_every_sample_the_same() -> None:
    """With the scrape interval known (15 s), a 20-s step holding one or two samples gives
    15 s per sample, not 20 or 10 s."""
    grid = array("d", bytes(16))
    fed = gauges.feed_gauge(
        [1, 2],
        [300.0, 600.0],
        weight=gauges.SampleWeight(array("d", [1.0, 1.0, 2.0]), 20.0, interval=15.0),
        unit_joules=gauges.MILLIJOULE,
        sinks=[grid],
    )
    assert list(grid) == pytest.approx([1.5, 3.0])
    assert fed.last_change == 2
