"""``offhours preview`` with a Prometheus: each policy's estimated savings from recent Kepler
history, labelled an estimate; a metrics outage only drops it with a note."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scheduler.cli import main
from scheduler.core.energy import forecast
from scheduler.testing import kepler as sim
from scheduler.testing import promserver, recordings

T0 = 1709510400.0  # 2024-03-04T00:00:00Z, a Monday
POD = "web-6d5f7c9b8d-k2x4z"
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: tuesdays}
spec:
  timeZone: UTC
  downtime: ["Tue 12:00-18:00"]
  targets: [{namespaces: [dev]}]
"""
WEB = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: dev\n"
    "spec:\n  replicas: 1\n"
)


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two days of a 2 W package (+25 % DRAM) pod of Deployment dev/web."""
    binaries = promserver.find_binaries()
    if binaries is None:
        message = "prometheus/promtool not installed (`make prometheus`)"
        if os.environ.get("OFFHOURS_REQUIRE_PROMETHEUS") == "1":
            pytest.fail(f"OFFHOURS_REQUIRE_PROMETHEUS=1 but {message}")
        pytest.skip(message)
    scenario = sim.Scenario(
        T0,
        T0 + 2 * 86400,
        (sim.PodSpec("dev", POD, 2.0, owner_kind="ReplicaSet", owner_name="web-6d5f7c9b8d"),),
        scrape=60.0,
        version="v0.10.2",
        owners={"web-6d5f7c9b8d": ("Deployment", "web")},
    )
    series = [*sim.v010_series(scenario, zones=("package", "dram")), *sim.ksm_series(scenario)]
    root = tmp_path_factory.mktemp("prom-preview")
    promserver.backfill(
        recordings.merge_series(series), root / "tsdb", binaries=binaries, work_dir=root
    )
    with promserver.PromServer(root / "tsdb", binaries=binaries, work_dir=root) as server:
        yield server.url


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A checkout folder with dev/web and the policy."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies/tuesdays.yaml").write_text(POLICY)
    (tmp_path / "web.yaml").write_text(WEB)
    return tmp_path


def _preview(url: str, repo: Path, *args: str) -> Result:
    argv = [
        "preview",
        "--prometheus",
        url,
        "--repo",
        str(repo),
        "--from",
        "2024-03-06",
        "--days",
        "7",
        *args,
    ]
    env = {"OFFHOURS_PROMETHEUS__RETRIES": "0", "OFFHOURS_PROMETHEUS__URL": ""}
    return CliRunner().invoke(main, argv, env=env)


def test_json_has_the_estimate_per_policy(url: str, repo: Path) -> None:
    """Six hours off next Tuesday at the target's 2.5 W: 54 kJ, labelled an estimate."""
    result = _preview(url, repo, "--format", "json")
    assert (result.exit_code, result.stderr) == (0, "")
    (policy,) = json.loads(result.stdout)["policies"]
    estimate = policy["savingsEstimate"]
    assert estimate["label"] == forecast.LABEL
    assert estimate["joules"] == pytest.approx(2.5 * 6 * 3600, rel=0.01)
    assert estimate["joulesLow"] <= estimate["joules"] <= estimate["joulesHigh"]
    assert (estimate["targets"], estimate["targetsEstimated"]) == (1, 1)
    assert estimate["method"] == "trailing"  # two days of history: too short for hour-of-week
    assert estimate["offSeconds"] == 6 * 3600


def test_text_and_markdown_show_the_estimate(url: str, repo: Path) -> None:
    """The calendar and the PR table carry the estimate and say it is one."""
    text = " ".join(_preview(url, repo).stdout.split())
    assert "estimated savings over this range: 54.0 kJ" in text
    assert forecast.LABEL in text
    markdown = _preview(url, repo, "--format", "markdown").stdout
    assert "**Estimated savings**" in markdown
    assert "| `tuesdays` | 54.0 kJ (15.00 Wh) |" in markdown


def test_metrics_outage_drops_only_the_estimate(repo: Path) -> None:
    """An unreachable Prometheus: the same preview as without one, plus one stderr line."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    result = _preview(dead, repo, "--format", "json")
    assert result.exit_code == 0
    assert "savingsEstimate" not in result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("offhours: note: savings estimate dropped: Prometheus at")
    plain = CliRunner().invoke(
        main,
        [
            "preview",
            "--policies",
            str(repo / "policies"),
            "--from",
            "2024-03-06",
            "--days",
            "7",
            "--format",
            "json",
        ],
        env={"OFFHOURS_PROMETHEUS__URL": ""},
    )
    with_repo = json.loads(result.stdout)
    for policy in with_repo["policies"]:
        assert policy.pop("targets")  # --repo lists the resolved targets; nothing else differs
    assert json.loads(plain.stdout) == with_repo
