"""Pod -> workload: kube-state-metrics owner chains first, name patterns second."""

from __future__ import annotations

import pytest

from scheduler.core.kepler.owners import Attribution, OwnerIndex, attribute
from scheduler.core.workloads import WorkloadRef


def _index() -> OwnerIndex:
    index = OwnerIndex()
    index.add(
        [
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "web-6d5f7c9b8d-k2x4z",
                "owner_kind": "ReplicaSet",
                "owner_name": "web-6d5f7c9b8d",
            },
            {
                "__name__": "kube_replicaset_owner",
                "namespace": "dev",
                "replicaset": "web-6d5f7c9b8d",
                "owner_kind": "Deployment",
                "owner_name": "web",
            },
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "nightly-28511520-q7k2m",
                "owner_kind": "Job",
                "owner_name": "nightly-28511520",
            },
            {
                "__name__": "kube_job_owner",
                "namespace": "dev",
                "job_name": "nightly-28511520",
                "owner_kind": "CronJob",
                "owner_name": "nightly",
            },
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "once-x7d2q",
                "owner_kind": "Job",
                "owner_name": "once",
            },
            {
                "__name__": "kube_job_owner",
                "namespace": "dev",
                "job_name": "once",
                "owner_kind": "<none>",
                "owner_name": "<none>",
            },
            {
                "__name__": "kube_pod_owner",
                "namespace": "kube-system",
                "pod": "etcd-node-a",
                "owner_kind": "Node",
                "owner_name": "node-a",
            },
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "db-0",
                "owner_kind": "StatefulSet",
                "owner_name": "db",
            },
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "api-5d4f6b7c8d-w9xzt",
                "owner_kind": "ReplicaSet",
                "owner_name": "api-5d4f6b7c8d",
            },
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "bare",
                "owner_kind": "<none>",
                "owner_name": "<none>",
            },
        ]
    )
    return index


@pytest.mark.parametrize(
    ("namespace", "pod", "expected"),
    [
        ("dev", "web-6d5f7c9b8d-k2x4z", WorkloadRef("Deployment", "dev", "web")),
        ("dev", "nightly-28511520-q7k2m", WorkloadRef("CronJob", "dev", "nightly")),
        ("dev", "once-x7d2q", WorkloadRef("Job", "dev", "once")),
        ("kube-system", "etcd-node-a", WorkloadRef("Pod", "kube-system", "etcd-node-a")),
        ("dev", "db-0", WorkloadRef("StatefulSet", "dev", "db")),
        ("dev", "api-5d4f6b7c8d-w9xzt", WorkloadRef("Deployment", "dev", "api")),
        ("dev", "bare", WorkloadRef("Pod", "dev", "bare")),
    ],
    ids=[
        "deployment",
        "cronjob",
        "bare-job",
        "static-pod",
        "statefulset",
        "rs-without-owner-series",
        "no-owner",
    ],
)
def test_ksm_owner_chains(namespace: str, pod: str, expected: WorkloadRef) -> None:
    """Pod -> ReplicaSet -> Deployment, Pod -> Job -> CronJob; <none> and Node end the chain;
    a ReplicaSet whose owner series is missing is resolved by its name."""
    assert attribute(namespace, pod, owners=_index()) == (expected, Attribution.KSM)


@pytest.mark.parametrize(
    ("pod", "expected"),
    [
        (
            "helm-controller-68b799b589-5zh7z",
            WorkloadRef("Deployment", "flux-system", "helm-controller"),
        ),
        ("prometheus-k8s-0", WorkloadRef("StatefulSet", "flux-system", "prometheus-k8s")),
        ("backup-28511520-q7k2m", WorkloadRef("CronJob", "flux-system", "backup")),
        ("kindnet-sq6gg", WorkloadRef("Pod", "flux-system", "kindnet-sq6gg")),
        ("etcd-kind-control-plane", WorkloadRef("Pod", "flux-system", "etcd-kind-control-plane")),
    ],
    ids=["deployment", "statefulset", "cronjob", "daemonset-or-job", "static"],
)
def test_generic_name_patterns(pod: str, expected: WorkloadRef) -> None:
    """Without KSM: Deployment/StatefulSet/CronJob by name shape, anything else is a Pod."""
    workload, how = attribute("flux-system", pod, owners=OwnerIndex())
    assert workload == expected
    assert how is (Attribution.NONE if expected.kind == "Pod" else Attribution.NAME_PATTERN)


def test_targets_resolve_ambiguous_names() -> None:
    """Job and DaemonSet pods look alike; a requested target decides, the longest name wins."""
    targets = (
        WorkloadRef("DaemonSet", "kube-system", "kindnet"),
        WorkloadRef("Deployment", "dev", "web"),
        WorkloadRef("Deployment", "dev", "web-api"),
    )
    assert attribute("kube-system", "kindnet-sq6gg", owners=OwnerIndex(), targets=targets) == (
        WorkloadRef("DaemonSet", "kube-system", "kindnet"),
        Attribution.TARGET_PATTERN,
    )
    assert attribute("dev", "web-api-6d5f7c9b8d-k2x4z", owners=OwnerIndex(), targets=targets)[
        0
    ] == (WorkloadRef("Deployment", "dev", "web-api"))
    assert attribute("prod", "web-6d5f7c9b8d-k2x4z", owners=OwnerIndex(), targets=targets)[1] is (
        Attribution.NAME_PATTERN
    )


def test_controller_owner_wins_over_none() -> None:
    """Two KSM replicas disagreeing (one saw the owner, one not yet) keep the controller."""
    index = OwnerIndex()
    index.add(
        [
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "db-0",
                "owner_kind": "<none>",
                "owner_name": "<none>",
            }
        ]
    )
    index.add(
        [
            {
                "__name__": "kube_pod_owner",
                "namespace": "dev",
                "pod": "db-0",
                "owner_kind": "StatefulSet",
                "owner_name": "db",
            }
        ]
    )
    assert index.resolve("dev", "db-0") == WorkloadRef("StatefulSet", "dev", "db")
    assert len(index) == 1
