"""``offhours preview``: show when each policy's targets will be off, before anyone merges it.

Reads the clock once (``--from`` defaults to now), evaluates every valid policy over the
range and prints a calendar (text), the JSON contract, or markdown for a PR comment. Broken
policies are reported on stderr and the others are still previewed (exit 1). With a
Prometheus configured, each policy also gets its estimated savings over the range; a metrics
outage only drops that estimate, with a one-line note on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from scheduler.adapters import gitrepo
from scheduler.cli import common
from scheduler.cli.validate import ordered, read_policies
from scheduler.core import preview
from scheduler.core.policy import Policy, PolicyLoad
from scheduler.errors import ConfigError, SchedulerError
from scheduler.reconcile import reporting, workspace
from scheduler.reconcile.reporting import forecast

__all__ = ["command"]

MAX_DAYS = 400
DEFAULT_DAYS = 7
_format_option: Callable[[FC], FC] = common.format_option("text", "json", "markdown")
_RENDER = {
    "text": preview.render_text,
    "json": preview.render_json,
    "markdown": preview.render_markdown,
}


def _range(
    start: datetime | None, end: datetime | None, days: int | None
) -> tuple[datetime, datetime]:
    if end is not None and days is not None:
        raise click.UsageError("give either --to or --days, not both")
    first = (start or common.now_utc()).replace(microsecond=0)
    last = end or first + timedelta(days=days or DEFAULT_DAYS)
    if last <= first:
        raise ConfigError(f"--to {last.isoformat()} must be after --from {first.isoformat()}")
    if last - first > timedelta(days=MAX_DAYS):
        raise ConfigError(f"the preview range is limited to {MAX_DAYS} days")
    return first, last


def _select(load: PolicyLoad, names: tuple[str, ...]) -> list[Policy]:
    if not names:
        return list(load.policies)
    broken = {r.name for r in load.rejected}
    unknown = [n for n in names if load.get(n) is None and n not in broken]
    if unknown:
        known = ", ".join(sorted(p.name for p in load.policies)) or "none"
        raise ConfigError(f"no policy named {', '.join(unknown)} (valid policies: {known})")
    return [p for p in load.policies if p.name in names]


@click.command("preview")
@common.policies_option
@click.option(
    "--from", "start", type=common.InstantType(), default=None, help="Start [default: now]."
)
@click.option("--to", "end", type=common.InstantType(), default=None, help="End (exclusive).")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_DAYS),
    default=None,
    help=f"Length in days [default: {DEFAULT_DAYS}].",
)
@click.option("--policy", "names", multiple=True, help="Only this policy (repeatable).")
@click.option(
    "--prometheus",
    "url",
    metavar="URL",
    default=None,
    help="Add a savings estimate from recent Kepler history [default: $OFFHOURS_PROMETHEUS__URL].",
)
@common.repo_option
@_format_option
def command(**options: Any) -> None:
    """Show when each policy's targets are off over a range (default: the next 7 days).

    With a Prometheus (--prometheus or OFFHOURS_PROMETHEUS__URL) the targets are resolved
    against the manifests of --repo and each policy gets an estimate of the energy its
    schedule would avoid, from the targets' recent Kepler history (labelled an estimate).
    """
    _run(_Options(**options))


@dataclass(frozen=True)
class _Options:
    """The command line, typed."""

    policies_dir: Path | None
    start: datetime | None
    end: datetime | None
    days: int | None
    names: tuple[str, ...]
    url: str | None
    repo: str | None
    fmt: str


def _policies_folder(options: _Options) -> Path | None:
    """``--policies`` relative to a local ``--repo`` (as plan and validate read it)."""
    if options.repo is None or gitrepo.is_url(options.repo):
        return options.policies_dir
    folder = options.policies_dir or common.load_settings().policies
    return workspace.policies_folder(Path(options.repo), folder)


def _with_savings(
    result: preview.Preview, selected: list[Policy], options: _Options
) -> preview.Preview:
    """``result`` with the savings estimate when a Prometheus is configured; any failure
    drops the estimate with a one-line note on stderr."""
    try:
        settings = common.load_settings()
    except ConfigError:
        return result
    url = options.url or settings.prometheus.url
    if not url or not selected:
        return result
    settings = common.with_overrides(settings, repo=options.repo)
    settings = settings.model_copy(
        update={"prometheus": settings.prometheus.model_copy(update={"url": url})}
    )
    try:
        savings = forecast.preview_savings(
            settings,
            policies=selected,
            preview=result,
            history_seconds=reporting.default_history_seconds(settings.energy),
            now=common.now_utc(),
        )
    except SchedulerError as exc:
        click.echo(f"offhours: note: savings estimate dropped: {exc}", err=True)
        return result
    return replace(result, savings=savings)


def _run(options: _Options) -> None:
    first, last = _range(options.start, options.end, options.days)
    now = first if options.start is None else common.now_utc()
    load = read_policies(_policies_folder(options), now=now)
    for diagnostic in ordered(load.diagnostics):
        click.echo(str(diagnostic), err=True)
    selected = _select(load, options.names)
    result = preview.build(selected, start=first.timestamp(), end=last.timestamp())
    result = _with_savings(result, selected, options)
    click.echo(_RENDER[options.fmt](result), nl=False)
    sys.exit(1 if load.errors else 0)
