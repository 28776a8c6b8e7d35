"""Benchmark: the daemon's actuation lag and its memory with many targets.

(1) Actuation lag: a real ``offhours run`` process against a bare Git remote, with a policy
    whose absolute windows produce 20 transitions a few seconds apart; the lag of each is the
    committer time of its ledger commit minus the scheduled instant.
(2) Memory: the same daemon against a generated fleet of 10,000 workloads in 2,000 files
    (``bench_plan``'s generator) with policies selecting all of them; peak RSS (VmHWM) of the
    process after its first cycle has committed every sleep.

``--quick``: 6 transitions and 1,000 workloads (a smoke test).
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(HERE))

import bench_plan  # noqa: E402

from scheduler.core import ledger  # noqa: E402
from scheduler.testing import gitremote  # noqa: E402

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dev
spec:
  replicas: 2
"""
TARGET_LAG = 5.0


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _policy(windows: list[tuple[datetime, datetime]]) -> str:
    spans = ", ".join(f"{_stamp(a)} - {_stamp(b)}" for a, b in windows)
    return (
        "apiVersion: offhours.dev/v1alpha1\nkind: OffHoursPolicy\nmetadata: {name: flash}\n"
        f'spec:\n  downtime: "{spans}"\n  targets:\n    - namespaces: [dev]\n'
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(home: Path, cache: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(gitremote.isolate_git(home))
    env.update(
        {
            "PYTHONPATH": str(PROJECT),
            "OFFHOURS_GIT__CACHE_DIR": str(cache),
            "OFFHOURS_LOGGING__FORMAT": "json",
            "OFFHOURS_LOGGING__LEVEL": "warning",
        }
    )
    return env


def _daemon(url: str, env: dict[str, str], port: int = 0) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "scheduler", "run", "--repo", url, "--poll-interval", "60"]
    command += ["--listen", f"127.0.0.1:{port or _free_port()}"]
    return subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _entries(remote: gitremote.GitRemote) -> list[ledger.LedgerEntry]:
    out = remote.git("log", "-z", "--reverse", "--format=%H%x1f%ct%x1f%B", remote.ref)
    records = []
    for chunk in out.split("\0"):
        if chunk.strip():
            sha, when, message = chunk.strip("\n").split("\x1f", 2)
            records.append(ledger.CommitRecord(sha, float(when), float(when), message))
    return list(ledger.parse_ledger(records).entries)


def _metric(port: int, name: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return float("nan")


def actuation_lag(transitions: int, tmp: Path) -> tuple[list[float], float]:
    """Run the daemon through ``transitions`` transitions; returns each one's lag from the
    commit times (whole seconds) and the mean lag the daemon measured (sub-second)."""
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=8)
    windows = [
        (start + timedelta(seconds=8 * i), start + timedelta(seconds=8 * i + 4))
        for i in range(transitions // 2)
    ]
    instants = [t.timestamp() for pair in windows for t in pair]
    seed = {"apps/dev/web.yaml": WEB, "policies/flash.yaml": _policy(windows)}
    remote = gitremote.make_remote(tmp / "remote", seed=seed)
    port = _free_port()
    process = _daemon(remote.url, _env(tmp / "home", tmp / "cache"), port)
    try:
        time.sleep(max(0.0, instants[-1] - time.time() + TARGET_LAG + 1))
        total = _metric(port, "offhours_actuation_lag_seconds_sum")
        count = _metric(port, "offhours_actuation_lag_seconds_count")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    times = [e.time for e in _entries(remote)]
    if len(times) != len(instants):
        raise SystemExit(f"expected {len(instants)} transitions, found {len(times)} commits")
    return [t - s for t, s in zip(times, instants, strict=True)], total / count


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(files: int, tmp: Path) -> tuple[int, float, float]:
    """Peak RSS (MB) of a daemon whose first cycle sleeps every workload of a fleet."""
    fleet = tmp / "fleet"
    fleet.mkdir()
    workloads = bench_plan.generate(fleet, files)
    bench_plan.write_policies(fleet)
    policies = (fleet / "policies" / "fleet.yaml").read_text()
    (fleet / "policies" / "fleet.yaml").write_text(
        policies.replace('"Mon-Fri 07:00-19:00"', "never")
    )
    remote = gitremote.make_remote(tmp / "fleet-remote", seed=fleet)
    process = _daemon(remote.url, _env(tmp / "home", tmp / "fleet-cache"))
    began = time.time()
    try:
        while remote.count() < 2 and time.time() - began < 600:
            time.sleep(0.5)
        took = time.time() - began
        time.sleep(2)
        peak = _peak_rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return workloads, took, peak


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small run (smoke test)")
    args = parser.parse_args()
    transitions, files = (6, 200) if args.quick else (20, 2000)
    with tempfile.TemporaryDirectory(prefix="offhours-bench-daemon-") as scratch:
        tmp = Path(scratch)
        (tmp / "lag").mkdir()
        lags, mean = actuation_lag(transitions, tmp / "lag")
        (tmp / "mem").mkdir()
        workloads, took, peak = memory(files, tmp / "mem")
    ok = max(lags) <= TARGET_LAG
    print(
        f"actuation lag over {len(lags)} transitions (scheduled instant -> pushed commit): "
        f"mean {mean:.2f} s as measured by the daemon; from commit times (1 s resolution) "
        f"median {statistics.median(lags):.0f} s, max {max(lags):.0f} s "
        f"(target <= {TARGET_LAG:.0f} s: {'ok' if ok else 'MISSED'})"
    )
    print(
        f"daemon with {workloads} targets: first cycle committed in {took:.1f} s, "
        f"peak RSS {peak:.0f} MB"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
