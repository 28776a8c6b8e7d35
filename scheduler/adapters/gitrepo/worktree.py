"""The working tree ``publish`` edits, one per mode, and the rules that keep work safe.

Cache mode edits offhours' own clone directly: every attempt resets it to the remote branch.

Local mode never edits the user's working tree. Rules (``--repo DIR``):

1. The producer runs in a temporary ``git worktree`` of the repository, detached at the base
   commit, so uncommitted changes in the user's tree are neither read nor touched.
2. With a push: the branch is fetched; the user's branch must equal the remote branch or be
   behind it. Local commits not on the remote are refused (offhours would publish them), and
   a diverged branch is refused (that needs a human). The base is the remote branch.
   Without a push (``--no-push``, or no remote): the base is the user's branch, nothing is
   fetched.
3. Before pushing, offhours refuses if any file its commit would change (its own files, and
   files changed by remote commits the user does not have yet) has uncommitted changes or is
   untracked in the user's tree, or if a merge, rebase or cherry-pick is in progress.
4. On a rejected push only offhours' own commit in the temporary worktree is thrown away;
   the user's branch, index and files are untouched. Nothing is ever force-pushed or reset.
5. Afterwards the user's branch is fast-forwarded to the new commit with
   ``git merge --ff-only``, which git itself refuses if it would overwrite local changes;
   such a refusal after a successful push becomes a note in the result, not an error.

This module must not decide what to commit.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import structlog

from scheduler.adapters.gitrepo import remote as remote_ops
from scheduler.adapters.gitrepo.checkout import Checkout, CheckoutMode, reset_hard
from scheduler.adapters.gitrepo.command import GitRunner
from scheduler.errors import GitSyncError

__all__ = ["WorkTree", "open_tree"]

_log = structlog.get_logger("scheduler.adapters.gitrepo")

_IN_PROGRESS = {
    "MERGE_HEAD": "a merge",
    "rebase-merge": "a rebase",
    "rebase-apply": "a rebase or git am",
    "CHERRY_PICK_HEAD": "a cherry-pick",
    "REVERT_HEAD": "a revert",
}


class WorkTree(Protocol):
    """A tree offhours owns, reset to the right base before each attempt."""

    @property
    def path(self) -> Path: ...

    @property
    def runner(self) -> GitRunner: ...

    def prepare(self, *, attempt: int) -> str:
        """Reset the tree to the base commit for this attempt and return that commit."""
        ...

    def check_safe(self, sha: str) -> None:
        """Refuse (``GitSyncError``) if landing ``sha`` could lose anyone's work."""
        ...

    def finish(self, sha: str) -> tuple[str, ...]:
        """After the commit (and push): bring the checkout up to ``sha``; return notes."""
        ...


@contextlib.contextmanager
def open_tree(checkout: Checkout, *, push: bool) -> Iterator[WorkTree]:
    """The tree to edit for one ``publish`` of ``checkout``."""
    if checkout.mode is CheckoutMode.CACHE:
        yield _CacheTree(checkout, push=push)
        return
    local = _LocalTree(checkout, push=push)
    try:
        yield local
    finally:
        local.close()


class _CacheTree:
    """offhours' own clone: reset to the remote branch before every attempt."""

    def __init__(self, checkout: Checkout, *, push: bool) -> None:
        self._checkout = checkout
        self._push = push

    @property
    def path(self) -> Path:
        return self._checkout.path

    @property
    def runner(self) -> GitRunner:
        return self._checkout.runner

    def prepare(self, *, attempt: int) -> str:
        c = self._checkout
        if attempt > 1 and c.remote is not None:  # a cache clone always has its origin
            remote_ops.fetch(c.runner, c.remote, branch=c.branch, url=c.remote_url)
        base = c.runner.run("rev-parse", "--verify", c.history_ref).strip()
        reset_hard(c.runner, base)
        return base

    def check_safe(self, sha: str) -> None:
        return None

    def finish(self, sha: str) -> tuple[str, ...]:
        if self._push:
            return ()
        return (f"committed {sha[:12]} in the cache clone {self.path} only; it is not pushed",)


class _LocalTree:
    """A temporary worktree of the user's repository; see the module rules."""

    def __init__(self, checkout: Checkout, *, push: bool) -> None:
        self._checkout = checkout
        self._push = push
        try:
            self._scratch = Path(tempfile.mkdtemp(prefix="offhours-worktree-"))
        except OSError as exc:
            raise GitSyncError(f"cannot create a temporary worktree: {exc.strerror}") from exc
        self._path = self._scratch / "tree"
        self._created = False
        self._user_tip = ""

    @property
    def path(self) -> Path:
        return self._path

    @property
    def runner(self) -> GitRunner:
        return self._checkout.runner.at(self._path)

    def prepare(self, *, attempt: int) -> str:
        c = self._checkout
        self._refuse_operation_in_progress()
        self._user_tip = c.runner.run("rev-parse", "--verify", f"refs/heads/{c.branch}").strip()
        base = self._user_tip
        if self._push and c.remote is not None:
            base = remote_ops.fetch(c.runner, c.remote, branch=c.branch, url=c.remote_url)
            self._refuse_unpublished(base)
        if not self._created:
            c.runner.run("worktree", "add", "--quiet", "--detach", str(self._path), base)
            self._created = True
        else:
            self.runner.run("checkout", "--quiet", "--detach", base)
            reset_hard(self.runner, base)
        return base

    def _refuse_operation_in_progress(self) -> None:
        runner = self._checkout.runner
        for marker, operation in _IN_PROGRESS.items():
            path = runner.run("rev-parse", "--path-format=absolute", "--git-path", marker)
            if Path(path.strip()).exists():
                raise GitSyncError(
                    f"{operation} is in progress in {self._checkout.path}: finish or abort it, "
                    "then re-run offhours"
                )

    def _refuse_unpublished(self, remote_tip: str) -> None:
        c = self._checkout
        counts = c.runner.run(
            "rev-list", "--left-right", "--count", f"{self._user_tip}...{remote_tip}"
        ).split()
        ahead, behind = int(counts[0]), int(counts[1])
        theirs = f"{c.remote}/{c.branch}"
        if ahead and behind:
            raise GitSyncError(
                f"refusing to push: your branch {c.branch!r} and {theirs} have diverged "
                f"({ahead} and {behind} different commits); this needs a human: "
                "git pull --rebase (or merge), push, then re-run offhours"
            )
        if ahead:
            raise GitSyncError(
                f"refusing to push: your branch {c.branch!r} has {ahead} commit(s) that "
                f"{theirs} does not have, and offhours would publish them with its own commit; "
                "push them yourself (git push), or re-run with --no-push to commit locally only"
            )

    def check_safe(self, sha: str) -> None:
        c = self._checkout
        changed = set(_nul_split(c.runner.run("diff", "--name-only", "-z", self._user_tip, sha)))
        touched = sorted(changed & _dirty_paths(c.runner))
        if touched:
            shown = ", ".join(touched[:5]) + (
                f" and {len(touched) - 5} more" if touched[5:] else ""
            )
            raise GitSyncError(
                f"refusing to commit: {shown} in {c.path} has uncommitted changes (or is "
                "untracked) and this run would change it; commit or stash your changes, then "
                "re-run offhours"
            )

    def finish(self, sha: str) -> tuple[str, ...]:
        c = self._checkout
        done = c.runner.call("merge", "--quiet", "--ff-only", "--no-edit", sha)
        notes: list[str] = []
        if c.remote is None:
            notes.append(
                f"the checkout has no remote {c.settings.remote!r}: committed locally only"
            )
        elif not self._push:
            notes.append("committed locally only (--no-push); nothing was pushed")
        if done.status != 0:
            error = c.runner.error(["merge"], done, what="fast-forwarding your branch")
            notes.append(f"{error}; your checkout is behind: run git pull --ff-only")
        return tuple(notes)

    def close(self) -> None:
        """Remove the temporary worktree and its registration (never raises: this runs while
        another error may be on its way out)."""
        runner = self._checkout.runner
        try:
            if self._created:
                runner.call("worktree", "remove", "--force", str(self._path))
            shutil.rmtree(self._scratch, ignore_errors=True)
            runner.call("worktree", "prune")
        except GitSyncError as exc:
            _log.warning("git.worktree_cleanup_failed", path=str(self._path), error=str(exc))


def _dirty_paths(runner: GitRunner) -> set[str]:
    """Paths with staged, unstaged or untracked changes (both names of a rename)."""
    out = runner.run("status", "--porcelain=v1", "-z", "--untracked-files=all")
    paths: set[str] = set()
    records = _nul_split(out)
    i = 0
    while i < len(records):
        status, path = records[i][:2], records[i][3:]
        paths.add(path)
        if "R" in status or "C" in status:
            i += 1
            paths.add(records[i])
        i += 1
    return paths


def _nul_split(text: str) -> list[str]:
    return [part for part in text.split("\0") if part]
