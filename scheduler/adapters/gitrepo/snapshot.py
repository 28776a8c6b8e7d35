"""A past revision of a local checkout, as files: what ``offhours preview --compare REV``
compares the working tree with. Read-only: nothing in the repository changes."""

from __future__ import annotations

import tarfile
import tempfile
from pathlib import Path

from scheduler.adapters.gitrepo.command import GitRunner
from scheduler.adapters.gitrepo.credentials import BASE_ENV
from scheduler.adapters.gitrepo.redaction import Redactor
from scheduler.errors import GitSyncError

__all__ = ["export_revision"]


def export_revision(repo: Path, rev: str, dest: Path, *, timeout: float = 120.0) -> str:
    """Write the tree of ``rev`` (a branch, tag or commit of the checkout at ``repo``) into
    ``dest``; returns the commit it resolved to."""
    runner = GitRunner(repo, BASE_ENV, Redactor(), timeout=timeout)
    resolved = runner.call("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    if resolved.status != 0:
        raise GitSyncError(
            f"{rev!r} is not a revision of {repo} (expected a branch, tag or commit, e.g. "
            "origin/main)"
        )
    sha = resolved.stdout.strip()
    with tempfile.TemporaryDirectory(prefix="offhours-rev-") as tmp:
        archive = Path(tmp) / "tree.tar"
        runner.run("archive", "--format=tar", "-o", str(archive), sha)
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(dest, filter="data")
    return sha
