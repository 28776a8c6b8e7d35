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
from pydantic import ValidationError

from scheduler.adapters import workspace
from scheduler.cli import common
from scheduler.core.diagnostics import Diagnostic
from scheduler.core.policy import PolicyLoad, load_policies
from scheduler.errors import ConfigError
from scheduler.settings import Settings

__all__ = ["command", "policies_option", "read_policies", "summary"]


#: ``--policies DIR`` (default: ``OFFHOURS_POLICIES``, else ``policies``).
policies_option = click.option(
    "--policies",
    "policies_dir",
    type=click.Path(path_type=Path, file_okay=True, dir_okay=True),
    default=None,
    help="Folder (or file) of policies [default: $OFFHOURS_POLICIES or policies].",
)


def _default_folder() -> Path:
    try:
        return Settings().policies
    except ValidationError as exc:
        raise ConfigError(f"invalid OFFHOURS_* settings: {exc}") from exc


def read_policies(folder: Path | None, *, now: datetime) -> PolicyLoad:
    """Read and validate every policy file under ``folder`` (the settings default if None)."""
    root = folder if folder is not None else _default_folder()
    if not root.exists():
        raise ConfigError(
            f"policies folder {str(root)!r} does not exist; pass --policies DIR or set "
            "OFFHOURS_POLICIES"
        )
    files, unreadable = workspace.read_yaml_files(root)
    load = load_policies(((f.path, f.text) for f in files), now=now.timestamp())
    problems = tuple(
        Diagnostic(u.path, 1, 1, f"cannot read the file: {u.reason}") for u in unreadable
    )
    return PolicyLoad(
        load.policies, load.rejected, problems + load.diagnostics, load.files + len(unreadable)
    )


def ordered(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Diagnostics by file, then by position within the file."""
    return sorted(diagnostics, key=lambda d: (d.path, d.line, d.column))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(load: PolicyLoad) -> str:
    """``4 policies in 3 files: 1 error, 0 warnings``."""
    return (
        f"{_plural(load.documents, 'policy').replace('policys', 'policies')} in "
        f"{_plural(load.files, 'file')}: {_plural(len(load.errors), 'error')}, "
        f"{_plural(len(load.warnings), 'warning')}"
    )


@click.command("validate")
@policies_option
def command(*, policies_dir: Path | None) -> None:
    """Check every policy; print each problem as path:line:col (exit 1 on any error)."""
    load = read_policies(policies_dir, now=common.now_utc())
    for diagnostic in ordered(load.diagnostics):
        click.echo(str(diagnostic))
    if load.documents == 0 and not load.diagnostics:
        click.echo("no policy documents found")
    click.echo(summary(load))
    sys.exit(1 if load.errors else 0)
