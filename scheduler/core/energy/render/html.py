"""The HTML report: one self-contained page (inline CSS and SVG, no script, no external file).

Top to bottom: the period and data sources; the three figures side by side, then overhead and
net; cumulative savings (with the p10–p90 band); measured power of all targets with the off
windows shaded; one panel per top target (measured power, intended off windows from the
ledger shaded, actual off time from kube-state-metrics as a strip, the baseline each window
was estimated with); a table of every target; how the numbers were made; notes. Series are
downsampled (``series``) so a 1,000-target report stays a few hundred kB.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, tzinfo

from scheduler.core import zones as tzones
from scheduler.core.energy.render import explain, units
from scheduler.core.energy.render.document import ReportDocument, TargetDetail
from scheduler.core.energy.render.figures import Figures, figures
from scheduler.core.energy.render.series import PowerSeries
from scheduler.core.energy.render.svg import TimeChart
from scheduler.core.energy.render.text import target_cells
from scheduler.core.energy.report import iso
from scheduler.core.energy.targets import TargetSavings
from scheduler.core.intervals import Interval, IntervalSet

__all__ = ["render_html"]

CSS = """
:root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--card:#fff;--bg:#f6f7f9;--blue:#2563eb;
--green:#059669;--amber:#f59e0b;--red:#dc2626}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif}
main{max-width:1120px;margin:0 auto;padding:24px 20px 48px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px}
h3{font-size:14px;margin:0 0 6px}.sub{color:var(--muted);margin:0 0 2px}
.badge{display:inline-block;background:#fef3c7;color:#92400e;border-radius:10px;
padding:1px 9px;font-size:12px;font-weight:600;margin-left:6px}
.cards{display:grid;grid-template-columns:repeat(3,1fr);gap:14px;margin-top:18px}
.cards.two{grid-template-columns:1fr 1fr}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px}
.card.head{border-top:4px solid var(--green)}.card.obs{border-top:4px solid var(--blue)}
.card.node{border-top:4px solid #7c3aed}.card.cost{border-top:4px solid var(--amber)}
.card.net{border-top:4px solid var(--ink)}
.label{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);
font-weight:600}
.big{font-size:30px;font-weight:700;margin:4px 0 0}.big small{font-size:15px;font-weight:600;
color:var(--muted)}.mid{font-size:22px;font-weight:700;margin:4px 0 0}
.range{color:var(--muted);margin:2px 0 6px}.expl{color:var(--muted);font-size:12.5px;margin:8px 0 0}
.conv{margin:4px 0 0}.panel{background:var(--card);border:1px solid var(--line);
border-radius:10px;padding:14px 16px;margin:0 0 14px}
.panels{display:grid;grid-template-columns:1fr 1fr;gap:14px}
.panel .facts{color:var(--muted);font-size:12.5px;margin:0 0 6px}
svg.chart{width:100%;height:auto;display:block}
.chart .frame{fill:none;stroke:#d1d5db}.chart .grid{stroke:#eef0f3}
.chart .tick{fill:var(--muted);font-size:10.5px}
.chart .intended{fill:#fde68a;opacity:.55}.chart .actual{fill:var(--green);opacity:.85}
.chart .avoided{fill:var(--green);opacity:.18}
.chart .baseline{stroke:var(--red);stroke-width:1.6;stroke-dasharray:5 3}
.chart .power{fill:none;stroke:var(--blue);stroke-width:1.4}
.chart .cum{fill:none;stroke:var(--green);stroke-width:2}.chart .band{fill:var(--green);opacity:.15}
.legend{display:flex;flex-wrap:wrap;gap:14px;color:var(--muted);font-size:12px;margin:6px 0 0}
.legend i{display:inline-block;width:14px;height:10px;margin-right:5px;vertical-align:-1px}
table{width:100%;border-collapse:collapse;background:var(--card);font-size:12.5px;
border:1px solid var(--line)}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f3f4f6;font-weight:600;position:sticky;top:0}td.n{text-align:right;
white-space:nowrap}tr.ne td{color:var(--muted)}code{font-size:12px}
ul.how li{margin:0 0 6px}.notes li{color:#92400e}
footer{color:var(--muted);font-size:12px;margin-top:28px}
@media (max-width:800px){.cards,.cards.two,.panels{grid-template-columns:1fr}}
"""
LEGEND = (
    '<div class="legend"><span><i style="background:#2563eb"></i>measured power (Kepler)</span>'
    '<span><i style="background:#fde68a"></i>intended off (offhours commits)</span>'
    '<span><i style="background:#059669"></i>actual off (kube-state-metrics)</span>'
    '<span><i style="border-top:2px dashed #dc2626;height:0"></i>always-on baseline</span>'
    '<span><i style="background:#059669;opacity:.25"></i>avoided</span></div>'
)


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _zone(name: str) -> tzinfo:
    try:
        return tzones.get_zone(name)
    except ValueError:
        return UTC


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "range n/a"
    return f"range {units.energy(low)} – {units.energy(high)}"


def _card(css: str, label: str, value: str, *lines: str, size: str = "mid") -> str:
    body = "".join(
        f"<p class='{'range' if i == 0 else 'expl'}'>{t}</p>" for i, t in enumerate(lines)
    )
    return (
        f'<section class="card {css}"><div class="label">{label}</div>'
        f'<p class="{size}">{value}</p>{body}</section>'
    )


def _conv(f: Figures, *, net: bool) -> str:
    c = f.net_converted if net else f.converted
    if c is None:
        return ""
    return (
        f"<p class='conv'><b>{_e(units.kwh(c.joules))}</b> · {c.co2e_grams:,.0f} gCO2e · "
        f"{c.cost:,.2f} {_e(c.currency)}</p>"
    )


def _figure_cards(doc: ReportDocument, f: Figures) -> str:
    headline = _card(
        "head",
        "(1) " + _e(explain.figure_1_title(doc)),
        _e(units.energy(f.saved)),
        _e(_range(f.saved_low, f.saved_high)) + _conv(f, net=False),
        f"{f.estimated} of {f.targets} targets estimated; {_e(units.percent(f.coverage))} of "
        f"{_e(units.duration(f.off_seconds))} intended off time covered. "
        + _e(explain.figure_1(doc)),
        size="big",
    )
    cmp = f.comparison_difference
    observed = _card(
        "obs",
        "(2) Measured node energy, off vs on",
        _e(units.energy(cmp[0])) if cmp else "not available",
        _e(_range(cmp[1], cmp[2]))
        + f" · measured {_e(units.energy(f.comparison_measured))} vs comparable "
        f"{_e(units.energy(f.comparison_comparable))}"
        if cmp
        else "no node energy data or no off window",
        _e(explain.FIGURE_2),
    )
    removed = f.removed
    node = _card(
        "node",
        "(3) Energy of nodes actually removed",
        _e(units.energy(removed[0])) if removed else "none",
        _e(_range(removed[1], removed[2]))
        + f" · {_e(units.duration(f.removed_node_seconds))} of node time x "
        f"{_e(units.power(f.removed_node_watts))}"
        if removed
        else "no node was removed during the off windows",
        _e(explain.FIGURE_3),
    )
    parts = ", ".join(
        f"{_e(p.name)} {_e(units.energy(p.joules, missing='unknown'))} ({_e(units.power(p.watts))})"
        for p in f.overhead_parts
    )
    cost = _card(
        "cost",
        "Overhead: Flux + offhours",
        _e(units.energy(f.overhead, missing="unknown")),
        parts or "no Flux or offhours pods measured",
        _e(explain.OVERHEAD),
    )
    net = _card(
        "net",
        "Net saved = (1) − overhead",
        _e(units.energy(f.net)),
        _e(_range(f.net_low, f.net_high)) + _conv(f, net=True),
        _e(explain.NET),
    )
    return (
        f'<div class="cards">{headline}{observed}{node}</div>'
        f'<div class="cards two">{cost}{net}</div>'
    )


def _energy_scale(peak: float) -> tuple[float, str]:
    return (3.6e6, "kWh") if peak >= 3.6e6 else (3600.0, "Wh")


def _cumulative(doc: ReportDocument) -> str:
    points = doc.cumulative
    if len(points) < 2:
        return ""
    peak = max(max(p.high, p.joules) for p in points)
    scale, unit = _energy_scale(peak)
    p = doc.savings.period
    chart = TimeChart(start=p.start, end=p.end, top=peak / scale, height=220)
    chart.band([(q.t, q.low / scale, q.high / scale) for q in points], "band")
    chart.steps([(q.t, q.joules / scale) for q in points], "cum")
    svg = chart.render(tz=doc.savings.options.tz, unit=unit, title="Cumulative estimated savings")
    return (
        '<div class="panel"><h3>Cumulative estimated avoided energy</h3><p class="facts">'
        "Each off window adds its saving when it ends; the band is the range of the headline "
        f"figure.</p>{svg}</div>"
    )


@dataclass(frozen=True)
class _PowerPlot:
    """What one power chart shows."""

    power: PowerSeries
    intended: IntervalSet
    actual: IntervalSet | None = None
    baselines: tuple[tuple[float, float, float], ...] = ()


def _power_chart(
    plot: _PowerPlot, *, period: Interval, tz: tzinfo, title: str, size: tuple[int, int]
) -> str:
    power = plot.power
    peak = max([power.peak, *(b[2] for b in plot.baselines)])
    scale, unit = (1000.0, "mW") if 0 < peak < 1 else (1.0, "W")
    width, height = size
    chart = TimeChart(
        start=period.start, end=period.end, top=peak * scale, height=height, width=width
    )
    chart.shade(plot.intended, "intended")
    scaled = [(a, b, v * scale) for a, b, v in plot.baselines]
    chart.blocks(scaled, "avoided")
    if plot.actual is not None:
        chart.shade(plot.actual, "actual", strip=5.0)
    watts = [None if w is None else w * scale for w in power.watts]
    chart.line(watts, start=power.start, bucket=power.bucket, css="power")
    chart.segments(scaled, "baseline")
    return chart.render(tz=tz, unit=unit, title=title)


def _fleet(doc: ReportDocument) -> str:
    power = doc.fleet_power
    if power is None:
        return ""
    union = IntervalSet()
    for d in doc.details:
        union = union.union(d.intended)
    svg = _power_chart(
        _PowerPlot(power, union),
        period=doc.savings.period,
        tz=doc.savings.options.tz,
        title="Measured power of all targets",
        size=(760, 210),
    )
    return (
        '<div class="panel"><h3>Measured power of all targets</h3><p class="facts">'
        f"Sum of the targets' Kepler power; shaded: time any target was intended off.</p>{svg}"
        f"{LEGEND}</div>"
    )


def _panel(row: TargetSavings, d: TargetDetail, doc: ReportDocument) -> str:
    assert d.power is not None
    e = row.estimate
    baselines = [
        (w.start, w.end, w.baseline_joules / w.covered_seconds)
        for w in e.windows
        if w.covered_seconds > 0
    ]
    plot = _PowerPlot(
        d.power,
        d.intended,
        d.actual if d.actuation is not None else None,
        tuple(baselines),
    )
    svg = _power_chart(
        plot,
        period=doc.savings.period,
        tz=_zone(d.zone),
        title=f"Power of {row.target}",
        size=(520, 230),
    )
    acted = d.actuation
    lag = (
        f"lag sleep {units.lag(acted.sleep_lag_median)}, wake {units.lag(acted.wake_lag_median)}; "
        f"actual off {units.duration(acted.actual_seconds)} of "
        f"{units.duration(acted.intended_seconds)} intended"
        if acted
        else "actual off time unknown"
    )
    facts = (
        f"policy {_e(row.policy)} ({_e(d.zone)}) · saved <b>{_e(units.energy(e.saved_joules))}</b> "
        f"({_e(units.energy(e.saved_joules_low))} – {_e(units.energy(e.saved_joules_high))}) · "
        f"baseline {_e(units.power(e.baseline_watts))} · coverage {_e(units.percent(e.coverage))} "
        f"· {_e(e.method)} · {_e(lag)}"
    )
    return (
        f'<div class="panel"><h3><code>{_e(row.target)}</code></h3>'
        f'<p class="facts">{facts}</p>{svg}</div>'
    )


def _panels(doc: ReportDocument) -> str:
    shown = [(r, d) for r, d in doc.ranked() if d is not None and d.power is not None]
    if not shown:
        return ""
    inner = "".join(_panel(r, d, doc) for r, d in shown)
    return (
        f"<h2>Top {len(shown)} targets in detail</h2>{LEGEND}"
        f'<div class="panels" style="margin-top:10px">{inner}</div>'
    )


def _table(doc: ReportDocument) -> str:
    head = (
        "#",
        "Target",
        "Policy",
        "Saved (p10–p90)",
        "Baseline (p10–p90)",
        "Off",
        "Coverage",
        "Lag sleep / wake",
        "Method",
    )
    rows = []
    for i, (row, d) in enumerate(doc.ranked(), 1):
        acted = d.actuation if d else None
        lag = (acted.sleep_lag_median, acted.wake_lag_median) if acted else (None, None)
        cells = [str(i), *target_cells(row, lag=lag)]
        css = ' class="ne"' if row.estimate.saved_joules is None else ""
        tds = "".join(
            f'<td class="n">{_e(c)}</td>' if k in (0, 3, 4, 5, 6, 7) else f"<td>{_e(c)}</td>"
            for k, c in enumerate(cells)
        )
        note = "; ".join(n for n in ((d.data_note, d.attribution) if d else ()) if n)
        rows.append(f'<tr{css} title="{_e(note)}">{tds}</tr>')
    ths = "".join(f"<th>{h}</th>" for h in head)
    return (
        f"<h2>All {len(rows)} targets</h2><table><thead><tr>{ths}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _how(doc: ReportDocument) -> str:
    items = (
        explain.figure_1(doc),
        explain.range_text(doc),
        explain.COVERAGE,
        *explain.method(doc),
        explain.FIGURE_2,
        explain.FIGURE_3,
        explain.OVERHEAD,
        explain.NET,
        "Conversions: " + explain.conversions(doc),
    )
    lis = "".join(f"<li>{_e(t)}</li>" for t in items)
    notes = [*doc.notes, *(doc.reading.warnings if doc.reading else ())]
    block = f'<h2>How the numbers were made</h2><ul class="how">{lis}</ul>'
    if notes:
        block += (
            '<h2>Notes</h2><ul class="notes">'
            + "".join(f"<li>{_e(n)}</li>" for n in notes)
            + "</ul>"
        )
    return block


def render_html(doc: ReportDocument) -> str:
    """The report as one self-contained HTML document."""
    f = figures(doc)
    p = doc.savings.period
    meta = doc.reading
    badge = '<span class="badge">estimated, no Kepler</span>' if doc.without_kepler else ""
    source = (
        f"{_e(meta.schema_label)} · zones {_e(', '.join(meta.zones))} · Kepler data for "
        f"{_e(units.percent(meta.coverage))} of the steps"
        if meta
        else _e(doc.ccf_source)
    )
    header = (
        f"<h1>offhours: measured savings{badge}</h1>"
        f"<p class='sub'>{_e(iso(p.start))} → {_e(iso(p.end))} ({_e(units.duration(p.duration))}, "
        f"step {_e(units.duration(doc.step))}, history from {_e(iso(doc.history_start))})</p>"
        f"<p class='sub'>{source} · ledger: {doc.ledger.commits} commits, {doc.ledger.entries} "
        f"changes in <code>{_e(doc.ledger.repository)}</code></p>"
    )
    body = "".join(
        (
            header,
            _figure_cards(doc, f),
            "<h2>Over time</h2>",
            _cumulative(doc),
            _fleet(doc),
            _panels(doc),
            _table(doc),
            _how(doc),
            f"<footer>offhours report · {doc.http_requests} HTTP requests to the metrics store"
            "</footer>",
        )
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>offhours report {_e(iso(p.start))} – {_e(iso(p.end))}</title>"
        f"<style>{CSS}</style></head><body><main>{body}</main></body></html>\n"
    )
