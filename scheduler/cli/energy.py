"""``offhours energy``: measured Kepler energy of namespaces or pods, optionally before/after.

Reads the energy (J, Wh) and mean power (W) of one or more namespaces (or the pods matching a
regex) from any PromQL endpoint, per namespace and per pod, and with ``--compare-from`` sets
it against an earlier period of the same length (difference and ratio): the question "what
did moving this cluster to GitOps cost or save?" without hand-written curl queries. The
period is exactly ``[--from, --until)``, never snapped: it is cut into equal steps no longer
than the measured scrape interval (at most 720 steps), and the output states the grid, the
Kepler schema and version, zones, modes, coverage, method and the rule applied at each pod's
start and end (``scheduler.core.kepler.edges``).

Presentation only: the reading is ``scheduler.adapters.prometheus.kepler``, the arithmetic
``scheduler.core.kepler.summary``. Any Prometheus failure exits 2 before anything is printed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from scheduler.adapters.prometheus import kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.cli.common import InstantType, format_option, load_settings, now_utc
from scheduler.core.kepler import resolution, summary
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest, GridTotal
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.errors import ConfigError

__all__ = ["command", "parse_duration"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """``"1h"``, ``"90m"``, ``"2h30m"``, ``"7d"`` -> seconds (Prometheus duration units)."""
    compact = text.strip().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise click.BadParameter(
            f"{text!r} is not a duration; expected e.g. 1h, 90m, 2h30m or 7d", param_hint="--since"
        )
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


def _period(
    *, since: str | None, start: datetime | None, until: datetime | None
) -> tuple[float, float]:
    """``[from, until)`` in Unix seconds, to the millisecond (Prometheus' resolution)."""
    if since and start:
        raise click.UsageError("give either --since or --from, not both")
    end = until.timestamp() if until else math.floor(now_utc().timestamp())
    begin = start.timestamp() if start else end - parse_duration(since or "1h")
    begin, end = round(begin, 3), round(end, 3)
    if begin >= end:
        raise click.UsageError("--from must be before --until")
    return begin, end


@dataclass(frozen=True)
class _Grid:
    """The detected schema, the measured scrape interval and the step of one period."""

    found: kepler.Detected
    scrape: float | None
    step: float


def _grid(
    client: PrometheusClient,
    *,
    period: tuple[float, float],
    step: float | None,
    override: KeplerSchema | None,
) -> _Grid:
    """Detect Kepler in the period, measure its scrape interval, and choose the step: equal
    steps that fit the period exactly, no longer than ``step`` (else than the scrape
    interval, at most 720 steps; Kepler <=0.3 gauges: no shorter than the scrape interval)."""
    begin, end = period
    found = kepler.detect(
        client, start=begin - resolution.LOOKBACK_FLOOR, end=end, override=override
    )
    scrape = kepler.scrape_interval(client, found, start=begin, end=end)
    gauges = step is None and found.schema is KeplerSchema.V0_3
    target = step or resolution.auto_target(end - begin, scrape_interval=scrape, gauges=gauges)
    try:
        chosen = resolution.exact_step(end - begin, target=target, gauges=gauges)
    except resolution.NoExactStep as exc:
        raise click.UsageError(str(exc)) from exc
    return _Grid(found, scrape, chosen)


def _client(url: str | None) -> PrometheusClient:
    settings = load_settings().prometheus
    if url:
        settings = settings.model_copy(update={"url": url})
    if not settings.url:
        raise ConfigError("no Prometheus URL: pass --prometheus or set OFFHOURS_PROMETHEUS__URL")
    return PrometheusClient(settings)


def _iso(t: float) -> str:
    spec = "seconds" if float(t).is_integer() else "milliseconds"
    return datetime.fromtimestamp(t, UTC).isoformat(timespec=spec).replace("+00:00", "Z")


def _span(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds))).replace(", 0:00:00", "")


def _number(value: float, digits: int = 4) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def _grid_line(period: summary.PeriodSummary) -> str:
    meta = period.metadata
    steps = round((period.end - period.start) / period.step)
    scrape = (
        f"scrape interval {meta.scrape_interval:.3g} s (measured)"
        if meta.scrape_interval
        else "scrape interval not measured"
    )
    return (
        f"grid: {steps} equal steps of {period.step:g} s from --from to --until (not snapped); "
        f"{scrape}; counters read back up to {meta.lookback:.4g} s"
    )


def _describe(period: summary.PeriodSummary) -> list[str]:
    meta = period.metadata
    lines = [
        f"Kepler: {meta.schema_label}",
        f"zones: {', '.join(meta.zones)}; modes: {', '.join(meta.modes) or 'n/a'}; "
        f"pseudo-containers: {meta.pseudo_containers}",
        f"method: {meta.method}",
        _grid_line(period),
        f"coverage: {meta.coverage:.1%} of the steps had Kepler data",
    ]
    if meta.edge_notes:
        lines.append("edges (decided from data, per pod):")
        lines += [f"  {note}" for note in meta.edge_notes]
    if meta.unit_correction:
        lines.append(f"unit correction: {meta.unit_correction}")
    lines += [f"note: {n}" for n in meta.notes]
    lines += [f"warning: {w}" for w in meta.warnings]
    return lines


def _total_row(name: str, total: GridTotal, width: int) -> str:
    if total.seconds <= 0:
        unknown = "n/a (see below)"
        return f"  {name:<{width}}  {unknown:>14}  {'n/a':>12}  {'n/a':>10}  {total.coverage:.1%}"
    return (
        f"  {name:<{width}}  {_number(total.joules, 1):>14}  {_number(total.watt_hours):>12}  "
        f"{_number(total.watts):>10}  {total.coverage:.1%}"
    )


def _period_text(title: str, period: summary.PeriodSummary) -> list[str]:
    lines = [
        f"{title}: {_iso(period.start)} to {_iso(period.end)} "
        f"({_span(period.end - period.start)}, step {period.step:g} s)"
    ]
    width = max([len(n) for n in period.namespaces] + [9])
    header = f"{'energy (J)':>14}  {'energy (Wh)':>12}  {'mean (W)':>10}  coverage"
    lines.append(f"  {'namespace':<{width}}  {header}")
    rows = (
        [*period.namespaces.items(), ("total", period.total)]
        if len(period.namespaces) > 1
        else list(period.namespaces.items())
    )
    lines += [_total_row(name, total, width) for name, total in rows]
    if any(total.seconds <= 0 for _, total in rows):
        lines.append(f"  n/a: {summary.UNKNOWN_REASON}")
    return lines


_EDGE_TAGS = {
    "before": "before",
    "started-kube-state-metrics": "started (ksm)",
    "existed-kube-state-metrics": "baseline (ksm)",
    "started-new-series": "started",
    "implausible": "implausible",
    "no-earlier-data": "baseline (no data)",
}


def _edge_tag(pod: summary.PodRow) -> str:
    tag = _EDGE_TAGS.get(pod.start_rule or "", "-")
    return f"{tag}, ended" if pod.ended else tag


def _pods_text(period: summary.PeriodSummary) -> list[str]:
    if not period.pods:
        return ["  no pods with Kepler data in the window"]
    names = [f"{p.namespace}/{p.pod}" for p in period.pods]
    width = max(len(n) for n in names)
    tags = [_edge_tag(p) for p in period.pods]
    edge = max(len(t) for t in [*tags, "edges"])
    lines = [
        f"  {'pod':<{width}}  {'energy (J)':>14}  {'mean (W)':>10}  {'edges':<{edge}}  "
        "workload (attribution)"
    ]
    for name, tag, pod in zip(names, tags, period.pods, strict=True):
        lines.append(
            f"  {name:<{width}}  {_number(pod.joules if pod.known else math.nan, 1):>14}  "
            f"{_number(pod.watts):>10}  "
            f"{tag:<{edge}}  {pod.workload} ({pod.attribution})"
        )
    return lines


def _comparison_text(comparison: summary.Comparison) -> list[str]:
    current, base = comparison.current.total, comparison.baseline.total
    rows = (
        ("energy (J)", current.joules, base.joules, comparison.difference_joules, 1),
        (
            "energy (Wh)",
            current.watt_hours,
            base.watt_hours,
            comparison.difference_joules / 3600,
            4,
        ),
        ("mean power (W)", current.watts, base.watts, comparison.difference_watts, 4),
    )
    lines = [f"  {'':<15} {'period':>14} {'baseline':>14} {'difference':>14}"]
    for label, now, then, diff, digits in rows:
        values = " ".join(f"{_number(v, digits):>14}" for v in (now, then, diff))
        lines.append(f"  {label:<15} {values}")
    lines.append(f"  ratio period / baseline: {_number(comparison.ratio, 3)}")
    return lines


def render_text(period: summary.PeriodSummary, comparison: summary.Comparison | None) -> str:
    """The human-readable report."""
    lines = _period_text("Period", period)
    if comparison is not None:
        lines += [
            "",
            *_period_text("Baseline", comparison.baseline),
            "",
            "Period against baseline",
            *_comparison_text(comparison),
        ]
    lines += ["", "Pods (period)", *_pods_text(period), "", *_describe(period)]
    if comparison is not None and comparison.baseline.metadata.warnings:
        lines += [f"baseline warning: {w}" for w in comparison.baseline.metadata.warnings]
    return "\n".join(lines)


_FORMAT: Callable[[Callable[..., None]], Callable[..., None]] = format_option("text", "json")


@dataclass(frozen=True)
class _Options:
    """The command line, typed."""

    url: str | None
    namespaces: tuple[str, ...]
    since: str | None
    start: datetime | None
    until: datetime | None
    pod_regex: str | None
    compare_from: datetime | None
    step: float | None
    kepler_schema: str
    include_pseudo_containers: bool
    fmt: str


def _read(
    client: PrometheusClient,
    *,
    period: tuple[float, float],
    step: float | None,
    common: dict[str, Any],
) -> tuple[EnergyReading, float]:
    """Read ``period`` on its exact grid; returns the reading and the step used."""
    grid = _grid(client, period=period, step=step, override=common["schema"])
    request = EnergyRequest(
        start=period[0], end=period[1], step=grid.step, scrape_interval=grid.scrape, **common
    )
    return kepler.read_energy(client, request, detected=grid.found), grid.step


def _run(options: _Options) -> None:
    if not options.namespaces and not options.pod_regex:
        raise click.UsageError("give --namespace (repeatable) or --pod")
    begin, end = _period(since=options.since, start=options.start, until=options.until)
    common: dict[str, Any] = {
        "namespaces": options.namespaces,
        "pod_regex": options.pod_regex,
        "schema": None if options.kepler_schema == "auto" else KeplerSchema(options.kepler_schema),
        "include_pseudo_containers": options.include_pseudo_containers,
    }
    with _client(options.url) as client:
        current, step = _read(client, period=(begin, end), step=options.step, common=common)
        baseline = None
        if options.compare_from is not None:
            base = round(options.compare_from.timestamp(), 3)
            baseline, _ = _read(
                client, period=(base, base + (end - begin)), step=step, common=common
            )
    period = summary.summarise(current)
    comparison = summary.compare(current, baseline) if baseline is not None else None
    if options.fmt == "json":
        click.echo(json.dumps(summary.as_json(period, comparison), indent=2, sort_keys=True))
    else:
        click.echo(render_text(period, comparison))


@click.command("energy")
@click.option(
    "--prometheus",
    "url",
    metavar="URL",
    help="PromQL endpoint (default: OFFHOURS_PROMETHEUS__URL).",
)
@click.option(
    "--namespace",
    "-n",
    "namespaces",
    multiple=True,
    help="Namespace to measure (repeatable; required unless --pod is given).",
)
@click.option(
    "--since", metavar="DURATION", help="Length of the period ending at --until (default 1h)."
)
@click.option("--from", "start", type=InstantType(), help="Start of the period (ISO-8601).")
@click.option("--until", type=InstantType(), help="End of the period (ISO-8601; default now).")
@click.option(
    "--pod", "pod_regex", metavar="REGEX", help="Only pods whose name matches this RE2 regex."
)
@click.option(
    "--compare-from",
    type=InstantType(),
    help="Start of an earlier period of the same length to compare with.",
)
@click.option(
    "--step",
    type=click.FloatRange(min=0.001),
    help="Longest grid step in seconds: the period is cut into equal steps no longer than "
    "this (default: the measured scrape interval, at most 720 steps; Kepler <=0.3: no "
    "shorter than the scrape interval).",
)
@click.option(
    "--kepler-schema",
    type=click.Choice(["auto", *(s.value for s in KeplerSchema)]),
    default="auto",
    show_default=True,
    help="Kepler metric generation: 0.10 (0.10+), 0.7 (0.4-0.9), 0.3 (<=0.3).",
)
@click.option(
    "--include-pseudo-containers",
    is_flag=True,
    help="Count Kepler 0.4-0.9 system/kernel processes in their pseudo-namespaces.",
)
@_FORMAT
def command(**options: Any) -> None:
    """Measured energy and mean power of namespaces or pods, from Kepler via Prometheus.

    The period is exactly [--from, --until), never snapped to a grid: it is cut into equal
    steps no longer than Kepler's scrape interval (measured), so short periods and pods
    that live less than a minute are read whole. Energy is integrated exactly from Kepler's
    counters (each sample's delta counted once, no increase() extrapolation). A pod whose
    series starts inside the period counts its first sample from 0 (it started: Kepler
    counters start at 0) unless it existed before (a sample before --from, or
    kube_pod_start_time); the rule applied is printed per pod. A figure that cannot be
    computed is shown as n/a with the reason, never as 0 J. The output states the grid,
    Kepler schema, zones, modes, coverage and method. With --compare-from, an earlier
    period of the same length is read on the same grid and compared.
    """
    _run(_Options(**options))
