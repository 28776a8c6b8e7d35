"""Bench: ``offhours suggest`` over four weeks of a 1,000-workload cluster in a real Prometheus.

Generates, for N Deployments in N/50 namespaces over D days (60 s scrape for cAdvisor and
Kepler, kube-state-metrics every 5 min): cAdvisor ``container_cpu_usage_seconds_total`` (the
workload's container) and ``container_network_receive_bytes_total`` (pod level, ``eth0``),
Kepler 0.10 pod counters (zone ``package``) and node counters, and kube-state-metrics owners
(pod -> ReplicaSet -> Deployment), ``kube_deployment_spec_replicas`` and the pods' restart
counters. Every Deployment is rolled out once (a new ReplicaSet and pod). In every namespace
60 % of the workloads are busy during office hours (Mon-Fri 08:00-18:00 Europe/Berlin), 20 %
run a night batch (01:00-04:00 daily) and 20 % are always busy; idle, a pod uses 0.004 cores
and receives 150 B/s of probes (each +-25 % per scrape) and draws 1 W, busy it adds 0.10-0.40
cores, 20-70 kB/s and 4 W. The series are written as OpenMetrics with
``scheduler.core.openmetrics`` one 18 h block at a time and backfilled with promtool (in a
child process, pipelined); then a real Prometheus serves them and
``scheduler.reconcile.suggesting.suggest`` runs in a fresh process with the CLI's settings
(30 min slots in Europe/Berlin, 30 min margin, 2 h minimum window, 2 weeks, no minimum saving).
The same runs for a fleet a tenth the size over the same days, to show that the HTTP requests
do not grow with the number of workloads. Prints the generation/backfill time, suggest's wall
time, HTTP requests, peak RSS (the suggest process), the proposals, and checks them against
the generated activity: every office-hours workload proposed, no always-busy one, no off slot
over generated activity (exit 1 otherwise).

    python bench/bench_suggest.py            # 1,000 (and 100) workloads x 28 days
    python bench/bench_suggest.py --quick    # 50 (and 10) workloads x 14 days
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate, islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.series import MetricSeries
from scheduler.core.suggest.proposal import Reason, Settings, Suggestion
from scheduler.core.suggest.weekslots import WeekSlots
from scheduler.reconcile.suggesting import SuggestRequest, suggest
from scheduler.testing import promserver

START = 1704067200.0  # 2024-01-01T00:00:00Z, a Monday (01:00 in Berlin, no DST change in 28 d)
SCRAPE = 60.0
KSM_EVERY = 300.0
BLOCK = 18 * 3600.0
DAY = 86400.0
ZONE = "Europe/Berlin"
GRANULARITY = 1800
SAFE = "bcdfghjklmnpqrstvwxz2456789"
OFFICE, NIGHT, ALWAYS = "office-hours", "night batch", "always busy"
PATTERNS = (OFFICE, NIGHT, ALWAYS)
IDLE_CORES = 0.004
PROBE_BYTES = 150.0
IDLE_WATTS = 1.0
BUSY_WATTS = 4.0
# Per-scrape noise: every residue mod 97 once per 97 scrapes, mean factor 0.75 + 48/194.
NOISE = [0.75 + k / 194 for k in range(97)]
MEAN_NOISE = math.fsum(NOISE) / len(NOISE)


def _safe(number: int, length: int) -> str:
    return "".join(SAFE[(number // len(SAFE) ** k) % len(SAFE)] for k in range(length))


def busy(pattern: str, weekday: int, minute: int) -> bool:
    """Whether a workload of ``pattern`` works at a local weekday and minute of the day."""
    if pattern == OFFICE:
        return weekday < 5 and 8 * 60 <= minute < 18 * 60
    if pattern == NIGHT:
        return 60 <= minute < 4 * 60
    return True


def _slot_busy(pattern: str, slot: int) -> bool:
    """Whether any minute of a 30-minute week slot is busy (boundaries are on whole slots)."""
    per_day = int(DAY) // GRANULARITY
    return busy(pattern, slot // per_day, (slot % per_day) * GRANULARITY // 60)


@dataclass
class Pod:
    """One pod's life and counter state while generating."""

    workload: int
    name: str
    uid: str
    replicaset: str
    first: float  # first sample
    last: float  # last sample
    terminated: float | None  # where Kepler 0.10 exports the final total once
    cpu: float = 0.0
    network: float = 0.0
    joules: float = 0.0


@dataclass(frozen=True)
class Cluster:
    """The generated cluster."""

    workloads: int
    days: int

    @property
    def end(self) -> float:
        return START + self.days * DAY

    @property
    def namespaces(self) -> int:
        return max(1, self.workloads // 50)

    def namespace(self, i: int) -> str:
        return f"team-{i % self.namespaces:02d}"

    @property
    def nodes(self) -> int:
        return max(2, self.workloads // 50)

    def node(self, i: int) -> str:
        return f"node-{i % self.nodes:02d}"

    def pattern(self, i: int) -> str:
        """Three in five of every namespace's workloads office hours, one night, one always."""
        return PATTERNS[max(0, (i // self.namespaces) % 5 - 2)]

    def count(self, pattern: str) -> int:
        return sum(1 for i in range(self.workloads) if self.pattern(i) == pattern)

    def cores(self, i: int) -> float:
        return 0.1 + (i % 7) * 0.05

    def peak_bytes(self, i: int) -> float:
        return 20_000.0 + (i % 11) * 5_000.0

    def pods(self) -> list[Pod]:
        out = []
        for i in range(self.workloads):
            name = f"w{i:04d}"
            rollout = START + (i % self.days) * DAY + 12 * 3600 + SCRAPE * (i % 30)
            old, new = f"{name}-{_safe(i * 7 + 1, 10)}", f"{name}-{_safe(i * 7 + 2, 10)}"
            out += [
                Pod(i, f"{old}-{_safe(i, 5)}", f"u{i}-a", old, START, rollout - SCRAPE, rollout),
                Pod(
                    i, f"{new}-{_safe(i + 1, 5)}", f"u{i}-b", new, rollout, self.end - SCRAPE, None
                ),
            ]
        return out


def _series(
    name: str, labels: dict[str, str], times: array[float], values: array[float]
) -> MetricSeries:
    return MetricSeries(name, tuple(sorted(labels.items())), times, values)


def _grid(lo: float, hi: float, every: float) -> array[float]:
    first = math.ceil((lo - START) / every)
    last = math.ceil((hi - START) / every)
    return array("d", [START + k * every for k in range(first, last)])


def _loads(times: array[float]) -> dict[str, array[float]]:
    """Per pattern, 1 where the scrape interval ending at each time is busy, else 0."""
    zone = ZoneInfo(ZONE)
    out = {p: array("d") for p in PATTERNS}
    for t in times:
        local = datetime.fromtimestamp(t - SCRAPE, zone)
        minute = local.hour * 60 + local.minute
        for pattern in PATTERNS:
            out[pattern].append(1.0 if busy(pattern, local.weekday(), minute) else 0.0)
    return out


def _counter(
    initial: float, idle: float, peak: float, noise: Sequence[float], load: Sequence[float]
) -> array[float]:
    steps = (idle * n + peak * b for n, b in zip(noise, load, strict=True))
    return array("d", islice(accumulate(steps, initial=initial), 1, None))


def _pod_window(
    cluster: Cluster, pod: Pod, grid: array[float], loads: dict[str, array[float]], hi: float
) -> list[MetricSeries]:
    i = pod.workload
    namespace = cluster.namespace(i)
    out = []
    first = max(0, math.ceil((pod.first - grid[0]) / SCRAPE)) if grid else 0
    last = min(len(grid), math.floor((pod.last - grid[0]) / SCRAPE) + 1) if grid else 0
    kepler = {
        "node_name": cluster.node(i),
        "pod_id": pod.uid,
        "pod_name": pod.name,
        "pod_namespace": namespace,
        "zone": "package",
        "job": "kepler",
    }
    if last > first:
        times = grid if (first, last) == (0, len(grid)) else grid[first:last]
        g0 = round((times[0] - START) / SCRAPE)
        noise = [SCRAPE * NOISE[(g * 62 + i * 31) % 97] for g in range(g0, g0 + len(times))]
        load = [n * b for n, b in zip(noise, loads[cluster.pattern(i)][first:last], strict=True)]
        cpu = _counter(pod.cpu, IDLE_CORES, cluster.cores(i), noise, load)
        received = _counter(pod.network, PROBE_BYTES, cluster.peak_bytes(i), noise, load)
        joules = _counter(pod.joules, IDLE_WATTS, BUSY_WATTS, noise, load)
        pod.cpu, pod.network, pod.joules = cpu[-1], received[-1], joules[-1]
        cadvisor = {"namespace": namespace, "pod": pod.name, "job": "kubelet"}
        out += [
            _series(
                "container_cpu_usage_seconds_total",
                {**cadvisor, "container": f"w{i:04d}"},
                times,
                cpu,
            ),
            _series(
                "container_network_receive_bytes_total",
                {**cadvisor, "interface": "eth0"},
                times,
                received,
            ),
            _series("kepler_pod_cpu_joules_total", {**kepler, "state": "running"}, times, joules),
        ]
    if pod.terminated is not None and grid and grid[0] <= pod.terminated < hi:
        final = array("d", [pod.joules + IDLE_WATTS * SCRAPE])
        stamp = array("d", [pod.terminated])
        out.append(
            _series("kepler_pod_cpu_joules_total", {**kepler, "state": "terminated"}, stamp, final)
        )
    return out


def _ksm_window(cluster: Cluster, pods: list[Pod], lo: float, hi: float) -> list[MetricSeries]:
    out = []
    ticks = _grid(lo, hi, KSM_EVERY)
    ones = array("d", [1.0]) * len(ticks)
    replicasets: dict[str, int] = {}
    for pod in pods:
        alive = array("d", [t for t in ticks if pod.first <= t <= pod.last])
        if not alive:
            continue
        namespace = cluster.namespace(pod.workload)
        ksm = {"namespace": namespace, "pod": pod.name, "uid": pod.uid, "job": "kube-state-metrics"}
        owner = {"owner_kind": "ReplicaSet", "owner_name": pod.replicaset}
        out.append(
            _series("kube_pod_owner", {**ksm, **owner}, alive, array("d", [1.0]) * len(alive))
        )
        out.append(
            _series(
                "kube_pod_container_status_restarts_total",
                {**ksm, "container": f"w{pod.workload:04d}"},
                alive,
                array("d", [0.0]) * len(alive),
            )
        )
        replicasets[pod.replicaset] = pod.workload
    for rs, workload in replicasets.items():
        labels = {
            "namespace": cluster.namespace(workload),
            "replicaset": rs,
            "owner_kind": "Deployment",
            "owner_name": f"w{workload:04d}",
            "job": "kube-state-metrics",
        }
        out.append(_series("kube_replicaset_owner", labels, ticks, ones))
    for i in range(cluster.workloads):
        labels = {
            "namespace": cluster.namespace(i),
            "deployment": f"w{i:04d}",
            "job": "kube-state-metrics",
        }
        out.append(_series("kube_deployment_spec_replicas", labels, ticks, ones))
    for n in range(cluster.nodes):
        node = f"node-{n:02d}"
        out.append(
            _series("kube_node_info", {"node": node, "job": "kube-state-metrics"}, ticks, ones)
        )
        build = {"node_name": node, "version": "v0.10.2", "job": "kepler"}
        out.append(_series("kepler_build_info", build, ticks, ones))
    return out


def _node_window(cluster: Cluster, times: array[float]) -> list[MetricSeries]:
    out = []
    for n in range(cluster.nodes):
        for part, watts in (("cpu_active", 20.0), ("cpu_idle", 60.0), ("cpu", 80.0)):
            values = array("d", [(t - START) * watts for t in times])
            labels = {
                "node_name": f"node-{n:02d}",
                "zone": "package",
                "path": "aggregated-package",
                "job": "kepler",
            }
            out.append(_series(f"kepler_node_{part}_joules_total", labels, times, values))
    return out


def generate(cluster: Cluster, work: Path) -> dict[str, float]:
    """Write and backfill every 18 h block. Runs in a child process."""
    binaries = promserver.find_binaries()
    assert binaries is not None
    began = time.perf_counter()
    pods = cluster.pods()
    samples = 0
    pending: subprocess.Popen[bytes] | None = None
    lo = math.floor(START / BLOCK) * BLOCK
    block = 0
    while lo < cluster.end:
        hi = lo + BLOCK
        grid = _grid(max(lo, START), min(hi, cluster.end), SCRAPE)
        loads = _loads(grid)
        alive = [p for p in pods if p.first < hi and (p.terminated or p.last) >= lo]
        series = [s for p in alive for s in _pod_window(cluster, p, grid, loads, hi)]
        series += _node_window(cluster, grid)
        series += _ksm_window(cluster, alive, max(lo, START), min(hi, cluster.end))
        source = work / f"block-{block}.om"
        samples += promserver.write_openmetrics(series, source)
        del series
        if pending is not None and pending.wait() != 0:
            raise RuntimeError("promtool failed")
        pending = subprocess.Popen(
            [
                str(binaries.promtool),
                "tsdb",
                "create-blocks-from",
                "--quiet",
                "--max-block-duration=18h",
                "openmetrics",
                str(source),
                str(work / "tsdb"),
            ],
            stdout=subprocess.DEVNULL,
        )
        if block:
            (work / f"block-{block - 1}.om").unlink()
        block += 1
        lo = hi
    if pending is not None and pending.wait() != 0:
        raise RuntimeError("promtool failed")
    (work / f"block-{block - 1}.om").unlink()
    return {
        "seconds": time.perf_counter() - began,
        "samples": samples,
        "pods": len(pods),
        "blocks": block,
    }


def settings() -> Settings:
    """What ``offhours suggest --time-zone Europe/Berlin --min-saving 0J`` decides with."""
    return Settings(
        slots=WeekSlots(GRANULARITY, ZoneInfo(ZONE)),
        margin_slots=1,
        min_window_slots=4,
        min_weeks=2,
        min_saving_joules=0.0,
    )


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _outcome(cluster: Cluster, result: Suggestion) -> dict[str, Any]:
    """The verdicts per generated pattern, checked against the generated activity."""
    reasons: dict[str, dict[str, int]] = {p: {} for p in PATTERNS}
    windows: dict[str, list[str]] = {}
    overlap = 0
    saved = expected = 0.0
    for v in result.verdicts:
        pattern = cluster.pattern(int(v.ref.name[1:]))
        name = v.reason.name.lower()
        reasons[pattern][name] = reasons[pattern].get(name, 0) + 1
        if v.reason is not Reason.PROPOSED or v.uptime is None:
            continue
        windows.setdefault(pattern, list(v.uptime.lines))
        overlap += sum(1 for s, off in enumerate(v.uptime.off) if off and _slot_busy(pattern, s))
        saved += v.projection.joules
        expected += v.projection.off_seconds * IDLE_WATTS * MEAN_NOISE
    return {
        "reasons": reasons,
        "windows": windows,
        "busy_slots_off": overlap,
        "policies": len(result.policies),
        "namespace_wide": sum(1 for p in result.policies if p.namespace_wide),
        "units": sum(len(p.units) for p in result.policies),
        "saved_joules_week": saved,
        "idle_joules_week": expected,
        "weeks": result.weeks_observed,
        "notes": list(result.notes),
    }


def measure(cluster: Cluster, url: str) -> dict[str, Any]:
    """Run ``suggest`` against ``url``; runs in a fresh process (its RSS is suggest's)."""
    request = SuggestRequest(start=START, end=cluster.end, settings=settings())
    baseline = _rss_mb()
    began = time.perf_counter()
    with PrometheusClient.from_url(url, timeout_seconds=120) as client:
        result = suggest(client, request)
        requests = client.stats.http_requests
    seconds = time.perf_counter() - began
    peak = _rss_mb()
    return {
        "seconds": seconds,
        "requests": requests,
        "peak_rss_mb": peak,
        "baseline_rss_mb": baseline,
        **_outcome(cluster, result),
    }


def _serve_and_measure(
    cluster: Cluster, work: Path, binaries: promserver.PromBinaries
) -> dict[str, Any]:
    spawn = multiprocessing.get_context("spawn")
    server = promserver.PromServer(
        work / "tsdb",
        binaries=binaries,
        work_dir=work / "prom",
        extra_args=["--storage.tsdb.max-block-duration=18h"],  # no compaction mid-bench
    )
    with server, spawn.Pool(1) as pool:
        return dict(pool.apply(measure, (cluster, server.url)))


def run(
    cluster: Cluster, binaries: promserver.PromBinaries, *, keep: Path | None = None
) -> dict[str, Any]:
    """Generate and backfill ``cluster``, serve it, and measure ``suggest`` against it;
    with ``keep``, the TSDB is kept there and reused by the next run of the same size."""
    spawn = multiprocessing.get_context("spawn")
    if keep is not None:
        work = keep / f"{cluster.workloads}x{cluster.days}"
        saved = work / "made.json"
        if not saved.is_file():
            work.mkdir(parents=True, exist_ok=True)
            with spawn.Pool(1) as pool:
                saved.write_text(json.dumps(pool.apply(generate, (cluster, work))))
        made: dict[str, float] = json.loads(saved.read_text())
        return {"made": made, **_serve_and_measure(cluster, work, binaries)}
    with tempfile.TemporaryDirectory(prefix="offhours-bench-") as tmp:
        work = Path(tmp)
        with spawn.Pool(1) as pool:
            made = pool.apply(generate, (cluster, work))
        return {"made": made, **_serve_and_measure(cluster, work, binaries)}


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {reason}" for reason, n in sorted(counts.items())) or "none"


def _report(
    cluster: Cluster, big: dict[str, Any], small_cluster: Cluster, small: dict[str, Any]
) -> None:
    made = big["made"]
    ratio = big["requests"] / small["requests"]
    lines = [
        f"cluster: {cluster.workloads} Deployments ({made['pods']:.0f} pods) in "
        f"{cluster.namespaces} namespace{'s' if cluster.namespaces > 1 else ''}, "
        f"{cluster.days} days; cAdvisor and Kepler 0.10 "
        f"every {SCRAPE:.0f} s, kube-state-metrics every {KSM_EVERY:.0f} s; "
        + ", ".join(f"{cluster.count(p)} {p}" for p in PATTERNS),
        f"backfill: {made['samples'] / 1e6:.1f} M samples in {made['blocks']:.0f} blocks, "
        f"generated and backfilled in {made['seconds']:.1f} s",
        f"suggest: {sum(sum(c.values()) for c in big['reasons'].values())} units, "
        f"{big['weeks']} weeks, in {big['seconds']:.2f} s with {big['requests']} HTTP requests; "
        f"peak RSS {big['peak_rss_mb']:.0f} MB ({big['baseline_rss_mb']:.0f} MB before the read)",
        f"proposed: {big['policies']} policies ({big['namespace_wide']} namespace-wide) "
        f"targeting {big['units']} units, {big['saved_joules_week'] / 3.6e6:.2f} kWh/week; "
        f"{100 * big['saved_joules_week'] / big['idle_joules_week']:.1f} % of the generated "
        "idle power in their off slots",
        *(
            f"  {p}: {_reasons(big['reasons'][p])}"
            + (f"; e.g. uptime {big['windows'][p]}" if p in big["windows"] else "")
            for p in PATTERNS
        ),
        f"  off slots over generated activity: {big['busy_slots_off']}",
        *(f"  note: {n}" for n in big["notes"]),
        f"requests vs workloads: {small_cluster.workloads} workloads {small['requests']} "
        f"requests ({small['seconds']:.2f} s, peak RSS {small['peak_rss_mb']:.0f} MB, backfill "
        f"{small['made']['seconds']:.1f} s); {cluster.workloads} workloads {big['requests']} "
        f"requests; ratio {ratio:.2f} for {cluster.workloads / small_cluster.workloads:.0f}x "
        "the workloads",
    ]
    print("\n".join(lines))
    summary = {
        "workloads": cluster.workloads,
        "days": cluster.days,
        "scrape_seconds": SCRAPE,
        "suggest_seconds": round(big["seconds"], 3),
        "requests": big["requests"],
        "requests_small": small["requests"],
        "small_workloads": small_cluster.workloads,
        "requests_ratio": round(ratio, 3),
        "peak_rss_mb": round(big["peak_rss_mb"]),
        "backfill_seconds": round(made["seconds"], 1),
        "samples": made["samples"],
        "policies": big["policies"],
        "units": big["units"],
    }
    print(json.dumps(summary))


def _problems(cluster: Cluster, big: dict[str, Any]) -> list[str]:
    out = []
    proposed = {p: big["reasons"][p].get("proposed", 0) for p in PATTERNS}
    if proposed[OFFICE] != cluster.count(OFFICE):
        out.append(f"{proposed[OFFICE]} of {cluster.count(OFFICE)} office-hours units proposed")
    if proposed[ALWAYS]:
        out.append(f"{proposed[ALWAYS]} always-busy units proposed")
    if big["busy_slots_off"]:
        out.append(f"{big['busy_slots_off']} proposed off slots overlap generated activity")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 (and 10) workloads x 14 days")
    parser.add_argument("--workloads", type=int, default=1000)
    parser.add_argument("--small", type=int, default=100, help="the fleet to compare requests")
    parser.add_argument("--days", type=int, default=28)
    parser.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the TSDBs in DIR and reuse them"
    )
    args = parser.parse_args()
    big, small = (
        (Cluster(50, 14), Cluster(10, 14))
        if args.quick
        else (Cluster(args.workloads, args.days), Cluster(args.small, args.days))
    )
    binaries = promserver.find_binaries()
    if binaries is None:
        sys.exit("bench needs prometheus and promtool (`make prometheus`)")
    measured_small = run(small, binaries, keep=args.keep)
    measured_big = run(big, binaries, keep=args.keep)
    _report(big, measured_big, small, measured_small)
    problems = _problems(big, measured_big) + _problems(small, measured_small)
    if problems:
        sys.exit("suggest did not find the generated idleness: " + "; ".join(problems))


if __name__ == "__main__":
    main()
