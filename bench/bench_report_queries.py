"""Bench: per-workload Kepler energy for a month of a 1,000-workload cluster, from Prometheus.

Generates Kepler 0.10 pod counters (zone ``package``, 30 s scrape) for N workloads over D days,
node active/idle/raw counters and kube-state-metrics owners; 30 % of the Deployments are scaled
to zero every night and weekend (a new pod, with a terminated sample for the old one, every
morning), every other Deployment is rolled out once. One workload in ten is rendered by a
HelmRelease (``kube_deployment_labels`` carries helm-controller's labels) whose pods the read
attributes to the release, as ``offhours report`` does for ``action: scale``. The series are
written as OpenMetrics with ``scheduler.core.openmetrics`` one 18 h block at a time and
backfilled with promtool (in a child process, pipelined); then a real Prometheus serves them and
``scheduler.adapters.prometheus.kepler.read_energy`` reads every workload's energy grid at a
5-minute step. Prints the generation/backfill time, the read's wall time, HTTP requests, peak
RSS (the read only) and exactness against the generated ground truth.

    python bench/bench_report_queries.py            # 1,000 workloads x 30 days
    python bench/bench_report_queries.py --quick    # 50 workloads x 3 days
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
from dataclasses import dataclass
from itertools import accumulate, cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scheduler.adapters.prometheus import kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest
from scheduler.core.kepler.releases import Placement
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.testing import promserver

START = 1704067200.0  # 2024-01-01T00:00:00Z, a Monday
SCRAPE = 30.0
KSM_EVERY = 300.0
STEP = 300.0
BLOCK = 18 * 3600.0
SAFE = "bcdfghjklmnpqrstvwxz2456789"
DAY = 86400.0


def _safe(number: int, length: int) -> str:
    return "".join(SAFE[(number // len(SAFE) ** k) % len(SAFE)] for k in range(length))


@dataclass
class Pod:
    """One pod's life and counter state while generating."""

    workload: int
    name: str
    uid: str
    replicaset: str
    first: float  # first sample
    last: float  # last running sample
    terminated: float | None  # where 0.10 exports the final total once
    value: float = 0.0
    position: int = 0


@dataclass(frozen=True)
class Cluster:
    """The generated cluster."""

    workloads: int
    days: int

    @property
    def end(self) -> float:
        return START + self.days * DAY

    def namespace(self, i: int) -> str:
        return f"team-{i % max(1, self.workloads // 50):02d}"

    def node(self, i: int) -> str:
        return f"node-{i % self.nodes:02d}"

    @property
    def nodes(self) -> int:
        return max(2, self.workloads // 50)

    def kind(self, i: int) -> str:
        return "StatefulSet" if i % 5 == 4 else "Deployment"

    def ref(self, i: int) -> WorkloadRef:
        return WorkloadRef(self.kind(i), self.namespace(i), f"w{i:04d}")

    def released(self, i: int) -> bool:
        """Rendered by a HelmRelease (whose labels kube-state-metrics exports)."""
        return self.kind(i) == "Deployment" and i % 10 == 7

    def release(self, i: int) -> WorkloadRef:
        return WorkloadRef("HelmRelease", self.namespace(i), f"r{i:04d}")

    def target(self, i: int) -> WorkloadRef:
        """Whose grid holds workload ``i``'s energy: its HelmRelease, else itself."""
        return self.release(i) if self.released(i) else self.ref(i)

    def placements(self) -> tuple[Placement, ...]:
        return tuple(
            Placement(self.release(i), (self.namespace(i),))
            for i in range(self.workloads)
            if self.released(i)
        )

    def scaled_nightly(self, i: int) -> bool:
        return self.kind(i) == "Deployment" and i % 10 in (1, 2, 3)

    def watts(self, i: int) -> float:
        return 0.2 + (i % 41) * 0.15

    def increments(self, i: int) -> list[float]:
        base = self.watts(i) * SCRAPE
        return [base * (0.75 + ((k * 7919 + i * 31) % 97) / 194) for k in range(97)]

    def pods(self) -> list[Pod]:
        out: list[Pod] = []
        for i in range(self.workloads):
            out += self._pods_of(i)
        return out

    def _pods_of(self, i: int) -> list[Pod]:
        name = f"w{i:04d}"
        if self.kind(i) == "StatefulSet":
            return [Pod(i, f"{name}-0", f"u{i}-0", "", START, self.end - SCRAPE, None)]
        if self.scaled_nightly(i):
            pods = []
            rs = f"{name}-{_safe(i * 7 + 1, 10)}"
            for day in range(self.days):
                morning = START + day * DAY
                if (day % 7) >= 5:  # 2024-01-01 is a Monday: days 5, 6 are the weekend
                    continue
                on, off = morning + 7 * 3600, morning + 20 * 3600
                pods.append(
                    Pod(
                        i,
                        f"{rs}-{_safe(i * 1000 + day, 5)}",
                        f"u{i}-{day}",
                        rs,
                        on,
                        off - SCRAPE,
                        off,
                    )
                )
            return pods
        rollout = START + (i % self.days) * DAY + 12 * 3600 + 30 * (i % 60)
        old, new = f"{name}-{_safe(i * 7 + 1, 10)}", f"{name}-{_safe(i * 7 + 2, 10)}"
        return [
            Pod(i, f"{old}-{_safe(i, 5)}", f"u{i}-a", old, START, rollout - SCRAPE, rollout),
            Pod(i, f"{new}-{_safe(i + 1, 5)}", f"u{i}-b", new, rollout, self.end - SCRAPE, None),
        ]


def _series(
    name: str, labels: dict[str, str], times: array[float], values: array[float]
) -> MetricSeries:
    return MetricSeries(name, tuple(sorted(labels.items())), times, values)


def _grid(lo: float, hi: float, every: float) -> array[float]:
    first = math.ceil((lo - START) / every)
    last = math.ceil((hi - START) / every)
    return array("d", [START + k * every for k in range(first, last)])


class Truth:
    """Per-workload joules per step as raw-sample integration finds them."""

    def __init__(self, cluster: Cluster) -> None:
        self.start = START + STEP
        self.steps = int((cluster.end - START) / STEP) - 2
        self.grids = [array("d", bytes(8 * self.steps)) for _ in range(cluster.workloads)]
        self.previous: dict[str, float] = {}

    def add(self, pod: Pod, times: array[float], values: array[float]) -> None:
        """Fold a pod's samples (ascending, possibly the final terminated one)."""
        grid = self.grids[pod.workload]
        before = self.previous.get(pod.uid, 0.0)
        index = 0
        count = len(times)
        first_point = max(0, math.ceil((times[0] - self.start) / STEP))
        point = first_point
        while index < count and point <= self.steps:
            t_point = self.start + point * STEP
            while index < count and times[index] <= t_point:
                index += 1
            if index == 0:
                point += 1
                continue
            value = values[index - 1]
            if point > 0 and (pod.uid in self.previous or times[0] > self.start):
                grid[point - 1] += value - before
            before = value
            self.previous[pod.uid] = value
            point += 1
        if index < count:
            self.previous[pod.uid] = before


def _pod_window(
    cluster: Cluster, pod: Pod, lo: float, hi: float, truth: Truth
) -> list[MetricSeries]:
    out = []
    labels = {
        "node_name": cluster.node(pod.workload),
        "pod_id": pod.uid,
        "pod_name": pod.name,
        "pod_namespace": cluster.namespace(pod.workload),
        "zone": "package",
        "job": "kepler",
    }
    increments = cluster.increments(pod.workload)
    times = _grid(max(lo, pod.first), min(hi, pod.last + SCRAPE), SCRAPE)
    if times:
        steps = islice(cycle(increments), pod.position, pod.position + len(times))
        values = array("d", accumulate(steps, initial=pod.value))[1:]
        pod.position += len(times)
        pod.value = values[-1]
        out.append(
            _series("kepler_pod_cpu_joules_total", {**labels, "state": "running"}, times, values)
        )
        truth.add(pod, times, values)
    if pod.terminated is not None and lo <= pod.terminated < hi:
        final = pod.value + increments[pod.position % len(increments)]
        stamp, value = array("d", [pod.terminated]), array("d", [final])
        out.append(
            _series("kepler_pod_cpu_joules_total", {**labels, "state": "terminated"}, stamp, value)
        )
        truth.add(pod, stamp, value)
    return out


def _ksm_window(cluster: Cluster, pods: list[Pod], lo: float, hi: float) -> list[MetricSeries]:
    out = []
    ticks = _grid(lo, hi, KSM_EVERY)
    ones = array("d", [1.0]) * len(ticks)
    replicasets: dict[str, int] = {}
    for pod in pods:
        alive = array("d", [t for t in ticks if pod.first <= t <= pod.last])
        if alive:
            namespace = cluster.namespace(pod.workload)
            kind, owner = (
                ("ReplicaSet", pod.replicaset)
                if pod.replicaset
                else ("StatefulSet", f"w{pod.workload:04d}")
            )
            labels = {
                "namespace": namespace,
                "pod": pod.name,
                "uid": pod.uid,
                "owner_kind": kind,
                "owner_name": owner,
                "job": "kube-state-metrics",
            }
            out.append(_series("kube_pod_owner", labels, alive, array("d", [1.0]) * len(alive)))
            if pod.replicaset:
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
        if cluster.released(i):
            release = cluster.release(i)
            labels = {
                "namespace": release.namespace,
                "deployment": f"w{i:04d}",
                "label_helm_toolkit_fluxcd_io_name": release.name,
                "label_helm_toolkit_fluxcd_io_namespace": release.namespace,
                "job": "kube-state-metrics",
            }
            out.append(_series("kube_deployment_labels", labels, ticks, ones))
    for n in range(cluster.nodes):
        out.append(
            _series(
                "kube_node_info",
                {"node": f"node-{n:02d}", "job": "kube-state-metrics"},
                ticks,
                ones,
            )
        )
        out.append(
            _series(
                "kepler_build_info",
                {"node_name": f"node-{n:02d}", "version": "v0.10.2", "job": "kepler"},
                ticks,
                ones,
            )
        )
    return out


def _node_window(cluster: Cluster, lo: float, hi: float) -> list[MetricSeries]:
    times = _grid(lo, hi, SCRAPE)
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
    """Write and backfill every 18 h block; save the ground truth. Runs in a child process."""
    binaries = promserver.find_binaries()
    assert binaries is not None
    began = time.perf_counter()
    pods = cluster.pods()
    truth = Truth(cluster)
    samples = 0
    pending: subprocess.Popen[bytes] | None = None
    lo = math.floor(START / BLOCK) * BLOCK
    block = 0
    while lo < cluster.end:
        hi = lo + BLOCK
        alive = [p for p in pods if p.first < hi and (p.terminated or p.last) >= lo]
        series = [s for p in alive for s in _pod_window(cluster, p, lo, hi, truth)]
        series += _node_window(cluster, max(lo, START), min(hi, cluster.end))
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
    with (work / "truth.bin").open("wb") as out:
        for grid in truth.grids:
            grid.tofile(out)
    return {
        "seconds": time.perf_counter() - began,
        "samples": samples,
        "pods": len(pods),
        "blocks": block,
    }


def _check(cluster: Cluster, reading: EnergyReading, work: Path) -> dict[str, float]:
    steps = reading.timeline.steps
    worst_step = worst_total = 0.0
    unknown = 0
    with (work / "truth.bin").open("rb") as source:
        for i in range(cluster.workloads):
            expected = array("d")
            expected.fromfile(source, steps)
            got = reading.workloads[cluster.target(i)].joules
            unknown += sum(1 for v in got if math.isnan(v))
            worst_step = max(
                worst_step, max(abs(a - b) for a, b in zip(got, expected, strict=True))
            )
            total = math.fsum(expected)
            worst_total = max(worst_total, abs(math.fsum(got) - total) / total)
    return {
        "max_step_error_joules": worst_step,
        "max_total_relative_error": worst_total,
        "unknown_steps": unknown,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="50 workloads x 3 days")
    parser.add_argument("--workloads", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    cluster = Cluster(50, 3) if args.quick else Cluster(args.workloads, args.days)
    binaries = promserver.find_binaries()
    if binaries is None:
        sys.exit("bench needs prometheus and promtool (`make prometheus`)")
    with tempfile.TemporaryDirectory(prefix="offhours-bench-") as tmp:
        work = Path(tmp)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            made = pool.apply(generate, (cluster, work))
        server = promserver.PromServer(
            work / "tsdb",
            binaries=binaries,
            work_dir=work / "prom",
            extra_args=["--storage.tsdb.max-block-duration=18h"],  # no compaction mid-bench
        )
        with server:
            request = EnergyRequest(
                start=START + STEP,
                end=cluster.end - STEP,
                step=STEP,
                placements=cluster.placements(),
            )
            began = time.perf_counter()
            with PrometheusClient.from_url(server.url, timeout_seconds=120) as client:
                reading = kepler.read_energy(client, request)
                requests = client.stats.http_requests
            seconds = time.perf_counter() - began
            peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        exact = _check(cluster, reading, work)
    _report(
        cluster, made, reading, seconds=seconds, requests=requests, peak_mb=peak_mb, exact=exact
    )


def _report(
    cluster: Cluster,
    made: dict[str, float],
    reading: EnergyReading,
    *,
    seconds: float,
    requests: int,
    peak_mb: float,
    exact: dict[str, float],
) -> None:
    raw = cluster.workloads * cluster.days * DAY / SCRAPE
    grid = (
        f"{len(reading.workloads)} workload grids x {reading.timeline.steps} steps of {STEP:.0f} s"
    )
    released = sum(1 for i in range(cluster.workloads) if cluster.released(i))
    lines = [
        f"cluster: {cluster.workloads} workloads ({made['pods']:.0f} pods), {cluster.days} days, "
        "30 s scrape, Kepler 0.10 + KSM",
        f"backfill: {made['samples'] / 1e6:.1f} M samples in {made['blocks']:.0f} blocks, "
        f"generated and backfilled in {made['seconds']:.1f} s",
        f"read: {grid} in {seconds:.2f} s, {requests} HTTP requests",
        f"attribution: {released} HelmReleases own their Deployment's pods; "
        + ", ".join(
            f"{n} pods by {how}" for how, n in sorted(reading.metadata.attribution.items())
        ),
        f"client peak RSS: {peak_mb:.0f} MB; one point per series and step received "
        f"(a raw-sample read would pull {raw / 1e6:.1f} M samples)",
        f"exactness vs ground truth: max step error {exact['max_step_error_joules']:.2e} J, "
        f"max total relative error {exact['max_total_relative_error']:.2e}, "
        f"unknown steps {exact['unknown_steps']:.0f}",
    ]
    print("\n".join(lines))
    summary = {
        "read_seconds": round(seconds, 3),
        "requests": requests,
        "peak_rss_mb": round(peak_mb),
    }
    print(json.dumps({**summary, **made, **exact}))


if __name__ == "__main__":
    main()
