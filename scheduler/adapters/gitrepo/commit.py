"""Making one commit of exactly the named files, as the configured author, optionally signed.

Only the named files are staged (never ``git add -A``) and committed (``commit --only``), so
nothing else in the index or working tree rides along. Author and committer come from
settings through the environment; signing uses git's own ``commit -S`` with ``gpg.format``
and ``user.signingkey`` passed per command (``-c``), never written to any config file.
Without signing settings, signing is switched off explicitly so a user's global
``commit.gpgsign`` cannot make a daemon wait for a passphrase. Client-side hooks are not run
(``--no-verify``); server-side hooks and branch protection still apply.
This module must not push.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from scheduler.adapters.gitrepo.command import GitRunner
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings

__all__ = ["create_commit", "has_changes", "identity_env", "signing_options"]


def has_changes(runner: GitRunner, files: Sequence[str]) -> bool:
    """True if any of ``files`` differs from ``HEAD`` (edited, new or deleted)."""
    out = runner.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *files)
    return bool(out.strip("\0"))


def create_commit(
    runner: GitRunner,
    files: Sequence[str],
    message: str,
    *,
    settings: GitSettings,
    date: datetime | None = None,
) -> str:
    """Commit ``files`` with ``message`` (kept verbatim); return the new commit's SHA."""
    config, flags = signing_options(settings)
    env = identity_env(settings, date)
    runner.run("add", "--", *files)
    fd, name = tempfile.mkstemp(prefix="offhours-message-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(message)
        args = ("commit", "--quiet", "--no-verify", "--cleanup=verbatim", "-F", name, *flags)
        runner.run(*args, "--only", "--", *files, config=config, env=env)
    finally:
        Path(name).unlink()
    return runner.run("rev-parse", "--verify", "HEAD").strip()


def identity_env(settings: GitSettings, date: datetime | None) -> dict[str, str]:
    """Author and committer (and their date, when given) for ``git commit``."""
    env = {
        "GIT_AUTHOR_NAME": settings.author_name,
        "GIT_AUTHOR_EMAIL": settings.author_email,
        "GIT_COMMITTER_NAME": settings.author_name,
        "GIT_COMMITTER_EMAIL": settings.author_email,
    }
    if date is not None:
        if date.tzinfo is None or date.utcoffset() is None:
            raise GitSyncError(f"commit date {date.isoformat()} has no timezone")
        stamp = f"@{int(date.timestamp())} +0000"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    return env


def signing_options(settings: GitSettings) -> tuple[list[str], list[str]]:
    """``(-c options, commit flags)`` that sign as configured, or switch signing off."""
    if settings.signing_format is None and not settings.signing_key:
        return ["commit.gpgsign=false"], []
    if not settings.signing_key:
        raise GitSyncError(
            f"commit signing is set to {settings.signing_format} but no key is given: set "
            "OFFHOURS_GIT__SIGNING_KEY (a GPG key id, or an SSH key file)"
        )
    if settings.signing_format == "ssh":
        key = Path(settings.signing_key).expanduser()
        return ["gpg.format=ssh", f"user.signingkey={key}"], ["-S"]
    return ["gpg.format=openpgp", f"user.signingkey={settings.signing_key}"], ["-S"]
