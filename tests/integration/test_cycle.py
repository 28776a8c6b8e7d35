"""The daemon's cycle on a real Git remote: holds, retries and estimates around apply."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from scheduler.core.planner import Plan
from scheduler.reconcile import Reconciler
from scheduler.reconcile.workspace import Workspace
from scheduler.settings import GitSettings, Settings
from scheduler.testing import gitremote

#: a policy whose expired override cannot be cut out of its one-line flow list
STUCK = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: stuck}
spec:
  timeZone: UTC
  uptime: ["Mon-Fri 08:00-19:00"]
  targets:
    - namespaces: [other]
"""
STUCK += '  overrides: [{state: "on", until: "2026-11-01T00:00:00Z"}, '
STUCK += '{state: "on", until: "2027-01-01T00:00:00Z"}]\n'

NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # Tuesday 23:00 in Berlin
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: previews}
spec:
  timeZone: Europe/Berlin
  uptime: ["Mon-Fri 08:00-19:00"]
  targets:
    - namespaces: [previews]
    - kinds: [Kustomization]
      names: [previews]
      action: suspend
"""
ROOT = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  path: {path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""
APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pr-1
  namespace: previews
spec:
  replicas: 1
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    remote = gitremote.make_remote(
        tmp_path / "remote",
        seed={
            "policies/previews.yaml": POLICY,
            "clusters/root.yaml": ROOT.format(name="flux-system", path="./clusters"),
            "clusters/previews.yaml": ROOT.format(name="previews", path="./apps"),
            "apps/pr-1.yaml": APP,
        },
    )
    git = GitSettings(repo=remote.url, cache_dir=tmp_path / "cache", retry_backoff_seconds=0)
    return Settings(git=git)


def test_held_flux_suspend_brings_the_next_cycle_forward(settings: Settings) -> None:
    """Without a cluster the suspend waits the settle time after the scale-down commit,
    and the cycle asks to run again exactly then; then the suspend is committed."""
    cycle = Reconciler(settings, settle_seconds=120, stamp_commits=True)
    first = cycle(NIGHT)
    assert [c.target.kind for c in first.changes] == ["Deployment"]
    assert first.next_transition == NIGHT + timedelta(seconds=120)
    early = cycle(NIGHT + timedelta(seconds=60))
    assert early.changes == ()
    later = cycle(NIGHT + timedelta(seconds=121))
    assert [(c.target.kind, c.after) for c in later.changes] == [("Kustomization", True)]
    assert later.next_transition == datetime(2026, 12, 2, 7, 0, tzinfo=UTC)


def test_estimated_watts_come_from_a_background_estimate(settings: Settings) -> None:
    """The estimate runs off the cycle's thread; the next cycle reports its result."""
    calls: list[int] = []

    def estimate(ws: Workspace, plan: Plan) -> Mapping[str, float]:
        calls.append(len(ws.policies.policies))
        return {"previews": 3.5}

    cycle = Reconciler(settings, settle_seconds=120, stamp_commits=True, watts=estimate)
    cycle(NIGHT)
    deadline = time.time() + 5
    while not calls and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    report = cycle(NIGHT + timedelta(seconds=1))
    assert report.watts_avoided == {"previews": 3.5}
    assert calls[0] == 1


def test_an_override_that_cannot_be_removed_stops_no_other_policy(
    settings: Settings, tmp_path: Path
) -> None:
    """An expired override offhours cannot cut out is logged and left; the cycle still
    commits every other policy's transition."""
    remote = gitremote.make_remote(
        tmp_path / "remote2",
        seed={
            "policies/previews.yaml": POLICY,
            "policies/stuck.yaml": STUCK,
            "apps/pr-1.yaml": APP,
        },
    )
    git = settings.git.model_copy(update={"repo": remote.url})
    cycle = Reconciler(settings.model_copy(update={"git": git}), stamp_commits=True)
    with capture_logs() as logs:
        report = cycle(NIGHT)
    assert [c.target.name for c in report.changes] == ["pr-1"]
    kept = [e for e in logs if e["event"] == "override.expired_not_removed"]
    assert [e["policy"] for e in kept] == ["stuck"]
