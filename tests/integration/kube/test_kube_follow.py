"""Following a push: the waits poll the stand-in while the test plays Flux between polls."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scheduler.adapters import kube
from scheduler.core.observations import LiveTarget
from scheduler.core.workloads import WorkloadRef
from scheduler.testing.kubeapi import KubeApiServer, ManualClock, objects

OLD = "450796ddb2ab6724ee1cc32a4be56da032d1cca0"
SHA = "1eabc9a41ca088515cab83f1cce49eb43e84b67f"
APPS = WorkloadRef("Kustomization", "flux-system", "apps")
HR = WorkloadRef("HelmRelease", "dev", "web")
WEB = WorkloadRef("Deployment", "dev", "web")


def polling(clock: ManualClock, timeout: float = 60) -> kube.Polling:
    return kube.Polling(timeout=timeout, poll=5, clock=clock)


def seed(standin: KubeApiServer) -> None:
    standin.put(objects.kustomization("flux-system", "apps", revision=f"main@sha1:{OLD}"))


def test_applied_at_first_observation(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """The Kustomization applies the commit after one poll; applied time is that poll."""
    seed(standin)
    clock.then(
        lambda: standin.mark_applied(
            "Kustomization", "flux-system", "apps", revision=f"main@sha1:{SHA}"
        )
    )
    start = clock.now()
    outcome = kube.wait_for_applied(cluster, SHA, [APPS], polling=polling(clock))[APPS]
    assert outcome.status is kube.FollowStatus.APPLIED
    assert outcome.at == start + timedelta(seconds=5)
    assert outcome.revision == f"main@sha1:{SHA}"
    assert clock.sleeps == [5]


def test_helm_release_waits_for_its_kustomization(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """A HelmRelease that looks Ready is judged only after the Kustomization applied."""
    seed(standin)
    standin.put(objects.helm_release("dev", "web"))

    def kustomization_applies() -> None:
        standin.mark_applied("Kustomization", "flux-system", "apps", revision=f"main@sha1:{SHA}")
        release = standin.get("HelmRelease", "dev", "web")
        release["spec"]["values"] = {"replicaCount": 0}
        standin.put(release)

    def release_upgraded() -> None:
        standin.mark_applied("HelmRelease", "dev", "web", revision="6.5.0")

    clock.then(kustomization_applies, release_upgraded)
    start = clock.now()
    outcomes = kube.wait_for_applied(cluster, SHA, [APPS, HR], polling=polling(clock))
    assert outcomes[APPS].at == start + timedelta(seconds=5)
    assert outcomes[HR].status is kube.FollowStatus.APPLIED
    assert outcomes[HR].at == start + timedelta(seconds=10)


def test_failed_reconciliation_stops_waiting(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """A failed attempt at our commit ends the wait with Flux's condition message."""
    seed(standin)
    standin.put(objects.helm_release("dev", "web"))
    clock.then(
        lambda: standin.mark_applied(
            "Kustomization",
            "flux-system",
            "apps",
            revision=f"main@sha1:{SHA}",
            ready=False,
            message="kustomize build failed: accumulating resources",
        )
    )
    outcomes = kube.wait_for_applied(cluster, SHA, [APPS, HR], polling=polling(clock))
    assert outcomes[APPS].status is kube.FollowStatus.FAILED
    assert "kustomize build failed: accumulating resources" in outcomes[APPS].message
    assert outcomes[HR].status is kube.FollowStatus.FAILED
    assert "Kustomization flux-system/apps did not apply 1eabc9a" in outcomes[HR].message
    assert clock.sleeps == [5]


def test_suspended_and_missing_are_reported_at_once(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """Suspended or missing objects never apply: no waiting for them."""
    standin.put(objects.kustomization("flux-system", "apps", suspend=True))
    missing = WorkloadRef("Kustomization", "flux-system", "gone")
    outcomes = kube.wait_for_applied(cluster, SHA, [APPS, missing], polling=polling(clock))
    assert outcomes[APPS].status is kube.FollowStatus.SUSPENDED
    assert "flux resume kustomization apps -n flux-system" in outcomes[APPS].message
    assert outcomes[missing].status is kube.FollowStatus.NOT_FOUND
    assert clock.sleeps == []


def test_timeout_reports_the_last_state(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """Never applied: a timeout after the deadline, naming what Flux last applied."""
    seed(standin)
    outcome = kube.wait_for_applied(cluster, SHA, [APPS], polling=polling(clock, timeout=12))[APPS]
    assert outcome.status is kube.FollowStatus.TIMEOUT
    assert clock.sleeps == [5, 5, 2]
    assert f"has applied main@sha1:{OLD}, waiting for 1eabc9a" in outcome.message


def test_descendant_commit_counts_when_included(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """Another writer's later commit on top of ours counts as applied when it includes ours."""
    later = "9" * 40
    standin.put(objects.kustomization("flux-system", "apps", revision=f"main@sha1:{later}"))
    outcomes = kube.wait_for_applied(
        cluster, SHA, [APPS], polling=polling(clock), includes=lambda sha: sha == later
    )
    assert outcomes[APPS].ok


def test_replicas_reached_after_rollout(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """Scale-down is confirmed once spec, status and readiness all say 0."""
    standin.put(objects.deployment("dev", "web", replicas=0, ready=2))
    standin.put(objects.cronjob("dev", "report", suspend=True))
    clock.then(lambda: standin.set_replicas("Deployment", "dev", "web", ready=0))
    report = WorkloadRef("CronJob", "dev", "report")
    start = clock.now()
    outcomes = kube.wait_for_replicas(
        cluster,
        {WEB: LiveTarget(replicas=0), report: LiveTarget(suspend=True)},
        polling=polling(clock),
    )
    assert outcomes[report].at == start
    assert outcomes[WEB].status is kube.FollowStatus.APPLIED
    assert outcomes[WEB].at == start + timedelta(seconds=5)


def test_replicas_timeout_says_what_is_missing(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """A scale-up that never gets ready times out with the ready count."""
    standin.put(objects.deployment("dev", "web", replicas=3, ready=1))
    outcome = kube.wait_for_replicas(
        cluster, {WEB: LiveTarget(replicas=3)}, polling=polling(clock, timeout=10)
    )[WEB]
    assert outcome.status is kube.FollowStatus.TIMEOUT
    assert "1/3 ready" in outcome.message


def test_only_appliers_can_be_followed(cluster: kube.KubeCluster, clock: ManualClock) -> None:
    """Following a workload for a commit is a programming error, named at once."""
    with pytest.raises(ValueError, match="Deployment/dev/web"):
        kube.wait_for_applied(cluster, SHA, [WEB], polling=polling(clock))
