"""Opening the fleet repository: the user's own checkout, or a cached clone of a URL.

* ``--repo URL`` (cache mode): the URL is cloned once into ``cache_dir`` (one folder per URL
  and branch) and reused: each open fetches the branch and resets the clone to it. The clone
  belongs to offhours, so resetting it loses nothing. A lock file next to it serialises
  processes that share the cache. The URL is stored without user or password.
* ``--repo DIR`` (local mode): the user's checkout, on its current branch. Opening it changes
  nothing; how ``publish`` keeps the user's work safe is described in ``worktree``.

This module must not commit or push.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog

from scheduler.adapters.gitrepo import remote as remote_ops
from scheduler.adapters.gitrepo.command import GitRunner
from scheduler.adapters.gitrepo.credentials import BASE_ENV, credentials_for
from scheduler.adapters.gitrepo.lock import hold_lock
from scheduler.adapters.gitrepo.redaction import Redactor
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings

__all__ = ["Checkout", "CheckoutMode", "is_url", "open_checkout", "sync"]

_log = structlog.get_logger("scheduler.adapters.gitrepo")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[^/\s:@]+@[^/\s:]+:")
_CACHE_REMOTE = "origin"


class CheckoutMode(enum.StrEnum):
    """Whose working tree offhours works with."""

    LOCAL = "local"  # the user's checkout (--repo DIR)
    CACHE = "cache"  # offhours' own clone of a URL (--repo URL)


@dataclass(frozen=True, slots=True)
class Checkout:
    """An open repository: read its files under ``path``; ``publish`` commits to ``branch``.

    ``remote`` is the remote's name (``None`` when the checkout has none) and ``remote_url``
    its URL without credentials, safe to show.
    """

    path: Path
    branch: str
    mode: CheckoutMode
    remote: str | None
    remote_url: str
    settings: GitSettings = field(repr=False)
    runner: GitRunner = field(repr=False)

    @property
    def history_ref(self) -> str:
        """The ref the ledger is read from: the remote branch for a cache clone, else the
        local branch."""
        if self.mode is CheckoutMode.CACHE and self.remote:
            return remote_ops.tracking_ref(self.remote, self.branch)
        return f"refs/heads/{self.branch}"

    def __str__(self) -> str:
        return f"{self.remote_url or self.path} (branch {self.branch})"


def is_url(text: str) -> bool:
    """True for ``scheme://...`` and scp-like ``user@host:path``; else a directory."""
    return bool(_URL.match(text))


@contextlib.contextmanager
def open_checkout(
    settings: GitSettings, *, repo: str | None = None, branch: str | None = None
) -> Iterator[Checkout]:
    """Open ``repo`` (default ``settings.repo``) on ``branch`` (default ``settings.branch``,
    else the current or default branch), holding its lock until the block ends."""
    source = settings.repo if repo is None else repo
    wanted = branch or settings.branch
    opener = _open_cache if is_url(source) else _open_local
    with opener(settings, source, wanted) as checkout:
        yield checkout


def sync(checkout: Checkout) -> str | None:
    """Fetch the branch; a cache clone is also reset to it. Returns the remote commit, or
    ``None`` without a remote. A local checkout's files and branch are not changed."""
    if checkout.remote is None:
        return None
    sha = remote_ops.fetch(
        checkout.runner, checkout.remote, branch=checkout.branch, url=checkout.remote_url
    )
    if checkout.mode is CheckoutMode.CACHE:
        reset_hard(checkout.runner, sha)
    return sha


def reset_hard(runner: GitRunner, sha: str) -> None:
    """Make a tree offhours owns exactly ``sha``: reset and remove every other file."""
    runner.run("reset", "--quiet", "--hard", sha)
    runner.run("clean", "--quiet", "-ffdx")


# -- cache mode ----------------------------------------------------------------------------


@contextlib.contextmanager
def _open_cache(settings: GitSettings, url: str, branch: str) -> Iterator[Checkout]:
    credentials = credentials_for(settings, url)
    root = settings.cache_dir.expanduser()
    _make_dir(root)
    runner = GitRunner(
        root, credentials.env, credentials.redact, timeout=settings.network_timeout_seconds
    )
    branch = branch or remote_ops.default_branch(runner, credentials.url)
    folder = root / cache_folder_name(credentials.url, branch)
    with hold_lock(root / f"{folder.name}.lock", timeout=settings.lock_timeout_seconds):
        if _reusable(runner.at(folder), credentials.url):
            _remove_stale_git_locks(folder / ".git")
        else:
            _fresh_clone(runner, credentials.url, branch=branch, folder=folder)
        checkout = Checkout(
            path=folder,
            branch=branch,
            mode=CheckoutMode.CACHE,
            remote=_CACHE_REMOTE,
            remote_url=credentials.url,
            settings=settings,
            runner=runner.at(folder),
        )
        sync(checkout)
        yield checkout


def cache_folder_name(url: str, branch: str) -> str:
    """``<repo>-<branch>-<hash>``: readable, and distinct per URL and branch."""
    stem = url.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1].removesuffix(".git")
    digest = hashlib.sha256(f"{url}\n{branch}".encode()).hexdigest()[:12]
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{stem}-{branch}").strip("._") or "repo"
    return f"{readable[:60]}-{digest}"


def _reusable(runner: GitRunner, url: str) -> bool:
    """True if ``runner.cwd`` is a clone of ``url`` made by offhours."""
    if not (runner.cwd / ".git").is_dir():
        return False
    top = runner.call("rev-parse", "--show-toplevel")
    stored = runner.call("remote", "get-url", _CACHE_REMOTE)
    same_tree = top.status == 0 and Path(top.stdout.strip()) == runner.cwd.resolve()
    return same_tree and stored.status == 0 and stored.stdout.strip() == url


def _remove_stale_git_locks(git_dir: Path) -> None:
    """git's own lock files left by a killed run; safe to remove while we hold our lock."""
    candidates = [git_dir / name for name in ("index.lock", "HEAD.lock", "packed-refs.lock")]
    candidates += list((git_dir / "refs").rglob("*.lock"))
    for lock in candidates:
        if lock.is_file():
            _log.info("git.stale_lock_removed", path=str(lock))
            lock.unlink(missing_ok=True)


def _fresh_clone(runner: GitRunner, url: str, *, branch: str, folder: Path) -> None:
    partial = folder.with_name(f"{folder.name}.partial")
    for stale in (folder, partial):
        if stale.exists():
            _log.info("git.cache_discarded", path=str(stale))
            _remove_tree(stale)
    remote_ops.clone(runner, url, branch=branch, dest=partial)
    try:
        partial.rename(folder)
    except OSError as exc:
        raise GitSyncError(f"cannot move the new clone to {folder}: {exc.strerror}") from exc
    _log.info("git.cloned", url=url, branch=branch, path=str(folder))


def _make_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GitSyncError(
            f"cannot create the Git cache folder {path}: {exc.strerror}; "
            "set OFFHOURS_GIT__CACHE_DIR to a writable folder"
        ) from exc


def _remove_tree(path: Path) -> None:
    try:
        shutil.rmtree(path)
    except OSError as exc:
        raise GitSyncError(f"cannot remove the stale clone {path}: {exc.strerror}") from exc


# -- local mode ----------------------------------------------------------------------------


@contextlib.contextmanager
def _open_local(settings: GitSettings, directory: str, branch: str) -> Iterator[Checkout]:
    path = Path(directory).expanduser()
    probe = GitRunner(path, BASE_ENV, Redactor(), timeout=settings.network_timeout_seconds)
    top = _working_tree_root(probe)
    current = _current_branch(probe.at(top), top)
    if branch and branch != current:
        raise GitSyncError(
            f"the checkout {top} is on branch {current!r}, not {branch!r}: switch to it "
            f"(git switch {branch}) or pass the repository URL instead of a directory"
        )
    remotes = probe.at(top).run("remote").split()
    name = settings.remote if settings.remote in remotes else None
    url = probe.at(top).run("remote", "get-url", name).strip() if name else ""
    credentials = credentials_for(settings, url)
    runner = GitRunner(
        top, credentials.env, credentials.redact, timeout=settings.network_timeout_seconds
    )
    common = Path(runner.run("rev-parse", "--path-format=absolute", "--git-common-dir").strip())
    with hold_lock(common / "offhours.lock", timeout=settings.lock_timeout_seconds):
        yield Checkout(
            path=top,
            branch=current,
            mode=CheckoutMode.LOCAL,
            remote=name,
            remote_url=credentials.url,
            settings=settings,
            runner=runner,
        )


def _working_tree_root(probe: GitRunner) -> Path:
    if not probe.cwd.is_dir():
        raise GitSyncError(f"no such directory: {probe.cwd} (expected a Git checkout or a URL)")
    done = probe.call("rev-parse", "--show-toplevel")
    if done.status != 0 or not done.stdout.strip():
        raise GitSyncError(
            f"{probe.cwd} is not inside a Git working tree: pass a clone of the fleet "
            "repository (--repo DIR) or its URL (--repo URL)"
        )
    return Path(done.stdout.strip())


def _current_branch(runner: GitRunner, top: Path) -> str:
    done = runner.call("symbolic-ref", "--quiet", "--short", "HEAD")
    if done.status != 0:
        raise GitSyncError(
            f"the checkout {top} has a detached HEAD: switch to the branch offhours should "
            "commit to (git switch <branch>)"
        )
    return done.stdout.strip()
