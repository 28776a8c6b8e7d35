"""A checkout as offhours reads it: the policies, the manifest index, and the plan at an instant.

Relative policy folders are resolved against the repository root, so ``--policies policies``
means the same folder for a local checkout and for a clone of a URL. The policy folder is not
indexed as manifests.

Reading policies needs neither git nor the manifest machinery: both are imported by the
functions that use them (``offhours validate`` imports this module).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scheduler.adapters import workspace as files
from scheduler.core.diagnostics import Diagnostic
from scheduler.core.policy import PolicyLoad, load_policies
from scheduler.errors import ConfigError

if TYPE_CHECKING:
    from scheduler.core import planner
    from scheduler.core.manifests import ManifestIndex
    from scheduler.settings import Settings

__all__ = [
    "Workspace",
    "load_and_plan",
    "load_workspace",
    "plan_workspace",
    "read_policies",
    "repository_index",
    "write_plan",
]


@dataclass(frozen=True)
class Workspace:
    """Everything read from one checkout."""

    root: Path
    policies_dir: Path
    policies: PolicyLoad
    index: ManifestIndex
    unreadable: tuple[Diagnostic, ...] = ()


def read_policies(folder: Path, *, now: datetime) -> PolicyLoad:
    """Read and validate every policy file under ``folder`` (a folder or one file)."""
    if not folder.exists():
        raise ConfigError(
            f"policies folder {str(folder)!r} does not exist; pass --policies DIR or set "
            "OFFHOURS_POLICIES"
        )
    found, unreadable = files.read_yaml_files(folder)
    load = load_policies(((f.path, f.text) for f in found), now=now.timestamp())
    problems = tuple(
        Diagnostic(u.path, 1, 1, f"cannot read the file: {u.reason}") for u in unreadable
    )
    return PolicyLoad(
        load.policies, load.rejected, problems + load.diagnostics, load.files + len(unreadable)
    )


def policies_folder(root: Path, policies: Path) -> Path:
    """``policies`` relative to the repository ``root`` (absolute paths are kept)."""
    return policies if policies.is_absolute() else root / policies


def _inside(path: str, folder: str) -> bool:
    return folder in ("", ".") or path == folder or path.startswith(folder.rstrip("/") + "/")


def index_manifests(
    root: Path, *, skip: Path | None = None
) -> tuple[ManifestIndex, tuple[Diagnostic, ...]]:
    """The manifest index of every YAML file under ``root`` except the folder ``skip``, and
    the files that could not be read."""
    from scheduler.core.manifests import build_index

    found, unreadable = files.read_yaml_files(root)
    skipped = ""
    if skip is not None and skip.resolve().is_relative_to(root.resolve()):
        skipped = skip.resolve().relative_to(root.resolve()).as_posix()
    pairs = [(f.rel, f.text) for f in found if not (skipped and _inside(f.rel, skipped))]
    problems = tuple(Diagnostic(u.rel, 1, 1, f"skipped: {u.reason}") for u in unreadable)
    return build_index(pairs), problems


def load_workspace(root: Path, *, policies: Path, now: datetime) -> Workspace:
    """Read the policies and index the manifests of the checkout at ``root``."""
    from scheduler.core.manifests import collector

    if not root.is_dir():
        raise ConfigError(f"repository folder {str(root)!r} does not exist")
    folder = policies_folder(root, policies)
    with collector.paused():  # what is read here forms no cycles; see collector's docstring
        load = read_policies(folder, now=now)
        index, unreadable = index_manifests(root, skip=folder)
    return Workspace(root, folder, load, index, unreadable)


def load_and_plan(
    root: Path, *, policies: Path, now: datetime, at: datetime
) -> tuple[Workspace, planner.Plan]:
    """``load_workspace``, then ``plan_workspace`` at ``at``, in one pause of the garbage
    collector (between the two, it would only scan the index it has just been spared)."""
    from scheduler.core.manifests import collector

    with collector.paused():
        ws = load_workspace(root, policies=policies, now=now)
        return ws, plan_workspace(ws, at=at)


def plan_workspace(
    ws: Workspace, *, at: datetime, hold_suspends: Collection[str] = ()
) -> planner.Plan:
    """The plan of ``ws`` at ``at`` (broken policies hold the objects they may select)."""
    from scheduler.core import planner
    from scheduler.core.manifests import collector

    broken = {r.name or str(r.location) for r in ws.policies.rejected}
    with collector.paused():  # plan objects form no cycles; see collector's docstring
        result = planner.plan(
            ws.policies.policies,
            ws.index,
            at=at.timestamp(),
            broken_policies=broken,
            hold_suspends=hold_suspends,
        )
    return replace(
        result, diagnostics=(*ws.policies.diagnostics, *ws.unreadable, *result.diagnostics)
    )


def write_plan(root: Path, plan: planner.Plan) -> tuple[str, ...]:
    """Write every changed file of ``plan`` under ``root``; returns their relative paths."""
    written = []
    for edit in plan.changed_files:
        files.write_text(root / edit.path, edit.new_text)
        written.append(edit.path)
    return tuple(written)


@contextlib.contextmanager
def repository_index(settings: Settings, repo: str) -> Iterator[ManifestIndex]:
    """The manifest index of ``repo``: a local checkout, or a URL cloned into the cache."""
    from scheduler.adapters import gitrepo

    if gitrepo.is_url(repo):
        with gitrepo.open_checkout(settings.git, repo=repo) as checkout:
            folder = policies_folder(checkout.path, settings.policies)
            yield index_manifests(checkout.path, skip=folder)[0]
        return
    root = Path(repo)
    if not root.is_dir():
        raise ConfigError(f"repository folder {repo!r} does not exist")
    yield index_manifests(root, skip=policies_folder(root, settings.policies))[0]
