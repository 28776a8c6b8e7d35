"""``offhours preview``: show when each policy's targets will be off, before anyone merges it.

Reads the clock once (``--from`` defaults to now), evaluates every valid policy over the
range and prints a calendar (text), the JSON contract, or markdown for a PR comment. Broken
policies are reported on stderr and the others are still previewed (exit 1).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import click
from click.decorators import FC

from scheduler.cli import common
from scheduler.cli.validate import ordered, read_policies
from scheduler.core import preview
from scheduler.core.policy import Policy, PolicyLoad
from scheduler.errors import ConfigError

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
@_format_option
def command(
    *,
    policies_dir: Path | None,
    start: datetime | None,
    end: datetime | None,
    days: int | None,
    names: tuple[str, ...],
    fmt: str,
) -> None:
    """Show when each policy's targets are off over a range (default: the next 7 days)."""
    first, last = _range(start, end, days)
    load = read_policies(policies_dir, now=first if start is None else common.now_utc())
    for diagnostic in ordered(load.diagnostics):
        click.echo(str(diagnostic), err=True)
    selected = _select(load, names)
    result = preview.build(selected, start=first.timestamp(), end=last.timestamp())
    click.echo(_RENDER[fmt](result), nl=False)
    sys.exit(1 if load.errors else 0)
