"""Kubernetes adapter (the ``kubernetes`` client): observe workloads and Flux objects, ask Flux
to reconcile, and elect a leader with a Lease. The only package that imports ``kubernetes``.

Build one ``KubeApi`` per cluster with ``connect(settings.kube)`` (in-cluster or kubeconfig +
context, private client configuration, timeouts on every call) and close it when done::

    from scheduler.adapters import kube

    with kube.connect(settings.kube) as api:
        cluster = kube.KubeCluster(api, namespaces=settings.kube.namespaces)
        snapshot = cluster.flux_snapshot()
        elector = kube.LeaderElector(api, namespace="offhours", name="offhours-leader",
                                     identity=pod_name)

Modules: ``connection`` (credentials), ``api`` (requests, discovery, retries), ``errors``
(translation), ``kinds`` (resource table), ``fields``/``workloads``/``fluxobjects`` (JSON →
core records), ``cluster`` (``KubeCluster``), ``follow`` (waits), ``lease`` (``LeaderElector``).
"""

from __future__ import annotations

from scheduler.adapters.kube.api import KubeApi, connect
from scheduler.adapters.kube.cluster import (
    KubeCluster,
    ReconcileOutcome,
    ReconcileRequest,
    push_target,
)
from scheduler.adapters.kube.errors import (
    ApiStatus,
    KindNotServed,
    KubeForbidden,
    KubeGone,
    KubeInvalid,
    KubeUnavailable,
)
from scheduler.adapters.kube.follow import (
    Clock,
    FollowOutcome,
    FollowStatus,
    Polling,
    RenderedOutcome,
    SystemClock,
    wait_for_applied,
    wait_for_rendered,
    wait_for_replicas,
)
from scheduler.adapters.kube.lease import LeaderElector, LeaseRecord

__all__ = [
    "ApiStatus",
    "Clock",
    "FollowOutcome",
    "FollowStatus",
    "KindNotServed",
    "KubeApi",
    "KubeCluster",
    "KubeForbidden",
    "KubeGone",
    "KubeInvalid",
    "KubeUnavailable",
    "LeaderElector",
    "LeaseRecord",
    "Polling",
    "ReconcileOutcome",
    "ReconcileRequest",
    "RenderedOutcome",
    "SystemClock",
    "connect",
    "push_target",
    "wait_for_applied",
    "wait_for_rendered",
    "wait_for_replicas",
]
