"""Bench: a full ``offhours report`` for 1,000 workloads x 30 days (30 s scrape) from Prometheus.

Reuses ``bench_report_queries``' generator: Kepler 0.10 pod counters, node counters and
kube-state-metrics owners, 30 % of the Deployments scaled to zero every weekday night and
weekend (UTC 20:00-07:00), backfilled with promtool (timed separately). A real Git repository
holds the 1,000 manifests and a policy selecting the scaled Deployments; its ledger is made by
the real planner and Git adapter, one commit per transition, dated at the transition. Then the
report (the same code as ``offhours report``) runs in a fresh process over the last 16 days
with 14 days of history. Prints wall time, HTTP requests, peak RSS of the report process, the
HTML size, and the saved-energy error against the generator's ground truth (each scaled
workload's expected power x its covered off time).

    python bench/bench_report.py            # 1,000 workloads x 30 days
    python bench/bench_report.py --quick    # 50 workloads x 3 days
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_report_queries as gen

from scheduler import logs
from scheduler.adapters import gitrepo
from scheduler.core import schedule
from scheduler.reconcile import workspace
from scheduler.settings import GitSettings
from scheduler.testing import gitremote, promserver

# The generator's increments cycle through every residue mod 97: mean factor 0.75 + 48/194.
MEAN_FACTOR = 0.75 + 48 / 194
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: nightly}
spec:
  timeZone: UTC
  uptime: ["Mon-Fri 07:00-20:00"]
  targets: [{labels: {offhours: nightly}}]
"""


def _manifest(cluster: gen.Cluster, i: int) -> str:
    label = "  labels: {offhours: nightly}\n" if cluster.scaled_nightly(i) else ""
    api = "apps/v1"
    return (
        f"apiVersion: {api}\nkind: {cluster.kind(i)}\nmetadata:\n  name: w{i:04d}\n"
        f"  namespace: {cluster.namespace(i)}\n{label}spec:\n  replicas: 1\n"
    )


def ledger_repo(cluster: gen.Cluster, root: Path) -> tuple[Path, int, float]:
    """The fleet repository and its offhours ledger; returns (path, commits, seconds)."""
    began = time.perf_counter()
    repo = root / "fleet"
    (repo / "policies").mkdir(parents=True)
    (repo / "policies/nightly.yaml").write_text(POLICY)
    for i in range(cluster.workloads):
        folder = repo / "apps" / cluster.namespace(i)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"w{i:04d}.yaml").write_text(_manifest(cluster, i))
    gitremote.run_git(repo, "init", "-q", "-b", "main")
    gitremote.run_git(repo, "add", "-A")
    stamp = f"@{int(gen.START) - 3600} +0000"
    gitremote.run_git(
        repo,
        "-c",
        "user.name=b",
        "-c",
        "user.email=b@example.com",
        "commit",
        "-qm",
        "fleet",
        env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
    )
    load = workspace.read_policies(repo / "policies", now=datetime.fromtimestamp(gen.START, UTC))
    instants = [
        gen.START,
        *(t.at for t in schedule.transitions(load.policies[0], gen.START, cluster.end)),
    ]
    settings = GitSettings(repo=str(repo))
    for at in instants:
        when = datetime.fromtimestamp(at, UTC)

        def produce(tree: Path, when: datetime = when) -> gitrepo.CommitRequest | None:
            ws = workspace.load_workspace(tree, policies=Path("policies"), now=when)
            plan = workspace.plan_workspace(ws, at=when)
            workspace.write_plan(tree, plan)
            return gitrepo.CommitRequest.for_changes(plan.changes, date=when)

        with gitrepo.open_checkout(settings) as checkout:
            gitrepo.publish(checkout, produce, push=False)
    return repo, len(instants), time.perf_counter() - began


def run_report(url: str, repo: str, start: float, end: float, history: float) -> dict[str, Any]:
    """One report in this (fresh) process: the figures the bench prints."""
    from scheduler.core.energy.render import html, render_json
    from scheduler.reconcile import reporting
    from scheduler.settings import PrometheusSettings, Settings

    settings = Settings(prometheus=PrometheusSettings(url=url, timeout_seconds=120))
    settings = settings.model_copy(update={"git": settings.git.model_copy(update={"repo": repo})})
    request = reporting.ReportRequest(
        start=datetime.fromtimestamp(start, UTC),
        end=datetime.fromtimestamp(end, UTC),
        history_seconds=history,
    )
    began = time.perf_counter()
    document = reporting.build_report(settings, request, now=datetime.now(UTC))
    built = time.perf_counter() - began
    page = html.render_html(document)
    text = render_json(document)
    rendered = time.perf_counter() - began - built
    return {
        "build_seconds": built,
        "render_seconds": rendered,
        "http_requests": document.http_requests,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "html_kb": len(page.encode()) / 1024,
        "json_kb": len(text.encode()) / 1024,
        "targets": json.loads(text)["targets"],
    }


def _errors(cluster: gen.Cluster, targets: list[dict[str, Any]]) -> dict[str, float]:
    est = truth = 0.0
    worst = 0.0
    for row in targets:
        i = int(row["name"][1:])
        if row["savedJoules"] is None or row["coveredSeconds"] <= 0:
            continue
        expected = cluster.watts(i) * MEAN_FACTOR * row["coveredSeconds"]
        est += row["savedJoules"]
        truth += expected
        worst = max(worst, abs(row["savedJoules"] / expected - 1))
    return {
        "total_error": est / truth - 1 if truth else float("nan"),
        "worst_target": worst,
        "saved_mj": est / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 workloads x 3 days")
    args = parser.parse_args()
    cluster = gen.Cluster(50, 3) if args.quick else gen.Cluster(1000, 30)
    history_days = 1 if args.quick else 14
    binaries = promserver.find_binaries()
    if binaries is None:
        sys.exit("bench needs prometheus and promtool (`make prometheus`)")
    logs.configure(level="warning")
    with tempfile.TemporaryDirectory(prefix="offhours-bench-report-") as tmp:
        work = Path(tmp)
        os.environ.update(gitremote.isolate_git(work / "home"))
        spawn = multiprocessing.get_context("spawn")
        with spawn.Pool(1) as pool:
            made = pool.apply(gen.generate, (cluster, work))
        repo, commits, ledger_seconds = ledger_repo(cluster, work)
        server = promserver.PromServer(
            work / "tsdb",
            binaries=binaries,
            work_dir=work / "prom",
            extra_args=["--storage.tsdb.max-block-duration=18h"],
        )
        with server:
            start = gen.START + history_days * gen.DAY
            began = time.perf_counter()
            with spawn.Pool(1) as pool:
                out = pool.apply(
                    run_report,
                    (server.url, str(repo), start, cluster.end - gen.STEP, history_days * gen.DAY),
                )
            wall = time.perf_counter() - began
    errors = _errors(cluster, out.pop("targets"))
    scaled = sum(1 for i in range(cluster.workloads) if cluster.scaled_nightly(i))
    lines = [
        f"cluster: {cluster.workloads} workloads ({scaled} scaled nightly), {cluster.days} days, "
        f"30 s scrape; {made['samples'] / 1e6:.1f} M samples",
        f"backfill: {made['seconds']:.1f} s; ledger: {commits} commits in {ledger_seconds:.1f} s",
        f"report: {out['build_seconds']:.2f} s to build ({wall:.2f} s wall with process start), "
        f"{out['render_seconds']:.2f} s to render html+json; {out['http_requests']} HTTP requests",
        f"report process peak RSS: {out['peak_rss_mb']:.0f} MB; html {out['html_kb']:.0f} kB, "
        f"json {out['json_kb']:.0f} kB",
        f"saved energy vs ground truth: {errors['saved_mj']:.1f} MJ estimated, total error "
        f"{100 * errors['total_error']:+.2f} %, worst target {100 * errors['worst_target']:.2f} %",
    ]
    print("\n".join(lines))
    print(json.dumps({**{k: round(v, 3) for k, v in out.items()}, **errors, "commits": commits}))


if __name__ == "__main__":
    main()
