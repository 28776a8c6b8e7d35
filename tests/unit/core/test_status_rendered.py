"""Status rows of a HelmRelease asleep in Git: its deployed workloads and Ready (pure core)."""

from __future__ import annotations

from scheduler.core import planner, sleepcheck, status
from scheduler.core.manifests import ManifestIndex
from scheduler.core.observations import (
    Condition,
    ConditionStatus,
    FluxObject,
    FluxSnapshot,
    LiveWorkload,
)
from scheduler.core.policy import Policy
from scheduler.core.sleepcheck import Expectation
from scheduler.core.workloads import WorkloadRef
from tests.unit.core.test_planner import NIGHT, apply_plan, index, policies, policy_text
from tests.unit.core.test_sleepcheck import SONARR

HR = WorkloadRef("HelmRelease", "media", "sonarr")
EXPECTED = Expectation(0, ("Deployment", "StatefulSet"))
FAILED = Condition("Ready", ConditionStatus.FALSE, "UpgradeFailed", "Helm upgrade failed")


def asleep() -> tuple[tuple[Policy, ...], ManifestIndex]:
    pols = policies(policy_text("media", targets="    - kinds: [HelmRelease]\n"))
    awake = index(apps__media__sonarr_yaml=SONARR)
    return pols, apply_plan(awake, planner.plan(pols, awake, at=NIGHT))


def row(live: list[LiveWorkload], ready: Condition | None = None) -> status.TargetStatus:
    pols, idx = asleep()
    release = FluxObject(
        ref=HR,
        api_version="helm.toolkit.fluxcd.io/v2",
        generation=2,
        conditions=() if ready is None else (ready,),
    )
    observed = status.Observed(
        flux=FluxSnapshot(helm_releases=(release,)),
        rendered={HR: sleepcheck.judge(HR, live, EXPECTED)},
    )
    (found,) = status.target_statuses(
        planner.plan(pols, idx, at=NIGHT), idx, at=NIGHT, observed=observed
    )
    return found


def deployment(name: str, replicas: int) -> LiveWorkload:
    return LiveWorkload(
        ref=WorkloadRef("Deployment", "media", name),
        spec_replicas=replicas,
        replicas=replicas,
        ready_replicas=replicas,
    )


def test_running_workloads_put_the_cluster_behind_git() -> None:
    """A release asleep in Git whose Deployment still runs: 'cluster behind git', listed."""
    found = row([deployment("sonarr", 1), deployment("worker", 0)])
    assert found.git_asleep
    assert found.drift is status.Drift.CLUSTER_BEHIND
    assert found.live == "asleep in Git, 1 workload still running: Deployment/media/sonarr 1/1"
    text = status.render_text([found], at=NIGHT)
    assert "HelmRelease/media/sonarr  [cluster behind git]" in text
    assert "  cluster: asleep in Git, 1 workload still running: Deployment/media/sonarr 1/1" in text


def test_everything_asleep_is_in_sync() -> None:
    """Every deployed workload at 0: in sync, with the count on the cluster line."""
    found = row([deployment("sonarr", 0), deployment("worker", 0)])
    assert found.drift is status.Drift.IN_SYNC
    assert found.live == "asleep: 2 rendered workloads at 0"


def test_json_adds_the_workloads_and_the_ready_condition() -> None:
    """--format json keeps its keys and adds renderedWorkloads and fluxReady."""
    doc = status.to_document([row([deployment("sonarr", 1)], FAILED)], at=NIGHT)
    (target,) = doc["targets"]
    assert target["cluster"].startswith("asleep in Git, 1 workload still running")
    assert target["drift"] == "cluster behind git"
    assert target["renderedWorkloads"] == {
        "expected": {"replicas": 0, "kinds": ["Deployment", "StatefulSet"]},
        "found": 1,
        "settled": False,
        "stillRunning": [
            {"kind": "Deployment", "namespace": "media", "name": "sonarr", "state": "1/1"}
        ],
    }
    assert target["fluxReady"] == {
        "status": "False",
        "reason": "UpgradeFailed",
        "message": "Helm upgrade failed",
    }


def test_a_workload_target_has_no_rendered_fields() -> None:
    """Rows of plain workloads carry null renderedWorkloads and fluxReady."""
    doc = status.to_document([row([])], at=NIGHT)
    assert doc["targets"][0]["renderedWorkloads"]["found"] == 0
    pols = policies(policy_text("dev", targets="    - namespaces: [dev]\n"))
    idx = index(
        apps__web_yaml="apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, "
        "namespace: dev}\nspec: {replicas: 2}\n"
    )
    rows = status.target_statuses(
        planner.plan(pols, idx, at=NIGHT), idx, at=NIGHT, observed=status.Observed()
    )
    (target,) = status.to_document(rows, at=NIGHT)["targets"]
    assert target["renderedWorkloads"] is None
    assert target["fluxReady"] is None
