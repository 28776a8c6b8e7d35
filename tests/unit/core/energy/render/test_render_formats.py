"""Every report format from a synthetic document: numbers, ordering, self-contained HTML, size."""

from __future__ import annotations

import csv
import io
import json
import math
from array import array
from datetime import UTC

import pytest

from scheduler.core.energy import baseline, conversions, overhead, savings
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.render import (
    html,
    markdown,
    render_json,
    render_text,
    series,
    table,
    units,
)
from scheduler.core.energy.render.actuation import actuation
from scheduler.core.energy.render.document import LedgerFacts, ReportDocument, TargetDetail
from scheduler.core.energy.render.svg import nice_top
from scheduler.core.energy.report import SavingsReport
from scheduler.core.energy.targets import TargetSavings
from scheduler.core.intervals import Interval, IntervalSet
from scheduler.core.workloads import WorkloadRef

STEP = 300.0
DAY = 86400.0
START = 1_700_006_400.0  # a Wednesday 00:00 UTC
PERIOD = Interval(START + 7 * DAY, START + 10 * DAY)


def nightly(days: int) -> IntervalSet:
    return IntervalSet(
        (START + d * DAY + 20 * 3600, START + d * DAY + 30 * 3600) for d in range(days)
    )


def grid(watts: float, off: IntervalSet, *, gap: bool = False) -> EnergyGrid:
    steps = int(10 * DAY / STEP)
    joules = array("d", [watts * STEP]) * steps
    for i in range(steps):
        t = START + (i + 0.5) * STEP
        if t in off:
            joules[i] = 0.0
        if gap and START + 8 * DAY <= t < START + 8 * DAY + 3600:
            joules[i] = math.nan
    return EnergyGrid(START, STEP, joules)


def document(targets: int = 3, *, detail: int = 2) -> ReportDocument:
    options = baseline.BaselineOptions(tz=UTC)
    windows = nightly(10)
    rows, details = [], []
    for k in range(targets):
        ref = WorkloadRef("Deployment", "dev", f"app-{k:04d}")
        g = grid(1.0 + k % 7, windows, gap=k == 0)
        e = savings.estimate_savings(g, windows=windows, period=PERIOD, options=options)
        rows.append(TargetSavings(ref, "nights", e))
        acted = actuation(
            windows, windows, observed=IntervalSet.of(START, PERIOD.end), period=PERIOD
        )
        power = series.power_series(g, period=PERIOD) if k < detail else None
        details.append(
            TargetDetail(
                ref,
                "UTC",
                windows.clip(PERIOD.start, PERIOD.end),
                windows.clip(PERIOD.start, PERIOD.end),
                acted,
                power,
            )
        )
    ghost = WorkloadRef("Deployment", "dev", "ghost")
    none = savings.estimate_savings(
        EnergyGrid.empty(start=START, step=STEP, steps=int(10 * DAY / STEP)),
        windows=windows,
        period=PERIOD,
        options=options,
    )
    rows.append(TargetSavings(ghost, "nights", none))
    flux = grid(0.2, IntervalSet())
    report = SavingsReport(
        period=PERIOD,
        kepler_schema="0.10",
        zones=("dram", "package"),
        options=options,
        factors=conversions.ConversionFactors(),
        targets=tuple(rows),
        overhead=overhead.measure_overhead({"flux-system": flux}, period=PERIOD),
    )
    return ReportDocument(
        savings=report,
        step=STEP,
        history_start=START,
        details=tuple(details),
        ledger=LedgerFacts("/repo (branch main)", 20, 40),
        cumulative=series.cumulative_savings((r.estimate for r in rows), period=PERIOD),
        fleet_power=series.power_series(grid(5.0, windows), period=PERIOD),
    )


def test_json_keeps_the_contract_and_has_no_nan() -> None:
    """The savings contract plus facts; NaN never appears (JSON has none)."""
    doc = json.loads(render_json(document()))
    assert doc["ledger"]["changes"] == 40
    ghost = next(t for t in doc["targets"] if t["name"] == "ghost")
    assert (ghost["savedJoules"], ghost["coverage"]) == (None, 0)
    assert "NaN" not in render_json(document())


def test_text_ranks_targets_and_separates_the_figures() -> None:
    """Largest saving first, the not-estimated target last, every figure labelled."""
    text = render_text(document())
    order = [
        text.index(f"Deployment/dev/{n}") for n in ("app-0002", "app-0001", "app-0000", "ghost")
    ]
    assert order == sorted(order)
    assert "not estimated" in text
    for label in ("(1) Estimated", "(2) Measured node energy", "(3) Node energy", "Net saved"):
        assert label in text


def test_csv_has_one_row_per_target_with_contract_columns() -> None:
    """Header = table.COLUMNS; a missing value is an empty cell, never 0."""
    rows = list(csv.DictReader(io.StringIO(table.render_csv(document()))))
    assert list(rows[0]) == list(table.COLUMNS)
    assert len(rows) == 4
    assert rows[-1]["name"] == "ghost"
    assert rows[-1]["savedJoules"] == ""


def test_markdown_folds_long_target_lists() -> None:
    """Beyond 15 targets the full list goes into a details block."""
    text = markdown.render_markdown(document(30, detail=0))
    assert "<details><summary>All 31 targets</summary>" in text


def test_html_is_self_contained_and_small_for_a_thousand_targets() -> None:
    """1,000 targets: no script, no external reference, a few hundred kB."""
    page = html.render_html(document(1000, detail=12))
    assert "<script" not in page
    assert "src=" not in page
    assert "href=" not in page
    assert page.count("<svg") == 2 + 12
    assert len(page.encode()) < 900_000


def test_power_series_preserves_energy_and_gaps() -> None:
    """Bucket means times bucket length give back the known energy; no data stays None."""
    g = grid(2.0, IntervalSet(), gap=True)
    s = series.power_series(g, period=Interval(START, START + 10 * DAY), points=100)
    assert len(s.watts) <= 100
    known = [j for j in g.joules if j == j]
    assert math.fsum(known) == pytest.approx(2.0 * STEP * len(known))
    assert all(w == pytest.approx(2.0) for w in s.watts if w is not None)


@pytest.mark.parametrize(
    ("value", "top"), [(0.0, 1.0), (0.8, 1.0), (3.2, 5.0), (11, 20), (240, 250), (1e6, 1e6)]
)
def test_nice_axis_tops(value: float, top: float) -> None:
    """Axes end on 1, 2, 2.5 or 5 times a power of ten."""
    assert nice_top(value) == pytest.approx(top)


@pytest.mark.parametrize(
    ("joules", "text"),
    [(None, "not estimated"), (0.5, "0.50 J"), (1234.0, "1.23 kJ"), (4.44e6, "4.44 MJ")],
)
def test_energy_units(joules: float | None, text: str) -> None:
    """Energy keeps three significant digits; None is a word, never 0."""
    assert units.energy(joules) == text
