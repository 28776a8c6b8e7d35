"""``offhours plan``: what every target should be at an instant, against the repo as it is.

Level-based: the plan is the difference between each policy's state at ``--at`` (default
now) and what Git says, so running it again after ``apply`` prints no changes. Exits 1 when a
policy is broken or an object could not be edited safely (the rest is still planned).
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from scheduler.adapters import gitrepo
from scheduler.cli import common
from scheduler.core import planview
from scheduler.core.planner import Plan
from scheduler.reconcile import applier, workspace

__all__ = ["command", "emit"]

_format = common.format_option("text", "json", "diff")


def emit(plan: Plan, fmt: str) -> None:
    """Print ``plan`` in ``fmt`` (text, json or diff)."""
    if fmt == "json":
        click.echo(planview.render_json(plan), nl=False)
    elif fmt == "diff":
        click.echo(planview.render_diff(plan) or "# no changes", nl=False)
    else:
        click.echo(planview.render_text(plan), nl=False)


@click.command("plan")
@common.repo_option
@common.policies_option
@common.at_option
@_format
def command(*, repo: str | None, policies_dir: Path | None, at: datetime | None, fmt: str) -> None:
    """Show the changes that would bring the repository to every policy's state.

    --policies is relative to the repository. Nothing is written; a URL is cloned into the
    cache folder ($OFFHOURS_GIT__CACHE_DIR) first.
    """
    settings = common.with_overrides(common.load_settings(), repo=repo, policies=policies_dir)
    now = common.now_utc()
    if gitrepo.is_url(settings.git.repo):
        plan = applier.plan_checkout(settings, at=at or now, now=now).plan
    else:
        _, plan = workspace.load_and_plan(
            Path(settings.git.repo), policies=settings.policies, now=now, at=at or now
        )
    emit(plan, fmt)
    sys.exit(1 if plan.refused or any(d.is_error for d in plan.diagnostics) else 0)
