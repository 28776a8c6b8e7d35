"""Every API failure surfaces as ``scheduler.errors.KubeError``; reads retry 5xx with backoff."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import urllib3
from kubernetes.client import exceptions as client_exceptions

from scheduler.adapters import kube
from scheduler.adapters.kube import kinds
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import KubeConflict, KubeError, KubeNotFound
from scheduler.settings import KubeSettings
from scheduler.testing.kubeapi import KubeApiServer, ManualClock, objects

WEB = WorkloadRef("Deployment", "dev", "web")


def test_not_found_is_kube_not_found(cluster: kube.KubeCluster) -> None:
    """404 becomes KubeNotFound with the action and the server's message."""
    with pytest.raises(KubeNotFound) as excinfo:
        cluster.workload(WEB)
    message = str(excinfo.value)
    assert message.startswith("GET deployments.apps dev/web: 404 NotFound:")
    assert 'deployments.apps "web" not found' in message


def test_server_errors_are_retried_with_backoff(
    standin: KubeApiServer, cluster: kube.KubeCluster, sleeps: list[float]
) -> None:
    """Two 500s then success: the read succeeds after two backoff sleeps (doubling)."""
    standin.put(objects.deployment("dev", "web"))
    standin.fail(r"/deployments/web$", status=500, times=2)
    assert cluster.workload(WEB).spec_replicas == 1
    assert sleeps == [0.25, 0.5]


def test_server_errors_past_the_retries_are_unavailable(
    standin: KubeApiServer, cluster: kube.KubeCluster, sleeps: list[float]
) -> None:
    """500 on every attempt ends in KubeUnavailable carrying the Status reason."""
    standin.put(objects.deployment("dev", "web"))
    standin.fail(r"/deployments/web$", status=503, times=10, message="etcd is sad")
    with pytest.raises(kube.KubeUnavailable) as excinfo:
        cluster.workload(WEB)
    assert "503 ServiceUnavailable: etcd is sad" in str(excinfo.value)
    assert excinfo.value.status is not None
    assert excinfo.value.status.code == 503
    assert len(standin.requests_to(r"/deployments/web$")) == 3
    assert len(sleeps) == 2


@pytest.mark.parametrize(("retry_after", "slept"), [("3", 3.0), ("60", 8.0)])
def test_retry_after_is_honoured(
    standin: KubeApiServer,
    cluster: kube.KubeCluster,
    sleeps: list[float],
    retry_after: str,
    slept: float,
) -> None:
    """429 is retried after the server's Retry-After, capped at 8 s."""
    standin.put(objects.deployment("dev", "web"))
    standin.fail(r"/deployments/web$", status=429, headers={"Retry-After": retry_after})
    assert cluster.workload(WEB).ref == WEB
    assert sleeps == [slept]


def test_non_json_bodies_are_truncated(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """A proxy's HTML error page is cut to 256 characters in the message."""
    standin.fail(r"/deployments/web$", status=502, times=10, body="<html>" + "x" * 1000)
    with pytest.raises(kube.KubeUnavailable) as excinfo:
        cluster.workload(WEB)
    body = str(excinfo.value).split("502 Bad Gateway: ", 1)[1]
    assert body == "<html>" + "x" * 250 + "…"


def test_forbidden_names_the_rbac_problem(
    standin: KubeApiServer, cluster: kube.KubeCluster
) -> None:
    """403 becomes KubeForbidden with the server's RBAC message; it is not retried."""
    rbac = 'deployments.apps "web" is forbidden: User "offhours" cannot get resource'
    standin.fail(r"/deployments/web$", status=403, times=5, message=rbac)
    with pytest.raises(kube.KubeForbidden, match="cannot get resource"):
        cluster.workload(WEB)
    assert len(standin.requests_to(r"/deployments/web$")) == 1


def test_conflict_on_write_is_kube_conflict(standin: KubeApiServer, api: kube.KubeApi) -> None:
    """A stale resourceVersion on replace is KubeConflict."""
    stale = standin.put(objects.deployment("dev", "web"))
    standin.set_replicas("Deployment", "dev", "web", ready=0)
    standin.put(objects.deployment("dev", "web", replicas=3))
    with pytest.raises(KubeConflict, match="409 Conflict"):
        api.replace(kinds.DEPLOYMENT, "dev", "web", body=stale)


def test_writes_are_not_retried(standin: KubeApiServer, api: kube.KubeApi) -> None:
    """A 500 on create is reported at once (a retry might apply it twice)."""
    standin.fail(r"/leases$", status=500, times=1, method="POST")
    body = {"metadata": {"name": "x", "namespace": "offhours"}, "spec": {}}
    with pytest.raises(kube.KubeUnavailable):
        api.create(kinds.LEASE, "offhours", body=body)
    assert len(standin.requests_to(r"/leases$", method="POST")) == 1


def test_expired_continue_token_relists(standin: KubeApiServer, cluster: kube.KubeCluster) -> None:
    """A 410 on a continuation restarts the list and still returns every object."""
    for name in ("a", "b", "c", "d", "e"):
        standin.put(objects.deployment("dev", name))
    standin.fail(r"/namespaces/dev/deployments$", status=410, times=1, reason="Expired")
    standin.clear_log()
    found = cluster.list_workloads("Deployment", namespace="dev")
    assert [w.ref.name for w in found] == ["a", "b", "c", "d", "e"]
    assert [r.status for r in standin.requests_to(r"/deployments$")] == [410, 200, 200, 200]


def test_connection_refused_is_unavailable(kube_settings: KubeSettings, tmp_path: Path) -> None:
    """An API server that is gone is KubeUnavailable, not a urllib3 error."""
    with KubeApiServer() as gone:
        kubeconfig = gone.write_kubeconfig(tmp_path / "gone")
    settings = kube_settings.model_copy(update={"kubeconfig": kubeconfig, "retries": 1})
    with (
        kube.connect(settings, sleep=lambda _: None) as api,
        pytest.raises(kube.KubeUnavailable) as excinfo,
    ):
        kube.KubeCluster(api).workload(WEB)
    assert not isinstance(excinfo.value.__cause__, KubeError)


def test_read_timeout_is_unavailable(standin: KubeApiServer, kube_settings: KubeSettings) -> None:
    """A reply slower than the read timeout is KubeUnavailable (timeouts are always set)."""
    standin.put(objects.deployment("dev", "web"))
    standin.delay(r"/deployments/web$", 2.0)
    settings = kube_settings.model_copy(update={"timeout_seconds": 0.2, "retries": 0})
    with kube.connect(settings) as api, pytest.raises(kube.KubeUnavailable, match="Timeout"):
        kube.KubeCluster(api).workload(WEB)


def _public_calls(api: kube.KubeApi) -> dict[str, Callable[[], object]]:
    cluster = kube.KubeCluster(api)
    elector = kube.LeaderElector(
        api, namespace="offhours", name="leader", identity="a", clock=ManualClock()
    )
    hr = WorkloadRef("HelmRelease", "dev", "web")
    return {
        "workload": lambda: cluster.workload(WEB),
        "workloads": lambda: cluster.workloads([WEB, WorkloadRef("Deployment", "dev", "x")]),
        "list_workloads": lambda: cluster.list_workloads("CronJob"),
        "autoscalers": cluster.autoscalers,
        "flux_object": lambda: cluster.flux_object(hr),
        "flux_objects": lambda: cluster.flux_objects([hr]),
        "flux_snapshot": cluster.flux_snapshot,
        "request_reconcile": lambda: cluster.request_reconcile(
            WorkloadRef("GitRepository", "flux-system", "flux-system"), now=ManualClock().now()
        ),
        "lease_create": lambda: api.create(
            kinds.LEASE, "offhours", body={"metadata": {"name": "l"}}
        ),
    } | {"elector": lambda: elector.try_acquire_or_renew() and elector.release()}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 415, 422, 429, 500, 503])
def test_no_client_exception_escapes(
    standin: KubeApiServer, api: kube.KubeApi, status: int
) -> None:
    """Whatever the server answers, public calls raise only KubeError (or succeed)."""
    standin.put(objects.deployment("dev", "web"))
    standin.put(objects.helm_release("dev", "web"))
    standin.put(objects.git_repository("flux-system", "flux-system"))
    escaped: list[tuple[str, str]] = []
    for name, call in _public_calls(api).items():
        standin.fail(r"^/apis/[^/]+/[^/]+/.+", status=status, times=1000)
        try:
            call()
        except KubeError:
            pass
        except Exception as exc:  # noqa: BLE001 - catching anything that escapes is the test
            escaped.append((name, type(exc).__qualname__))
        standin.clear_faults()
    assert escaped == []


def test_error_classes_do_not_inherit_from_the_client() -> None:
    """Our error types are ours alone: catching them never catches a client exception."""
    for cls in (kube.KubeGone, kube.KubeUnavailable, kube.KubeForbidden, kube.KubeInvalid):
        assert issubclass(cls, KubeError)
        assert not issubclass(
            cls, (client_exceptions.OpenApiException, urllib3.exceptions.HTTPError)
        )
