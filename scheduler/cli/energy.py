"""``offhours energy``: measured Kepler energy of namespaces or pods, optionally before/after.

Reads the energy (J, Wh) and mean power (W) of one or more namespaces (or the pods matching a
regex) from any PromQL endpoint, per namespace and per pod, and with ``--compare-from`` sets
it against an earlier period of the same length (difference and ratio): the question "what
did moving this cluster to GitOps cost or save?" without hand-written curl queries. The
output always states the Kepler schema and version, zones, modes, coverage and method.

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
from scheduler.core.kepler import summary
from scheduler.core.kepler.reading import EnergyRequest
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.errors import ConfigError

__all__ = ["command", "parse_duration"]

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NICE_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400)
_MAX_STEPS = 720


def parse_duration(text: str) -> float:
    """``"1h"``, ``"90m"``, ``"2h30m"``, ``"7d"`` -> seconds (Prometheus duration units)."""
    compact = text.strip().replace(" ", "")
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise click.BadParameter(
            f"{text!r} is not a duration; expected e.g. 1h, 90m, 2h30m or 7d", param_hint="--since"
        )
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)


def _step_for(seconds: float) -> float:
    """The smallest "nice" step giving at most 720 steps (counter windows need >= 60 s)."""
    wanted = seconds / _MAX_STEPS
    return float(next((s for s in _NICE_STEPS if s >= wanted), _NICE_STEPS[-1]))


def _window(
    *, since: str | None, start: datetime | None, until: datetime | None, step: float | None
) -> tuple[float, float, float]:
    if since and start:
        raise click.UsageError("give either --since or --from, not both")
    end = (until or now_utc()).timestamp()
    begin = start.timestamp() if start else end - parse_duration(since or "1h")
    if begin >= end:
        raise click.UsageError("--from must be before --until")
    width = round(end - begin)
    chosen = step or _step_for(width)
    steps = max(1, round(width / chosen))
    aligned = math.floor(begin / chosen) * chosen  # stores align query_range to step multiples
    return float(aligned), float(aligned + steps * chosen), chosen


def _client(url: str | None) -> PrometheusClient:
    settings = load_settings().prometheus
    if url:
        settings = settings.model_copy(update={"url": url})
    if not settings.url:
        raise ConfigError("no Prometheus URL: pass --prometheus or set OFFHOURS_PROMETHEUS__URL")
    return PrometheusClient(settings)


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat().replace("+00:00", "Z")


def _span(seconds: float) -> str:
    return str(timedelta(seconds=round(seconds))).replace(", 0:00:00", "")


def _number(value: float, digits: int = 4) -> str:
    return "n/a" if math.isnan(value) else f"{value:,.{digits}f}"


def _describe(period: summary.PeriodSummary) -> list[str]:
    meta = period.metadata
    lines = [
        f"Kepler: {meta.schema_label}",
        f"zones: {', '.join(meta.zones)}; modes: {', '.join(meta.modes) or 'n/a'}; "
        f"pseudo-containers: {meta.pseudo_containers}",
        f"method: {meta.method}",
        f"coverage: {meta.coverage:.1%} of the steps had Kepler data",
    ]
    if meta.unit_correction:
        lines.append(f"unit correction: {meta.unit_correction}")
    lines += [f"warning: {w}" for w in meta.warnings]
    return lines


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
    for name, total in rows:
        lines.append(
            f"  {name:<{width}}  {_number(total.joules, 1):>14}  {_number(total.watt_hours):>12}  "
            f"{_number(total.watts):>10}  {total.coverage:.1%}"
        )
    return lines


def _pods_text(period: summary.PeriodSummary) -> list[str]:
    if not period.pods:
        return ["  no pods with Kepler data in the window"]
    names = [f"{p.namespace}/{p.pod}" for p in period.pods]
    width = max(len(n) for n in names)
    lines = [f"  {'pod':<{width}}  {'energy (J)':>14}  {'mean (W)':>10}  workload (attribution)"]
    for name, pod in zip(names, period.pods, strict=True):
        lines.append(
            f"  {name:<{width}}  {_number(pod.joules, 1):>14}  {_number(pod.watts):>10}  "
            f"{pod.workload} ({pod.attribution})"
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


def _run(options: _Options) -> None:
    if not options.namespaces and not options.pod_regex:
        raise click.UsageError("give --namespace (repeatable) or --pod")
    begin, end, step = _window(
        since=options.since, start=options.start, until=options.until, step=options.step
    )
    common: dict[str, Any] = {
        "step": step,
        "namespaces": options.namespaces,
        "pod_regex": options.pod_regex,
        "schema": None if options.kepler_schema == "auto" else KeplerSchema(options.kepler_schema),
        "include_pseudo_containers": options.include_pseudo_containers,
    }
    with _client(options.url) as client:
        current = kepler.read_energy(client, EnergyRequest(start=begin, end=end, **common))
        baseline = None
        if options.compare_from is not None:
            base = float(round(options.compare_from.timestamp()))
            request = EnergyRequest(start=base, end=base + (end - begin), **common)
            baseline = kepler.read_energy(client, request)
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
    type=click.FloatRange(min=15),
    help="Grid step in seconds (default: 60 s or more, at most 720 steps).",
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

    Energy is integrated exactly from Kepler's counters (no increase() extrapolation); the
    output states the Kepler schema, zones, modes and the share of the period with data.
    With --compare-from, an earlier period of the same length is read and compared.
    """
    _run(_Options(**options))
