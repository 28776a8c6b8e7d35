"""``offhours status``: per target, what the policy wants, what Git says, what runs."""

from __future__ import annotations

import json
from pathlib import Path

import click

from scheduler.cli import common
from scheduler.core import status
from scheduler.reconcile import status as collecting

__all__ = ["command"]


@click.command("status")
@common.repo_option
@common.policies_option
@click.option(
    "--cluster/--no-cluster",
    default=True,
    show_default=True,
    help="Read live state and Flux revisions from the cluster (kubeconfig or in-cluster).",
)
@common.format_option("text", "json")
def command(*, repo: str | None, policies_dir: Path | None, cluster: bool, fmt: str) -> None:
    """Show every target: wanted state and why, Git state, live state, Flux revision, drift,
    next transition, and warnings when a change cannot reach the cluster."""
    settings = common.with_overrides(common.load_settings(), repo=repo, policies=policies_dir)
    now = common.now_utc()
    outcome = collecting.collect(settings, now=now, cluster=cluster)
    if fmt == "json":
        doc = status.to_document(outcome.rows, at=now.timestamp())
        doc["cluster"] = outcome.cluster_note or "read"
        click.echo(json.dumps(doc, indent=2))
        return
    click.echo(status.render_text(outcome.rows, at=now.timestamp()), nl=False)
    if outcome.cluster_note:
        click.echo(outcome.cluster_note, err=True)
