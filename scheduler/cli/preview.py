"""``offhours preview``: show when each policy's targets will be off, before anyone merges it.

Reads the clock once (``--from`` defaults to now), evaluates every valid policy over the
range and prints a calendar (text), the JSON contract, or markdown for a PR comment. Broken
policies are reported on stderr and the others are still previewed (exit 1). With a
Prometheus configured, each policy also gets its estimated savings over the range; a metrics
outage only drops that estimate, with a one-line note on stderr.

Git (``--compare``, a URL as ``--repo``), target resolution and the savings estimate are
imported only when their option is used: a plain preview loads policies and the calendar.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.decorators import FC

from scheduler.cli import common
from scheduler.cli.validate import ordered, read_policies
from scheduler.core import preview
from scheduler.core.policy import Policy, PolicyLoad
from scheduler.errors import ConfigError, SchedulerError
from scheduler.reconcile import workspace

if TYPE_CHECKING:
    from scheduler.core.preview import compare

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
@click.option(
    "--compare",
    "base",
    metavar="REV",
    default=None,
    help="Show what the policies of the checkout change against Git revision REV (markdown).",
)
@_format_option
def command(**options: Any) -> None:
    """Show when each policy's targets are off over a range (default: the next 7 days).

    With --repo, each policy's targets are resolved against the repository's manifests and
    listed. With a Prometheus (--prometheus or OFFHOURS_PROMETHEUS__URL) each policy also
    gets an estimate of the energy its schedule would avoid, from the targets' recent Kepler
    history (labelled an estimate). With --compare REV (e.g. origin/main), the output is a
    pull-request comment: per policy, targets gained and lost and off hours per week before
    (REV) and after (the checkout, --repo or .).
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
    base: str | None
    fmt: str


def _policies_folder(options: _Options) -> Path | None:
    """``--policies`` relative to a local ``--repo`` (as plan and validate read it)."""
    if options.repo is None:
        return options.policies_dir
    from scheduler.adapters import gitrepo

    if gitrepo.is_url(options.repo):
        return options.policies_dir
    folder = options.policies_dir or common.policies_setting()
    return workspace.policies_folder(Path(options.repo), folder)


def _with_savings(
    result: preview.Preview, selected: list[Policy], options: _Options
) -> preview.Preview:
    """``result`` with the savings estimate when a Prometheus is configured; any failure
    drops the estimate with a one-line note on stderr."""
    if options.url is None and not common.settings_in_environment():
        return result  # every setting at its default: no Prometheus
    try:
        settings = common.load_settings()
    except ConfigError:
        return result
    url = options.url or settings.prometheus.url
    if not url or not selected:
        return result
    from scheduler.reconcile import reporting
    from scheduler.reconcile.reporting import forecast

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


def _with_targets(
    result: preview.Preview, selected: list[Policy], options: _Options
) -> preview.Preview:
    """``result`` with each policy's targets, when ``--repo`` was given."""
    if options.repo is None:
        return result
    from scheduler.core import targets

    settings = common.with_overrides(common.load_settings(), repo=options.repo)
    with workspace.repository_index(settings, options.repo) as index:
        found = targets.targets_by_policy(selected, index)
    return replace(result, targets=found)


def _side(root: Path, policies: Path, *, now: datetime) -> compare.Side:
    from scheduler.core import targets
    from scheduler.core.preview import compare

    ws = workspace.load_workspace(root, policies=policies, now=now)
    found = targets.targets_by_policy(ws.policies.policies, ws.index)
    broken = tuple(sorted(r.name or str(r.location) for r in ws.policies.rejected))
    return compare.Side(ws.policies.policies, {k: frozenset(v) for k, v in found.items()}, broken)


def _compare(options: _Options, first: datetime, last: datetime) -> None:
    """``--compare REV``: the checkout's policies against those of ``REV``."""
    from scheduler.adapters import gitrepo
    from scheduler.core.preview import compare

    if gitrepo.is_url(options.repo or "."):  # before Path() folds "https://" into "https:/"
        raise ConfigError("--compare needs a local checkout as --repo (the pull request's)")
    repo = Path(options.repo or ".")
    policies = options.policies_dir or common.policies_setting()
    now = common.now_utc()
    with tempfile.TemporaryDirectory(prefix="offhours-compare-") as tmp:
        sha = gitrepo.export_revision(repo, options.base or "", Path(tmp))
        before = _side(Path(tmp), policies, now=now)
    after = _side(repo, policies, now=now)
    diffs = compare.compare(before, after, start=first.timestamp(), end=last.timestamp())
    if options.fmt == "json":
        doc = [
            {
                "policy": d.name,
                "change": str(d.change),
                "gained": [str(t) for t in d.gained],
                "lost": [str(t) for t in d.lost],
                "kept": d.kept,
                "offHoursPerWeekBefore": d.hours_before,
                "offHoursPerWeekAfter": d.hours_after,
            }
            for d in diffs
        ]
        click.echo(json.dumps({"base": sha, "policies": doc}, indent=2))
    else:
        base = f"{options.base} ({sha[:12]})"
        text = compare.render_markdown(
            diffs,
            base=base,
            start=first.timestamp(),
            end=last.timestamp(),
            broken=after.broken,
        )
        click.echo(text, nl=False)
    sys.exit(1 if after.broken else 0)


def _run(options: _Options) -> None:
    first, last = _range(options.start, options.end, options.days)
    if options.base is not None:
        _compare(options, first, last)
    now = first if options.start is None else common.now_utc()
    load = read_policies(_policies_folder(options), now=now)
    for diagnostic in ordered(load.diagnostics):
        click.echo(str(diagnostic), err=True)
    selected = _select(load, options.names)
    result = preview.build(selected, start=first.timestamp(), end=last.timestamp())
    result = _with_targets(result, selected, options)
    result = _with_savings(result, selected, options)
    click.echo(_RENDER[options.fmt](result), nl=False)
    sys.exit(1 if load.errors else 0)
