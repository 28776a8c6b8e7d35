"""KubeCluster reads workloads and Flux objects into core records, in batches, across
served API versions, and asks Flux to reconcile (the real client against the stand-in)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.adapters import kube
from scheduler.core import flux
from scheduler.core.observations import (
    ConditionStatus,
    GitReference,
    IgnoreRule,
    InventoryEntry,
    Selector,
    ValuesReference,
)
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError
from scheduler.settings import KubeSettings
from scheduler.testing.kubeapi import DEFAULT_RESOURCES, KubeApiServer, objects, with_versions
from scheduler.testing.kubeapi.clock import ManualClock

SHA = "1eabc9a41ca088515cab83f1cce49eb43e84b67f"
WEB = WorkloadRef("Deployment", "dev", "web")
APPS = WorkloadRef("Kustomization", "flux-system", "apps")
REPO = WorkloadRef("GitRepository", "flux-system", "flux-system")


def test_deployment_observation(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """A Deployment's replicas, readiness, generations and labels are read."""
    standin.put(objects.deployment("dev", "web", replicas=3, ready=2, labels={"app": "web"}))
    live = cluster.workload(WEB)
    assert (live.spec_replicas, live.replicas, live.ready_replicas) == (3, 2, 2)
    assert (live.generation, live.observed_generation, live.labels) == (1, 1, {"app": "web"})


def test_omitted_replicas_read_as_the_api_default(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """A Deployment without spec.replicas (HPA-managed) reads as 1, the API default."""
    standin.put(objects.deployment("dev", "web", replicas=None, ready=4))
    assert cluster.workload(WEB).spec_replicas == 1


def test_statefulset_cronjob_and_keda(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """StatefulSet counts, CronJob suspend/active jobs and KEDA paused-replicas are read."""
    standin.put(objects.statefulset("dev", "db", replicas=0, ready=0))
    standin.put(objects.cronjob("dev", "report", suspend=True, active=1))
    standin.put(objects.scaled_object("dev", "web", target="web", paused_replicas=0))
    found = cluster.workloads(
        [
            WorkloadRef("StatefulSet", "dev", "db"),
            WorkloadRef("CronJob", "dev", "report"),
            WorkloadRef("ScaledObject", "dev", "web"),
        ]
    )
    db, report, scaled = found.values()
    assert db is not None
    assert (db.spec_replicas, db.replicas) == (0, 0)
    assert report is not None
    assert (report.suspend, report.active_jobs) == (True, 1)
    assert scaled is not None
    assert (scaled.paused, scaled.paused_replicas) == (True, 0)
    assert scaled.scale_target == WEB


def test_replicaset_owner(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """A ReplicaSet's controlling owner (its Deployment) is read."""
    rs = objects.deployment("dev", "web-5d9c", replicas=1) | {"kind": "ReplicaSet"}
    rs["metadata"]["ownerReferences"] = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": "web",
            "controller": True,
            "uid": "x",
        }
    ]
    standin.put(rs)
    assert cluster.workload(WorkloadRef("ReplicaSet", "dev", "web-5d9c")).owner == WEB


def test_batch_lists_once_per_kind_and_namespace(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """Several targets in one namespace cost one paginated LIST; a lone target one GET."""
    for name in ("a", "b", "c"):
        standin.put(objects.deployment("dev", name))
    standin.put(objects.deployment("prod", "solo"))
    standin.clear_log()
    wanted = [WorkloadRef("Deployment", "dev", n) for n in ("a", "b", "c", "missing")]
    found = cluster.workloads([*wanted, WorkloadRef("Deployment", "prod", "solo")])
    assert [ref.name for ref, live in found.items() if live is None] == ["missing"]
    paths = [(r.method, r.path, r.query.get("limit")) for r in standin.requests_to("/namespaces/")]
    assert paths == [
        ("GET", "/apis/apps/v1/namespaces/dev/deployments", ["2"]),
        ("GET", "/apis/apps/v1/namespaces/dev/deployments", ["2"]),
        ("GET", "/apis/apps/v1/namespaces/prod/deployments/solo", None),
    ]


def test_missing_single_target_is_none(cluster: kube.KubeCluster) -> None:
    """A lone target that does not exist maps to None, not an error."""
    assert cluster.workloads([WEB]) == {WEB: None}


def test_list_with_label_selector(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """Workloads can be listed cluster-wide by label."""
    standin.put(objects.deployment("dev", "web", labels={"offhours.dev/policy": "nights"}))
    standin.put(objects.deployment("prod", "api", labels={"offhours.dev/policy": "nights"}))
    standin.put(objects.deployment("prod", "db"))
    found = cluster.list_workloads("Deployment", label_selector="offhours.dev/policy=nights")
    assert [str(w.ref) for w in found] == ["Deployment/dev/web", "Deployment/prod/api"]


def test_kustomization_observation(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """Source, path, ignore rules, inventory, revisions and conditions are read."""
    ignore = [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment", "name": "web"}}]
    inventory = [objects.inventory_id("dev", "web", group="apps", kind="Deployment")]
    standin.put(
        objects.kustomization(
            "flux-system", "apps", revision=f"main@sha1:{SHA}", inventory=inventory, ignore=ignore
        )
    )
    apps = cluster.flux_object(APPS)
    assert (apps.api_version, apps.source, apps.path) == (
        "kustomize.toolkit.fluxcd.io/v1",
        REPO,
        "./apps",
    )
    assert apps.ignore == (
        IgnoreRule(("/spec/replicas",), Selector(kind="Deployment", name="web")),
    )
    assert apps.inventory == (InventoryEntry("dev", "web", "apps", "Deployment", "v1"),)
    assert apps.ready
    assert apps.condition("Ready").status is ConditionStatus.TRUE  # type: ignore[union-attr]
    assert flux.check_applied(apps, SHA).status is flux.ApplyStatus.APPLIED


def test_helm_release_and_sources(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """HelmRelease valuesFrom/driftDetection/chartRef and GitRepository ref are read."""
    standin.put(
        objects.helm_release(
            "dev",
            "web",
            chart_ref="web-chart",
            values_from=[{"kind": "ConfigMap", "name": "env", "targetPath": "replicaCount"}],
            drift_ignore=[{"paths": ["/spec/replicas"]}],
        )
    )
    standin.put(objects.git_repository("flux-system", "flux-system", branch="main"))
    found = cluster.flux_objects([WorkloadRef("HelmRelease", "dev", "web"), REPO])
    release, repo = found.values()
    assert release is not None
    assert repo is not None
    assert release.source == WorkloadRef("OCIRepository", "dev", "web-chart")
    assert release.values_from == (ValuesReference("ConfigMap", "env", target_path="replicaCount"),)
    assert release.drift_ignore == (IgnoreRule(("/spec/replicas",)),)
    assert (repo.git_ref, repo.url) == (
        GitReference(branch="main"),
        "ssh://git@github.com/acme/fleet.git",
    )


def test_helm_release_version_is_discovered(tmp_path: Path, kube_settings: KubeSettings) -> None:
    """On a cluster serving HelmRelease only as v2beta2, the adapter reads v2beta2."""
    resources = with_versions(DEFAULT_RESOURCES, "HelmRelease", ["v2beta2", "v2beta1"])
    with KubeApiServer(resources=resources) as server:
        server.put(objects.helm_release("dev", "web", api_version="helm.toolkit.fluxcd.io/v2beta2"))
        settings = kube_settings.model_copy(
            update={"kubeconfig": server.write_kubeconfig(tmp_path / "old")}
        )
        with kube.connect(settings) as api:
            release = kube.KubeCluster(api).flux_object(WorkloadRef("HelmRelease", "dev", "web"))
        assert release.api_version == "helm.toolkit.fluxcd.io/v2beta2"
        assert server.requests_to(r"^/apis/helm.toolkit.fluxcd.io/v2beta2/namespaces/dev/")


def test_snapshot_notes_kinds_not_served(tmp_path: Path, kube_settings: KubeSettings) -> None:
    """A cluster without OCIRepository/Bucket still yields a snapshot naming what is missing."""
    resources = with_versions(with_versions(DEFAULT_RESOURCES, "OCIRepository", []), "Bucket", [])
    with KubeApiServer(resources=resources) as server:
        server.put(objects.kustomization("flux-system", "apps"))
        server.put(objects.git_repository("flux-system", "flux-system"))
        settings = kube_settings.model_copy(
            update={"kubeconfig": server.write_kubeconfig(tmp_path / "kc")}
        )
        with kube.connect(settings) as api:
            snapshot = kube.KubeCluster(api).flux_snapshot()
    assert snapshot.unavailable == ("OCIRepository", "Bucket")
    assert [k.ref for k in snapshot.kustomizations] == [APPS]
    assert [s.ref for s in snapshot.sources] == [REPO]


def test_snapshot_per_namespace(standin: KubeApiServer, api: kube.KubeApi) -> None:
    """With configured namespaces, the snapshot lists only there (least-privilege RBAC)."""
    standin.put(objects.kustomization("flux-system", "apps"))
    standin.put(objects.kustomization("team-a", "team-a"))
    cluster = kube.KubeCluster(api, namespaces=["team-a"])
    assert [k.ref.namespace for k in cluster.flux_snapshot().kustomizations] == ["team-a"]
    assert not standin.requests_to(r"^/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations$")


def test_request_reconcile_annotates(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """The GitRepository gets requestedAt by merge patch; its generation does not change."""
    standin.put(objects.git_repository("flux-system", "flux-system"))
    request = cluster.request_reconcile(REPO, now=ManualClock().now())
    assert request.outcome is kube.ReconcileOutcome.REQUESTED
    stored = standin.get("GitRepository", "flux-system", "flux-system")
    assert stored["metadata"]["annotations"] == {
        "reconcile.fluxcd.io/requestedAt": "2026-08-03T22:00:00Z"
    }
    assert stored["metadata"]["generation"] == 1
    patch = standin.requests_to(r"/gitrepositories/flux-system$", method="PATCH")[0]
    assert patch.content_type == "application/merge-patch+json"


def test_request_reconcile_refuses_suspended(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """A suspended object is not annotated; the outcome says why."""
    standin.put(objects.kustomization("flux-system", "apps", suspend=True))
    request = cluster.request_reconcile(APPS, now=ManualClock().now())
    assert request.outcome is kube.ReconcileOutcome.SUSPENDED
    assert "suspended" in request.message
    assert not standin.requests_to(r"/kustomizations/apps$", method="PATCH")


def test_delivery_warnings_from_cluster_data(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """Snapshot + autoscalers + live labels feed the pure delivery checks end to end."""
    inventory = [objects.inventory_id("dev", "web", group="apps", kind="Deployment")]
    ignore = [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment"}}]
    standin.put(objects.kustomization("flux-system", "apps", inventory=inventory, ignore=ignore))
    standin.put(objects.git_repository("flux-system", "flux-system"))
    standin.put(objects.deployment("dev", "web"))
    standin.put(objects.hpa("dev", "web", target="web"))
    context = flux.DeliveryContext(
        snapshot=cluster.flux_snapshot(),
        push=flux.PushTarget(git_repository=REPO, branch="main"),
        autoscalers=cluster.autoscalers(),
    )
    warnings = flux.delivery_warnings(
        WEB, field="spec.replicas", context=context, labels=cluster.workload(WEB).labels
    )
    assert [(w.code.value, w.severity.value) for w in warnings] == [
        ("field-ignored", "error"),
        ("autoscaled", "warning"),
    ]


def test_forbidden_optional_sources_are_noted(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """RBAC without buckets/ocirepositories still yields a snapshot naming what is missing."""
    standin.put(objects.kustomization("flux-system", "apps"))
    standin.fail(r"/(buckets|ocirepositories)$", status=403, times=10)
    assert cluster.flux_snapshot().unavailable == ("OCIRepository", "Bucket")


def test_forbidden_kustomizations_fail_the_snapshot(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """Without list on Kustomizations no check is possible: the RBAC error surfaces."""
    standin.fail(r"/kustomizations$", status=403, times=10, message="cannot list kustomizations")
    with pytest.raises(kube.KubeForbidden, match="cannot list kustomizations"):
        cluster.flux_snapshot()


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        pytest.param("flux-system/flux-system", REPO, id="namespaced"),
        pytest.param(None, None, id="unset"),
    ],
)
def test_push_target_from_settings(configured: str | None, expected: WorkloadRef | None) -> None:
    """kube.git_repository names the GitRepository offhours pushes through."""
    target = kube.push_target(KubeSettings(git_repository=configured), branch="main")
    assert (target.git_repository, target.branch) == (expected, "main")


def test_push_target_rejects_a_bare_name() -> None:
    """A GitRepository without namespace is a ConfigError with an example."""
    with pytest.raises(ConfigError, match=r"namespace/name, e.g. flux-system/flux-system"):
        kube.push_target(KubeSettings(git_repository="flux-system"))
