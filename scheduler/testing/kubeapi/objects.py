"""Factories for the JSON of objects the stand-in serves: workloads, KEDA, Flux, Leases.

Owns small, readable builders for tests (``deployment("dev", "web", replicas=2)``,
``kustomization("flux-system", "apps", inventory=[...])``) with the fields Flux and the
workload controllers really set, so tests seed the stand-in without walls of dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "cronjob",
    "deployment",
    "git_repository",
    "helm_release",
    "hpa",
    "inventory_id",
    "kustomization",
    "oci_repository",
    "ready_condition",
    "scaled_object",
    "statefulset",
]

Obj = dict[str, Any]


def _meta(namespace: str, name: str, labels: Mapping[str, str] | None, **extra: Any) -> Obj:
    meta: Obj = {"name": name, "namespace": namespace}
    if labels:
        meta["labels"] = dict(labels)
    return meta | extra


def _scaled(kind: str, namespace: str, name: str, **options: Any) -> Obj:
    replicas = options.get("replicas", 1)
    ready = options.get("ready", replicas)
    spec: Obj = {"selector": {"matchLabels": {"app": name}}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": _meta(namespace, name, options.get("labels")),
        "spec": spec,
        "status": {
            "observedGeneration": 1,
            "replicas": ready,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "updatedReplicas": ready,
        },
    }


def deployment(namespace: str, name: str, **options: Any) -> Obj:
    """A Deployment; options ``replicas`` (None omits it), ``ready``, ``labels``."""
    return _scaled("Deployment", namespace, name, **options)


def statefulset(namespace: str, name: str, **options: Any) -> Obj:
    """A StatefulSet; options as ``deployment``."""
    return _scaled("StatefulSet", namespace, name, **options)


def cronjob(
    namespace: str,
    name: str,
    *,
    suspend: bool = False,
    active: int = 0,
    labels: Mapping[str, str] | None = None,
) -> Obj:
    """A CronJob, optionally suspended, with ``active`` running jobs."""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": _meta(namespace, name, labels),
        "spec": {"schedule": "*/5 * * * *", "suspend": suspend, "jobTemplate": {"spec": {}}},
        "status": {"active": [{"kind": "Job", "name": f"{name}-{i}"} for i in range(active)]},
    }


def scaled_object(
    namespace: str,
    name: str,
    *,
    target: str,
    paused_replicas: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> Obj:
    """A KEDA ScaledObject scaling Deployment ``target``, optionally paused."""
    annotations = (
        {}
        if paused_replicas is None
        else {"autoscaling.keda.sh/paused-replicas": str(paused_replicas)}
    )
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": _meta(namespace, name, labels, annotations=annotations),
        "spec": {"scaleTargetRef": {"name": target}, "minReplicaCount": 1, "maxReplicaCount": 5},
    }


def hpa(namespace: str, name: str, *, target: str, kind: str = "Deployment") -> Obj:
    """An autoscaling/v2 HorizontalPodAutoscaler of ``kind``/``target``."""
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(namespace, name, None),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": target},
            "minReplicas": 2,
            "maxReplicas": 10,
        },
    }


def ready_condition(
    *, ready: bool = True, message: str = "", generation: int = 1, reason: str = ""
) -> Obj:
    """A kstatus Ready condition as Flux controllers write it (``reason`` defaults to
    ``ReconciliationSucceeded`` / ``ReconciliationFailed``)."""
    return {
        "type": "Ready",
        "status": "True" if ready else "False",
        "reason": reason or ("ReconciliationSucceeded" if ready else "ReconciliationFailed"),
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": "2026-08-03T21:00:00Z",
    }


def inventory_id(namespace: str, name: str, *, group: str, kind: str) -> str:
    """``<namespace>_<name>_<group>_<kind>``."""
    return f"{namespace}_{name}_{group}_{kind}"


def kustomization(namespace: str, name: str, **options: Any) -> Obj:
    """A Flux Kustomization; options ``revision`` (applied), ``inventory`` (ids),
    ``source`` (kind, name), ``suspend``, ``ignore``, ``patches``, ``path``."""
    revision = options.get("revision", "")
    kind, source = options.get("source", ("GitRepository", "flux-system"))
    spec: Obj = {
        "interval": "10m",
        "path": options.get("path", f"./{name}"),
        "prune": True,
        "sourceRef": {"kind": kind, "name": source, "namespace": "flux-system"},
    }
    for key in ("suspend", "ignore", "patches"):
        if key in options:
            spec[key] = options[key]
    entries: Iterable[str] = options.get("inventory", ())
    return {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": _meta(namespace, name, None),
        "spec": spec,
        "status": {
            "observedGeneration": 1,
            "lastAppliedRevision": revision,
            "lastAttemptedRevision": revision,
            "conditions": [ready_condition(message=f"Applied revision: {revision}")],
            "inventory": {"entries": [{"id": entry, "v": "v1"} for entry in entries]},
        },
    }


def helm_release(namespace: str, name: str, **options: Any) -> Obj:
    """A Flux HelmRelease; options ``values``, ``values_from``, ``suspend``, ``drift_ignore``,
    ``chart_ref`` (OCIRepository name; else a HelmRepository chart), ``api_version``,
    ``target_namespace``, ``ready`` (a ``ready_condition``; Helm upgrade succeeded)."""
    spec: Obj = {"interval": "30m", "values": options.get("values", {"replicaCount": 1})}
    if "chart_ref" in options:
        spec["chartRef"] = {"kind": "OCIRepository", "name": options["chart_ref"]}
    else:
        spec["chart"] = {
            "spec": {"chart": name, "sourceRef": {"kind": "HelmRepository", "name": "charts"}}
        }
    if "values_from" in options:
        spec["valuesFrom"] = options["values_from"]
    if "drift_ignore" in options:
        spec["driftDetection"] = {"mode": "enabled", "ignore": options["drift_ignore"]}
    if "suspend" in options:
        spec["suspend"] = options["suspend"]
    if "target_namespace" in options:
        spec["targetNamespace"] = options["target_namespace"]
    ready = options.get("ready") or ready_condition(message="Helm upgrade succeeded")
    return {
        "apiVersion": options.get("api_version", "helm.toolkit.fluxcd.io/v2"),
        "kind": "HelmRelease",
        "metadata": _meta(namespace, name, None),
        "spec": spec,
        "status": {
            "observedGeneration": 1,
            "lastAttemptedRevision": "6.5.0",
            "conditions": [ready],
        },
    }


def git_repository(namespace: str, name: str, **options: Any) -> Obj:
    """A Flux GitRepository; options ``url``, ``branch`` / ``tag``, ``suspend``, ``revision``."""
    ref = {"tag": options["tag"]} if "tag" in options else {"branch": options.get("branch", "main")}
    spec: Obj = {
        "interval": "1m",
        "url": options.get("url", "ssh://git@github.com/acme/fleet.git"),
        "ref": ref,
    }
    if "suspend" in options:
        spec["suspend"] = options["suspend"]
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": _meta(namespace, name, None),
        "spec": spec,
        "status": {
            "observedGeneration": 1,
            "artifact": {"revision": options.get("revision", "")},
            "conditions": [ready_condition()],
        },
    }


def oci_repository(namespace: str, name: str, *, tag: str = "latest") -> Obj:
    """A Flux OCIRepository following ``tag``."""
    return {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "OCIRepository",
        "metadata": _meta(namespace, name, None),
        "spec": {"interval": "5m", "url": f"oci://ghcr.io/acme/{name}", "ref": {"tag": tag}},
        "status": {"conditions": [ready_condition()]},
    }
