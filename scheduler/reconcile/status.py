"""``offhours status`` glue: the repository's plan at now, plus what the cluster runs.

The cluster is read when it can be (kubeconfig or in-cluster config); when it cannot, the
Git-level status is still shown and the reason printed once. For a HelmRelease or
Kustomization asleep in Git with offhours' sleep patches, what it deployed is listed by Flux's
labels and judged (one look, no waiting).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scheduler.adapters import gitrepo, kube
from scheduler.core import flux, sleepcheck, status
from scheduler.core.manifests import ManifestIndex
from scheduler.core.planner import Plan
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError, KubeError
from scheduler.reconcile.workspace import load_and_plan
from scheduler.settings import Settings

__all__ = ["StatusOutcome", "collect"]


@dataclass(frozen=True)
class StatusOutcome:
    """The rows, and why the cluster was not read (empty when it was)."""

    rows: list[status.TargetStatus]
    cluster_note: str


def _observe(settings: Settings, plan: Plan, index: ManifestIndex) -> status.Observed:
    refs = [
        o.ref
        for o in index.objects
        if o.asleep or (plan.resolution and plan.resolution.claims_on(o))
    ]
    with kube.connect(settings.kube) as api:
        cluster = kube.KubeCluster(api, namespaces=settings.kube.namespaces)
        workloads = cluster.workloads([r for r in refs if r.kind in _LIVE_KINDS])
        rendered = _rendered(cluster, plan, index)
        snapshot = cluster.flux_snapshot()
        context = flux.DeliveryContext(
            snapshot, kube.push_target(settings.kube), cluster.autoscalers()
        )
    changes = {c.target: c.field for c in plan.changes}
    warnings = {
        ref: tuple(
            str(w)
            for w in flux.delivery_warnings(
                ref, field=changes.get(ref, "spec.replicas"), context=context
            )
        )
        for ref in refs
    }
    return status.Observed(workloads=workloads, flux=snapshot, warnings=warnings, rendered=rendered)


def _rendered(
    cluster: kube.KubeCluster, plan: Plan, index: ManifestIndex
) -> dict[WorkloadRef, sleepcheck.SleepCheck]:
    """What each HelmRelease or Kustomization asleep in Git deployed, judged."""
    if plan.resolution is None:
        return {}
    expected = sleepcheck.expectations_in_git(index, plan.resolution)
    if not expected:
        return {}
    kinds = sorted({kind for e in expected.values() for kind in e.kinds})
    live = cluster.deployed(expected, kinds=kinds)
    return {ref: sleepcheck.judge(ref, live[ref], e) for ref, e in expected.items()}


_LIVE_KINDS = ("Deployment", "StatefulSet", "ReplicaSet", "CronJob", "ScaledObject")


def collect(settings: Settings, *, now: datetime, cluster: bool) -> StatusOutcome:
    """Status rows of the local checkout ``settings.git.repo`` at ``now``."""
    if gitrepo.is_url(settings.git.repo):
        raise ConfigError(
            f"status reads a local checkout; {settings.git.repo} is a URL (clone it and pass "
            "--repo DIR)"
        )
    ws, plan = load_and_plan(Path(settings.git.repo), policies=settings.policies, now=now, at=now)
    observed, note = None, "cluster not read (--no-cluster)"
    if cluster:
        try:
            observed, note = _observe(settings, plan, ws.index), ""
        except (KubeError, ConfigError) as exc:
            note = f"cluster not read: {exc}"
    rows = status.target_statuses(plan, ws.index, at=now.timestamp(), observed=observed)
    return StatusOutcome(rows, note)
