"""What a HelmRelease or Kustomization deployed, found by Flux's labels on the API stand-in,
and the wait until it is asleep (the real client; the test plays helm-controller)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.adapters import kube
from scheduler.core.sleepcheck import Expectation
from scheduler.core.workloads import WorkloadRef
from scheduler.settings import KubeSettings
from scheduler.testing.kubeapi import DEFAULT_RESOURCES, KubeApiServer, ManualClock, objects

HR = WorkloadRef("HelmRelease", "flux-system", "arr")
KS = WorkloadRef("Kustomization", "flux-system", "previews")
ALL = Expectation(0, ("Deployment", "StatefulSet", "ReplicaSet", "CronJob", "ScaledObject"))
RELEASE_LABELS = {
    "helm.toolkit.fluxcd.io/name": "arr",
    "helm.toolkit.fluxcd.io/namespace": "flux-system",
}


def seed_release(standin: KubeApiServer, *, running: int = 1) -> None:
    """helm-controller rendered the release into ``media`` (its targetNamespace)."""
    standin.put(objects.helm_release("flux-system", "arr", target_namespace="media"))
    standin.put(objects.deployment("media", "sonarr", replicas=running, labels=RELEASE_LABELS))
    standin.put(objects.statefulset("media", "db", replicas=0, labels=RELEASE_LABELS))
    standin.put(objects.cronjob("media", "backup", suspend=True, labels=RELEASE_LABELS))
    standin.put(objects.deployment("media", "unrelated", replicas=2))
    other = RELEASE_LABELS | {"helm.toolkit.fluxcd.io/name": "other"}
    standin.put(objects.deployment("media", "other", replicas=2, labels=other))


def test_deployed_workloads_are_found_by_flux_labels_in_any_namespace(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """Only the release's labelled workloads, wherever rendered; unlisted kinds not asked."""
    seed_release(standin)
    found = cluster.deployed_by(HR, kinds=("Deployment", "StatefulSet", "CronJob"))
    assert sorted(str(w.ref) for w in found) == [
        "CronJob/media/backup",
        "Deployment/media/sonarr",
        "StatefulSet/media/db",
    ]
    assert not standin.requests_to("scaledobjects")


def test_kustomization_workloads_use_kustomize_labels(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """A Flux Kustomization's workloads carry kustomize-controller's labels."""
    labels = {
        "kustomize.toolkit.fluxcd.io/name": "previews",
        "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    }
    standin.put(objects.deployment("previews", "pr-1", replicas=1, labels=labels))
    standin.put(objects.deployment("previews", "pr-2", replicas=1, labels=RELEASE_LABELS))
    (found,) = cluster.deployed_by(KS, kinds=("Deployment",))
    assert found.ref == WorkloadRef("Deployment", "previews", "pr-1")


def test_many_owners_are_read_with_one_list_per_kind(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """`offhours status` reads every sleeping release at once: one labelled list per kind,
    grouped by Flux's labels; an owner with nothing deployed gets an empty tuple."""
    seed_release(standin)
    gone = WorkloadRef("HelmRelease", "flux-system", "gone")
    found = cluster.deployed([HR, gone], kinds=("Deployment", "StatefulSet"))
    assert sorted(w.ref.name for w in found[HR]) == ["db", "sonarr"]
    assert found[gone] == ()
    assert len(standin.requests_to("deployments")) == 1
    assert len(standin.requests_to("statefulsets")) == 1


def test_configured_namespaces_bound_the_search(standin: KubeApiServer, api: kube.KubeApi) -> None:
    """With namespaces configured (Roles per namespace), only those are listed."""
    seed_release(standin)
    standin.put(objects.deployment("elsewhere", "x", replicas=1, labels=RELEASE_LABELS))
    cluster = kube.KubeCluster(api, namespaces=["elsewhere"])
    (found,) = cluster.deployed_by(HR, kinds=("Deployment",))
    assert found.ref.namespace == "elsewhere"
    assert all("/namespaces/elsewhere/" in r.path for r in standin.requests_to("deployments"))


def test_keda_missing_is_skipped_but_other_errors_surface(
    tmp_path: Path, kube_settings: KubeSettings
) -> None:
    """No ScaledObject API (KEDA not installed): none listed; a forbidden Deployment list
    raises the RBAC error."""
    resources = tuple(r for r in DEFAULT_RESOURCES if r.kind != "ScaledObject")
    with KubeApiServer(resources=resources) as server:
        seed_release(server)
        settings = kube_settings.model_copy(
            update={"kubeconfig": server.write_kubeconfig(tmp_path / "kc")}
        )
        with kube.connect(settings) as api:
            cluster = kube.KubeCluster(api)
            found = cluster.deployed_by(HR, kinds=("Deployment", "ScaledObject"))
            assert [w.ref.name for w in found] == ["sonarr"]
            server.fail(r"/deployments$", status=403, times=10, message="cannot list")
            with pytest.raises(kube.KubeForbidden, match="cannot list"):
                cluster.deployed_by(HR, kinds=("Deployment",))


def test_wait_ends_when_helm_controller_scaled_everything(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """The Deployment reaches 0 after one poll: settled at that poll's time."""
    seed_release(standin)
    clock.then(
        lambda: standin.put(
            objects.deployment("media", "sonarr", replicas=0, labels=RELEASE_LABELS)
        )
    )
    start = clock.now()
    polling = kube.Polling(timeout=60, poll=5, clock=clock)
    outcome = kube.wait_for_rendered(cluster, {HR: ALL}, polling=polling)[HR]
    assert outcome.ok
    assert outcome.at == start + timedelta(seconds=5)
    assert outcome.check.line == "asleep: 3 rendered workloads at 0"
    assert outcome.not_ready is None


def test_wait_gives_up_with_the_last_judgement_and_the_failed_release(
    standin: KubeApiServer, cluster: kube.KubeCluster, clock: ManualClock
) -> None:
    """A failed upgrade leaves the Deployment running: at the deadline the outcome names it
    and carries the release's Ready=False condition."""
    seed_release(standin)
    failed = objects.ready_condition(
        ready=False, reason="UpgradeFailed", message="Helm upgrade failed: post-renderer error"
    )
    standin.put(objects.helm_release("flux-system", "arr", target_namespace="media", ready=failed))
    polling = kube.Polling(timeout=20, poll=5, clock=clock)
    outcome = kube.wait_for_rendered(cluster, {HR: ALL}, polling=polling)[HR]
    assert not outcome.ok
    assert [str(w.ref) for w in outcome.check.running] == ["Deployment/media/sonarr"]
    assert outcome.not_ready is not None
    assert outcome.not_ready.reason == "UpgradeFailed"
    assert clock.sleeps == [5, 5, 5, 5]
