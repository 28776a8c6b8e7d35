"""Git adapter error boundary: every failure is a GitSyncError, no GitPython exception escapes."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import git
import pytest

from scheduler.adapters import gitrepo
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings
from scheduler.testing import gitremote


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


def open_only(settings: GitSettings, repo: str, branch: str | None = None) -> None:
    with gitrepo.open_checkout(settings, repo=repo, branch=branch):
        pass


def publish_bad_message(settings: GitSettings, repo: str) -> None:
    def produce(root: Path) -> gitrepo.CommitRequest:
        (root / "README.md").write_text("changed\n")
        return gitrepo.CommitRequest(files=("README.md",), message="")

    with gitrepo.open_checkout(settings, repo=repo) as checkout:
        gitrepo.publish(checkout, produce)


def history_of_missing_ref(settings: GitSettings, repo: str) -> None:
    with gitrepo.open_checkout(settings, repo=repo) as checkout:
        gitrepo.commits_between(checkout, None, None, rev="refs/heads/no-such-branch")


def slow_ssh(settings: GitSettings, tmp: Path) -> None:
    script = tmp / "slow-ssh"
    script.write_text("#!/bin/sh\nsleep 30\n")
    script.chmod(0o755)
    patient = settings.model_copy(
        update={"ssh_command": str(script), "network_timeout_seconds": 0.3}
    )
    open_only(patient, "ssh://git@127.0.0.1/fleet.git", branch="main")


def missing_git(settings: GitSettings, repo: str) -> None:
    original = git.Git.GIT_PYTHON_GIT_EXECUTABLE
    git.Git.GIT_PYTHON_GIT_EXECUTABLE = "/nonexistent/bin/git"
    try:
        open_only(settings, repo)
    finally:
        git.Git.GIT_PYTHON_GIT_EXECUTABLE = original


def unwritable_cache(settings: GitSettings, tmp: Path, repo: str) -> None:
    blocker = tmp / "a-file"
    blocker.write_text("not a folder\n")
    open_only(settings.model_copy(update={"cache_dir": blocker / "cache"}), repo)


SCENARIOS: dict[str, tuple[Callable[[GitSettings, Path, str], None], str]] = {
    "missing-branch": (lambda s, t, r: open_only(s, r, "nope"), "has no branch 'nope'"),
    "unreachable-url": (
        lambda s, t, r: open_only(s, (t / "nothing.git").as_uri(), "main"),
        "cloning file://",
    ),
    "not-a-checkout": (lambda s, t, r: open_only(s, str(t)), "is not inside a Git working tree"),
    "empty-message": (lambda s, t, r: publish_bad_message(s, r), "git commit in"),
    "unknown-history-ref": (lambda s, t, r: history_of_missing_ref(s, r), "git log in"),
    "network-timeout": (lambda s, t, r: slow_ssh(s, t), "did not complete in 0.3 secs"),
    "git-not-installed": (lambda s, t, r: missing_git(s, r), "could not run git"),
    "cache-not-writable": (
        lambda s, t, r: unwritable_cache(s, t, r),
        "set OFFHOURS_GIT__CACHE_DIR to a writable folder",
    ),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_failures_surface_as_git_sync_error_only(tmp_path: Path, scenario: str) -> None:
    """Each failure is a GitSyncError with a telling message; causes are kept, not leaked."""
    remote = gitremote.make_remote(tmp_path / "remote")
    settings = GitSettings(cache_dir=tmp_path / "cache")
    action, expected = SCENARIOS[scenario]
    caught: GitSyncError | None = None
    try:
        action(settings, tmp_path, remote.url)
    except GitSyncError as exc:
        caught = exc
    except BaseException as exc:  # noqa: BLE001  the point of the test
        pytest.fail(f"{type(exc).__module__}.{type(exc).__name__} escaped the adapter: {exc}")
    assert caught is not None, "no error raised"
    assert expected in str(caught)
    assert caught.__cause__ is None or isinstance(caught.__cause__, git.GitError | OSError)


def test_a_timed_out_command_leaves_no_process(tmp_path: Path) -> None:
    """A network command killed for its timeout does not leave ssh or git running."""
    with pytest.raises(GitSyncError):
        slow_ssh(GitSettings(cache_dir=tmp_path / "cache"), tmp_path)
    running = subprocess.run(
        ["pgrep", "-f", str(tmp_path / "slow-ssh")], capture_output=True, check=False
    )
    assert running.stdout == b""
