"""Git adapter, cache mode: clone a URL into the cache, commit once per run, push."""

from __future__ import annotations

import re
import threading
import types
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.adapters import gitrepo
from scheduler.core import ledger
from scheduler.core.changes import Action, Change
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import GitSyncError, PushRejected
from scheduler.settings import GitSettings
from scheduler.testing import gitremote

WEB = WorkloadRef("Deployment", "dev", "web")
API = WorkloadRef("Deployment", "dev", "api")
SEED = {
    "apps/dev/web.yaml": "kind: Deployment\nspec:\n  replicas: 2\n",
    "apps/dev/api.yaml": "kind: Deployment\nspec:\n  replicas: 3\n",
    "README.md": "fleet\n",
}


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    return gitremote.make_remote(tmp_path / "remote", seed=SEED)


@pytest.fixture
def settings(tmp_path: Path) -> GitSettings:
    return GitSettings(cache_dir=tmp_path / "cache", retry_backoff_seconds=0.0)


def scale(target: WorkloadRef, file: str, value: int) -> gitrepo.Producer:
    """A producer like the reconcile step's: re-plans on what it finds, idempotent."""

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        path = root / file
        text = path.read_text()
        found = re.search(r"replicas: (\d+)", text)
        assert found is not None
        current = int(found[1])
        if current == value:
            return None
        path.write_text(text.replace(f"replicas: {current}", f"replicas: {value}"))
        action = Action.SLEEP if value == 0 else Action.WAKE
        change = Change(target, file, "dev-nights", action, "spec.replicas", current, value)
        return gitrepo.CommitRequest.for_changes([change])

    return produce


def test_url_is_cloned_into_the_cache_and_reused(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """The first open clones into one folder per URL and branch; the next one fetches into it."""
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        first = checkout.path
        assert checkout.mode is gitrepo.CheckoutMode.CACHE
        assert checkout.branch == "main"
        assert first.parent == settings.cache_dir
        assert first.name.startswith("fleet-main-")
        (first / "scratch.txt").write_text("left behind\n")
    remote.commit({"apps/dev/web.yaml": "kind: Deployment\nspec:\n  replicas: 5\n"})
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        assert checkout.path == first
        assert (first / "apps/dev/web.yaml").read_text().endswith("replicas: 5\n")
        assert not (first / "scratch.txt").exists()
        assert gitremote.run_git(first, "rev-parse", "HEAD").strip() == remote.head()


def test_a_broken_cache_folder_is_cloned_again(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """A cache folder that is no longer a clone of the URL is replaced, not trusted."""
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        folder = checkout.path
    gitremote.run_git(folder, "remote", "set-url", "origin", "file:///elsewhere.git")
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        assert checkout.path == folder
        assert gitremote.run_git(folder, "remote", "get-url", "origin").strip() == remote.url


def test_stale_git_locks_from_a_killed_run_are_cleared(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """index.lock and ref locks left by a killed process do not block the next run."""
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        folder = checkout.path
    (folder / ".git" / "index.lock").write_text("")
    (folder / ".git" / "refs" / "heads" / "main.lock").write_text("")
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        assert gitrepo.publish(checkout, scale(WEB, "apps/dev/web.yaml", 0)).pushed


def test_each_branch_gets_its_own_cache_folder(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """The default branch is looked up when none is set; another branch is another folder."""
    remote.git("branch", "staging", "main")
    with gitrepo.open_checkout(settings, repo=remote.url) as main:
        pass
    with gitrepo.open_checkout(settings, repo=remote.url, branch="staging") as staging:
        pass
    assert main.branch == "main"
    assert staging.branch == "staging"
    assert main.path != staging.path


def test_processes_sharing_the_cache_take_turns(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """A second opener waits for the lock, and gives up with a clear message after the timeout."""
    impatient = settings.model_copy(update={"lock_timeout_seconds": 0.2})
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with gitrepo.open_checkout(impatient, repo=remote.url):
                pass
        except GitSyncError as exc:
            errors.append(exc)

    with gitrepo.open_checkout(settings, repo=remote.url):
        thread = threading.Thread(target=second)
        thread.start()
        thread.join(timeout=10)
    assert len(errors) == 1
    assert "another offhours process is using this checkout" in str(errors[0])
    assert "OFFHOURS_GIT__LOCK_TIMEOUT_SECONDS" in str(errors[0])
    with gitrepo.open_checkout(impatient, repo=remote.url):
        pass  # released when the first block ended


def test_one_commit_per_run_with_every_change(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """All changes of a run land in a single commit touching exactly the producer's files."""
    changes = [
        Change(WEB, "apps/dev/web.yaml", "dev-nights", Action.SLEEP, "spec.replicas", 2, 0),
        Change(API, "apps/dev/api.yaml", "dev-nights", Action.SLEEP, "spec.replicas", 3, 0),
    ]

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        for file, before in (("apps/dev/web.yaml", 2), ("apps/dev/api.yaml", 3)):
            path = root / file
            path.write_text(path.read_text().replace(f"replicas: {before}", "replicas: 0"))
        return gitrepo.CommitRequest.for_changes(changes)

    before = remote.count()
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        result = gitrepo.publish(checkout, produce)
    assert result == gitrepo.PublishResult(
        commit=remote.head(),
        pushed=True,
        attempts=1,
        conflicts=0,
        branch="main",
        files=("apps/dev/api.yaml", "apps/dev/web.yaml"),
    )
    assert remote.count() == before + 1
    assert sorted(remote.changed_files()) == ["apps/dev/api.yaml", "apps/dev/web.yaml"]
    assert remote.messages()[-1] == ledger.render_commit_message(changes)


def test_empty_plan_makes_no_commit_and_no_push(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """A producer with nothing to do, or whose files did not change, leaves the remote alone."""
    head = remote.head()
    unchanged = gitrepo.CommitRequest(files=("README.md",), message="nothing\n")
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        nothing = gitrepo.publish(checkout, lambda root: None)
        same = gitrepo.publish(checkout, lambda root: unchanged)
        local_head = gitremote.run_git(checkout.path, "rev-parse", "HEAD").strip()
    for result in (nothing, same):
        assert result.commit is None
        assert result.pushed is False
        assert result.attempts == 1
    assert remote.head() == head == local_head


def test_a_second_run_in_the_same_phase_is_a_no_op(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """Running the same plan twice commits once: the producer finds its work done."""
    produce = scale(WEB, "apps/dev/web.yaml", 0)
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        first = gitrepo.publish(checkout, produce)
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        second = gitrepo.publish(checkout, produce)
    assert first.commit == remote.head()
    assert second.commit is None
    assert remote.count() == 2


def test_only_the_named_files_are_committed(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """Files the producer edits but does not name stay out of the commit (no git add -A)."""

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        (root / "README.md").write_text("scribbled\n")
        (root / "new-untracked.txt").write_text("x\n")
        return scale(WEB, "apps/dev/web.yaml", 0)(root)

    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        gitrepo.publish(checkout, produce)
    assert remote.changed_files() == ["apps/dev/web.yaml"]
    assert remote.read("README.md") == "fleet\n"


def test_author_committer_and_date_come_from_settings_and_request(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """The commit is by the configured identity, and dated as requested when a date is given."""
    bot = settings.model_copy(update={"author_name": "Fleet Bot", "author_email": "bot@corp.test"})
    when = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        request = scale(WEB, "apps/dev/web.yaml", 0)(root)
        assert request is not None
        return gitrepo.CommitRequest(request.files, request.message, date=when)

    with gitrepo.open_checkout(bot, repo=remote.url) as checkout:
        gitrepo.publish(checkout, produce)
    shown = remote.git("log", "-1", "--format=%an|%ae|%cn|%ce|%at|%ct", remote.ref).strip()
    stamp = str(int(when.timestamp()))
    assert shown == f"Fleet Bot|bot@corp.test|Fleet Bot|bot@corp.test|{stamp}|{stamp}"


def test_no_push_commits_in_the_cache_only(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """--no-push makes the commit but leaves the remote alone, and says so."""
    head = remote.head()
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        result = gitrepo.publish(checkout, scale(WEB, "apps/dev/web.yaml", 0), push=False)
    assert result.commit is not None
    assert result.pushed is False
    assert "it is not pushed" in result.notes[0]
    assert remote.head() == head


def test_paths_outside_the_tree_are_refused(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """A producer naming ../x, /abs or .git/config gets a clear refusal and nothing is pushed."""
    head = remote.head()
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        for bad in ("../escape.yaml", "/etc/passwd", ".git/config"):
            request = gitrepo.CommitRequest(files=(bad,), message="bad\n")
            with pytest.raises(GitSyncError, match="expected a path inside the repository"):
                gitrepo.publish(checkout, lambda root, r=request: r)
    assert remote.head() == head


def test_a_missing_branch_is_named(remote: gitremote.GitRemote, settings: GitSettings) -> None:
    """Asking for a branch the remote lacks says which and what to do."""
    with (
        pytest.raises(GitSyncError, match=r"has no branch 'nope'.*OFFHOURS_GIT__BRANCH"),
        gitrepo.open_checkout(settings, repo=remote.url, branch="nope"),
    ):
        pass


def test_a_protected_branch_is_an_error_not_a_retry(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """A server-side refusal (hook, protection) fails at once with the server's reason."""
    hook = remote.path / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    calls: list[Path] = []

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        calls.append(root)
        return scale(WEB, "apps/dev/web.yaml", 0)(root)

    with (
        gitrepo.open_checkout(settings, repo=remote.url) as checkout,
        pytest.raises(GitSyncError, match="the remote refused the push") as caught,
    ):
        gitrepo.publish(checkout, produce)
    assert not isinstance(caught.value, PushRejected)
    assert "pre-receive hook declined" in str(caught.value)
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("https://github.com/org/fleet.git", True),
        ("ssh://git@host:2222/fleet.git", True),
        ("git@github.com:org/fleet.git", True),
        ("file:///srv/fleet.git", True),
        (".", False),
        ("../fleet", False),
        ("/home/me/fleet", False),
        ("dir:with/colon", False),
    ],
)
def test_urls_and_directories_are_told_apart(text: str, url: bool) -> None:
    """scheme:// and user@host:path are remotes to clone; anything else is a directory."""
    assert gitrepo.is_url(text) is url


def test_cache_folder_names_are_readable_and_distinct() -> None:
    """Names show repository and branch, and differ per URL and per branch."""
    from scheduler.adapters.gitrepo.checkout import cache_folder_name

    a = cache_folder_name("https://github.com/org/fleet.git", "main")
    b = cache_folder_name("https://github.com/other/fleet.git", "main")
    c = cache_folder_name("https://github.com/org/fleet.git", "release/1.x")
    assert a.startswith("fleet-main-")
    assert c.startswith("fleet-release_1.x-")
    assert len({a, b, c}) == 3
    assert cache_folder_name("git@host:fleet.git", "main").startswith("fleet-main-")


def test_the_public_surface_is_what_all_says() -> None:
    """Every name in gitrepo.__all__ exists, and every public non-module name is listed."""
    public = {
        name
        for name, value in vars(gitrepo).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert set(gitrepo.__all__) == public - {"annotations"}
