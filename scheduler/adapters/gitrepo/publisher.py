"""One run's single commit: produce, commit, push, and converge when writers race.

``publish`` calls the producer on a clean tree at the base commit; the producer edits files
and names them in a ``CommitRequest`` (or returns ``None``: nothing to do). offhours commits
exactly those files, if they changed, and pushes. When the push is rejected because the
remote moved on, the tree is reset to the new remote branch and the producer runs again on
top of it (so a change another writer already pushed is found done and not repeated), with
a bounded number of attempts and a jittered, doubling pause. It never force-pushes.
Exceptions raised by the producer propagate unchanged. This module must not edit files.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import structlog

from scheduler.adapters.gitrepo import commit as commit_ops
from scheduler.adapters.gitrepo import remote as remote_ops
from scheduler.adapters.gitrepo.checkout import Checkout
from scheduler.adapters.gitrepo.worktree import WorkTree, open_tree
from scheduler.core import ledger
from scheduler.core.changes import Change
from scheduler.errors import GitSyncError, PushRejected

__all__ = ["Backoff", "CommitRequest", "Producer", "PublishResult", "publish"]

_log = structlog.get_logger("scheduler.adapters.gitrepo")


@dataclass(frozen=True, slots=True)
class CommitRequest:
    """What a producer wants committed: POSIX paths relative to the tree root, the message,
    and optionally the commit date (for simulations and tests; ``None`` means now)."""

    files: tuple[str, ...]
    message: str
    date: datetime | None = None

    @classmethod
    def for_changes(
        cls, changes: Iterable[Change], *, date: datetime | None = None
    ) -> CommitRequest | None:
        """The request committing ``changes`` with the ledger message; ``None`` if empty."""
        items = list(changes)
        if not items:
            return None
        files = tuple(sorted({change.file for change in items}))
        return cls(files=files, message=ledger.render_commit_message(items), date=date)


#: Edits files in the tree at the given root and says what to commit (``None``: nothing).
Producer = Callable[[Path], CommitRequest | None]


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What one ``publish`` did. ``commit`` is ``None`` when there was nothing to commit;
    ``conflicts`` counts rejected pushes; ``notes`` are facts to tell the user."""

    commit: str | None
    pushed: bool
    attempts: int
    conflicts: int
    branch: str
    files: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Backoff:
    """Pause before retry ``n`` (1-based): half of ``min(max, base * 2**(n-1))`` plus a
    random share of the other half, so racing writers spread out."""

    base_seconds: float = 0.5
    max_seconds: float = 15.0

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry``."""
        ceiling = min(self.max_seconds, self.base_seconds * 2.0 ** (retry - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


def publish(
    checkout: Checkout,
    produce: Producer,
    *,
    push: bool = True,
    attempts: int | None = None,
    backoff: Backoff | None = None,
) -> PublishResult:
    """Make at most one commit from ``produce`` on the checkout's branch and push it.

    ``produce(root)`` must plan from what it finds under ``root``: after a rejected push it
    is called again on a fresh tree at the new remote branch. ``push=False`` (or a checkout
    without remote) commits without pushing. ``attempts`` defaults to
    ``settings.push_retries + 1``. Raises ``PushRejected`` when the remote moved on in every
    attempt, ``GitSyncError`` for anything else git or a safety rule refused.
    """
    settings = checkout.settings
    total = attempts if attempts is not None else settings.push_retries + 1
    if total < 1:
        raise GitSyncError(f"attempts must be at least 1 (got {total})")
    pause = backoff or Backoff(settings.retry_backoff_seconds, settings.retry_backoff_max_seconds)
    remote = checkout.remote if push else None
    rejection: PushRejected | None = None
    with open_tree(checkout, push=remote is not None) as tree:
        for attempt in range(1, total + 1):
            if attempt > 1:
                time.sleep(pause.delay(attempt - 1, random.Random()))
            try:
                return _attempt(checkout, tree, produce, attempt=attempt, remote=remote)
            except PushRejected as exc:
                rejection = exc
                _log.info(
                    "git.push_rejected", branch=checkout.branch, attempt=attempt, reason=str(exc)
                )
    raise PushRejected(
        f"gave up after {total} attempt(s) to push to {checkout}: the remote branch moved "
        f"on every time ({rejection}). Nothing was force-pushed and no change is lost: the "
        "next run plans again on top of the remote. If many writers share this branch, raise "
        "OFFHOURS_GIT__PUSH_RETRIES."
    ) from rejection


def _attempt(
    checkout: Checkout, tree: WorkTree, produce: Producer, *, attempt: int, remote: str | None
) -> PublishResult:
    """One produce-commit-push round; ``PushRejected`` means: go round again."""
    base = tree.prepare(attempt=attempt)
    request = produce(tree.path)
    files = _checked_files(request.files, tree.path) if request else ()
    conflicts = attempt - 1
    if request is None or not files or not commit_ops.has_changes(tree.runner, files):
        _log.info("git.nothing_to_commit", branch=checkout.branch, base=base, attempt=attempt)
        return PublishResult(None, False, attempt, conflicts, checkout.branch)
    sha = commit_ops.create_commit(
        tree.runner, files, request.message, settings=checkout.settings, date=request.date
    )
    tree.check_safe(sha)
    _log.info("git.committed", commit=sha, branch=checkout.branch, files=len(files))
    if remote is not None:
        remote_ops.push(
            tree.runner, remote, sha=sha, branch=checkout.branch, url=checkout.remote_url
        )
        _log.info("git.pushed", commit=sha, branch=checkout.branch, attempt=attempt)
    notes = tree.finish(sha)
    pushed = remote is not None
    return PublishResult(sha, pushed, attempt, conflicts, checkout.branch, files, notes)


def _checked_files(files: Sequence[str], root: Path) -> tuple[str, ...]:
    """The requested paths, normalised, each inside the tree and outside ``.git``."""
    checked: set[str] = set()
    resolved_root = root.resolve()
    for name in files:
        posix = PurePosixPath(name)
        inside = (root / posix).resolve().is_relative_to(resolved_root)
        if posix.is_absolute() or ".." in posix.parts or ".git" in posix.parts or not inside:
            raise GitSyncError(
                f"refusing to commit {name!r}: expected a path inside the repository, "
                "relative to its root, e.g. apps/dev/web.yaml"
            )
        checked.add(str(posix))
    return tuple(sorted(checked))
