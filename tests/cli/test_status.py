"""``offhours status``: wanted state, Git state, live state from the API stand-in, drift."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main
from scheduler.testing.kubeapi import KubeApiServer, objects

NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # Tuesday 23:00 in Berlin
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
ASLEEP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: dev
  annotations:
    offhours.dev/original-replicas: "2"
spec:
  replicas: 0
"""
AWAKE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: dev
spec:
  replicas: 2
"""
APPS_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    files = {
        "policies/dev.yaml": POLICY,
        "apps/web.yaml": ASLEEP.format(name="web"),  # asleep in Git, running in the cluster
        "apps/api.yaml": ASLEEP.format(name="api"),  # asleep in Git and in the cluster
        "apps/db.yaml": AWAKE.format(name="db"),  # awake in Git: the plan would sleep it
        "clusters/apps.yaml": APPS_KS,
    }
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    return tmp_path


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "now_utc", lambda: NIGHT)
    monkeypatch.delenv("OFFHOURS_POLICIES", raising=False)


def run(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["status", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return result.exit_code, json.loads(result.stdout)


def by_name(doc: dict) -> dict[str, dict]:
    return {t["name"]: t for t in doc["targets"]}


def test_without_a_cluster_git_and_policy_are_compared(repo: Path) -> None:
    """--no-cluster: wanted vs Git, pending changes and next transitions, cluster unknown."""
    _, doc = run("--repo", str(repo), "--no-cluster")
    rows = by_name(doc)
    assert rows["db"]["wanted"] == "off"
    assert rows["db"]["git"] == "awake"
    assert rows["db"]["pending"] == "sleep"
    assert rows["db"]["drift"] == "git behind policy"
    assert rows["api"]["drift"] == "unknown"
    assert rows["api"]["nextTransition"] == "2026-12-02T07:00:00Z"
    assert doc["cluster"] == "cluster not read (--no-cluster)"


def test_with_the_cluster_drift_and_revision_are_shown(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Live replicas from the API: a Deployment still running although Git says asleep is
    'cluster behind git'; the owning Kustomization's applied revision is shown."""
    with KubeApiServer() as api:
        api.put(objects.deployment("dev", "web", replicas=2))
        api.put(objects.deployment("dev", "api", replicas=0))
        api.put(objects.deployment("dev", "db", replicas=2))
        inventory = [
            objects.inventory_id("dev", n, group="apps", kind="Deployment")
            for n in ("web", "api", "db")
        ]
        revision = "main@sha1:" + "a" * 40
        api.put(
            objects.kustomization("flux-system", "apps", revision=revision, inventory=inventory)
        )
        api.put(objects.git_repository("flux-system", "flux-system"))
        monkeypatch.setenv("OFFHOURS_KUBE__KUBECONFIG", str(api.write_kubeconfig(tmp_path / "kc")))
        monkeypatch.setenv("OFFHOURS_KUBE__CONTEXT", "offhours-test")
        _, doc = run("--repo", str(repo))
    rows = by_name(doc)
    assert doc["cluster"] == "read"
    assert rows["web"]["drift"] == "cluster behind git"
    assert rows["web"]["cluster"] == "replicas 2/2"
    assert rows["api"]["drift"] == "in sync"
    assert rows["api"]["fluxRevision"] == revision
    assert rows["db"]["drift"] == "git behind policy"


def test_an_unreachable_cluster_still_prints_git_status(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing kubeconfig is one note; the Git-level status is still printed."""
    monkeypatch.setenv("OFFHOURS_KUBE__KUBECONFIG", str(tmp_path / "missing"))
    _, doc = run("--repo", str(repo))
    assert doc["cluster"].startswith("cluster not read:")
    assert len(doc["targets"]) == 3
