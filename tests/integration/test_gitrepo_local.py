"""Git adapter, local mode (``--repo DIR``): the user's checkout never loses anyone's work."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.adapters import gitrepo
from scheduler.core.changes import Action, Change
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings
from scheduler.testing import gitremote
from scheduler.testing.gitremote import run_git

WEB = WorkloadRef("Deployment", "dev", "web")
SEED = {"apps/web.yaml": "replicas: 2\n", "apps/api.yaml": "replicas: 3\n", "README.md": "hi\n"}


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    return gitremote.make_remote(tmp_path / "remote", seed=SEED)


@pytest.fixture
def clone(remote: gitremote.GitRemote, tmp_path: Path) -> Path:
    return remote.clone(tmp_path / "mine")


@pytest.fixture
def settings(tmp_path: Path) -> GitSettings:
    return GitSettings(cache_dir=tmp_path / "cache", retry_backoff_seconds=0.0)


def sleep_web(root: Path) -> gitrepo.CommitRequest | None:
    """Scale web to zero unless it already is."""
    path = root / "apps/web.yaml"
    if path.read_text() == "replicas: 0\n":
        return None
    path.write_text("replicas: 0\n")
    change = Change(WEB, "apps/web.yaml", "dev-nights", Action.SLEEP, "spec.replicas", 2, 0)
    return gitrepo.CommitRequest.for_changes([change])


def head(path: Path, ref: str = "HEAD") -> str:
    return run_git(path, "rev-parse", ref).strip()


def worktrees(path: Path) -> list[str]:
    return [
        line
        for line in run_git(path, "worktree", "list", "--porcelain").splitlines()
        if line.startswith("worktree ")
    ]


def open_only(settings: GitSettings, repo: Path, branch: str | None = None) -> None:
    with gitrepo.open_checkout(settings, repo=str(repo), branch=branch):
        pass


def publish(settings: GitSettings, clone: Path, **options: bool) -> gitrepo.PublishResult:
    with gitrepo.open_checkout(settings, repo=str(clone)) as checkout:
        assert checkout.mode is gitrepo.CheckoutMode.LOCAL
        return gitrepo.publish(checkout, sleep_web, **options)


def test_commits_pushes_and_fast_forwards_the_users_branch(
    remote: gitremote.GitRemote, clone: Path, settings: GitSettings
) -> None:
    """The commit is pushed and the user's branch and files move to it; no worktree is left."""
    result = publish(settings, clone)
    assert result.pushed
    assert head(clone) == remote.head() == result.commit
    assert (clone / "apps/web.yaml").read_text() == "replicas: 0\n"
    assert run_git(clone, "status", "--porcelain") == ""
    assert worktrees(clone) == [f"worktree {clone}"]
    assert run_git(clone, "config", "--local", "--list").count("gpg") == 0


def test_uncommitted_work_elsewhere_is_kept_and_not_committed(
    remote: gitremote.GitRemote, clone: Path, settings: GitSettings
) -> None:
    """Unrelated edits, staged files and untracked files stay exactly as they were."""
    (clone / "README.md").write_text("my edit\n")
    (clone / "apps/api.yaml").write_text("replicas: 9\n")
    run_git(clone, "add", "apps/api.yaml")
    (clone / "scratch.txt").write_text("untracked\n")
    result = publish(settings, clone)
    assert remote.changed_files(result.commit) == ["apps/web.yaml"]
    assert (clone / "README.md").read_text() == "my edit\n"
    assert (clone / "scratch.txt").read_text() == "untracked\n"
    assert run_git(clone, "diff", "--cached", "--name-only").split() == ["apps/api.yaml"]
    assert remote.read("apps/api.yaml") == "replicas: 3\n"


def test_uncommitted_changes_to_a_file_we_touch_are_refused(
    remote: gitremote.GitRemote, clone: Path, settings: GitSettings
) -> None:
    """The user edited a file the run would change: refuse, keep their bytes, push nothing."""
    (clone / "apps/web.yaml").write_text("replicas: 2  # mine, not committed\n")
    before = remote.head()
    with pytest.raises(GitSyncError) as caught:
        publish(settings, clone)
    assert str(caught.value) == (
        f"refusing to commit: apps/web.yaml in {clone} has uncommitted changes (or is "
        "untracked) and this run would change it; commit or stash your changes, then re-run "
        "offhours"
    )
    assert (clone / "apps/web.yaml").read_text() == "replicas: 2  # mine, not committed\n"
    assert remote.head() == before == head(clone)
    assert worktrees(clone) == [f"worktree {clone}"]


def test_a_branch_behind_the_remote_is_brought_forward(
    remote: gitremote.GitRemote, clone: Path, settings: GitSettings
) -> None:
    """Commits others pushed are the base; the user's branch fast-forwards over them."""
    theirs = remote.commit({"apps/api.yaml": "replicas: 1\n"})
    result = publish(settings, clone)
    assert head(clone, "HEAD^") == theirs
    assert head(clone) == result.commit == remote.head()
    assert (clone / "apps/api.yaml").read_text() == "replicas: 1\n"


def test_unpushed_local_commits_are_not_published(
    remote: gitremote.GitRemote, clone: Path, settings: GitSettings
) -> None:
    """A branch ahead of the remote is refused for push (we would publish it); --no-push works."""
    (clone / "README.md").write_text("mine\n")
    run_git(clone, "commit", "-qam", "my local work")
    mine = head(clone)
    with pytest.raises(GitSyncError, match=r"has 1 commit\(s\) that origin/main does not have"):
        publish(settings, clone)
    assert remote.count() == 1
    result = publish(settings, clone, push=False)
    assert result.pushed is False
    assert result.notes == ("committed locally only (--no-push); nothing was pushed",)
    assert head(clone, "HEAD^") == mine
    assert remote.count() == 1


def test_a_diverged_branch_needs_a_human(
    remote: gitremote.GitRemote, clone: Path, settings: GitSettings
) -> None:
    """Local and remote commits on both sides: refuse and say how to resolve it."""
    (clone / "README.md").write_text("mine\n")
    run_git(clone, "commit", "-qam", "my local work")
    remote.commit({"apps/api.yaml": "replicas: 1\n"})
    mine = head(clone)
    with pytest.raises(GitSyncError, match=r"have diverged \(1 and 1 different commits\)"):
        publish(settings, clone)
    assert head(clone) == mine


def test_without_a_remote_it_commits_and_says_so(tmp_path: Path, settings: GitSettings) -> None:
    """A checkout without the configured remote gets a local commit and a note."""
    repo = tmp_path / "solo"
    repo.mkdir()
    run_git(repo, "init", "-q", "-b", "main")
    (repo / "apps").mkdir()
    (repo / "apps/web.yaml").write_text("replicas: 2\n")
    run_git(repo, "add", ".")
    run_git(repo, "-c", "user.name=u", "-c", "user.email=u@e", "commit", "-qm", "init")
    result = publish(settings, repo)
    assert result.commit == head(repo)
    assert result.pushed is False
    assert result.notes == ("the checkout has no remote 'origin': committed locally only",)


def test_a_detached_head_or_another_branch_is_refused(clone: Path, settings: GitSettings) -> None:
    """offhours commits to the checked-out branch only, and says how to get there."""
    with pytest.raises(GitSyncError, match=r"is on branch 'main', not 'prod': switch to it"):
        open_only(settings, clone, branch="prod")
    run_git(clone, "checkout", "-q", "--detach")
    with pytest.raises(GitSyncError, match="has a detached HEAD"):
        open_only(settings, clone)


def test_a_merge_in_progress_is_refused(
    remote: gitremote.GitRemote, clone: Path, settings: GitSettings
) -> None:
    """A half-done merge is the user's to finish: refuse before doing anything."""
    (clone / ".git" / "MERGE_HEAD").write_text(head(clone) + "\n")
    with pytest.raises(GitSyncError, match="a merge is in progress"):
        publish(settings, clone)
    assert remote.count() == 1


def test_not_a_checkout_is_a_clear_error(tmp_path: Path, settings: GitSettings) -> None:
    """A plain folder or a missing one is named, with what to pass instead."""
    with pytest.raises(GitSyncError, match="is not inside a Git working tree"):
        open_only(settings, tmp_path)
    with pytest.raises(GitSyncError, match="no such directory"):
        open_only(settings, tmp_path / "missing")


def test_a_failing_producer_leaves_nothing_behind(clone: Path, settings: GitSettings) -> None:
    """The producer's own error propagates; the temporary worktree is removed."""

    def broken(root: Path) -> gitrepo.CommitRequest | None:
        (root / "apps/web.yaml").write_text("half-edited\n")
        raise ValueError("planner bug")

    with (
        gitrepo.open_checkout(settings, repo=str(clone)) as checkout,
        pytest.raises(ValueError, match="planner bug"),
    ):
        gitrepo.publish(checkout, broken)
    assert worktrees(clone) == [f"worktree {clone}"]
    assert (clone / "apps/web.yaml").read_text() == "replicas: 2\n"


def test_the_producer_never_sees_uncommitted_edits(clone: Path, settings: GitSettings) -> None:
    """The producer runs on committed content only, so a commit never depends on local edits."""
    (clone / "README.md").write_text("uncommitted\n")
    seen: list[str] = []

    def spy(root: Path) -> gitrepo.CommitRequest | None:
        seen.append((root / "README.md").read_text())
        assert root != clone
        return None

    with gitrepo.open_checkout(settings, repo=str(clone)) as checkout:
        assert gitrepo.publish(checkout, spy).commit is None
    assert seen == ["hi\n"]
