"""``offhours plan`` and ``offhours apply`` on the bundled example fleet, with real Git remotes.

The example repository (``clusters/`` + ``policies/``) is pushed to a bare remote in a temp
dir; apply runs at every transition instant of a week and must end with the files as they
started (Flux objects keep an explicit ``suspend: false``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main
from scheduler.core import ledger, schedule
from scheduler.reconcile import workspace
from scheduler.testing import gitremote

PROJECT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SATURDAY_NOON = "2026-12-05T12:00:00Z"
MONDAY_NOON = "2026-12-07T12:00:00Z"


def example_files() -> dict[str, str]:
    files = {}
    for folder in ("clusters", "policies"):
        for path in sorted((PROJECT / folder).rglob("*")):
            if path.is_file():
                files[path.relative_to(PROJECT).as_posix()] = path.read_text()
    return files


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("OFFHOURS_GIT__CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("OFFHOURS_GIT__RETRY_BACKOFF_SECONDS", "0")
    monkeypatch.delenv("OFFHOURS_POLICIES", raising=False)
    monkeypatch.setattr(common, "now_utc", lambda: NOW)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    return gitremote.make_remote(tmp_path / "remote", seed=example_files())


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_plan_on_the_example_lists_the_weekend_sleeps(tmp_path: Path) -> None:
    """plan --format json on the example at Saturday noon: every weekend target sleeps."""
    repo = tmp_path / "fleet"
    for path, text in example_files().items():
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(text)
    code, out = run("plan", "--repo", str(repo), "--at", SATURDAY_NOON, "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    slept = {f"{c['kind']}/{c['namespace']}/{c['name']}" for c in doc["changes"]}
    assert {"Deployment/dev/web", "StatefulSet/dev/postgres", "Deployment/previews/pr-101"} <= slept
    assert "CronJob/batch/report-nightly" in slept
    assert any("preview-envs waits" in item for item in doc["held"])


def test_apply_commits_once_and_a_second_run_is_empty(remote: gitremote.GitRemote) -> None:
    """One commit with ledger trailers; running again at the same instant commits nothing."""
    before = remote.count()
    code, out = run("apply", "--repo", remote.url, "--at", SATURDAY_NOON)
    assert code == 0, out
    assert remote.count() == before + 1
    message = remote.messages()[-1]
    assert message.startswith("offhours: sleep ")
    entries = ledger.parse_ledger([ledger.CommitRecord(remote.head(), 0.0, 0.0, message)]).entries
    assert any(str(e.target) == "Deployment/dev/web" for e in entries)
    code, out = run("apply", "--repo", remote.url, "--at", SATURDAY_NOON)
    assert code == 0
    # the held Flux suspend goes in the second run, then nothing is left
    assert remote.count() == before + 2
    code, out = run("apply", "--repo", remote.url, "--at", SATURDAY_NOON)
    assert remote.count() == before + 2
    assert "nothing to commit" in out


def test_dry_run_and_no_push_change_nothing_remote(remote: gitremote.GitRemote) -> None:
    """--dry-run prints the plan; --no-push commits in the cache clone only."""
    before = remote.head()
    code, out = run("apply", "--repo", remote.url, "--at", SATURDAY_NOON, "--dry-run")
    assert code == 0
    assert "sleep Deployment/dev/web" in out
    code, out = run("apply", "--repo", remote.url, "--at", SATURDAY_NOON, "--no-push")
    assert code == 0
    assert "committed locally" in out
    assert remote.head() == before


def _week_of_transitions(start: datetime) -> list[datetime]:
    policies = workspace.read_policies(PROJECT / "policies", now=NOW).policies
    instants: set[int] = set()
    begin, end = start.timestamp(), (start + timedelta(days=7)).timestamp()
    for policy in policies:
        instants.update(t.at for t in schedule.transitions(policy, begin, end))
    return [datetime.fromtimestamp(t, UTC) for t in sorted(instants)]


def test_a_week_of_transitions_restores_every_file(remote: gitremote.GitRemote) -> None:
    """Apply at every transition of a week: the repo ends as it began (Flux keeps
    an explicit suspend: false), and every commit is a ledger entry."""
    seed = example_files()
    start = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)  # Monday
    for instant in _week_of_transitions(start):
        for _ in range(2):  # the second run commits held Flux suspends
            code, out = run("apply", "--repo", remote.url, "--at", instant.isoformat())
            assert code == 0, out
    # Tuesday noon: everything but the night-only CronJobs is on; Tuesday 23:30 in Berlin
    # the CronJobs are on too.
    code, out = run("apply", "--repo", remote.url, "--at", "2026-12-08T12:00:00Z")
    assert code == 0, out
    changed = [p for p, text in seed.items() if remote.read(p) != text]
    assert changed == [
        "clusters/apps/batch/etl-hourly.yaml",
        "clusters/apps/batch/report-nightly.yaml",
        "clusters/demo/previews.yaml",
    ]
    assert "suspend: false" in remote.read("clusters/demo/previews.yaml")
    code, out = run("apply", "--repo", remote.url, "--at", "2026-12-08T22:30:00Z")
    assert code == 0, out
    assert all(remote.read(p) == seed[p] for p in changed[:2])
    records = [ledger.CommitRecord("x", 0.0, 0.0, m) for m in remote.messages()]
    parsed = ledger.parse_ledger(records)
    assert not parsed.problems
    assert len(parsed.entries) > 20


def test_two_writers_racing_converge(remote: gitremote.GitRemote, tmp_path: Path) -> None:
    """Two processes (two clusters, two caches) apply the same instant at once: exactly one
    commit lands; the other writer re-plans on top and adds nothing."""
    code, out = run("apply", "--repo", remote.url, "--at", SATURDAY_NOON)
    assert code == 0, out
    before = remote.count()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scheduler", "apply", "--repo", remote.url, "--at", MONDAY_NOON],
            cwd=PROJECT,
            env={**os.environ, "OFFHOURS_GIT__CACHE_DIR": str(tmp_path / f"cache-{n}")},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for n in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert remote.count() == before + 1
    # Either the loser re-planned and found nothing, or both built the byte-identical commit
    # (same changes, same second, deterministic message) and the remote holds it once.
    shas = {
        line.split()[1] for o in outputs for line in o.splitlines() if line.startswith("commit ")
    }
    assert sum("nothing to commit" in o for o in outputs) == 1 or len(shas) == 1, outputs
