"""The daemon as users run it: real ``offhours run`` processes, a real Git remote, policies
whose transitions are seconds away, signals, restarts, and two replicas with a Lease on the
Kubernetes API stand-in. Wall-clock tests: each takes a few tens of seconds."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scheduler.core import ledger
from scheduler.testing import gitremote
from scheduler.testing.kubeapi import KubeApiServer

pytestmark = pytest.mark.slow

PROJECT = Path(__file__).resolve().parents[2]
WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dev
spec:
  replicas: 2
"""
#: how late a commit may be pushed after its scheduled instant
PUSH_WITHIN = 5.0


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def policy(sleep_at: datetime, wake_at: datetime, *, extra: str = "") -> str:
    return f"""\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {{name: flash}}
spec:
  downtime: ["{stamp(sleep_at)} - {stamp(wake_at)}"]
  targets:
    - namespaces: [dev]
{extra}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(eq=False)
class Daemon:
    process: subprocess.Popen[str]
    port: int

    def metrics(self) -> str:
        url = f"http://127.0.0.1:{self.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()

    def stop(self, sig: signal.Signals = signal.SIGTERM) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        out, _ = self.process.communicate(timeout=30)
        return self.process.returncode, out


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = dict(os.environ)
    values.update(gitremote.isolate_git(tmp_path / "home"))
    values.update(
        {
            "PYTHONPATH": str(PROJECT),
            "OFFHOURS_GIT__RETRY_BACKOFF_SECONDS": "0.2",
            "OFFHOURS_LOGGING__FORMAT": "json",
        }
    )
    return values


@pytest.fixture
def started() -> Iterator[list[Daemon]]:
    daemons: list[Daemon] = []
    yield daemons
    for daemon in daemons:
        if daemon.process.poll() is None:
            daemon.process.kill()
            daemon.process.communicate(timeout=30)


def start(
    env: dict[str, str], url: str, cache: Path, started: list[Daemon], **extra: str
) -> Daemon:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "scheduler",
            "run",
            "--repo",
            url,
            "--poll-interval",
            "30",
            "--listen",
            f"127.0.0.1:{port}",
        ],
        cwd=PROJECT,
        env={**env, "OFFHOURS_GIT__CACHE_DIR": str(cache), **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    daemon = Daemon(process, port)
    started.append(daemon)
    return daemon


def wait_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


def entries(remote: gitremote.GitRemote) -> list[ledger.LedgerEntry]:
    out = remote.git("log", "-z", "--reverse", "--format=%H%x1f%ct%x1f%B", remote.ref)
    records = []
    for chunk in out.split("\0"):
        if chunk.strip():
            sha, when, message = chunk.strip("\n").split("\x1f", 2)
            records.append(ledger.CommitRecord(sha, float(when), float(when), message))
    return list(ledger.parse_ledger(records).entries)


def remote_with(tmp_path: Path, policy_text: str) -> gitremote.GitRemote:
    return gitremote.make_remote(
        tmp_path / "remote",
        seed={"apps/dev/web.yaml": WEB, "policies/flash.yaml": policy_text},
    )


def test_transitions_are_pushed_within_seconds_and_sigterm_exits_cleanly(
    tmp_path: Path, env: dict[str, str], started: list[Daemon]
) -> None:
    """Sleep and wake commits land within 5 s of their instants; metrics count them; SIGTERM
    exits 0."""
    now = datetime.now(UTC).replace(microsecond=0)
    sleep_at, wake_at = now + timedelta(seconds=8), now + timedelta(seconds=18)
    remote = remote_with(tmp_path, policy(sleep_at, wake_at))
    daemon = start(env, remote.url, tmp_path / "cache", started)
    wait_until(wake_at + timedelta(seconds=PUSH_WITHIN + 1))
    metrics = daemon.metrics()
    code, out = daemon.stop()
    assert code == 0, out
    found = entries(remote)
    assert [(e.action.value, e.after) for e in found] == [("sleep", 0), ("wake", 2)], out
    assert 0 <= found[0].time - sleep_at.timestamp() <= PUSH_WITHIN
    assert 0 <= found[1].time - wake_at.timestamp() <= PUSH_WITHIN
    assert remote.read("apps/dev/web.yaml") == WEB
    assert 'offhours_transitions_total{action="sleep",policy="flash"} 1.0' in metrics
    assert 'offhours_transitions_total{action="wake",policy="flash"} 1.0' in metrics
    assert "offhours_actuation_lag_seconds_count 2.0" in metrics
    assert '"event": "daemon.stopped"' in out
    assert "https_token" in out  # the effective settings are logged once, redacted


def test_a_restarted_daemon_catches_up(
    tmp_path: Path, env: dict[str, str], started: list[Daemon]
) -> None:
    """Killed mid-window (SIGKILL) and restarted after the wake instant, the daemon wakes the
    target at start-up: state is computed for now, not replayed."""
    now = datetime.now(UTC).replace(microsecond=0)
    sleep_at, wake_at = now + timedelta(seconds=6), now + timedelta(seconds=14)
    remote = remote_with(tmp_path, policy(sleep_at, wake_at))
    first = start(env, remote.url, tmp_path / "cache", started)
    wait_until(sleep_at + timedelta(seconds=PUSH_WITHIN))
    first.stop(signal.SIGKILL)
    assert [e.action.value for e in entries(remote)] == ["sleep"]
    wait_until(wake_at + timedelta(seconds=2))
    restarted_at = time.time()
    second = start(env, remote.url, tmp_path / "cache", started)
    deadline = time.time() + 20
    while time.time() < deadline and len(entries(remote)) < 2:
        time.sleep(0.5)
    code, out = second.stop()
    assert code == 0, out
    wake = entries(remote)[-1]
    assert wake.action.value == "wake"
    assert wake.time - restarted_at <= 10


def test_expired_overrides_are_removed_by_a_commit_of_their_own(
    tmp_path: Path, env: dict[str, str], started: list[Daemon]
) -> None:
    """An override that expires while the daemon runs is removed from the policy file."""
    now = datetime.now(UTC).replace(microsecond=0)
    far = now + timedelta(days=30)
    override = (
        "  overrides:\n"
        f'    - {{state: "on", until: "{stamp(now + timedelta(seconds=6))}", reason: demo}}\n'
    )
    text = policy(far, far + timedelta(hours=1), extra=override)
    remote = remote_with(tmp_path, text)
    daemon = start(env, remote.url, tmp_path / "cache", started)
    deadline = time.time() + 40
    while time.time() < deadline and "overrides" in remote.read("policies/flash.yaml"):
        time.sleep(0.5)
    code, out = daemon.stop()
    assert code == 0, out
    assert remote.read("policies/flash.yaml") == policy(far, far + timedelta(hours=1))
    assert remote.messages()[-1].startswith("offhours: remove expired overrides (flash)")


def test_two_replicas_with_a_lease_write_once_and_fail_over(
    tmp_path: Path, env: dict[str, str], started: list[Daemon]
) -> None:
    """Two daemons share a Lease on the API stand-in: one commits the sleep; once it is
    killed, the other takes over and commits the wake. No transition is committed twice."""
    now = datetime.now(UTC).replace(microsecond=0)
    sleep_at, wake_at = now + timedelta(seconds=10), now + timedelta(seconds=26)
    remote = remote_with(tmp_path, policy(sleep_at, wake_at))
    with KubeApiServer() as api:
        kubeconfig = api.write_kubeconfig(tmp_path / "kubeconfig")
        election = {
            "OFFHOURS_KUBE__KUBECONFIG": str(kubeconfig),
            "OFFHOURS_KUBE__CONTEXT": "offhours-test",
            "OFFHOURS_DAEMON__LEADER_ELECTION": "true",
            "OFFHOURS_DAEMON__LEASE_DURATION_SECONDS": "4",
            "OFFHOURS_DAEMON__LEASE_NAMESPACE": "offhours",
        }
        a = start(
            env,
            remote.url,
            tmp_path / "cache-a",
            started,
            OFFHOURS_DAEMON__IDENTITY="a",
            **election,
        )
        b = start(
            env,
            remote.url,
            tmp_path / "cache-b",
            started,
            OFFHOURS_DAEMON__IDENTITY="b",
            **election,
        )
        wait_until(sleep_at + timedelta(seconds=PUSH_WITHIN))
        leader_metrics = {d: d.metrics() for d in (a, b)}
        leaders = [d for d, m in leader_metrics.items() if "offhours_is_leader 1.0" in m]
        assert len(leaders) == 1, leader_metrics
        leader, standby = leaders[0], (b if leaders[0] is a else a)
        leader.stop(signal.SIGKILL)
        wait_until(wake_at + timedelta(seconds=PUSH_WITHIN + 2))
        code, out = standby.stop()
    assert code == 0, out
    found = entries(remote)
    assert [e.action.value for e in found] == ["sleep", "wake"]
    assert found[1].time - wake_at.timestamp() <= PUSH_WITHIN
