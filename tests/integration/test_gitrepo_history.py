"""Git adapter history: commits read back in one ``git log``, and the ledger round trip
render -> commit -> history -> parse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler.adapters import gitrepo
from scheduler.core import ledger
from scheduler.core.changes import Action, Change
from scheduler.core.intervals import IntervalSet
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings
from scheduler.testing import gitremote

WEB = WorkloadRef("Deployment", "dev", "web")
HELM = WorkloadRef("HelmRelease", "dev", "shop")
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
SEED = {"apps/web.yaml": "replicas: 2\n", "apps/shop.yaml": "values: {}\n"}


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    return gitremote.make_remote(tmp_path / "remote", seed=SEED, date=MONDAY - timedelta(days=30))


@pytest.fixture
def settings(tmp_path: Path) -> GitSettings:
    return GitSettings(cache_dir=tmp_path / "cache")


def committing(changes: list[Change], when: datetime) -> gitrepo.Producer:
    """A producer that writes a marker line per change and commits them at ``when``."""

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        for change in changes:
            path = root / change.file
            path.write_text(path.read_text() + f"# {change.action} {change.field}\n")
        return gitrepo.CommitRequest.for_changes(changes, date=when)

    return produce


def week_of_changes() -> list[tuple[datetime, list[Change]]]:
    sleep = [
        Change(WEB, "apps/web.yaml", "dev-nights", Action.SLEEP, "spec.replicas", 2, 0),
        Change(
            HELM,
            "apps/shop.yaml",
            "dev-nights",
            Action.SLEEP,
            "spec.values.replicaCount",
            "3",
            None,
            note="value was a string",
        ),
    ]
    wake = [
        Change(WEB, "apps/web.yaml", "dev-nights", Action.WAKE, "spec.replicas", 0, 2),
        Change(
            HELM, "apps/shop.yaml", "dev-nights", Action.WAKE, "spec.values.replicaCount", None, "3"
        ),
    ]
    return [
        (MONDAY - timedelta(hours=5), sleep),  # asleep before the range starts
        (MONDAY + timedelta(hours=7), wake),
        (MONDAY + timedelta(hours=19), sleep),
        (MONDAY + timedelta(days=1, hours=7), wake),
    ]


def test_ledger_round_trips_through_real_history(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """Rendered commits pushed to Git read back as the same changes, at their commit times."""
    history = week_of_changes()
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        for when, changes in history:
            gitrepo.publish(checkout, committing(changes, when))
        remote.commit({"README.md": "not ours\n"}, date=MONDAY + timedelta(hours=8))
        gitrepo.sync(checkout)
        records = gitrepo.commits_between(checkout, None, None)
    parsed = ledger.parse_ledger(records)
    assert parsed.problems == ()
    got = [
        (e.time, e.action, e.policy, e.target, e.field, e.before, e.after) for e in parsed.entries
    ]
    want = [
        (when.timestamp(), c.action, c.policy, c.target, c.field, c.before, c.after)
        for when, changes in history
        for c in sorted(changes, key=lambda c: str(c.target))
    ]
    assert sorted(got, key=repr) == sorted(want, key=repr)
    start, end = MONDAY.timestamp(), (MONDAY + timedelta(days=2)).timestamp()
    off = ledger.off_intervals(parsed.entries, start=start, end=end)
    expected = IntervalSet([(start, start + 7 * 3600), (start + 19 * 3600, start + 31 * 3600)])
    assert off == {HELM: expected, WEB: expected}


def test_trailers_are_what_git_interpret_trailers_sees(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """git's own trailer parser finds exactly our trailers, unchanged."""
    _, changes = week_of_changes()[0]
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        result = gitrepo.publish(checkout, committing(changes, MONDAY))
    message = remote.git("log", "-1", "--format=%B", str(result.commit))
    parsed = remote.git("interpret-trailers", "--parse", stdin=message).splitlines()
    rendered = ledger.render_commit_message(changes)
    assert parsed == [line for line in rendered.splitlines() if line.startswith("Offhours-")]
    assert parsed[0] == "Offhours-Ledger: 1"
    assert message == rendered + "\n"  # %B adds one newline; the stored message is verbatim


def test_commits_between_is_half_open_and_filters(
    remote: gitremote.GitRemote, settings: GitSettings
) -> None:
    """[since, until) by committer time, oldest first; paths and offhours_only narrow it."""
    for hours in (1, 2, 3):
        remote.commit({f"f{hours}.txt": "x\n"}, date=MONDAY + timedelta(hours=hours))
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        gitrepo.publish(checkout, committing(week_of_changes()[1][1], MONDAY + timedelta(hours=4)))
        window = gitrepo.commits_between(
            checkout, MONDAY + timedelta(hours=1), MONDAY + timedelta(hours=3)
        )
        by_path = gitrepo.commits_between(checkout, None, None, paths=["f2.txt"])
        ours = gitrepo.commits_between(checkout, MONDAY, None, offhours_only=True)
    assert [r.committed for r in window] == [
        (MONDAY + timedelta(hours=1)).timestamp(),
        (MONDAY + timedelta(hours=2)).timestamp(),
    ]
    assert [r.message for r in by_path] == ["someone else's change\n"]
    assert len(ours) == 1
    assert ours[0].message.startswith("offhours: sleep 0, wake 2 (dev-nights)")
    assert ours[0].authored == ours[0].committed == (MONDAY + timedelta(hours=4)).timestamp()
    assert len(ours[0].sha) == 40


def test_naive_bounds_are_refused(remote: gitremote.GitRemote, settings: GitSettings) -> None:
    """A bound without a timezone is an error, not a guess."""
    with (
        gitrepo.open_checkout(settings, repo=remote.url) as checkout,
        pytest.raises(GitSyncError, match="has no timezone"),
    ):
        gitrepo.commits_between(checkout, datetime(2026, 3, 2), None)
