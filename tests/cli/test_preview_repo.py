"""``offhours preview --repo`` (resolved targets) and ``--compare REV`` (a policy PR's effect)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main
from scheduler.testing import gitremote

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: dev}
spec:
  timeZone: Europe/Berlin
  uptime: ["Mon-Fri 08:00-19:00"]
  targets:
    - namespaces: [dev]
"""


def deployment(namespace: str, name: str) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n"
        f"  namespace: {namespace}\nspec:\n  replicas: 1\n"
    )


@pytest.fixture(autouse=True)
def _environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("OFFHOURS_POLICIES", raising=False)
    monkeypatch.delenv("OFFHOURS_PROMETHEUS__URL", raising=False)
    monkeypatch.setattr(common, "now_utc", lambda: NOW)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "fleet"
    files = {
        "policies/dev.yaml": POLICY,
        "apps/web.yaml": deployment("dev", "web"),
        "apps/api.yaml": deployment("dev", "api"),
        "apps/shop.yaml": deployment("staging", "shop"),
    }
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    gitremote.run_git(root, "init", "-q", "-b", "main")
    gitremote.run_git(root, "add", "-A")
    gitremote.run_git(root, "-c", "user.name=a", "-c", "user.email=a@b", "commit", "-qm", "fleet")
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["preview", *args])
    return result.exit_code, result.stdout


def test_repo_lists_each_policys_targets(repo: Path) -> None:
    """With --repo the text shows the targets; json carries them per policy."""
    code, out = run("--repo", str(repo), "--days", "1")
    assert code == 0, out
    assert "targets (2): Deployment/dev/api, Deployment/dev/web" in out
    code, out = run("--repo", str(repo), "--days", "1", "--format", "json")
    (policy,) = json.loads(out)["policies"]
    assert policy["targets"] == ["Deployment/dev/api", "Deployment/dev/web"]


def test_compare_shows_targets_gained_and_hours_changed(repo: Path) -> None:
    """A PR widening the namespaces and the uptime: one target gained, fewer off hours."""
    (repo / "policies/dev.yaml").write_text(
        POLICY.replace("[dev]", "[dev, staging]").replace("08:00-19:00", "07:00-20:00")
    )
    code, out = run("--repo", str(repo), "--compare", "main", "--from", "2026-11-30T00:00:00Z")
    assert code == 0, out
    assert "compared with `main (" in out
    assert "| `dev` | changed | 113.0 h | 103.0 h | -10.0 h | 1 | 0 | 2 |" in out
    assert "+ `Deployment/staging/shop`" in out


def test_compare_calls_a_shifted_schedule_changed(repo: Path) -> None:
    """Office hours moved by one hour: the same off hours per week, but a changed policy."""
    (repo / "policies/dev.yaml").write_text(POLICY.replace("08:00-19:00", "09:00-20:00"))
    code, out = run("--repo", str(repo), "--compare", "main", "--from", "2026-11-30T00:00:00Z")
    assert code == 0, out
    assert "| `dev` | changed | 113.0 h | 113.0 h | ±0 | 0 | 0 | 2 |" in out
    assert "No policy or target changes." not in out


def test_compare_json_and_added_policy(repo: Path) -> None:
    """A new policy file is 'added' with no hours before; JSON carries the same facts."""
    (repo / "policies/staging.yaml").write_text(
        POLICY.replace("name: dev", "name: staging").replace("[dev]", "[staging]")
    )
    code, out = run("--repo", str(repo), "--compare", "HEAD", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    added = next(p for p in doc["policies"] if p["policy"] == "staging")
    assert added["change"] == "added"
    assert added["offHoursPerWeekBefore"] is None
    assert added["gained"] == ["Deployment/staging/shop"]


def test_compare_with_an_unknown_revision_is_a_clear_error(repo: Path) -> None:
    """A revision that does not exist is named in the error."""
    result = CliRunner().invoke(main, ["preview", "--repo", str(repo), "--compare", "nope"])
    assert result.exit_code == 2
    assert "'nope' is not a revision" in result.output


def test_compare_with_a_url_says_it_needs_a_checkout() -> None:
    """--compare reads the pull request's checkout: a URL as --repo is refused by name."""
    args = ["preview", "--repo", "https://git.example/org/fleet.git", "--compare", "main"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "--compare needs a local checkout as --repo" in result.output
