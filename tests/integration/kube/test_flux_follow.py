"""Following a push on the API stand-in: reconcile request, applied revision, lag, warnings,
and the live workloads reaching what was committed."""

from __future__ import annotations

from datetime import UTC, datetime

from structlog.testing import capture_logs

from scheduler.adapters import kube
from scheduler.core.changes import Action, Change
from scheduler.core.observations import LiveTarget
from scheduler.core.workloads import WorkloadRef
from scheduler.reconcile.fluxfollow import ClusterFlux, live_target
from scheduler.settings import KubeSettings, Settings
from scheduler.testing.kubeapi import KubeApiServer, objects

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
