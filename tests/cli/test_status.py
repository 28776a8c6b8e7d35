"""``offhours status``: wanted state, Git state, live state from the API stand-in, drift."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main
from scheduler.core import planner
from scheduler.core.manifests import build_index
from scheduler.core.policy import load_policies
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


MEDIA_POLICY = POLICY.replace("name: dev", "name: media").replace(
    "- namespaces: [dev]", "- namespaces: [media]\n      kinds: [HelmRelease]"
)
ARR = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: arr
  namespace: media
spec:
  interval: 30m
  chartRef: {kind: OCIRepository, name: app-template}
"""
ARR_LABELS = {"helm.toolkit.fluxcd.io/name": "arr", "helm.toolkit.fluxcd.io/namespace": "media"}
HELM_GROUP = "helm.toolkit.fluxcd.io"


@pytest.fixture
def release_repo(tmp_path: Path) -> Path:
    """A fleet repository whose HelmRelease offhours already put to sleep (a post-renderer)."""
    files = {"policies/media.yaml": MEDIA_POLICY, "apps/arr.yaml": ARR}
    pols = load_policies([("policies/media.yaml", MEDIA_POLICY)], now=NIGHT.timestamp())
    plan = planner.plan(pols.policies, build_index(files.items()), at=NIGHT.timestamp())
    files |= {edit.path: edit.new_text for edit in plan.changed_files}
    assert "offhours.dev/original-post-renderers" in files["apps/arr.yaml"]
    root = tmp_path / "fleet"
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def seed_release(api: KubeApiServer, *, running: int, ready: dict | None = None) -> None:
    inventory = [objects.inventory_id("media", "arr", group=HELM_GROUP, kind="HelmRelease")]
    api.put(objects.kustomization("flux-system", "apps", inventory=inventory))
    api.put(objects.helm_release("media", "arr", ready=ready))
    api.put(objects.git_repository("flux-system", "flux-system"))
    api.put(objects.deployment("media", "sonarr", replicas=running, labels=ARR_LABELS))
    api.put(objects.statefulset("media", "db", replicas=running, labels=ARR_LABELS))
    api.put(objects.deployment("media", "radarr", replicas=0, labels=ARR_LABELS))


def status_of(
    repo: Path, api: KubeApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> str:
    monkeypatch.setenv("OFFHOURS_KUBE__KUBECONFIG", str(api.write_kubeconfig(tmp_path / "kc")))
    monkeypatch.setenv("OFFHOURS_KUBE__CONTEXT", "offhours-test")
    result = CliRunner().invoke(main, ["status", "--repo", str(repo), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_release_asleep_in_git_with_running_workloads_is_cluster_behind_git(
    release_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The release's post-renderer is committed but its Deployment and StatefulSet still run
    and its upgrade failed: the row lists them, is 'cluster behind git', and warns."""
    failed = objects.ready_condition(
        ready=False, reason="UpgradeFailed", message="Helm upgrade failed: post-renderer error"
    )
    with KubeApiServer() as api:
        seed_release(api, running=1, ready=failed)
        text = status_of(release_repo, api, tmp_path, monkeypatch, "text")
    assert "HelmRelease/media/arr  [cluster behind git]" in text
    assert (
        "  cluster: asleep in Git, 2 workloads still running: Deployment/media/sonarr 1/1, "
        "StatefulSet/media/db 1/1;"
    ) in text
    assert (
        "  ! error: HelmRelease/media/arr: HelmRelease media/arr is not Ready (UpgradeFailed: "
        "Helm upgrade failed: post-renderer error)"
    ) in text
    assert "[target-not-ready]" in text


def test_a_release_whose_workloads_are_asleep_is_in_sync_in_json(
    release_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every rendered workload at 0: in sync, the count in `cluster`, the details in
    renderedWorkloads and the Ready condition in fluxReady."""
    with KubeApiServer() as api:
        seed_release(api, running=0)
        doc = json.loads(status_of(release_repo, api, tmp_path, monkeypatch, "json"))
    (row,) = doc["targets"]
    assert row["drift"] == "in sync"
    assert row["cluster"] == "asleep: 3 rendered workloads at 0"
    assert row["renderedWorkloads"]["settled"] is True
    assert row["renderedWorkloads"]["stillRunning"] == []
    assert row["fluxReady"]["status"] == "True"
    assert row["warnings"] == []
