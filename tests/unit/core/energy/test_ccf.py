"""The no-Kepler estimate: CCF watts per vCPU times CPU requests, with its sources."""

from __future__ import annotations

import json

import pytest

from scheduler.core.energy import ccf
from scheduler.core.energy.baseline import BaselineMethod
from scheduler.core.intervals import Interval, IntervalSet


@pytest.mark.parametrize(
    ("key", "low", "high"),
    [
        ("aws", 0.74, 3.5),
        ("gcp", 0.68, 4.11),
        ("azure", 0.74, 3.54),
        ("cascade-lake", 0.6389493581523519, 3.9673047343937564),
        ("graviton2", 0.4742621527777778, 1.6929615162037037),
    ],
)
def test_shipped_coefficients(key: str, low: float, high: float) -> None:
    """Provider averages from CCF's code and per-architecture rows from Kepler's copy."""
    row = ccf.coefficients(key)
    assert (row.min_watts, row.max_watts) == (low, high)
    assert row.source in ccf.sources()


def test_every_row_names_a_commit() -> None:
    """Each source names repository, path and a 40-hex commit."""
    for source in ccf.sources().values():
        assert len(source["commit"]) == 40
        assert source["repository"]
        assert source["path"]
    assert len(ccf.table()) == 15


def test_average_watts_at_utilisation() -> None:
    """AWS at 50 %: 0.74 + 0.5 x (3.5 - 0.74) = 2.12 W per vCPU."""
    assert ccf.coefficients("aws").average_watts(0.5) == pytest.approx(2.12)
    with pytest.raises(ValueError, match=r"within \[0, 1\], got 2"):
        ccf.coefficients("aws").average_watts(2)


def test_unknown_key_lists_the_valid_ones() -> None:
    """A typo names every valid key."""
    with pytest.raises(ValueError, match=r"unknown CCF coefficients 'aws2'; expected one of .*aws"):
        ccf.coefficients("aws2")


def test_estimate_for_two_cores_over_one_hour() -> None:
    """2 cores x 2.12 W x 3600 s = 15264 J; range 0 % (1.48 W) to 100 % (7 W)."""
    e = ccf.estimate_without_kepler(
        cpu_cores=2,
        windows=IntervalSet.of(0, 3600),
        period=Interval(0, 7200),
        row=ccf.coefficients("aws"),
    )
    assert e.method is BaselineMethod.CCF
    assert e.saved_joules == pytest.approx(15264.0)
    assert e.saved_joules_low == pytest.approx(1.48 * 3600)
    assert e.saved_joules_high == pytest.approx(7.0 * 3600)
    assert e.coverage == 1.0
    assert e.notes[0].startswith("estimated, no Kepler")


def test_time_the_target_kept_running_is_residual() -> None:
    """Off only half of the window per kube-state-metrics: half the savings, noted."""
    e = ccf.estimate_without_kepler(
        cpu_cores=2,
        windows=IntervalSet.of(0, 3600),
        period=Interval(0, 3600),
        row=ccf.coefficients("aws"),
        actual_off=IntervalSet.of(1800, 3600),
    )
    assert e.residual_joules == pytest.approx(4.24 * 1800)
    assert e.saved_joules == pytest.approx(4.24 * 1800)
    assert e.saved_joules_low == pytest.approx(1.48 * 1800)
    assert any("running for 1800 s" in n for n in e.notes)


def test_utilisation_range_must_be_ordered() -> None:
    """low <= point <= high within [0, 1]."""
    with pytest.raises(ValueError, match="0 <= low <= point <= high <= 1"):
        ccf.Utilisation(point=0.5, low=0.6, high=1.0)


def test_negative_requests_are_rejected() -> None:
    """CPU requests cannot be negative."""
    with pytest.raises(ValueError, match=">= 0 cores, got -1"):
        ccf.estimate_without_kepler(
            cpu_cores=-1,
            windows=IntervalSet(),
            period=Interval(0, 1),
            row=ccf.coefficients("gcp"),
        )


def test_parse_table_rejects_rows_without_a_known_source() -> None:
    """Every row must name a source listed in the file."""
    text = json.dumps(
        {
            "sources": {},
            "coefficients": [
                {
                    "key": "x",
                    "kind": "provider",
                    "label": "X",
                    "minWatts": 1,
                    "maxWatts": 2,
                    "pue": None,
                    "source": "nowhere",
                }
            ],
        }
    )
    with pytest.raises(ValueError, match="coefficient 'x' names an unknown source 'nowhere'"):
        ccf.parse_table(text)
