"""The API stand-in speaks enough Kubernetes for the real client (raw client calls)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config

from scheduler.testing.kubeapi import KubeApiServer, objects, with_versions
from scheduler.testing.kubeapi.resources import DEFAULT_RESOURCES


@pytest.fixture
def raw(kubeconfig: Path) -> Iterator[client.CustomObjectsApi]:
    """The plain kubernetes client, configured from the kubeconfig the stand-in wrote."""
    configuration = client.Configuration()
    config.load_kube_config(
        config_file=str(kubeconfig),
        context="offhours-test",
        client_configuration=configuration,
        persist_config=False,
    )
    api_client = client.ApiClient(configuration)
    yield client.CustomObjectsApi(api_client)
    api_client.close()


def status_of(excinfo: pytest.ExceptionInfo[client.ApiException]) -> tuple[int, str]:
    body = json.loads(excinfo.value.body)
    return excinfo.value.status, body["reason"]


def test_get_list_with_label_selector(standin: KubeApiServer, raw: client.CustomObjectsApi) -> None:
    """GET returns the object with apiVersion; LIST filters by label and has a resourceVersion."""
    standin.put(objects.deployment("dev", "web", labels={"app": "web"}))
    standin.put(objects.deployment("dev", "db", labels={"app": "db"}))
    got = raw.get_namespaced_custom_object("apps", "v1", "dev", "deployments", "web")
    assert (got["apiVersion"], got["kind"], got["spec"]["replicas"]) == ("apps/v1", "Deployment", 1)
    listed = raw.list_namespaced_custom_object(
        "apps", "v1", "dev", "deployments", label_selector="app in (web)"
    )
    assert [i["metadata"]["name"] for i in listed["items"]] == ["web"]
    assert int(listed["metadata"]["resourceVersion"]) >= 2


def test_resource_versions_increase_and_generation_tracks_spec(
    standin: KubeApiServer, raw: client.CustomObjectsApi
) -> None:
    """Every write gets a higher resourceVersion; only spec changes bump the generation."""
    created = standin.put(objects.deployment("dev", "web"))
    annotated = raw.patch_namespaced_custom_object(
        "apps", "v1", "dev", "deployments", "web", {"metadata": {"annotations": {"a": "b"}}}
    )
    scaled = raw.patch_namespaced_custom_object(
        "apps", "v1", "dev", "deployments", "web", {"spec": {"replicas": 0}}
    )
    versions = [int(o["metadata"]["resourceVersion"]) for o in (created, annotated, scaled)]
    assert versions == sorted(versions)
    assert len(set(versions)) == 3
    assert [o["metadata"]["generation"] for o in (created, annotated, scaled)] == [1, 1, 2]


def test_replace_with_stale_resource_version_conflicts(
    standin: KubeApiServer, raw: client.CustomObjectsApi
) -> None:
    """PUT with an old resourceVersion answers 409 Conflict, as the API server does."""
    old = standin.put(objects.statefulset("dev", "db"))
    standin.set_replicas("StatefulSet", "dev", "db", ready=0)
    with pytest.raises(client.ApiException) as excinfo:
        raw.replace_namespaced_custom_object("apps", "v1", "dev", "statefulsets", "db", old)
    assert status_of(excinfo) == (409, "Conflict")
    assert "the object has been modified" in excinfo.value.body


def test_create_twice_is_already_exists(
    standin: KubeApiServer, raw: client.CustomObjectsApi
) -> None:
    """POST of an existing name answers 409 AlreadyExists; an invalid name 422."""
    body = objects.cronjob("batch", "report")
    raw.create_namespaced_custom_object("batch", "v1", "batch", "cronjobs", body)
    with pytest.raises(client.ApiException) as excinfo:
        raw.create_namespaced_custom_object("batch", "v1", "batch", "cronjobs", body)
    assert status_of(excinfo) == (409, "AlreadyExists")
    bad = objects.cronjob("batch", "Bad_Name")
    with pytest.raises(client.ApiException) as excinfo:
        raw.create_namespaced_custom_object("batch", "v1", "batch", "cronjobs", bad)
    assert status_of(excinfo) == (422, "Invalid")


def test_status_is_a_subresource(standin: KubeApiServer, raw: client.CustomObjectsApi) -> None:
    """Writes to the main endpoint keep status; the status endpoint changes only status."""
    standin.put(objects.kustomization("flux-system", "apps", revision="main@sha1:abc"))
    body = raw.get_namespaced_custom_object(
        "kustomize.toolkit.fluxcd.io", "v1", "flux-system", "kustomizations", "apps"
    )
    body["status"]["lastAppliedRevision"] = "forged"
    kept = raw.replace_namespaced_custom_object(
        "kustomize.toolkit.fluxcd.io", "v1", "flux-system", "kustomizations", "apps", body
    )
    assert kept["status"]["lastAppliedRevision"] == "main@sha1:abc"
    patched = raw.patch_namespaced_custom_object_status(
        "kustomize.toolkit.fluxcd.io",
        "v1",
        "flux-system",
        "kustomizations",
        "apps",
        {"status": {"lastAppliedRevision": "main@sha1:def"}},
    )
    assert patched["status"]["lastAppliedRevision"] == "main@sha1:def"
    assert patched["metadata"]["generation"] == 1


def test_json_patch_and_strategic_merge(
    standin: KubeApiServer, raw: client.CustomObjectsApi
) -> None:
    """JSON patch (a list) and strategic merge (treated as merge) both apply."""
    standin.put(objects.helm_release("dev", "web"))
    raw.patch_namespaced_custom_object(
        "helm.toolkit.fluxcd.io",
        "v2",
        "dev",
        "helmreleases",
        "web",
        [{"op": "replace", "path": "/spec/values/replicaCount", "value": 0}],
        _content_type="application/json-patch+json",
    )
    raw.patch_namespaced_custom_object(
        "helm.toolkit.fluxcd.io",
        "v2",
        "dev",
        "helmreleases",
        "web",
        {"spec": {"suspend": True}},
        _content_type="application/strategic-merge-patch+json",
    )
    spec = standin.get("HelmRelease", "dev", "web")["spec"]
    assert (spec["values"]["replicaCount"], spec["suspend"]) == (0, True)


def test_failed_json_patch_test_is_invalid(
    standin: KubeApiServer, raw: client.CustomObjectsApi
) -> None:
    """A JSON patch whose test operation fails answers 422 and changes nothing."""
    standin.put(objects.git_repository("flux-system", "flux-system"))
    with pytest.raises(client.ApiException) as excinfo:
        raw.patch_namespaced_custom_object(
            "source.toolkit.fluxcd.io",
            "v1",
            "flux-system",
            "gitrepositories",
            "flux-system",
            [
                {"op": "test", "path": "/spec/ref/branch", "value": "dev"},
                {"op": "replace", "path": "/spec/ref/branch", "value": "x"},
            ],
            _content_type="application/json-patch+json",
        )
    assert status_of(excinfo) == (422, "Invalid")
    assert standin.get("GitRepository", "flux-system", "flux-system")["spec"]["ref"] == {
        "branch": "main"
    }


def test_pagination_and_expired_continue(
    standin: KubeApiServer, raw: client.CustomObjectsApi
) -> None:
    """limit/continue pages through a list; after compaction the token answers 410 Expired."""
    for name in ("a", "b", "c"):
        standin.put(objects.deployment("dev", name))
    first = raw.list_namespaced_custom_object("apps", "v1", "dev", "deployments", limit=2)
    assert [i["metadata"]["name"] for i in first["items"]] == ["a", "b"]
    token = first["metadata"]["continue"]
    rest = raw.list_namespaced_custom_object(
        "apps", "v1", "dev", "deployments", limit=2, _continue=token
    )
    assert [i["metadata"]["name"] for i in rest["items"]] == ["c"]
    standin.store.compact()
    with pytest.raises(client.ApiException) as excinfo:
        raw.list_namespaced_custom_object(
            "apps", "v1", "dev", "deployments", limit=2, _continue=token
        )
    assert status_of(excinfo) == (410, "Expired")


def test_delete_then_not_found(standin: KubeApiServer, raw: client.CustomObjectsApi) -> None:
    """DELETE removes the object; a later GET is 404 NotFound naming it."""
    standin.put(objects.deployment("dev", "web"))
    raw.delete_namespaced_custom_object("apps", "v1", "dev", "deployments", "web")
    with pytest.raises(client.ApiException) as excinfo:
        raw.get_namespaced_custom_object("apps", "v1", "dev", "deployments", "web")
    assert status_of(excinfo) == (404, "NotFound")
    assert json.loads(excinfo.value.body)["message"] == 'deployments.apps "web" not found'


def test_bearer_token_is_required(standin: KubeApiServer, raw: client.CustomObjectsApi) -> None:
    """Requests without the kubeconfig's token are 401 Unauthorized."""
    other = client.Configuration(host=standin.url)
    with client.ApiClient(other) as anonymous, pytest.raises(client.ApiException) as excinfo:
        client.CustomObjectsApi(anonymous).list_cluster_custom_object("apps", "v1", "deployments")
    assert excinfo.value.status == 401


def test_fault_injection_counts_down(standin: KubeApiServer, raw: client.CustomObjectsApi) -> None:
    """An injected fault answers the next N matching requests, then the server is healthy."""
    standin.put(objects.deployment("dev", "web"))
    standin.fail(r"/deployments/web$", status=500, times=2)
    for _ in range(2):
        with pytest.raises(client.ApiException) as excinfo:
            raw.get_namespaced_custom_object("apps", "v1", "dev", "deployments", "web")
        assert status_of(excinfo) == (500, "InternalError")
    raw.get_namespaced_custom_object("apps", "v1", "dev", "deployments", "web")
    statuses = [r.status for r in standin.requests_to(r"/deployments/web$")]
    assert statuses == [500, 500, 200]


def test_served_versions_are_discoverable(tmp_path: Path) -> None:
    """A stand-in serving HelmRelease only as v2beta2 says so in discovery and 404s v2."""
    resources = with_versions(DEFAULT_RESOURCES, "HelmRelease", ["v2beta2"])
    with KubeApiServer(resources=resources) as server:
        kubeconfig = server.write_kubeconfig(tmp_path / "kc")
        configuration = client.Configuration()
        config.load_kube_config(
            config_file=str(kubeconfig), client_configuration=configuration, persist_config=False
        )
        with client.ApiClient(configuration) as api_client:
            groups = client.ApisApi(api_client).get_api_versions().groups
            helm = next(g for g in groups if g.name == "helm.toolkit.fluxcd.io")
            assert [v.version for v in helm.versions] == ["v2beta2"]
            with pytest.raises(client.ApiException) as excinfo:
                client.CustomObjectsApi(api_client).list_cluster_custom_object(
                    "helm.toolkit.fluxcd.io", "v2", "helmreleases"
                )
            assert excinfo.value.status == 404
