"""The markdown report for a pull request or issue comment.

A summary table of the three figures, overhead and net; the top targets in a table (all of
them folded in ``<details>`` when there are many); the method, conversions and notes folded
too, so a comment stays short but complete.
"""

from __future__ import annotations

from scheduler.core.energy.render import explain, units
from scheduler.core.energy.render.document import ReportDocument
from scheduler.core.energy.render.figures import Figures, figures
from scheduler.core.energy.render.text import target_cells
from scheduler.core.energy.report import iso

__all__ = ["render_markdown"]

SHOWN = 15
_HEADER = (
    "| # | Target | Policy | Saved (p10–p90) | Baseline (p10–p90) | Off | Coverage "
    "| Lag sleep / wake | Method |"
)
_RULE = "|---:|---|---|---:|---:|---:|---:|---:|---|"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "–"
    return f"{units.energy(low)} – {units.energy(high)}"


def _summary(doc: ReportDocument, f: Figures) -> list[str]:
    c = f.converted
    conv = (
        f"{units.kwh(c.joules)} · {c.co2e_grams:,.0f} gCO2e · {c.cost:,.2f} {c.currency}"
        if c
        else "–"
    )
    nc = f.net_converted
    net_conv = (
        f"{units.kwh(nc.joules)} · {nc.co2e_grams:,.0f} gCO2e · {nc.cost:,.2f} {nc.currency}"
        if nc
        else "–"
    )
    cmp = f.comparison_difference
    removed = f.removed
    parts = ", ".join(
        f"{p.name} {units.energy(p.joules, missing='unknown')}" for p in f.overhead_parts
    )
    return [
        "| Figure | Energy | Range | In other units |",
        "|---|---:|---|---|",
        f"| **(1) {explain.figure_1_title(doc)}** | **{units.energy(f.saved)}** | "
        f"{_range(f.saved_low, f.saved_high)} | {conv} |",
        "| (2) Measured node energy, off vs comparable on (observational) | "
        + (
            f"{units.energy(cmp[0])} | {_range(cmp[1], cmp[2])} | measured "
            f"{units.energy(f.comparison_measured)} vs {units.energy(f.comparison_comparable)} |"
            if cmp
            else "not available | – | no node data or no off window |"
        ),
        "| (3) Energy of nodes actually removed | "
        + (
            f"{units.energy(removed[0])} | {_range(removed[1], removed[2])} | "
            f"{units.duration(f.removed_node_seconds)} of node time |"
            if removed
            else "none | – | no node was removed |"
        ),
        f"| Overhead (Flux + offhours, upper bound) | {units.energy(f.overhead, missing='unknown')}"
        f" | – | {_escape(parts) or 'no pods measured'} |",
        f"| **Net = (1) − overhead** | **{units.energy(f.net)}** | "
        f"{_range(f.net_low, f.net_high)} | {net_conv} |",
    ]


def _targets(doc: ReportDocument) -> list[str]:
    lines: list[str] = []
    ranked = list(doc.ranked())
    for i, (row, detail) in enumerate(ranked, 1):
        acted = detail.actuation if detail else None
        lag = (acted.sleep_lag_median, acted.wake_lag_median) if acted else (None, None)
        cells = [str(i), *target_cells(row, lag=lag)]
        cells[1] = f"`{cells[1]}`"
        lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
    if not lines:
        return ["No targets."]
    head = [_HEADER, _RULE]
    if len(lines) <= SHOWN:
        return head + lines
    return [
        *head,
        *lines[:SHOWN],
        "",
        f"<details><summary>All {len(lines)} targets</summary>",
        "",
        *head,
        *lines,
        "",
        "</details>",
    ]


def render_markdown(doc: ReportDocument) -> str:
    """Markdown for a PR or issue comment (ends with a newline)."""
    f = figures(doc)
    p = doc.savings.period
    meta = doc.reading
    source = (
        f"{meta.schema_label}, zones {', '.join(meta.zones)}, Kepler data for "
        f"{units.percent(meta.coverage)} of the steps"
        if meta
        else f"**estimated, no Kepler** ({doc.ccf_source})"
    )
    lines = [
        f"### offhours report: {iso(p.start)} → {iso(p.end)}",
        "",
        f"{units.duration(p.duration)}, step {units.duration(doc.step)} · {source} · "
        f"ledger: {doc.ledger.commits} commits in `{_escape(doc.ledger.repository)}` · "
        f"{f.estimated} of {f.targets} targets estimated, "
        f"{units.percent(f.coverage)} of {units.duration(f.off_seconds)} off time covered",
        "",
        *_summary(doc, f),
        "",
        "#### Targets by estimated savings",
        "",
        *_targets(doc),
        "",
        "<details><summary>How the numbers were made</summary>",
        "",
    ]
    for text in (
        explain.figure_1(doc),
        explain.FIGURE_2,
        explain.FIGURE_3,
        explain.range_text(doc),
        explain.COVERAGE,
        *explain.method(doc),
        explain.OVERHEAD,
        explain.NET,
        "Conversions: " + explain.conversions(doc),
    ):
        lines.append(f"- {_escape(text)}")
    lines += ["", "</details>", ""]
    notes = [*doc.notes, *(meta.warnings if meta else ())]
    if notes:
        lines += ["**Notes**", "", *(f"- {_escape(n)}" for n in notes), ""]
    return "\n".join(lines)
