"""The terminal report: summary of the three figures, overhead and net, a table of targets
sorted by savings, and how every number was made.

Fits a 120-column terminal; long notes wrap. Energy in J-family units with kWh beside it.
"""

from __future__ import annotations

import textwrap

from scheduler.core.energy.render import explain, units
from scheduler.core.energy.render.document import ReportDocument
from scheduler.core.energy.render.figures import Figures, figures
from scheduler.core.energy.report import iso
from scheduler.core.energy.targets import TargetSavings

__all__ = ["render_text", "target_cells"]

WIDTH = 118
_HEAD = (
    "#",
    "target",
    "policy",
    "saved (p10-p90)",
    "baseline W (p10-p90)",
    "off",
    "cover",
    "lag sleep/wake",
    "method",
)


def _wrap(text: str, indent: str = "    ") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=" " * len(indent))


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"{units.energy(low)} to {units.energy(high)}"


def _converted(f: Figures, *, net: bool = False) -> str:
    c = f.net_converted if net else f.converted
    if c is None:
        return ""
    return f"= {units.kwh(c.joules)} ≈ {c.co2e_grams:,.0f} gCO2e · {c.cost:,.2f} {c.currency}"


def _figure_lines(doc: ReportDocument, f: Figures) -> list[str]:
    lines = [f"(1) {explain.figure_1_title(doc)}   [headline]"]
    if f.saved is None:
        lines.append(f"    {units.NOT_ESTIMATED}: no target could be estimated")
    else:
        lines.append(f"    {units.energy(f.saved)} {_converted(f)}")
        lines.append(f"    range {_range(f.saved_low, f.saved_high)} (p10-p90 baselines)")
    lines.append(
        f"    {f.estimated} of {f.targets} targets estimated · {units.percent(f.coverage)} of "
        f"{units.duration(f.off_seconds)} intended off time covered"
    )
    lines.append("(2) Measured node energy, off windows vs comparable on windows   [observational]")
    if f.comparison_difference is None:
        lines.append("    not available: no node energy data or no off window")
    else:
        d, lo, hi = f.comparison_difference
        lines.append(
            f"    measured {units.energy(f.comparison_measured)} in off windows vs "
            f"{units.energy(f.comparison_comparable)} comparable: difference {units.energy(d)} "
            f"(range {_range(lo, hi)})"
        )
    lines.append("(3) Node energy of nodes actually removed")
    if f.removed is None:
        lines.append("    none: no node was removed during the off windows (or no node data)")
    else:
        point, lo, hi = f.removed
        lines.append(
            f"    {units.energy(point)} (range {_range(lo, hi)}): "
            f"{units.duration(f.removed_node_seconds)} of node time removed x "
            f"{units.power(f.removed_node_watts)} per node"
        )
    return lines


def _overhead_lines(f: Figures) -> list[str]:
    parts = ", ".join(
        f"{p.name} {units.energy(p.joules, missing='unknown')} ({units.power(p.watts)})"
        for p in f.overhead_parts
    )
    return [
        f"Overhead (Flux + offhours, upper bound): {units.energy(f.overhead, missing='unknown')}"
        + (f"   {parts}" if parts else "   no Flux or offhours pods measured"),
        f"Net saved = (1) - overhead: {units.energy(f.net)} {_converted(f, net=True)}",
        f"    range {_range(f.net_low, f.net_high)}" if f.net is not None else "",
    ]


def target_cells(row: TargetSavings, *, lag: tuple[float | None, float | None]) -> list[str]:
    """The table cells of one target (shared with markdown)."""
    e = row.estimate
    saved = units.energy(e.saved_joules)
    if e.off_seconds <= 0:
        saved = "0 J (no off time)"
    if e.saved_joules is not None and e.covered_seconds > 0:
        saved += f" ({units.energy(e.saved_joules_low)} to {units.energy(e.saved_joules_high)})"
    base = units.power(e.baseline_watts, missing="no baseline")
    if e.baseline_watts is not None:
        base += f" ({units.power(e.baseline_watts_p10)} to {units.power(e.baseline_watts_p90)})"
    return [
        str(row.target),
        row.policy,
        saved,
        base,
        units.duration(e.off_seconds),
        units.percent(e.coverage, missing="-"),
        f"{units.lag(lag[0])} / {units.lag(lag[1])}",
        str(e.method),
    ]


def _table(doc: ReportDocument) -> list[str]:
    rows: list[list[str]] = []
    for i, (row, detail) in enumerate(doc.ranked(), 1):
        acted = detail.actuation if detail else None
        lag = (acted.sleep_lag_median, acted.wake_lag_median) if acted else (None, None)
        rows.append([str(i), *target_cells(row, lag=lag)])
    if not rows:
        return ["  no targets"]
    widths = [max(len(r[c]) for r in [list(_HEAD), *rows]) for c in range(len(_HEAD))]
    right = {0, 3, 4, 5, 6}

    def line(cells: list[str]) -> str:
        out = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  " + "  ".join(out).rstrip()

    return [line(list(_HEAD)), *(line(r) for r in rows)]


def _target_notes(doc: ReportDocument) -> list[str]:
    lines = []
    for row, detail in doc.ranked():
        extra = list(row.estimate.notes[1:])
        if detail is not None and detail.attribution:
            extra.insert(0, detail.attribution)
        acted = detail.actuation if detail else None
        if acted is not None and acted.missed:
            extra.append(f"{acted.missed} of {acted.windows} off windows never reached zero")
        if extra:
            lines += _wrap(f"{row.target}: " + "; ".join(extra), "  - ")
    return lines


def render_text(doc: ReportDocument) -> str:
    """The whole report as terminal text (ends with a newline)."""
    report, f = doc.savings, figures(doc)
    p = report.period
    meta = doc.reading
    head = [
        f"offhours report: {iso(p.start)} -> {iso(p.end)} ({units.duration(p.duration)}, "
        f"step {units.duration(doc.step)}; history from {iso(doc.history_start)})",
        f"repository: {doc.ledger.repository} · ledger: {doc.ledger.commits} commits, "
        f"{doc.ledger.entries} changes",
        (
            f"{meta.schema_label} · zones {', '.join(meta.zones)} · Kepler data for "
            f"{units.percent(meta.coverage)} of the steps · {doc.http_requests} HTTP requests"
            if meta
            else f"no Kepler: {doc.ccf_source} · {doc.http_requests} HTTP requests"
        ),
    ]
    body = [
        *head,
        "",
        *_figure_lines(doc, f),
        "",
        *[line for line in _overhead_lines(f) if line],
        "",
        "Targets by estimated savings (lag: median seconds from commit to zero replicas / "
        "from wake commit to replicas back)",
        *_table(doc),
    ]
    target_notes = _target_notes(doc)
    if target_notes:
        body += ["", "Per target", *target_notes]
    body += ["", "How the numbers were made"]
    for text in (
        explain.figure_1(doc),
        explain.range_text(doc),
        explain.COVERAGE,
        *explain.method(doc),
        explain.OVERHEAD,
        explain.NET,
        "Conversions: " + explain.conversions(doc),
    ):
        body += _wrap(text, "  - ")
    notes = [*doc.notes, *(meta.warnings if meta else ())]
    if notes:
        body += ["", "Notes"]
        for note in notes:
            body += _wrap(note, "  ! ")
    return "\n".join(body) + "\n"
