"""A Kubernetes API stand-in on 127.0.0.1 that the real ``kubernetes`` client talks to.

``KubeApiServer`` serves discovery and the object endpoints of Deployments, StatefulSets,
ReplicaSets, CronJobs, HPAs, KEDA ScaledObjects, Flux Kustomizations / HelmReleases /
GitRepositories / OCIRepositories / Buckets and Leases, with resourceVersions, generations,
Status errors, fault injection and a request log. ``write_kubeconfig`` points a kubeconfig
at it (bearer token auth), so tests build clients exactly as users do::

    with KubeApiServer() as api:
        kubeconfig = api.write_kubeconfig(tmp_path / "kubeconfig")
        api.put({"apiVersion": "apps/v1", "kind": "Deployment", ...})
        api.fail(r"/deployments$", status=500, times=2)
        api.mark_applied("Kustomization", "flux-system", "apps", revision="main@sha1:...")
"""

from __future__ import annotations

from scheduler.testing.kubeapi.clock import ManualClock
from scheduler.testing.kubeapi.resources import DEFAULT_RESOURCES, ServedResource, with_versions
from scheduler.testing.kubeapi.server import Fault, KubeApiServer, RecordedRequest, status_body
from scheduler.testing.kubeapi.store import ApiError, Store

__all__ = [
    "DEFAULT_RESOURCES",
    "ApiError",
    "Fault",
    "KubeApiServer",
    "ManualClock",
    "RecordedRequest",
    "ServedResource",
    "Store",
    "status_body",
    "with_versions",
]
