"""``offhours suggest``: what is idle, when, and what turning it off would save, as policies.

Reads each workload's activity per slot of the week (cAdvisor CPU and network, restarts and
replica changes from kube-state-metrics, optionally a request rate the user names) and its
Kepler power from any PromQL endpoint, and proposes ``uptime`` policies that switch off only
slots idle in every observed week. ``--write DIR`` writes them as commented YAML files that
``offhours validate`` accepts; an existing policy of the same name is never overwritten.

Presentation only: reading and checking is ``scheduler.reconcile.suggesting``, the decisions
``scheduler.core.suggest``. Any Prometheus failure exits 2 before anything is printed.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from scheduler.cli.common import InstantType, format_option, load_settings, now_utc
from scheduler.cli.energy import parse_duration
from scheduler.errors import ConfigError

__all__ = ["command", "parse_saving"]

_SAVING = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(J|kJ|MJ|Wh|kWh|MWh)\s*(?:/\s*(day|week|year))?\s*$")
_JOULES = {"J": 1.0, "kJ": 1e3, "MJ": 1e6, "Wh": 3600.0, "kWh": 3.6e6, "MWh": 3.6e9}
_PER_WEEK = {"day": 7.0, "week": 1.0, "year": 7 / 365.25}


def parse_saving(text: str) -> float:
    """``0.5kWh/week``, ``2MJ/day``, ``100 kWh/year`` -> joules a week."""
    found = _SAVING.match(text)
    if not found:
        raise click.BadParameter(
            f"{text!r} is not an energy a week; expected e.g. 0.5kWh/week, 2MJ/day or 100kWh/year",
            param_hint="--min-saving",
        )
    number, unit, per = found.groups()
    return float(number) * _JOULES[unit] * _PER_WEEK[per or "week"]


@dataclass(frozen=True)
class _Options:
    """The command line, typed."""

    url: str | None
    namespaces: tuple[str, ...]
    since: str
    until: datetime | None
    time_zone: str
    granularity: str
    min_saving: str
    margin: str
    min_window: str
    min_weeks: int
    holidays: str | None
    activity_metric: str | None
    power_only: bool
    kepler_schema: str
    fmt: str
    write: Path | None


def _minutes(text: str, *, name: str, granularity: int) -> int:
    seconds = parse_duration(text)
    if seconds % granularity:
        raise click.BadParameter(
            f"{text!r} is not a whole number of {granularity // 60}-minute slots",
            param_hint=name,
        )
    return round(seconds / granularity)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(
            f"{name!r} is not an IANA time zone; expected e.g. Europe/Berlin",
            param_hint="--time-zone",
        ) from None


def _holidays(text: str | None) -> Any:
    from scheduler.core.calendar import HolidayCalendar, check_country, check_subdivision
    from scheduler.core.syntax import SyntaxProblem

    if not text:
        return None
    country, _, subdivision = text.partition("-")
    try:
        country = check_country(country)
        canonical = check_subdivision(country, subdivision) if subdivision else None
    except SyntaxProblem as exc:
        raise click.BadParameter(str(exc), param_hint="--holidays") from None
    return HolidayCalendar(country, canonical)


def _settings(o: _Options) -> Any:
    from scheduler.core.suggest.proposal import Settings
    from scheduler.core.suggest.weekslots import WeekSlots

    g = round(parse_duration(o.granularity))
    try:
        slots = WeekSlots(g, _zone(o.time_zone))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--granularity") from None
    return Settings(
        slots=slots,
        margin_slots=_minutes(o.margin, name="--margin", granularity=g),
        min_window_slots=max(1, _minutes(o.min_window, name="--min-window", granularity=g)),
        min_weeks=o.min_weeks,
        min_saving_joules=parse_saving(o.min_saving),
        holidays=_holidays(o.holidays),
    )


def _progress(phase: str, done: float) -> None:
    end = "\n" if phase != "activity" or done >= 1.0 else ""
    width = 30
    bar = "#" * round(done * width)
    sys.stderr.write(f"\rreading {phase:<8} [{bar:<{width}}] {done:4.0%}{end}")
    sys.stderr.flush()


def _existing_names(folder: Path) -> set[str]:
    names: set[str] = set()
    if not folder.is_dir():
        return names
    pattern = re.compile(r"^metadata:\s*\n(?:[ \t]+.*\n)*?[ \t]+name:\s*['\"]?([\w.-]+)", re.M)
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        names.update(pattern.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def _write(folder: Path, suggestion: Any, factors: Any) -> list[str]:
    from scheduler.core.suggest.policyfile import policy_yaml

    folder.mkdir(parents=True, exist_ok=True)
    taken = _existing_names(folder)
    said = []
    for policy in suggestion.policies:
        path = folder / f"{policy.name}.yaml"
        if policy.name in taken or path.exists():
            said.append(
                f"{path}: not written, a policy named {policy.name} exists (not overwritten)"
            )
            continue
        path.write_text(policy_yaml(policy, suggestion, factors), encoding="utf-8")
        said.append(f"{path}: written")
    return said


def _request(o: _Options) -> Any:
    from scheduler.core.kepler.schema import KeplerSchema
    from scheduler.reconcile.suggesting import SuggestRequest

    end = (o.until or now_utc()).timestamp()
    return SuggestRequest(
        start=end - parse_duration(o.since),
        end=end,
        settings=_settings(o),
        namespaces=o.namespaces,
        custom=o.activity_metric,
        power_only=o.power_only,
        schema=None if o.kepler_schema == "auto" else KeplerSchema(o.kepler_schema),
    )


def _render(fmt: str, result: Any, factors: Any) -> str:
    from scheduler.core.suggest import jsondoc, policyfile, text

    if fmt == "json":
        return json.dumps(jsondoc.as_json(result, factors), indent=2, sort_keys=True) + "\n"
    if fmt == "markdown":
        return text.render_markdown(result, factors)
    if fmt == "yaml":
        return "---\n".join(policyfile.policy_yaml(p, result, factors) for p in result.policies)
    return text.render_text(result, factors) + "\n"


def _run(o: _Options) -> None:
    from scheduler.adapters.prometheus.client import PrometheusClient
    from scheduler.core.energy.conversions import ConversionFactors
    from scheduler.reconcile.suggesting import suggest

    request = _request(o)
    config = load_settings()
    prometheus = config.prometheus.model_copy(update={"url": o.url}) if o.url else config.prometheus
    if not prometheus.url:
        raise ConfigError("no Prometheus URL: pass --prometheus or set OFFHOURS_PROMETHEUS__URL")
    progress = _progress if sys.stderr.isatty() else None
    with PrometheusClient(prometheus) as client:
        result = suggest(client, request, progress=progress)
    factors = ConversionFactors.from_config(config.energy)
    written = _write(o.write, result, factors) if o.write is not None else []
    click.echo(_render(o.fmt, result, factors), nl=False)
    for line in written:
        click.echo(line, err=True)


@click.command("suggest")
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
    help="Namespace to analyse (repeatable; default: all but the system namespaces).",
)
@click.option(
    "--since",
    default="28d",
    show_default=True,
    metavar="DURATION",
    help="History read, ending at --until.",
)
@click.option("--until", type=InstantType(), help="End of the history (ISO-8601; default now).")
@click.option(
    "--time-zone",
    default="UTC",
    show_default=True,
    metavar="ZONE",
    help="IANA zone of the team: slots, windows and the policies' timeZone.",
)
@click.option(
    "--granularity",
    default="30m",
    show_default=True,
    metavar="DURATION",
    help="Slot length (whole minutes dividing a day).",
)
@click.option(
    "--min-saving",
    default="0.5kWh/week",
    show_default=True,
    metavar="ENERGY",
    help="Propose a workload only if it saves at least this (e.g. 0.5kWh/week, 2MJ/day).",
)
@click.option(
    "--margin",
    default="30m",
    show_default=True,
    metavar="DURATION",
    help="Keep off time at least this far from any observed activity.",
)
@click.option(
    "--min-window",
    default="2h",
    show_default=True,
    metavar="DURATION",
    help="Shortest off window proposed.",
)
@click.option(
    "--min-weeks",
    type=click.IntRange(1, 52),
    default=2,
    show_default=True,
    help="Weeks each slot must be seen in before it can be off.",
)
@click.option(
    "--holidays",
    metavar="COUNTRY[-SUBDIVISION]",
    help="Public holidays to check (e.g. DE-BE): a workload idle on every one seen gets them off.",
)
@click.option(
    "--activity-metric",
    metavar="PROMQL",
    help="A request rate per workload, e.g. 'sum by (namespace, service) "
    "(rate(nginx_ingress_controller_requests[5m]))': any request marks the slot active.",
)
@click.option(
    "--power-only",
    is_flag=True,
    help="No cAdvisor data: use Kepler power alone as the activity signal (labelled as such).",
)
@click.option(
    "--kepler-schema",
    type=click.Choice(["auto", "0.10", "0.7", "0.3"]),
    default="auto",
    show_default=True,
    help="Kepler metric generation.",
)
@format_option("text", "json", "markdown", "yaml")
@click.option(
    "--write",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="Write each proposed policy to DIR/<name>.yaml (existing names are not overwritten).",
)
def command(**options: Any) -> None:
    """Propose off-hours policies from measured idleness, with the savings they would bring.

    Reads every workload's activity per slot of the week (cAdvisor CPU and network received,
    restarts and replica changes from kube-state-metrics, and any request rate named with
    --activity-metric) and its Kepler power from Prometheus. A slot is idle when every signal
    stayed at the workload's own floor (robust statistics over the weeks seen, not a fixed
    threshold) in every observed week; off windows keep --margin from any activity and last
    at least --min-window. Workloads with the same windows in a namespace share one policy
    (namespace-wide when that is all of it); HelmReleases are targeted with action: scale.
    Savings use the report's baseline method: J/week with its p10-p90 range, kWh, CO2e and
    cost a year. Prometheus unreachable, too little history or missing cAdvisor metrics exit 2.
    """
    _run(_Options(**options))
