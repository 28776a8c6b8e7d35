"""Raw workload JSON → ``LiveWorkload``: Deployments, StatefulSets, ReplicaSets, CronJobs,
HorizontalPodAutoscalers and KEDA ScaledObjects.

Owns which fields offhours reads from each kind: ``spec.replicas`` and the status counts,
``metadata.generation``/``status.observedGeneration``, CronJob ``spec.suspend`` and active
jobs, the controlling owner (ReplicaSet → Deployment), the ``scaleTargetRef`` of autoscalers,
and KEDA's ``autoscaling.keda.sh/paused`` / ``paused-replicas`` annotations. Pure functions
over dicts; no requests here.
"""

from __future__ import annotations

from typing import Any

from scheduler.adapters.kube import fields
from scheduler.core.observations import LiveWorkload
from scheduler.core.workloads import WorkloadRef

__all__ = ["KEDA_PAUSED", "KEDA_PAUSED_REPLICAS", "live_workload"]

KEDA_PAUSED = "autoscaling.keda.sh/paused"
KEDA_PAUSED_REPLICAS = "autoscaling.keda.sh/paused-replicas"
_SCALED = frozenset({"Deployment", "StatefulSet", "ReplicaSet"})


def _owner(obj: Any, namespace: str) -> WorkloadRef | None:
    for owner in fields.items(obj, "metadata", "ownerReferences"):
        if owner.get("controller") is True:
            return WorkloadRef(fields.text(owner, "kind"), namespace, fields.text(owner, "name"))
    return None


def _scale_target(obj: Any, namespace: str) -> WorkloadRef | None:
    target = fields.mapping(obj, "spec", "scaleTargetRef")
    name = fields.text(target, "name")
    if not name:
        return None
    return WorkloadRef(fields.text(target, "kind") or "Deployment", namespace, name)


def _keda(obj: Any) -> dict[str, Any]:
    annotations = fields.string_map(obj, "metadata", "annotations")
    paused_replicas = fields.integer(annotations, KEDA_PAUSED_REPLICAS)
    paused = fields.flag(annotations, KEDA_PAUSED) or paused_replicas is not None
    return {"paused": paused, "paused_replicas": paused_replicas}


def live_workload(kind: str, obj: Any) -> LiveWorkload:
    """The observation of one workload object of ``kind``."""
    ref = fields.object_ref(obj, kind)
    common: dict[str, Any] = {
        "ref": ref,
        "generation": fields.integer(obj, "metadata", "generation") or 0,
        "observed_generation": fields.integer(obj, "status", "observedGeneration"),
        "labels": fields.string_map(obj, "metadata", "labels"),
        "conditions": fields.conditions(obj),
        "resource_version": fields.text(obj, "metadata", "resourceVersion"),
        "owner": _owner(obj, ref.namespace),
    }
    if kind in _SCALED:
        common |= _replica_counts(obj)
    elif kind == "CronJob":
        common |= {
            "suspend": fields.flag(obj, "spec", "suspend") or False,
            "active_jobs": len(fields.items(obj, "status", "active")),
        }
    elif kind == "ScaledObject":
        common |= _keda(obj) | {"scale_target": _scale_target(obj, ref.namespace)}
    elif kind == "HorizontalPodAutoscaler":
        common |= {
            "scale_target": _scale_target(obj, ref.namespace),
            "replicas": fields.integer(obj, "status", "currentReplicas") or 0,
        }
    return LiveWorkload(**common)


def _replica_counts(obj: Any) -> dict[str, Any]:
    spec_replicas = fields.integer(obj, "spec", "replicas")
    return {
        # The API server defaults an omitted spec.replicas to 1 on these kinds.
        "spec_replicas": 1 if spec_replicas is None else spec_replicas,
        "replicas": fields.integer(obj, "status", "replicas") or 0,
        "ready_replicas": fields.integer(obj, "status", "readyReplicas") or 0,
        "available_replicas": fields.integer(obj, "status", "availableReplicas") or 0,
        "updated_replicas": fields.integer(obj, "status", "updatedReplicas") or 0,
    }
