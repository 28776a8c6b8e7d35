"""Git adapter under races: writers that push at the same time converge, nothing is lost or
duplicated, and retries are bounded."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from scheduler.adapters import gitrepo
from scheduler.core.changes import Action, Change
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import PushRejected
from scheduler.settings import GitSettings
from scheduler.testing import gitremote

SHARED = "a: 1\nb: 1\nc: 1\n"
SEED = {"apps/web.yaml": "replicas: 2\n", "apps/api.yaml": "replicas: 3\n", "shared.yaml": SHARED}


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    return gitremote.make_remote(tmp_path / "remote", seed=SEED)


def settings_for(cache: Path, *, author: str = "offhours") -> GitSettings:
    return GitSettings(
        cache_dir=cache,
        author_name=author,
        retry_backoff_seconds=0.01,
        retry_backoff_max_seconds=0.05,
    )


def replacing(*edits: tuple[str, str, str], policy: str) -> gitrepo.Producer:
    """A re-planning producer: applies each (file, old, new) edit that is still to do."""

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        changes = []
        for file, old, new in edits:
            path = root / file
            text = path.read_text()
            if old not in text:
                continue  # already done (by us or by someone else)
            path.write_text(text.replace(old, new))
            target = WorkloadRef("Deployment", "dev", file.rsplit("/", 1)[-1])
            changes.append(Change(target, file, policy, Action.SLEEP, old, old, new))
        return gitrepo.CommitRequest.for_changes(changes)

    return produce


def in_lockstep(producers: list[gitrepo.Producer]) -> list[gitrepo.Producer]:
    """Wrap producers so that their first calls meet at a barrier: both plan on one base."""
    barrier = threading.Barrier(len(producers), timeout=20)

    def wrap(produce: gitrepo.Producer) -> gitrepo.Producer:
        calls = 0

        def waiting(root: Path) -> gitrepo.CommitRequest | None:
            nonlocal calls
            calls += 1
            request = produce(root)
            if calls == 1:
                barrier.wait()
            return request

        return waiting

    return [wrap(p) for p in producers]


def race(
    remote: gitremote.GitRemote,
    tmp_path: Path,
    producers: list[gitrepo.Producer],
    *,
    same_identity: bool = False,
) -> list[gitrepo.PublishResult]:
    """Run one writer per producer in its own thread, each with its own cache clone (and its
    own author name, as clusters sharing a fleet repository would have, unless told not to)."""
    results: list[gitrepo.PublishResult | BaseException] = [RuntimeError("did not run")] * len(
        producers
    )

    def writer(index: int, produce: gitrepo.Producer) -> None:
        try:
            author = "offhours" if same_identity else f"offhours-cluster-{index}"
            settings = settings_for(tmp_path / f"cache-{index}", author=author)
            with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
                results[index] = gitrepo.publish(checkout, produce, attempts=5)
        except BaseException as exc:  # noqa: BLE001  handed to the test thread below
            results[index] = exc

    threads = [threading.Thread(target=writer, args=pair) for pair in enumerate(producers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results  # type: ignore[return-value]


def test_writers_to_different_files_and_lines_both_land(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """Two writers editing different files and different lines of one file: both commits land."""
    a = replacing(
        ("apps/web.yaml", "replicas: 2", "replicas: 0"),
        ("shared.yaml", "a: 1", "a: 0"),
        policy="team-a",
    )
    b = replacing(
        ("apps/api.yaml", "replicas: 3", "replicas: 0"),
        ("shared.yaml", "c: 1", "c: 0"),
        policy="team-b",
    )
    results = race(remote, tmp_path, in_lockstep([a, b]))
    assert all(r.pushed and r.commit for r in results)
    assert sorted(r.conflicts for r in results) == [0, 1]
    assert remote.count() == 3
    assert remote.read("apps/web.yaml") == "replicas: 0\n"
    assert remote.read("apps/api.yaml") == "replicas: 0\n"
    assert remote.read("shared.yaml") == "a: 0\nb: 1\nc: 0\n"


def test_an_identical_change_is_committed_once(remote: gitremote.GitRemote, tmp_path: Path) -> None:
    """Two writers making the same change: the loser re-plans, finds it done, commits nothing."""
    same = ("apps/web.yaml", "replicas: 2", "replicas: 0")
    results = race(
        remote, tmp_path, in_lockstep([replacing(same, policy="p"), replacing(same, policy="p")])
    )
    winner = [r for r in results if r.commit]
    loser = [r for r in results if not r.commit]
    assert len(winner) == 1
    assert len(loser) == 1
    assert loser[0].conflicts == 1
    assert loser[0].attempts == 2
    assert loser[0].pushed is False
    assert remote.count() == 2
    assert remote.head() == winner[0].commit


def test_identical_writers_make_the_identical_commit(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """Same change, same identity, same second: the same commit id, so the remote has it once."""
    same = ("apps/web.yaml", "replicas: 2", "replicas: 0")
    producers = in_lockstep([replacing(same, policy="p"), replacing(same, policy="p")])
    results = race(remote, tmp_path, producers, same_identity=True)
    commits = {r.commit for r in results}
    if len(commits) == 1:  # both committed within one second: byte-identical commits
        assert all(r.pushed for r in results)
    else:  # the second ticked over: the loser re-planned and found nothing to do
        assert None in commits
    assert remote.count() == 2


def test_many_writers_converge_without_losing_a_change(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """Four writers at once, each changing its own line of one file: every line is changed."""
    remote.commit({"shared.yaml": "".join(f"k{i}: 1\n" for i in range(4))})
    producers = [
        replacing(("shared.yaml", f"k{i}: 1", f"k{i}: 0"), policy=f"p{i}") for i in range(4)
    ]
    results = race(remote, tmp_path, producers)
    assert all(r.commit for r in results)
    assert remote.read("shared.yaml") == "".join(f"k{i}: 0\n" for i in range(4))
    assert remote.count() == 2 + 4


def pushing_first(
    remote: gitremote.GitRemote, produce: gitrepo.Producer, *, times: int
) -> Callable[[Path], gitrepo.CommitRequest | None]:
    """A producer that, on its first ``times`` calls, lets a third party push first."""
    calls = 0

    def meddled(root: Path) -> gitrepo.CommitRequest | None:
        nonlocal calls
        calls += 1
        if calls <= times:
            remote.commit({f"unrelated-{calls}.txt": f"{calls}\n"})
        return produce(root)

    return meddled


def test_a_third_party_push_between_fetch_and_push_is_retried_on_top(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """When the remote moves after our fetch, we re-plan on the new tip and push on top of it."""
    produce = replacing(("apps/web.yaml", "replicas: 2", "replicas: 0"), policy="p")
    with gitrepo.open_checkout(settings_for(tmp_path / "cache"), repo=remote.url) as checkout:
        result = gitrepo.publish(checkout, pushing_first(remote, produce, times=1))
    assert (result.attempts, result.conflicts, result.pushed) == (2, 1, True)
    assert remote.head() == result.commit
    parent = remote.git("rev-parse", f"{result.commit}^").strip()
    assert remote.changed_files(parent) == ["unrelated-1.txt"]
    assert remote.count() == 3


def test_local_mode_retries_a_rejected_push_without_touching_the_user(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """A user's checkout: the rejected commit is ours alone to redo; their branch catches up."""
    clone = remote.clone(tmp_path / "mine")
    (clone / "notes.txt").write_text("my work in progress\n")
    produce = replacing(("apps/web.yaml", "replicas: 2", "replicas: 0"), policy="p")
    with gitrepo.open_checkout(settings_for(tmp_path / "cache"), repo=str(clone)) as checkout:
        result = gitrepo.publish(checkout, pushing_first(remote, produce, times=2))
    assert (result.attempts, result.conflicts) == (3, 2)
    assert remote.head() == result.commit
    assert gitremote.run_git(clone, "rev-parse", "HEAD").strip() == result.commit
    assert (clone / "notes.txt").read_text() == "my work in progress\n"
    assert (clone / "unrelated-2.txt").exists()


def test_retries_are_bounded_and_the_failure_says_what_happened(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """A remote moving on every attempt ends in PushRejected after N attempts, nothing forced."""
    produce = replacing(("apps/web.yaml", "replicas: 2", "replicas: 0"), policy="p")
    with (
        gitrepo.open_checkout(settings_for(tmp_path / "cache"), repo=remote.url) as checkout,
        pytest.raises(PushRejected) as caught,
    ):
        gitrepo.publish(checkout, pushing_first(remote, produce, times=99), attempts=3)
    message = str(caught.value)
    assert message.startswith(f"gave up after 3 attempt(s) to push to {remote.url} (branch main)")
    assert "Nothing was force-pushed and no change is lost" in message
    assert "OFFHOURS_GIT__PUSH_RETRIES" in message
    assert isinstance(caught.value.__cause__, PushRejected)
    assert remote.count() == 1 + 3  # the seed and three third-party commits, none of ours
    assert remote.read("apps/web.yaml") == "replicas: 2\n"


def test_backoff_doubles_up_to_the_cap_with_jitter() -> None:
    """Delays lie in [d/2, d] for d = min(max, base * 2**(n-1)) and are not all equal."""
    backoff = gitrepo.Backoff(base_seconds=0.5, max_seconds=4.0)
    rng = random.Random(1)
    for retry, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        delays = [backoff.delay(retry, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1
