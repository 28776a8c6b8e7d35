"""``offhours demo`` end to end: the scheduler's commits over the week, the report against the
simulation's ground truth, and the files it writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main
from scheduler.core import schedule
from scheduler.core.kepler.releases import Via
from scheduler.core.workloads import WorkloadRef
from scheduler.demo import DemoResult, demo_week, find_example, run_demo
from scheduler.demo.week import SETTLE_SECONDS
from scheduler.errors import ConfigError
from scheduler.reconcile import workspace
from scheduler.testing import gitremote

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 28, 14, 0, tzinfo=UTC)
SHOP = WorkloadRef("HelmRelease", "staging", "shop")


def _isolate(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(home).items():
        monkeypatch.setenv(key, value)
    for key in ("OFFHOURS_POLICIES", "OFFHOURS_GIT__REPO", "OFFHOURS_PROMETHEUS__URL"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _isolate(tmp_path / "home", monkeypatch)


@pytest.fixture(scope="module")
def demo(prom_binaries: object, tmp_path_factory: pytest.TempPathFactory) -> DemoResult:
    """One demo run through a real Prometheus, shared by the tests that read its result."""
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(root / "home", monkeypatch)
        return run_demo(project=PROJECT, now=NOW, keep=root / "scratch")


def test_the_week_is_the_last_complete_one() -> None:
    """The demo week runs Monday to Monday in Berlin, in the past (backfill rule: 3 h)."""
    start, end = demo_week(NOW)
    assert (start, end) == (
        datetime(2026, 11, 15, 23, 0, tzinfo=UTC),
        datetime(2026, 11, 22, 23, 0, tzinfo=UTC),
    )


def test_no_example_anywhere_is_a_one_line_error(tmp_path: Path) -> None:
    """Run outside the repository from a wheel install: a ConfigError saying what to pass."""
    with pytest.raises(ConfigError, match="pass --example DIR"):
        find_example(tmp_path, project=tmp_path)


def test_demo_commits_every_transition_and_reports_the_truth(demo: DemoResult) -> None:
    """Every offhours commit is dated at a transition instant (or a held suspend's retry),
    carries ledger trailers, and the report is within 5 % of the simulation's truth."""
    result = demo
    policies = workspace.read_policies(PROJECT / "policies", now=NOW).policies
    instants = {
        t.at
        for p in policies
        for t in schedule.transitions(p, result.start.timestamp(), result.end.timestamp())
    }
    instants.add(result.start.timestamp())  # the first cycle catches up with the schedule
    allowed = instants | {t + SETTLE_SECONDS for t in instants}
    offhours = [(when, s) for when, s in result.commits if s.startswith("offhours:")]
    assert len(offhours) >= 25
    assert all(when.timestamp() in allowed for when, _ in offhours), offhours
    assert result.entries >= 60
    estimate = result.document.savings.totals.saved_joules
    assert estimate is not None
    assert abs(estimate - result.truth_joules) <= 0.05 * result.truth_joules
    low = result.document.savings.totals.saved_joules_low
    high = result.document.savings.totals.saved_joules_high
    assert low is not None
    assert high is not None
    assert low <= result.truth_joules <= high


def test_demo_helm_release_saves_through_its_rendered_deployment(demo: DemoResult) -> None:
    """The shop HelmRelease (action scale) sleeps at the weekend; Prometheus' Flux labels give
    it the pods of Deployment shop-podinfo: a measured, non-zero saving and an off state."""
    document = demo.document
    (row,) = [r for r in document.savings.targets if r.target == SHOP]
    assert row.estimate.off_seconds > 0
    assert row.estimate.saved_joules is not None
    assert row.estimate.saved_joules > 0
    assert row.estimate.coverage == 1.0
    detail = document.detail(SHOP)
    assert detail is not None
    assert detail.attribution == (
        f"energy of the pods of Deployment/staging/shop-podinfo ({Via.LABELS.value}); "
        f"off while all it renders is at zero ({Via.LABELS.value})"
    )
    assert detail.actual.total() > 0
    assert document.reading is not None
    assert document.reading.attribution[Via.LABELS.value] >= 2  # two replicas, and restarts
    assert "kube_deployment_labels" in document.off_state_sources


def test_demo_command_prints_and_writes_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command prints the week's log and the savings, writes report.html and report.json,
    and works without a Prometheus (reading the series directly)."""
    monkeypatch.setattr(common, "now_utc", lambda: NOW)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["demo", "--example", str(PROJECT), "--output", str(out), "--no-prometheus"]
    )
    assert result.exit_code == 0, result.output
    assert "The week's Git log" in result.output
    assert "offhours: sleep " in result.output
    assert "(1) Estimated avoided workload energy" in result.output
    assert "Simulation ground truth" in result.output
    html = (out / "report.html").read_text()
    assert html.lower().startswith("<!doctype html>")
    assert "<svg" in html
    doc = json.loads((out / "report.json").read_text())
    assert doc["netSavedJoules"] > 0
    (shop,) = [t for t in doc["targets"] if (t["kind"], t["name"]) == ("HelmRelease", "shop")]
    assert shop["savedJoules"] > 0
    assert Via.LABELS.value in shop["attribution"]
    assert "HelmRelease/staging/shop: energy of the pods of Deployment/staging/shop-podinfo" in (
        result.output
    )
    assert doc["from"] == "2026-11-15T23:00:00Z"
    assert datetime.fromisoformat(doc["until"]) - datetime.fromisoformat(doc["from"]) == timedelta(
        days=7
    )
