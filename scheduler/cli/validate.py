"""``offhours validate``: check every policy in the policies folder and report each problem.

Prints one ``path:line:col: ...`` line per error or warning, then a summary line, all on
stdout (the diagnostics are this command's output); exits 1 if there was any error.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import click

from scheduler.cli import common
from scheduler.core.diagnostics import Diagnostic
from scheduler.core.policy import PolicyLoad
from scheduler.reconcile import workspace

__all__ = ["command", "read_policies", "summary"]


def read_policies(folder: Path | None, *, now: datetime) -> PolicyLoad:
    """Read and validate every policy file under ``folder`` (the settings default if None)."""
    root = folder if folder is not None else common.policies_setting()
    return workspace.read_policies(root, now=now)


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics by file, then by position within the file."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.column))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(load: PolicyLoad, *, warnings: int | None = None) -> str:
    """``4 policies in 3 files: 1 error, 0 warnings``."""
    count = len(load.warnings) if warnings is None else warnings
    return (
        f"{_plural(load.documents, 'policy').replace('policys', 'policies')} in "
        f"{_plural(load.files, 'file')}: {_plural(len(load.errors), 'error')}, "
        f"{_plural(count, 'warning')}"
    )


def _resolution(repo: Path, load: PolicyLoad, *, policies: Path) -> list[Diagnostic]:
    """Target findings against the manifests of ``repo`` (the policies folder is not a
    manifest folder): selectors that match nothing, objects selected by several policies."""
    from scheduler.core import scalecheck, targets  # with --repo only: the manifest machinery

    index, unreadable = workspace.index_manifests(repo, skip=policies)
    resolution = targets.resolve(load.policies, index)
    return [*unreadable, *resolution.diagnostics, *scalecheck.scale_findings(index, resolution)]


@click.command("validate")
@common.policies_option
@click.option(
    "--repo",
    "repo",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Also resolve targets against the manifests of this checkout (policies relative to it).",
)
def command(*, policies_dir: Path | None, repo: Path | None) -> None:
    """Check every policy; print each problem as path:line:col (exit 1 on any error).

    Policy names are unique across the folder: a name used twice is an error at the
    metadata.name of each copy. With --repo, targets are also resolved against the
    repository's manifests: a target that selects nothing, an object selected by several
    policies, action values on a key the HelmRelease does not set (the chart may ignore it:
    action scale works for every chart), and action scale on a Kustomization that would
    reach the Flux controllers or offhours, or whose HelmReleases it does not render, are
    warnings.
    """
    folder = policies_dir or common.policies_setting()
    if repo is not None:
        folder = workspace.policies_folder(repo, folder)
    load = read_policies(folder, now=common.now_utc())
    diagnostics = [
        *load.diagnostics,
        *(_resolution(repo, load, policies=folder) if repo is not None else ()),
    ]
    for diagnostic in ordered(diagnostics):
        click.echo(str(diagnostic))
    if load.documents == 0 and not load.diagnostics:
        click.echo("no policy documents found")
    warnings = sum(1 for d in diagnostics if not d.is_error)
    click.echo(summary(load, warnings=warnings))
    sys.exit(1 if load.errors else 0)
