"""Following a push on the API stand-in: reconcile request, applied revision, lag, warnings,
and the live workloads reaching what was committed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from structlog.testing import capture_logs

from scheduler.adapters import kube
from scheduler.adapters.telemetry import Telemetry
from scheduler.core.changes import Action, Change
from scheduler.core.manifests import ScaleRendered, sleeppatches
from scheduler.core.observations import LiveTarget
from scheduler.core.workloads import WorkloadRef
from scheduler.reconcile.fluxfollow import ClusterFlux, live_target
from scheduler.settings import KubeSettings, Settings
from scheduler.testing.kubeapi import KubeApiServer, ManualClock, objects

SHA = "c" * 40
WEB = WorkloadRef("Deployment", "dev", "web")
APPS = WorkloadRef("Kustomization", "flux-system", "apps")


def sleep_web() -> Change:
    return Change(WEB, "apps/web.yaml", "dev", Action.SLEEP, "spec.replicas", 2, 0)


def test_a_followed_push_records_the_lag_and_confirms_the_workload(
    standin: KubeApiServer, cluster: kube.KubeCluster, kube_settings: KubeSettings
) -> None:
    """Flux reports the commit applied and the Deployment is at 0: the lag is recorded, the
    GitRepository was asked to reconcile, and the workload is confirmed settled."""
    inventory = [objects.inventory_id("dev", "web", group="apps", kind="Deployment")]
    standin.put(objects.kustomization("flux-system", "apps", inventory=inventory))
    standin.put(objects.git_repository("flux-system", "flux-system"))
    standin.put(objects.deployment("dev", "web", replicas=0))
    standin.mark_applied("Kustomization", "flux-system", "apps", revision=f"main@sha1:{SHA}")
    lags: list[float] = []
    follower = ClusterFlux(
        cluster, settings=Settings(kube=kube_settings), on_applied=lags.append, timeout=10
    )
    with capture_logs() as logs:
        follower.follow(
            SHA,
            [APPS],
            pushed_at=datetime.now(UTC),
            includes=lambda sha: sha == SHA,
            changes=[sleep_web()],
        )
        follower.join(20)
    assert len(lags) == 1
    events = [e["event"] for e in logs]
    assert "flux.reconcile_requested" in events
    assert "flux.applied" in events
    assert "workload.settled" in events
    patched = standin.requests_to("gitrepositories/flux-system", method="PATCH")
    assert patched, "the GitRepository was not annotated"


def test_a_change_that_cannot_reach_the_cluster_is_logged(
    standin: KubeApiServer, cluster: kube.KubeCluster, kube_settings: KubeSettings
) -> None:
    """A suspended owning Kustomization is reported per target after the push."""
    inventory = [objects.inventory_id("dev", "web", group="apps", kind="Deployment")]
    standin.put(objects.kustomization("flux-system", "apps", inventory=inventory, suspend=True))
    standin.put(objects.git_repository("flux-system", "flux-system"))
    standin.put(objects.deployment("dev", "web", replicas=2))
    follower = ClusterFlux(
        cluster, settings=Settings(kube=kube_settings), on_applied=lambda lag: None, timeout=1
    )
    with capture_logs() as logs:
        follower.follow(
            SHA,
            [APPS],
            pushed_at=datetime.now(UTC),
            includes=lambda s: False,
            changes=[sleep_web()],
        )
        follower.join(20)
    warnings = [e for e in logs if e["event"] == "flux.delivery_warning"]
    assert warnings
    assert warnings[0]["target"] == "Deployment/dev/web"
    assert "suspend" in warnings[0]["message"]


def test_an_api_error_while_confirming_the_workload_is_logged(
    standin: KubeApiServer, cluster: kube.KubeCluster, kube_settings: KubeSettings
) -> None:
    """Reading the workloads fails after Flux applied: one warning event, no thread crash."""
    inventory = [objects.inventory_id("dev", "web", group="apps", kind="Deployment")]
    standin.put(objects.kustomization("flux-system", "apps", inventory=inventory))
    standin.put(objects.git_repository("flux-system", "flux-system"))
    standin.put(objects.deployment("dev", "web", replicas=0))
    standin.mark_applied("Kustomization", "flux-system", "apps", revision=f"main@sha1:{SHA}")
    standin.fail(r"/deployments", status=403, times=100, method="GET")
    follower = ClusterFlux(
        cluster, settings=Settings(kube=kube_settings), on_applied=lambda lag: None, timeout=5
    )
    with capture_logs() as logs:
        follower.follow(
            SHA,
            [APPS],
            pushed_at=datetime.now(UTC),
            includes=lambda sha: sha == SHA,
            changes=[sleep_web()],
        )
        follower.join(20)
    events = [e["event"] for e in logs]
    assert "flux.applied" in events
    assert "flux.follow_failed" in events


def test_live_targets_follow_the_committed_field() -> None:
    """Replicas and CronJob suspend are checkable; a removed replicas line (HPA) is not."""
    assert live_target(sleep_web()) == LiveTarget(replicas=0)
    hpa = Change(WEB, "f", "p", Action.WAKE, "spec.replicas", 0, None)
    assert live_target(hpa) is None
    job = Change(
        WorkloadRef("CronJob", "b", "j"), "f", "p", Action.SLEEP, "spec.suspend", None, True
    )
    assert live_target(job) == LiveTarget(suspend=True)


ARR = WorkloadRef("HelmRelease", "media", "arr")
ARR_LABELS = {"helm.toolkit.fluxcd.io/name": "arr", "helm.toolkit.fluxcd.io/namespace": "media"}


def sleep_arr() -> Change:
    summary = sleeppatches.summary(ScaleRendered())
    return Change(ARR, "apps/arr.yaml", "media", Action.SLEEP, "spec.postRenderers", None, summary)


def seed_arr(
    standin: KubeApiServer, *, sonarr: int, backup_suspended: bool, **release: Any
) -> None:
    """The owning Kustomization applied the commit; helm-controller rendered the release."""
    inventory = [
        objects.inventory_id("media", "arr", group="helm.toolkit.fluxcd.io", kind="HelmRelease")
    ]
    standin.put(objects.kustomization("flux-system", "apps", inventory=inventory))
    standin.put(objects.git_repository("flux-system", "flux-system"))
    standin.mark_applied("Kustomization", "flux-system", "apps", revision=f"main@sha1:{SHA}")
    standin.put(objects.helm_release("media", "arr", **release))
    standin.put(objects.deployment("media", "sonarr", replicas=sonarr, labels=ARR_LABELS))
    standin.put(objects.deployment("media", "radarr", replicas=0, labels=ARR_LABELS))
    standin.put(objects.cronjob("media", "backup", suspend=backup_suspended, labels=ARR_LABELS))


def follow(
    cluster: kube.KubeCluster,
    kube_settings: KubeSettings,
    changes: list[Change],
    telemetry: Telemetry,
) -> list[dict[str, Any]]:
    """Follow one push with a manual clock (nothing sleeps); the captured log events."""
    follower = ClusterFlux(
        cluster,
        settings=Settings(kube=kube_settings),
        on_applied=lambda lag: None,
        timeout=30,
        telemetry=telemetry,
        clock=ManualClock(),
    )
    with capture_logs() as logs:
        follower.follow(
            SHA, [APPS], pushed_at=datetime.now(UTC), includes=lambda s: s == SHA, changes=changes
        )
        follower.join(20)
    return logs


def gauge(telemetry: Telemetry, name: str, target: str) -> float | None:
    return telemetry.registry.get_sample_value(name, {"target": target})


def test_a_release_asleep_in_git_whose_workloads_still_run_is_reported(
    standin: KubeApiServer, cluster: kube.KubeCluster, kube_settings: KubeSettings
) -> None:
    """Flux applied the commit but the upgrade failed: the still-running Deployment and the
    unsuspended CronJob are logged one by one, the release's UpgradeFailed too, and the
    gauges say 2 workloads running and not Ready; the settled Deployment is not named."""
    failed = objects.ready_condition(
        ready=False, reason="UpgradeFailed", message="Helm upgrade failed: post-renderer error"
    )
    seed_arr(standin, sonarr=1, backup_suspended=False, ready=failed)
    telemetry = Telemetry()
    logs = follow(cluster, kube_settings, [sleep_arr()], telemetry)
    (summary,) = [e for e in logs if e["event"] == "workload.not_settled"]
    assert summary["target"] == "HelmRelease/media/arr"
    assert summary["message"] == (
        "asleep in Git, 2 workloads still running: CronJob/media/backup not suspended, "
        "Deployment/media/sonarr 1/1"
    )
    running = [(e["workload"], e["state"]) for e in logs if e["event"] == "workload.still_running"]
    assert running == [
        ("CronJob/media/backup", "not suspended"),
        ("Deployment/media/sonarr", "1/1"),
    ]
    (not_ready,) = [e for e in logs if e["event"] == "flux.not_ready"]
    assert (not_ready["object"], not_ready["reason"]) == ("HelmRelease/media/arr", "UpgradeFailed")
    assert gauge(telemetry, "offhours_target_workloads_running", "HelmRelease/media/arr") == 2
    assert gauge(telemetry, "offhours_target_not_ready", "HelmRelease/media/arr") == 1


def test_a_settled_release_sets_the_gauges_to_zero_and_a_wake_removes_them(
    standin: KubeApiServer, cluster: kube.KubeCluster, kube_settings: KubeSettings
) -> None:
    """Everything the release deployed is asleep: settled, 0 running, Ready; waking it later
    drops its series (it is no longer meant to be asleep)."""
    seed_arr(standin, sonarr=0, backup_suspended=True)
    telemetry = Telemetry()
    logs = follow(cluster, kube_settings, [sleep_arr()], telemetry)
    settled = [e for e in logs if e["event"] == "workload.settled"]
    assert [(e["target"], e["message"]) for e in settled] == [
        ("HelmRelease/media/arr", "asleep: 3 rendered workloads at 0")
    ]
    assert not [e for e in logs if e["event"] in ("workload.still_running", "flux.not_ready")]
    assert gauge(telemetry, "offhours_target_workloads_running", "HelmRelease/media/arr") == 0
    assert gauge(telemetry, "offhours_target_not_ready", "HelmRelease/media/arr") == 0
    wake = Change(ARR, "apps/arr.yaml", "media", Action.WAKE, "spec.postRenderers", "x", None)
    follow(cluster, kube_settings, [wake], telemetry)
    assert gauge(telemetry, "offhours_target_workloads_running", "HelmRelease/media/arr") is None
    assert gauge(telemetry, "offhours_target_not_ready", "HelmRelease/media/arr") is None


def test_a_scaled_workload_still_running_counts_as_one(
    standin: KubeApiServer, cluster: kube.KubeCluster, kube_settings: KubeSettings
) -> None:
    """A Deployment committed to 0 that keeps its pods until the deadline: gauge 1."""
    inventory = [objects.inventory_id("dev", "web", group="apps", kind="Deployment")]
    standin.put(objects.kustomization("flux-system", "apps", inventory=inventory))
    standin.put(objects.git_repository("flux-system", "flux-system"))
    standin.put(objects.deployment("dev", "web", replicas=2))
    standin.mark_applied("Kustomization", "flux-system", "apps", revision=f"main@sha1:{SHA}")
    telemetry = Telemetry()
    logs = follow(cluster, kube_settings, [sleep_web()], telemetry)
    assert "workload.not_settled" in [e["event"] for e in logs]
    assert gauge(telemetry, "offhours_target_workloads_running", "Deployment/dev/web") == 1
    assert gauge(telemetry, "offhours_target_not_ready", "Deployment/dev/web") is None
