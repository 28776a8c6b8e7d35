"""``offhours report`` edge cases against real parts: no Kepler (the CCF estimate from CPU
requests), no requests either, an empty ledger, an unreachable or rejecting Prometheus."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scheduler.adapters import gitrepo
from scheduler.cli import main
from scheduler.core import schedule
from scheduler.core.energy import ccf
from scheduler.core.series import MetricSeries
from scheduler.reconcile import workspace
from scheduler.settings import GitSettings
from scheduler.testing import gitremote, promserver, recordings
from scheduler.testing import kepler as sim

T0 = 1709510400.0  # 2024-03-04T00:00:00Z, a Monday
DAY = 86400.0
SLEEP, WAKE = T0 + DAY + 12 * 3600, T0 + DAY + 18 * 3600  # Tuesday 12:00-18:00 UTC
FLUX = 60.0
POD_A, POD_B = "web-6d5f7c9b8d-k2x4z", "web-6d5f7c9b8d-q7w9x"
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\n"
    "spec:\n  replicas: 2\n"
)
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {{name: {name}}}
spec:
  timeZone: UTC
  downtime: ["Tue 12:00-18:00"]
  targets: [{{namespaces: [{ns}]}}]
"""


def _binaries() -> promserver.PromBinaries:
    found = promserver.find_binaries()
    if found is None:
        message = "prometheus/promtool not installed (`make prometheus`)"
        if os.environ.get("OFFHOURS_REQUIRE_PROMETHEUS") == "1":
            pytest.fail(f"OFFHOURS_REQUIRE_PROMETHEUS=1 but {message}")
        pytest.skip(message)
    return found


def _serve(root: Path, series: list[MetricSeries]) -> Iterator[str]:
    binaries = _binaries()
    promserver.backfill(
        recordings.merge_series(series), root / "tsdb", binaries=binaries, work_dir=root
    )
    with promserver.PromServer(root / "tsdb", binaries=binaries, work_dir=root) as server:
        yield server.url


def _ksm_only() -> list[MetricSeries]:
    """Two replicas requesting 0.5 cores each, scaled to 0 from the sleep (+Flux) to the wake."""
    end = T0 + 2 * DAY
    ksm = {"job": "kube-state-metrics"}
    out = [
        sim.state_series(
            "kube_deployment_spec_replicas",
            {**ksm, "namespace": "dev", "deployment": "web"},
            [(T0, 2), (SLEEP + FLUX, 0), (WAKE + FLUX, 2)],
            end=end,
            every=60.0,
        )
    ]
    for pod in (POD_A, POD_B):
        labels = {**ksm, "namespace": "dev", "pod": pod, "uid": f"u-{pod}"}
        for start, stop in ((T0, SLEEP + FLUX + 30), (WAKE + FLUX + 30, end)):
            out.append(
                sim.state_series(
                    "kube_pod_container_resource_requests",
                    {
                        **labels,
                        "container": "app",
                        "resource": "cpu",
                        "unit": "core",
                        "node": "node-a",
                    },
                    [(start, 0.5)],
                    end=stop,
                    every=60.0,
                )
            )
            out.append(
                sim.state_series(
                    "kube_pod_owner",
                    {**labels, "owner_kind": "ReplicaSet", "owner_name": "web-6d5f7c9b8d"},
                    [(start, 1)],
                    end=stop,
                    every=60.0,
                )
            )
    out.append(
        sim.state_series(
            "kube_replicaset_owner",
            {
                **ksm,
                "namespace": "dev",
                "replicaset": "web-6d5f7c9b8d",
                "owner_kind": "Deployment",
                "owner_name": "web",
            },
            [(T0, 1)],
            end=end,
            every=60.0,
        )
    )
    return out


def _kepler() -> list[MetricSeries]:
    scenario = sim.Scenario(
        T0,
        T0 + 2 * DAY,
        (sim.PodSpec("dev", POD_A, 2.0, owner_kind="ReplicaSet", owner_name="web-6d5f7c9b8d"),),
        scrape=60.0,
        version="v0.10.2",
        owners={"web-6d5f7c9b8d": ("Deployment", "web")},
    )
    return [*sim.v010_series(scenario, zones=("package", "dram")), *sim.ksm_series(scenario)]


@pytest.fixture(scope="module")
def no_kepler_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prometheus with kube-state-metrics only (no Kepler at all)."""
    yield from _serve(tmp_path_factory.mktemp("prom-ksm"), _ksm_only())


@pytest.fixture(scope="module")
def kepler_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prometheus with two days of Kepler 0.10 data for dev/web."""
    yield from _serve(tmp_path_factory.mktemp("prom-kepler"), _kepler())


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fleet repository with Deployment dev/web and a policy, no offhours commit yet."""
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)
    root = tmp_path / "fleet"
    (root / "apps").mkdir(parents=True)
    (root / "policies").mkdir()
    (root / "apps/web.yaml").write_text(DEPLOYMENT.format(name="web", ns="dev"))
    (root / "policies/dev.yaml").write_text(POLICY.format(name="dev-tuesdays", ns="dev"))
    gitremote.run_git(root, "init", "-q", "-b", "main")
    gitremote.run_git(root, "add", "-A")
    stamp = {"GIT_AUTHOR_DATE": f"@{int(T0)} +0000", "GIT_COMMITTER_DATE": f"@{int(T0)} +0000"}
    gitremote.run_git(
        root,
        "-c",
        "user.name=me",
        "-c",
        "user.email=me@example.com",
        "commit",
        "-q",
        "-m",
        "fleet",
        env=stamp,
    )
    return root


def _commit_transitions(root: Path, *, start: float, end: float) -> None:
    """offhours' own commits (planner + Git adapter) at each transition in [start, end)."""
    load = workspace.read_policies(root / "policies", now=datetime.fromtimestamp(start, UTC))
    for t in schedule.transitions(load.policies[0], start, end):
        when = datetime.fromtimestamp(t.at, UTC)

        def produce(tree: Path, when: datetime = when) -> gitrepo.CommitRequest | None:
            ws = workspace.load_workspace(tree, policies=Path("policies"), now=when)
            plan = workspace.plan_workspace(ws, at=when)
            workspace.write_plan(tree, plan)
            return gitrepo.CommitRequest.for_changes(plan.changes, date=when)

        with gitrepo.open_checkout(GitSettings(repo=str(root))) as checkout:
            gitrepo.publish(checkout, produce, push=False)


def _report(url: str, root: Path, *args: str) -> Result:
    argv = [
        "report",
        "--prometheus",
        url,
        "--repo",
        str(root),
        "--history",
        "1d",
        "--from",
        "2024-03-05T00:00:00Z",
        "--until",
        "2024-03-06T00:00:00Z",
        *args,
    ]
    env = {"OFFHOURS_PROMETHEUS__RETRIES": "0", "OFFHOURS_PROMETHEUS__URL": ""}
    return CliRunner().invoke(main, argv, env=env)


def test_no_kepler_falls_back_to_ccf_from_cpu_requests(no_kepler_url: str, repo: Path) -> None:
    """Without Kepler the headline is CPU requests x CCF watts per vCPU over the time the
    target was actually off, labelled "estimated, no Kepler" in every format."""
    _commit_transitions(repo, start=T0, end=T0 + 2 * DAY)
    result = _report(no_kepler_url, repo, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["estimatedWithoutKepler"] is True
    assert doc["keplerSchema"] is None
    assert doc["baselineMethod"] == "ccf-estimate"
    assert doc["headline"] == ccf.LABEL
    (row,) = doc["targets"]
    aws = ccf.coefficients("aws")
    watts = 1.0 * (aws.min_watts + 0.5 * (aws.max_watts - aws.min_watts))
    assert row["method"] == "ccf-estimate"
    assert row["baselineWatts"] == pytest.approx(watts)
    assert row["offSeconds"] == WAKE - SLEEP
    assert row["savedJoules"] == pytest.approx(watts * (WAKE - SLEEP - FLUX), abs=watts * 31)
    assert row["actuation"]["sleepLagMedianSeconds"] == pytest.approx(FLUX, abs=31)
    for fmt, label in (
        ("text", "estimated, no Kepler"),
        ("markdown", "estimated, no Kepler"),
        ("html", "estimated, no Kepler"),
    ):
        rendered = _report(no_kepler_url, repo, "--format", fmt)
        assert rendered.exit_code == 0
        assert label in rendered.stdout, fmt
    rendered = _report(no_kepler_url, repo, "--format", "csv")
    assert "ccf-estimate" in rendered.stdout


def test_no_kepler_and_no_requests_says_what_is_missing(no_kepler_url: str, repo: Path) -> None:
    """Targets without CPU requests are not estimated, and the report names what is missing."""
    (repo / "apps/web.yaml").write_text(DEPLOYMENT.format(name="api", ns="qa"))
    (repo / "policies/dev.yaml").write_text(POLICY.format(name="qa-tuesdays", ns="qa"))
    gitremote.run_git(
        repo,
        "-c",
        "user.name=me",
        "-c",
        "user.email=me@example.com",
        "commit",
        "-qam",
        "qa",
        env={"GIT_COMMITTER_DATE": f"@{int(T0) + 60} +0000"},
    )
    _commit_transitions(repo, start=T0, end=T0 + 2 * DAY)
    result = _report(no_kepler_url, repo, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    (row,) = doc["targets"]
    assert (row["name"], row["savedJoules"], row["coverage"]) == ("api", None, 0)
    assert any("missing: no Kepler energy metrics" in n for n in doc["notes"])
    text = _report(no_kepler_url, repo).stdout
    assert "not estimated" in text
    assert "kube_pod_container_resource_requests" in text


def test_empty_ledger_is_stated_and_targets_listed(kepler_url: str, repo: Path) -> None:
    """No offhours commit: nothing intended off, nothing counted as saved, and the report says
    why; the policy's target is still listed (0 s off, 0 J)."""
    result = _report(kepler_url, repo, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["ledger"]["empty"] is True
    assert any(n.startswith("the ledger is empty") for n in doc["notes"])
    (row,) = doc["targets"]
    assert (row["name"], row["offSeconds"], row["savedJoules"]) == ("web", 0, 0)
    assert doc["totals"]["savedJoules"] == 0
    assert "the ledger is empty" in _report(kepler_url, repo).stdout


def test_http_requests_do_not_grow_with_targets(kepler_url: str, repo: Path) -> None:
    """Forty more targets: the same number of requests to the metrics store."""
    one = json.loads(_report(kepler_url, repo, "--format", "json").stdout)
    for k in range(40):
        (repo / f"apps/extra-{k}.yaml").write_text(DEPLOYMENT.format(name=f"extra-{k}", ns="dev"))
    many = json.loads(_report(kepler_url, repo, "--format", "json").stdout)
    assert len(many["targets"]) == 41
    assert many["httpRequests"] == one["httpRequests"]


def test_unreachable_prometheus_exits_2_and_writes_nothing(repo: Path, tmp_path: Path) -> None:
    """Connection refused: exit 2, one clear line, and no (partial) output file."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    out = tmp_path / "report.html"
    result = _report(f"http://127.0.0.1:{port}", repo, "--format", "html", "--output", str(out))
    assert result.exit_code == 2
    assert "offhours: error: Prometheus at http://127.0.0.1" in result.stderr
    assert "unavailable" in result.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".report.html.*")) == []


class _Rejecting(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"status":"error","errorType":"bad_data","error":"query too expensive"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


def test_rejected_query_exits_2_with_the_server_message(repo: Path) -> None:
    """A store that rejects the query: exit 2 with its error text."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Rejecting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = _report(f"http://127.0.0.1:{server.server_address[1]}", repo)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert result.exit_code == 2
    assert "query too expensive" in result.stderr
    assert "bad_data" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "1d", "--from", "2024-03-05"], "give either --since or --from, not both"),
        (["--from", "2024-03-06", "--until", "2024-03-05"], "--from must be before --until"),
        (["--since", "soon"], "'soon' is not a duration"),
        (["--step", "30", "--since", "1d"], "--step must be at least 60 seconds (got 30)"),
    ],
)
def test_bad_options_are_refused(repo: Path, args: list[str], message: str) -> None:
    """Contradictory or unusable options exit 2 with a clear message, before any query."""
    result = CliRunner().invoke(
        main,
        ["report", "--prometheus", "http://127.0.0.1:1", "--repo", str(repo), *args],
        env={"OFFHOURS_PROMETHEUS__URL": ""},
    )
    assert result.exit_code == 2
    assert message in result.stderr
