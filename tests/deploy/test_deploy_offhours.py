"""The offhours manifests: settings that the daemon understands, a locked-down pod, one version."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

import scheduler
from scheduler.core.kepler.releases import FLUX_LABELS
from scheduler.settings import Settings
from tests.deploy import fleet

OFFHOURS = fleet.CLUSTERS / "offhours"
PREFIX = "OFFHOURS_"


def _flux_install() -> fleet.Build:
    return fleet.build(OFFHOURS)


def _deployment() -> fleet.Resource:
    return _flux_install().find("Deployment", "offhours", "offhours")


def _container() -> dict[str, Any]:
    containers = _deployment().spec["template"]["spec"]["containers"]
    assert len(containers) == 1
    return dict(containers[0])


def _environment() -> dict[str, str]:
    """Every OFFHOURS_* variable the pod gets, from the ConfigMaps its envFrom names."""
    built = _flux_install()
    env: dict[str, str] = {}
    for source in _container()["envFrom"]:
        ref = source["configMapRef"]
        env.update(built.find("ConfigMap", ref["name"], "offhours").body["data"])
    return env


def _field_exists(model: type[BaseModel], parts: list[str]) -> bool:
    name, rest = parts[0], parts[1:]
    info = model.model_fields.get(name)
    if info is None:
        return False
    if not rest:
        return True
    nested = info.annotation
    return (
        isinstance(nested, type) and issubclass(nested, BaseModel) and _field_exists(nested, rest)
    )


def test_every_setting_names_a_real_settings_field() -> None:
    """Each OFFHOURS_* key is a Settings field (Settings silently ignores unknown keys)."""
    env = _environment()
    assert len(env) >= 12
    for key in env:
        assert key.startswith(PREFIX), key
        parts = key.removeprefix(PREFIX).lower().split("__")
        assert _field_exists(Settings, parts), f"{key}: no such field in Settings"
    assert not _field_exists(Settings, ["daemon", "no_such_field"])


def test_settings_parse_into_the_values_the_manifests_assume(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """pydantic-settings reads the ConfigMaps' values as the daemon will see them."""
    for key, value in _environment().items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert settings.daemon.leader_election is True
    assert settings.daemon.listen_address == "0.0.0.0:8080"
    assert settings.git.cache_dir == Path("/var/cache/offhours")
    assert settings.git.ssh_key_file == Path("/etc/offhours/git/identity")
    assert settings.git.branch == "main"
    assert settings.kube.git_repository == "flux-system/flux-system"
    assert settings.policies == Path("policies")


def test_settings_agree_with_the_rest_of_the_fleet() -> None:
    """Repo URL, GitRepository, Lease, port, key path and cache dir match the manifests."""
    env = _environment()
    sync = fleet.build(fleet.CLUSTERS / "demo" / "flux-system")
    repository = sync.find("GitRepository", "flux-system", "flux-system")
    assert env["OFFHOURS_GIT__REPO"] == repository.spec["url"]
    assert env["OFFHOURS_GIT__BRANCH"] == repository.spec["ref"]["branch"]
    assert env["OFFHOURS_KUBE__GIT_REPOSITORY"] == f"{repository.namespace}/{repository.name}"
    access = _flux_install().find("Role", "offhours-request-reconcile", repository.namespace)
    assert access.body["rules"][0]["resourceNames"] == [repository.name]
    lease = _flux_install().find("Role", "offhours-leader-election")
    assert lease.namespace == env["OFFHOURS_DAEMON__LEASE_NAMESPACE"]
    named = [r for r in lease.body["rules"] if "resourceNames" in r]
    assert named[0]["resourceNames"] == [env["OFFHOURS_DAEMON__LEASE_NAME"]]
    port = int(env["OFFHOURS_DAEMON__LISTEN_ADDRESS"].rpartition(":")[2])
    assert _container()["ports"] == [{"name": "http", "containerPort": port}]
    mounts = {m["mountPath"]: m for m in _container()["volumeMounts"]}
    key_dir = str(Path(env["OFFHOURS_GIT__SSH_KEY_FILE"]).parent)
    assert mounts[key_dir]["name"] == "git-credentials"
    assert env["OFFHOURS_GIT__CACHE_DIR"] in mounts


def test_prometheus_url_names_the_kube_prometheus_stack_service() -> None:
    """The Prometheus URL is the Service kube-prometheus-stack creates for its release."""
    url = _environment()["OFFHOURS_PROMETHEUS__URL"]
    controllers = fleet.build(fleet.CLUSTERS / "infrastructure" / "controllers")
    release = controllers.find("HelmRelease", "kube-prometheus-stack")
    assert url == f"http://{release.name}-prometheus.{release.namespace}.svc:9090"


def test_pod_is_locked_down() -> None:
    """Non-root numeric UID, read-only root, no capabilities, RuntimeDefault seccomp."""
    pod = _deployment().spec["template"]["spec"]
    security = pod["securityContext"]
    assert security["runAsNonRoot"] is True
    assert security["runAsUser"] == security["runAsGroup"] == 10001
    assert security["seccompProfile"] == {"type": "RuntimeDefault"}
    container = _container()["securityContext"]
    assert container == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in _container()["volumeMounts"]}
    for writable in ("/tmp", "/var/cache/offhours"):
        assert "emptyDir" in volumes[mounts[writable]], writable
    assert pod["serviceAccountName"] == "offhours"


def test_git_credentials_come_from_a_secret_reference() -> None:
    """The deploy key Secret offhours-git provides identity and known_hosts, group-readable only."""
    volumes = {v["name"]: v for v in _deployment().spec["template"]["spec"]["volumes"]}
    secret = volumes["git-credentials"]["secret"]
    assert secret["secretName"] == "offhours-git"
    assert {i["key"] for i in secret["items"]} == {"identity", "known_hosts"}
    assert secret["defaultMode"] == 0o440
    mounts = {m["mountPath"]: m for m in _container()["volumeMounts"]}
    assert mounts["/etc/ssh/ssh_known_hosts"]["subPath"] == "known_hosts"


def test_daemon_runs_two_leader_elected_replicas_with_probes() -> None:
    """`offhours run`, 2 replicas, probes on /healthz and /readyz, a PDB, metrics scraped."""
    deployment = _deployment()
    assert deployment.spec["replicas"] == 2
    container = _container()
    assert container["args"] == ["run"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    built = _flux_install()
    assert built.find("PodDisruptionBudget", "offhours").spec["minAvailable"] == 1
    monitor = built.find("ServiceMonitor", "offhours").spec
    service = built.find("Service", "offhours")
    assert monitor["selector"]["matchLabels"].items() <= service.body["metadata"]["labels"].items()
    assert monitor["endpoints"][0] | {"port": "http", "path": "/metrics"} == monitor["endpoints"][0]
    assert _environment()["OFFHOURS_DAEMON__LEADER_ELECTION"] == "true"


def test_flux_settings_are_optional_so_base_runs_without_flux() -> None:
    """base/ alone (the Helmfile install without Flux) needs nothing from flux-access/."""
    base = fleet.build(OFFHOURS / "base")
    assert not [r for r in base.resources if r.namespace == "flux-system"]
    optional = [
        s["configMapRef"] for s in _container()["envFrom"] if "optional" in s["configMapRef"]
    ]
    assert optional == [{"name": "offhours-flux", "optional": True}]
    with pytest.raises(AssertionError):
        base.find("ConfigMap", "offhours-flux")


def _pyproject_version() -> str:
    with (fleet.REPO / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def test_image_tag_dockerfile_and_package_agree_on_the_version() -> None:
    """The image tag in kustomization.yaml, the Dockerfile's VERSION and the package match."""
    spec = fleet.kustomization(OFFHOURS / "base")
    assert spec is not None
    images = {i["name"]: i for i in spec["images"]}
    assert _container()["image"] == "offhours"
    version = _pyproject_version()
    assert images["offhours"]["newTag"] == version == scheduler.__version__
    dockerfile = (fleet.REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(rf"^ARG VERSION={re.escape(version)}$", dockerfile, re.MULTILINE)


def test_dashboard_configmap_is_labelled_for_the_grafana_sidecar() -> None:
    """The dashboard ConfigMap carries the label and folder annotation the sidecar watches."""
    configmap = _flux_install().find("ConfigMap", "offhours-dashboard", "offhours")
    metadata = configmap.body["metadata"]
    values = (
        fleet.CLUSTERS / "infrastructure" / "controllers" / "kube-prometheus-stack" / "values.yaml"
    )
    sidecar = fleet.documents(values)[0].body["grafana"]["sidecar"]["dashboards"]
    assert metadata["labels"][sidecar["label"]] == sidecar["labelValue"]
    assert sidecar["folderAnnotation"] in metadata["annotations"]
    assert sidecar["searchNamespace"] == "ALL"


def test_kube_state_metrics_exports_the_flux_labels_of_workloads() -> None:
    """The allowlist puts helm-controller's and kustomize-controller's ownership labels on
    kube_deployment_labels, kube_statefulset_labels and kube_cronjob_labels, the label names
    the report joins on (scheduler.core.kepler.releases.FLUX_LABELS)."""
    values = (
        fleet.CLUSTERS / "infrastructure" / "controllers" / "kube-prometheus-stack" / "values.yaml"
    )
    allowlist = fleet.documents(values)[0].body["kube-state-metrics"]["metricLabelsAllowlist"]
    parsed = {
        resource: set(keys.removeprefix("[").removesuffix("]").split(","))
        for resource, _, keys in (entry.partition("=") for entry in allowlist)
    }
    keys = {
        f"{tool}.toolkit.fluxcd.io/{k}"
        for tool in ("helm", "kustomize")
        for k in ("name", "namespace")
    }
    assert parsed == dict.fromkeys(("deployments", "statefulsets", "cronjobs"), keys)
    exported = {"label_" + re.sub(r"[^a-zA-Z0-9_]", "_", k) for k in keys}
    assert exported == {label for pair in FLUX_LABELS.values() for label in pair}


def _kustomize() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


@pytest.mark.parametrize(
    "directory",
    ["offhours", "offhours/base", "apps", "apps/previews", "infrastructure/controllers", "demo"],
)
def test_resolver_agrees_with_kustomize(directory: str) -> None:
    """The test helper's kustomize resolver yields what kustomize itself builds."""
    command = _kustomize()
    if command is None:
        pytest.skip("neither kustomize nor kubectl on PATH")
    out = subprocess.run(
        [*command, str(fleet.CLUSTERS / directory)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    real = {
        (d["kind"], d["metadata"].get("namespace", ""), d["metadata"]["name"])
        for d in yaml.safe_load_all(out)
        if d
    }
    ours = {
        (r.kind, r.namespace, r.name) for r in fleet.build(fleet.CLUSTERS / directory).resources
    }
    # Generated ConfigMaps carry a content-hash suffix that the resolver does not compute.
    unhashed = {
        (k, ns, re.sub(r"-[a-z0-9]{10}$", "", n) if k == "ConfigMap" else n) for k, ns, n in real
    }
    assert ours == unhashed
