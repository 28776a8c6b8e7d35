"""The example Flux fleet under clusters/: valid objects, a sound Flux graph, demo workloads."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from tests.deploy import crd_schemas, fleet

KUBERNETES_VERSION = "1.33"
ROOT_KUSTOMIZATION = ("flux-system", "flux-system")
CONFIG_FILES = {"kustomization.yaml", "kustomizeconfig.yaml", "values.yaml"}


def test_every_yaml_file_holds_only_known_documents() -> None:
    """Each YAML file parses and is either kustomize/Helm configuration or Kubernetes objects."""
    files = fleet.yaml_files()
    assert len(files) > 30
    for path in files:
        docs = fleet.documents(path)
        assert docs, f"{path}: empty file"
        for doc in docs:
            if path.name in CONFIG_FILES:
                assert not fleet.is_object(doc.body), f"{doc.where}: object in a config file"
            else:
                assert fleet.is_object(doc.body), f"{doc.where}: no apiVersion/kind"


def test_builtin_objects_validate_against_kubernetes_schemas() -> None:
    """Every built-in object passes the strict Kubernetes 1.33 OpenAPI schema."""
    checked = Counter[str]()
    for doc in fleet.objects():
        if crd_schemas.group_of(doc.body["apiVersion"]) in crd_schemas.CRD_GROUPS:
            continue
        try:
            kubernetes_validate.validate(doc.body, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{doc.where}: {path}: {exc.message}")
        checked[doc.body["kind"]] += 1
    assert {"Deployment", "StatefulSet", "CronJob", "HorizontalPodAutoscaler", "Role"} <= set(
        checked
    )


def test_custom_resources_match_their_schemas() -> None:
    """Flux, Prometheus Operator and KEDA objects use GA apiVersions and have required fields."""
    checked = Counter[str]()
    for doc in fleet.objects():
        if crd_schemas.group_of(doc.body["apiVersion"]) not in crd_schemas.CRD_GROUPS:
            continue
        assert crd_schemas.problems(doc.body) == [], doc.where
        checked[doc.body["kind"]] += 1
    assert checked["Kustomization"] == 6
    assert checked["HelmRelease"] == 3
    assert {"GitRepository", "OCIRepository", "HelmRepository"} <= set(checked)
    assert {"ServiceMonitor", "PodMonitor", "PrometheusRule"} <= set(checked)


def _flux_object(name: str) -> dict[str, Any]:
    for doc in fleet.flux_kustomizations():
        if doc.body["metadata"]["name"] == name:
            return copy.deepcopy(doc.body)
    raise AssertionError(name)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda o: o["spec"].pop("prune"), "'prune' is a required property"),
        (lambda o: o["spec"].update(path="clusters/apps"), "does not match"),
        (lambda o: o.update(apiVersion="kustomize.toolkit.fluxcd.io/v1beta2"), "unexpected"),
    ],
)
def test_custom_resource_schema_rejects_broken_kustomizations(change: Any, expected: str) -> None:
    """The CRD check fails on a missing prune, a path without ./, or a removed apiVersion."""
    body = _flux_object("apps")
    change(body)
    assert any(expected in p for p in crd_schemas.problems(body))


def test_custom_resource_schema_rejects_helmrelease_with_two_chart_sources() -> None:
    """A HelmRelease needs exactly one of chart and chartRef."""
    release = fleet.build(fleet.CLUSTERS / "apps" / "staging").find("HelmRelease", "shop").body
    both = copy.deepcopy(release)
    source = {"kind": "HelmRepository", "name": "podinfo"}
    both["spec"]["chart"] = {"spec": {"chart": "podinfo", "sourceRef": source}}
    neither = copy.deepcopy(release)
    del neither["spec"]["chartRef"]
    assert crd_schemas.problems(release) == []
    assert crd_schemas.problems(both) != []
    assert crd_schemas.problems(neither) != []


def test_every_kustomization_yaml_resource_exists() -> None:
    """Every resources/configMapGenerator/configurations entry names a file or directory."""
    found = 0
    for path in fleet.CLUSTERS.rglob(fleet.KUSTOMIZE_FILE):
        spec = fleet.kustomization(path.parent)
        assert spec is not None
        assert spec.get("apiVersion") == fleet.KUSTOMIZE_API, path
        entries = list(spec.get("resources", [])) + list(spec.get("configurations", []))
        for generator in spec.get("configMapGenerator", []):
            entries += [f.partition("=")[2] or f for f in generator.get("files", [])]
            entries += generator.get("envs", [])
        for entry in entries:
            assert (path.parent / entry).exists(), f"{path}: missing {entry}"
            found += 1
    assert found > 30


def test_every_flux_kustomization_path_builds() -> None:
    """Each Flux Kustomization's path exists, builds, and reads a GitRepository of the fleet."""
    sources = {
        (d.body["metadata"]["namespace"], d.body["metadata"]["name"])
        for d in fleet.objects()
        if d.body["kind"] == "GitRepository"
    }
    for doc in fleet.flux_kustomizations():
        path = fleet.flux_path(doc)
        assert path.is_dir(), f"{doc.where}: spec.path {doc.body['spec']['path']} is not a dir"
        assert path.is_relative_to(fleet.CLUSTERS), doc.where
        ref = doc.body["spec"]["sourceRef"]
        namespace = ref.get("namespace", doc.body["metadata"]["namespace"])
        assert (namespace, ref["name"]) in sources, doc.where
        assert fleet.applied_by(doc).resources, f"{doc.where}: applies nothing"


def _is_self_managing(doc: fleet.Document) -> bool:
    meta = doc.body["metadata"]
    return any(
        r.kind == "Kustomization"
        and r.api_version.startswith("kustomize.toolkit.fluxcd.io/")
        and (r.namespace, r.name) == (meta["namespace"], meta["name"])
        for r in fleet.applied_by(doc).resources
    )


def test_only_the_root_kustomization_is_self_managing() -> None:
    """Any Kustomization a policy may suspend can be resumed from Git: none applies itself."""
    verdicts = {
        (d.body["metadata"]["namespace"], d.body["metadata"]["name"]): _is_self_managing(d)
        for d in fleet.flux_kustomizations()
    }
    assert verdicts.pop(ROOT_KUSTOMIZATION) is True  # the detector sees the one that is
    assert verdicts, "no other Kustomization found"
    assert not any(verdicts.values()), verdicts
    assert ("flux-system", "preview-envs") in verdicts


def test_no_object_is_applied_by_two_kustomizations() -> None:
    """Each object has one owner; previews belong to preview-envs only, not to apps."""
    owner: dict[tuple[str, str, str, str], str] = {}
    for doc in fleet.flux_kustomizations():
        for resource in fleet.applied_by(doc).resources:
            previous = owner.setdefault(resource.key, doc.where)
            assert previous == doc.where, f"{resource.key} applied by {previous} and {doc.where}"
    assert any(key[2] == "previews" for key in owner)


def test_every_namespace_used_is_created_by_the_fleet() -> None:
    """Namespaced objects land in namespaces the fleet creates (or Flux's own)."""
    namespaces = {"flux-system"}
    used: set[str] = set()
    for doc in fleet.flux_kustomizations():
        for resource in fleet.applied_by(doc).resources:
            if resource.kind == "Namespace":
                namespaces.add(resource.name)
            elif resource.kind not in fleet.CLUSTER_SCOPED:
                assert resource.namespace, f"{resource.source}: {resource.kind} without namespace"
                used.add(resource.namespace)
    assert used <= namespaces, used - namespaces


def _apps() -> fleet.Build:
    return fleet.build(fleet.CLUSTERS / "apps")


def test_demo_workloads_are_the_ones_the_example_policies_target() -> None:
    """dev/web, dev/api+HPA, dev/postgres, staging/shop and worker, batch CronJobs, previews."""
    apps = _apps()
    assert apps.find("Deployment", "web", "dev").spec["replicas"] == 2
    api = apps.find("Deployment", "api", "dev")
    assert "replicas" not in api.spec
    hpa = apps.find("HorizontalPodAutoscaler", "api", "dev").spec["scaleTargetRef"]
    assert (hpa["kind"], hpa["name"]) == ("Deployment", "api")
    postgres = apps.find("StatefulSet", "postgres", "dev").spec
    assert postgres["replicas"] == 1
    assert apps.find("Service", postgres["serviceName"], "dev")
    shop = apps.find("HelmRelease", "shop", "staging").spec
    assert shop["values"]["replicaCount"] == 2
    source = apps.find(shop["chartRef"]["kind"], shop["chartRef"]["name"], "staging")
    assert source.spec["url"].endswith("/stefanprodan/charts/podinfo")
    assert apps.find("Deployment", "worker", "staging").spec["replicas"] == 3
    assert {c.name for c in apps.of_kind("CronJob")} == {"report-nightly", "etl-hourly"}
    assert {c.namespace for c in apps.of_kind("CronJob")} == {"batch"}
    previews = fleet.build(fleet.CLUSTERS / "apps" / "previews").of_kind("Deployment")
    assert len(previews) >= 2
    assert {p.namespace for p in previews} == {"previews"}


def test_staging_policy_scales_the_shop_release_through_a_post_renderer() -> None:
    """staging-holidays sleeps HelmRelease staging/shop with action scale (not chart values)."""
    policy = fleet.documents(fleet.REPO / "policies" / "staging-holidays.yaml")[0].body
    (shop,) = [t for t in policy["spec"]["targets"] if t.get("kinds") == ["HelmRelease"]]
    assert shop == {
        "kinds": ["HelmRelease"],
        "namespaces": ["staging"],
        "names": ["shop"],
        "action": "scale",
    }
    assert "Sat" not in policy["spec"]["uptime"]


def _containers(resource: fleet.Resource) -> list[dict[str, Any]]:
    template = resource.spec.get("template") or resource.spec["jobTemplate"]["spec"]["template"]
    return list(template["spec"]["containers"])


def test_demo_containers_have_resources_and_small_public_images() -> None:
    """Every demo container sets requests and a memory limit and uses a pinned public image."""
    workloads = [
        r
        for r in _apps().resources + fleet.build(fleet.CLUSTERS / "apps" / "previews").resources
        if r.kind in {"Deployment", "StatefulSet", "CronJob"}
    ]
    assert len(workloads) >= 8
    for workload in workloads:
        for container in _containers(workload):
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), workload.source
            assert "memory" in resources["limits"], workload.source
            image = container["image"]
            assert ":" in image, f"{workload.source}: {image}"
            assert not image.endswith(":latest"), f"{workload.source}: {image}"


def test_kustomizations_with_a_namespace_set_it_for_offhours_to_infer() -> None:
    """App directories declare `namespace:` in kustomization.yaml, not in each manifest."""
    for name in ("dev", "staging", "batch", "previews"):
        directory = fleet.CLUSTERS / "apps" / name
        spec = fleet.kustomization(directory)
        assert spec is not None
        assert spec["namespace"] == name
        for path in fleet.yaml_files(directory):
            for doc in fleet.documents(path):
                if fleet.is_object(doc.body) and doc.body["kind"] != "Namespace":
                    assert "namespace" not in doc.body["metadata"], doc.where


def test_no_plain_secret_is_committed() -> None:
    """Credentials never live in Git unencrypted: no Secret objects under clusters/."""
    secrets = [d.where for d in fleet.objects() if d.body["kind"] == "Secret"]
    assert secrets == []
    text = "\n".join(p.read_text(encoding="utf-8") for p in fleet.yaml_files())
    assert "BEGIN OPENSSH PRIVATE KEY" not in text


def test_helmrelease_sources_and_values_resolve() -> None:
    """chartRef/sourceRef name a source of the same build; valuesFrom a generated ConfigMap."""
    releases = 0
    for directory in (fleet.CLUSTERS / "infrastructure" / "controllers", fleet.CLUSTERS / "apps"):
        built = fleet.build(directory)
        for release in built.of_kind("HelmRelease"):
            releases += 1
            spec = release.spec
            ref = spec.get("chartRef") or spec["chart"]["spec"]["sourceRef"]
            built.find(ref["kind"], ref["name"], ref.get("namespace", release.namespace))
            for item in spec.get("valuesFrom", []):
                configmap = built.find(item["kind"], item["name"], release.namespace)
                assert configmap.generated
                assert "values.yaml" in configmap.body["data"]
    assert releases == 3


def test_flux_sync_points_at_main_of_the_fleet_repository() -> None:
    """The root GitRepository tracks main and the root Kustomization applies ./clusters/demo."""
    sync = fleet.build(fleet.CLUSTERS / "demo" / "flux-system")
    repository = sync.find("GitRepository", "flux-system", "flux-system").spec
    assert repository["ref"] == {"branch": "main"}
    root = sync.find("Kustomization", "flux-system", "flux-system").spec
    assert root["path"] == "./clusters/demo"
    assert not Path(fleet.CLUSTERS / "demo" / "flux-system" / "gotk-components.yaml").exists()
