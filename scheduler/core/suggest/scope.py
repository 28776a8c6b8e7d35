"""Which units ``suggest`` may propose: workloads offhours can switch off, not the machinery.

A policy can turn off Deployments, StatefulSets, CronJobs and (``action: scale``)
HelmReleases; DaemonSets, bare pods and Jobs are listed as skipped. The cluster's own machinery
is never proposed: the system namespaces, the Flux controllers and offhours itself (turning
them off would leave nothing to turn the rest back on).
"""

from __future__ import annotations

from scheduler.core.scalecheck import FLUX_CONTROLLERS, FLUX_NAMESPACE
from scheduler.core.workloads import WorkloadRef

__all__ = ["SCHEDULABLE_KINDS", "SYSTEM_NAMESPACES", "skip_reason"]

SCHEDULABLE_KINDS = frozenset({"Deployment", "StatefulSet", "CronJob", "HelmRelease"})
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", FLUX_NAMESPACE})
OFFHOURS_NAME = "offhours"


def skip_reason(unit: WorkloadRef, *, home: str) -> str | None:
    """Why ``unit`` (whose pods run in ``home``) is not analysed, or None."""
    if home in SYSTEM_NAMESPACES or (
        unit.namespace in SYSTEM_NAMESPACES and unit.kind != "HelmRelease"
    ):
        return "system namespace"
    if unit.name in FLUX_CONTROLLERS or unit.name == OFFHOURS_NAME or home == OFFHOURS_NAME:
        return "GitOps machinery (Flux, offhours)"
    if unit.kind not in SCHEDULABLE_KINDS:
        return f"a {unit.kind} cannot be scheduled by a policy"
    return None
