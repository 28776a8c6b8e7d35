"""The report grid: evaluation points, chunks and grids."""

from __future__ import annotations

import math

import pytest

from scheduler.core.kepler.reading import EnergyRequest, grid_total
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef


def test_spanning_covers_the_window() -> None:
    """Steps reach the end; a partial last step is included."""
    assert Timeline.spanning(0, 900, 300).steps == 3
    assert Timeline.spanning(0, 901, 300).steps == 4
    assert Timeline.spanning(0, 901, 300).end == 1200


@pytest.mark.parametrize("size", [1, 2, 3, 7, 100])
def test_chunks_cover_every_point_once(size: int) -> None:
    """Chunks are consecutive, disjoint and cover points 0..steps."""
    line = Timeline(0, 60, 20)
    points = [p for first, last in line.chunks(size) for p in range(first, last + 1)]
    assert points == list(range(21))


def test_point_index_accepts_only_grid_instants() -> None:
    """Instants on the grid map to their point; others to None."""
    line = Timeline(1000.0, 30.0, 4)
    assert line.point_index(1060.0) == 2
    assert line.point_index(1061.0) is None
    assert line.point_index(1200.0) is None


def test_invalid_timelines_are_refused() -> None:
    """Zero or negative steps, empty windows."""
    with pytest.raises(ValueError, match="positive"):
        Timeline(0, 0, 3)
    with pytest.raises(ValueError, match="after start"):
        Timeline.spanning(10, 10, 1)


def test_grid_total_skips_unknown_steps() -> None:
    """Joules and seconds count known steps only; mean power is over them."""
    grid = Timeline(0, 10, 4).grid()
    grid.joules[:] = type(grid.joules)("d", [10.0, math.nan, 30.0, 0.0])
    total = grid_total(grid)
    assert (total.joules, total.seconds, total.total_seconds) == (40.0, 30.0, 40.0)
    assert total.watts == pytest.approx(40 / 30)
    assert total.coverage == pytest.approx(0.75)
    assert total.watt_hours == pytest.approx(40 / 3600)


def test_request_validates_zones_and_namespaces() -> None:
    """Only disjoint RAPL zones; targets add their namespaces to the selection."""
    with pytest.raises(ValueError, match="core/uncore are inside package"):
        EnergyRequest(start=0, end=60, step=30, zones=("package", "core"))
    request = EnergyRequest(
        start=0, end=60, step=30, namespaces=("a",), targets=(WorkloadRef("Deployment", "b", "x"),)
    )
    assert request.selected_namespaces == ("a", "b")
    anywhere = EnergyRequest(
        start=0, end=60, step=30, targets=(WorkloadRef("Deployment", "", "x"),)
    )
    assert anywhere.selected_namespaces == ()


def test_spanning_ignores_unix_time_float_noise() -> None:
    """An exact 3-step period at epoch magnitude is 3 steps, not 4 (float subtraction)."""
    start, end = 1702462625.159, 1702462675.451
    assert Timeline.spanning(start, end, 16.764).steps == 3


def test_request_lookback_follows_the_scrape_interval() -> None:
    """The lookback is 2.5 scrape intervals when measured, else 120 s, never below the step."""
    assert EnergyRequest(start=0, end=60, step=3, scrape_interval=3.0).lookback == 7.5
    assert EnergyRequest(start=0, end=60, step=30).lookback == 120.0
    assert EnergyRequest(start=0, end=600, step=300).lookback == 300.0
