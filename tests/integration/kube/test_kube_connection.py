"""Building the adapter from settings: kubeconfig and context, no shared global state."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kubernetes import client
from kubernetes.config import incluster_config

from scheduler.adapters import kube
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError
from scheduler.settings import KubeSettings
from scheduler.testing.kubeapi import KubeApiServer, objects

WEB = WorkloadRef("Deployment", "dev", "web")


def two_context_kubeconfig(standin: KubeApiServer, path: Path) -> Path:
    """A kubeconfig whose current context points nowhere and ``offhours-test`` at the stand-in."""
    config = yaml.safe_load(standin.write_kubeconfig(path).read_text())
    config["clusters"].append({"name": "dead", "cluster": {"server": "http://127.0.0.1:9"}})
    config["contexts"].append(
        {"name": "broken", "context": {"cluster": "dead", "user": "offhours"}}
    )
    config["current-context"] = "broken"
    path.write_text(yaml.safe_dump(config))
    return path


def test_named_context_is_used(standin: KubeApiServer, tmp_path: Path) -> None:
    """settings.context selects the context, whatever the file's current-context says."""
    standin.put(objects.deployment("dev", "web"))
    kubeconfig = two_context_kubeconfig(standin, tmp_path / "kc")
    settings = KubeSettings(kubeconfig=kubeconfig, context="offhours-test")
    with kube.connect(settings) as api:
        assert kube.KubeCluster(api).workload(WEB).ref == WEB


def test_current_context_is_the_default(standin: KubeApiServer, tmp_path: Path) -> None:
    """Without settings.context, the kubeconfig's current-context is used."""
    kubeconfig = two_context_kubeconfig(standin, tmp_path / "kc")
    settings = KubeSettings(kubeconfig=kubeconfig, retries=0)
    with kube.connect(settings) as api, pytest.raises(kube.KubeUnavailable, match="GET /apis"):
        kube.KubeCluster(api).workload(WEB)


def test_unknown_context_is_a_config_error(kubeconfig: Path) -> None:
    """A context the file does not have is a ConfigError naming file and context."""
    with pytest.raises(ConfigError, match=r"kubeconfig.*context 'prod'"):
        kube.connect(KubeSettings(kubeconfig=kubeconfig, context="prod"))


def test_missing_kubeconfig_is_a_config_error(tmp_path: Path) -> None:
    """A kubeconfig path that does not exist is a ConfigError naming it."""
    missing = tmp_path / "nope"
    with pytest.raises(ConfigError, match=str(missing)):
        kube.connect(KubeSettings(kubeconfig=missing))


@pytest.mark.skipif(
    Path(incluster_config.SERVICE_TOKEN_FILENAME).exists(), reason="running inside a Pod"
)
def test_in_cluster_outside_a_pod_is_a_config_error() -> None:
    """Forcing in-cluster credentials outside a Pod says what is missing."""
    with pytest.raises(ConfigError, match="not a Pod"):
        kube.connect(KubeSettings(in_cluster=True))


def test_clients_share_no_global_state(standin: KubeApiServer, tmp_path: Path) -> None:
    """Two adapters on two clusters see their own objects; the client's default is untouched."""
    default_host = client.Configuration.get_default_copy().host
    standin.put(objects.deployment("dev", "web", replicas=1))
    with KubeApiServer() as other:
        other.put(objects.deployment("dev", "web", replicas=7))
        first = KubeSettings(kubeconfig=standin.write_kubeconfig(tmp_path / "a"))
        second = KubeSettings(kubeconfig=other.write_kubeconfig(tmp_path / "b"))
        with kube.connect(first) as a, kube.connect(second) as b:
            replicas = [kube.KubeCluster(x).workload(WEB).spec_replicas for x in (a, b)]
    assert replicas == [1, 7]
    assert client.Configuration.get_default_copy().host == default_host


def test_requests_identify_offhours(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """Requests carry the kubeconfig's bearer token and an offhours User-Agent (audit logs)."""
    standin.put(objects.deployment("dev", "web"))
    cluster.workload(WEB)
    request = standin.requests_to(r"/deployments/web$")[0]
    assert request.headers["authorization"] == f"Bearer {standin.token}"
    assert request.headers["user-agent"] == "offhours"
