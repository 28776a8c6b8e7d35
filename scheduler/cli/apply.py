"""``offhours apply``: plan, edit, make one commit and push it (the daemon's cycle, once)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from scheduler.adapters import gitrepo
from scheduler.cli import common
from scheduler.cli.plan import emit
from scheduler.reconcile import applier

__all__ = ["command"]


@click.command("apply")
@common.repo_option
@click.option("--branch", default=None, help="Branch to commit to [default: the current one].")
@common.policies_option
@common.at_option
@click.option("--no-push", is_flag=True, help="Commit locally only.")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@common.format_option("text", "json", "diff")
def command(  # noqa: PLR0913 - one parameter per option
    *,
    repo: str | None,
    branch: str | None,
    policies_dir: Path | None,
    at: datetime | None,
    no_push: bool,
    dry_run: bool,
    fmt: str,
) -> None:
    """Commit the plan to the GitOps repository (one commit) and push it.

    A rejected push (another writer moved the branch) is fetched, re-planned on top and
    retried; nothing is ever force-pushed. With nothing to change there is no commit.
    """
    settings = common.with_overrides(
        common.load_settings(), repo=repo, branch=branch, policies=policies_dir
    )
    now = common.now_utc()
    if dry_run:
        outcome = applier.plan_checkout(settings, at=at or now, now=now)
    else:
        outcome = applier.apply(settings, at=at or now, now=now, push=not no_push)
    emit(outcome.plan, fmt)
    result = outcome.publish
    if result is not None:
        click.echo(_summary(result, repository=outcome.repository), err=fmt != "text")
    plan = outcome.plan
    sys.exit(1 if plan.refused or any(d.is_error for d in plan.diagnostics) else 0)


def _summary(result: gitrepo.PublishResult, *, repository: str) -> str:
    if result.commit is None:
        return f"nothing to commit in {repository}"
    where = f"pushed to {repository}" if result.pushed else f"committed locally in {repository}"
    retries = f" after {result.conflicts} rejected push(es)" if result.conflicts else ""
    notes = "".join(f"\n  note: {n}" for n in result.notes)
    return f"commit {result.commit[:12]} {where}{retries}{notes}"
