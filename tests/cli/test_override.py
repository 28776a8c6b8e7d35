"""``offhours wake`` / ``offhours sleep``: temporary overrides committed with their effect."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main
from scheduler.cli.override import parse_duration
from scheduler.core import ledger
from scheduler.errors import ConfigError
from scheduler.testing import gitremote

NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # Tuesday 23:00 in Berlin: dev is off
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata:
  name: dev
spec:
  timeZone: Europe/Berlin
  uptime: ["Mon-Fri 08:00-19:00"]
  targets:
    - namespaces: [dev]
"""
ASLEEP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: dev
  annotations:
    offhours.dev/original-replicas: "2"
spec:
  replicas: 0
"""
AWAKE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: dev
spec:
  replicas: 2
"""


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("OFFHOURS_GIT__CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("OFFHOURS_POLICIES", raising=False)
    monkeypatch.setattr(common, "now_utc", lambda: NIGHT)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    seed = {
        "policies/dev.yaml": POLICY,
        "apps/web.yaml": ASLEEP.format(name="web"),
        "apps/api.yaml": ASLEEP.format(name="api"),
    }
    return gitremote.make_remote(tmp_path / "remote", seed=seed)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_wake_one_target_commits_the_override_and_the_wake(remote: gitremote.GitRemote) -> None:
    """One commit: the override in the policy file and the target's wake, with the reason."""
    code, out = run(
        "wake",
        "Deployment/dev/web",
        "--for",
        "2h",
        "--reason",
        "customer demo",
        "--repo",
        remote.url,
    )
    assert code == 0, out
    assert "wake Deployment/dev/web until 2026-12-02T00:00:00Z" in out
    message = remote.messages()[-1]
    assert message.startswith("offhours: wake Deployment/dev/web until 2026-12-02T00:00:00Z (dev)")
    assert "Reason: customer demo" in message
    assert sorted(remote.changed_files()) == ["apps/web.yaml", "policies/dev.yaml"]
    assert remote.read("apps/web.yaml") == AWAKE.format(name="web")
    assert remote.read("apps/api.yaml") == ASLEEP.format(name="api")
    policy = remote.read("policies/dev.yaml")
    assert policy.startswith(POLICY)
    assert 'targets: ["Deployment/dev/web"]' in policy
    (entry,) = ledger.parse_ledger([ledger.CommitRecord("x", 0.0, 0.0, message)]).entries
    assert (str(entry.target), entry.action.value) == ("Deployment/dev/web", "wake")


def test_wake_a_whole_policy(remote: gitremote.GitRemote) -> None:
    """--policy wakes every target of that policy until the given instant."""
    code, out = run(
        "wake", "--policy", "dev", "--until", "2026-12-02T06:00:00Z", "--repo", remote.url
    )
    assert code == 0, out
    assert remote.read("apps/api.yaml") == AWAKE.format(name="api")
    assert remote.read("apps/web.yaml") == AWAKE.format(name="web")


def test_sleep_override_during_the_day(
    remote: gitremote.GitRemote, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At noon, `sleep --for 30m` puts an awake target to sleep now."""
    noon = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
    monkeypatch.setattr(common, "now_utc", lambda: noon)
    code, out = run("wake", "--policy", "dev", "--for", "1m", "--repo", remote.url)
    assert code == 0, out  # wakes both (the schedule is on anyway at noon)
    code, out = run("sleep", "Deployment/dev/web", "--for", "30m", "--repo", remote.url)
    assert code == 0, out
    assert "replicas: 0" in remote.read("apps/web.yaml")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["wake", "--for", "2h"], "name either a TARGET"),
        (["wake", "Deployment/dev/web"], "give either --for DURATION or --until ISO"),
        (["wake", "Deployment/dev/nope", "--for", "2h"], "is not in the repository"),
        (["wake", "web", "--for", "2h"], "not a target reference"),
        (["wake", "--policy", "ghost", "--for", "2h"], "no valid policy named ghost"),
        (["wake", "Deployment/dev/web", "--for", "soon"], "is not a duration"),
    ],
)
def test_mistakes_are_clear_errors(
    remote: gitremote.GitRemote, args: list[str], expected: str
) -> None:
    """Wrong arguments name the problem and commit nothing."""
    before = remote.count()
    code, out = run(*args, "--repo", remote.url)
    assert code != 0
    assert expected in out
    assert remote.count() == before


def test_durations() -> None:
    """--for accepts minutes, hours and days; anything else is refused."""
    assert parse_duration("90m").total_seconds() == 5400
    assert parse_duration("1d12h").total_seconds() == 129600
    with pytest.raises(ConfigError):
        parse_duration("2 hours")


def test_absolute_policies_inside_a_local_checkout(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """--policies given as an absolute path into the checkout (as $PWD/policies in CI) is the
    checkout's folder: the override is committed and pushed, and the user's files are only
    fast-forwarded, never edited behind git's back."""
    clone = remote.clone(tmp_path / "mine")
    code, out = run(
        "wake", "Deployment/dev/web", "--for", "2h", "--repo", str(clone),
        "--policies", str(clone / "policies"),
    )  # fmt: skip
    assert code == 0, out
    assert "overrides:" in remote.read("policies/dev.yaml")
    assert gitremote.run_git(clone, "status", "--porcelain") == ""


def test_policies_outside_the_repository_cannot_take_an_override(
    remote: gitremote.GitRemote, tmp_path: Path
) -> None:
    """A policy file outside the repository is not edited; the error says why."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "dev.yaml").write_text(POLICY)
    code, out = run(
        "wake", "Deployment/dev/web", "--for", "2h", "--repo", remote.url,
        "--policies", str(outside),
    )  # fmt: skip
    assert code == 2, out
    assert "is outside the repository" in out
    assert (outside / "dev.yaml").read_text() == POLICY
