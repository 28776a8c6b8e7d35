"""Per-target status: what the policies want now, what Git says, what the cluster runs.

``offhours status`` answers "is everything where it should be, and if not, where is it
stuck?" for every object a policy selects (and every object still asleep in Git): the wanted
state and why, Git's state (asleep = carries an ``offhours.dev/original-*`` record), a pending
change if Git lags the policy, the live state if the cluster was read, the Flux revision the
owning Kustomization applied, the drift between the layers, and the next transition.
A HelmRelease or Kustomization asleep in Git with offhours' sleep patches is asleep in the
cluster only when everything it deployed is (``scheduler.core.sleepcheck``): its live line
lists the workloads still running, and the drift is then "cluster behind git".
Pure: reads the plan, the index and (optional) observations.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scheduler.core import schedule
from scheduler.core.changes import Action
from scheduler.core.instants import format_utc
from scheduler.core.manifests import ManifestIndex, ManifestObject
from scheduler.core.observations import Condition, FluxSnapshot, LiveWorkload
from scheduler.core.planner import Plan, object_state
from scheduler.core.policy import Policy, State
from scheduler.core.sleepcheck import SleepCheck
from scheduler.core.workloads import WorkloadRef

__all__ = ["Drift", "Observed", "TargetStatus", "render_text", "target_statuses", "to_document"]


class Drift(enum.StrEnum):
    """Where the layers disagree."""

    IN_SYNC = "in sync"
    GIT_BEHIND = "git behind policy"  # a plan is pending (apply / the daemon will commit it)
    CLUSTER_BEHIND = "cluster behind git"  # Flux has not applied, or something overrides it
    UNKNOWN = "unknown"  # the cluster was not read


@dataclass(frozen=True)
class TargetStatus:
    """One target across the layers."""

    target: WorkloadRef
    file: str
    policies: tuple[str, ...]
    wanted: State
    reason: str
    git_asleep: bool
    pending: Action | None
    live: str | None
    live_asleep: bool | None
    flux_revision: str | None
    drift: Drift
    next_transition: float | None
    next_state: State | None
    warnings: tuple[str, ...] = field(default=())
    #: what a HelmRelease or Kustomization asleep in Git deployed, judged (None: not checked)
    rendered: SleepCheck | None = None
    #: the target's own Ready condition when it is a HelmRelease or Kustomization (None: not read)
    flux_ready: Condition | None = None


def _why(policy: Policy, obj: ManifestObject, at: float) -> str:
    """The rule deciding ``policy``'s state for ``obj``: a targeted override, else the policy's."""
    for override in reversed(policy.overrides):
        if (
            policy.enabled
            and override.targets
            and obj.ref in override.targets
            and override.active(at)
        ):
            note = f": {override.reason}" if override.reason else ""
            until = format_utc(override.until)
            return f"override {override.state} for this target until {until}{note}"
    return schedule.explain(policy, at).detail


def _live_asleep(live: LiveWorkload) -> bool:
    if live.suspend is not None:
        return live.suspend
    if live.paused is not None:
        return live.paused
    return live.spec_replicas == 0


def _describe(live: LiveWorkload | None) -> str:
    if live is None:
        return "not found in the cluster"
    if live.suspend is not None:
        return "suspended" if live.suspend else f"active ({live.active_jobs} running jobs)"
    if live.paused is not None:
        return f"paused at {live.paused_replicas}" if live.paused else "not paused"
    wanted = "-" if live.spec_replicas is None else str(live.spec_replicas)
    return f"replicas {live.ready_replicas}/{wanted}"


def _drift(*, git_asleep: bool, wanted_asleep: bool, pending: bool, live: bool | None) -> Drift:
    if pending or git_asleep != wanted_asleep:
        return Drift.GIT_BEHIND
    if live is None:
        return Drift.UNKNOWN
    return Drift.IN_SYNC if live == git_asleep else Drift.CLUSTER_BEHIND


def _next(policies: Sequence[Policy], at: float) -> tuple[float | None, State | None]:
    found = [t for t in (schedule.next_transition(p, at) for p in policies) if t is not None]
    if not found:
        return None, None
    first = min(found, key=lambda t: t.at)
    return float(first.at), first.to


def _revision(index: ManifestIndex, obj: ManifestObject, flux: FluxSnapshot | None) -> str | None:
    if flux is None:
        return None
    for owner in index.owners_of(obj.file):
        found = flux.find(owner.object.ref)
        if found is not None:
            return found.last_applied_revision or "(none applied)"
    return None


@dataclass(frozen=True)
class Observed:
    """What was read from the cluster (absent when it was not read)."""

    workloads: Mapping[WorkloadRef, LiveWorkload | None] = field(default_factory=dict)
    flux: FluxSnapshot | None = None
    warnings: Mapping[WorkloadRef, tuple[str, ...]] = field(default_factory=dict)
    rendered: Mapping[WorkloadRef, SleepCheck] = field(default_factory=dict)

    def live(self, ref: WorkloadRef) -> tuple[str | None, bool | None]:
        """The live line of ``ref`` (None when not read) and whether it is asleep there."""
        check = self.rendered.get(ref)
        if check is not None:
            return check.line, check.settled
        if ref not in self.workloads:
            return None, None
        workload = self.workloads[ref]
        return _describe(workload), None if workload is None else _live_asleep(workload)

    def ready(self, ref: WorkloadRef) -> Condition | None:
        """The Ready condition of a HelmRelease or Kustomization target, if read."""
        if self.flux is None or ref.kind not in ("HelmRelease", "Kustomization"):
            return None
        found = self.flux.find(ref)
        return None if found is None else found.condition("Ready")


def target_statuses(
    plan: Plan, index: ManifestIndex, *, at: float, observed: Observed | None = None
) -> list[TargetStatus]:
    """The status of every selected or asleep object, at ``at``."""
    assert plan.resolution is not None
    pending = {c.target: c.action for c in plan.changes}
    out = []
    for obj in index.objects:
        claims = plan.resolution.claims_on(obj)
        if not claims and not obj.asleep:
            continue
        policies = [c.policy for c in claims]
        states = {p.name: schedule.state_at(p, at) for p in policies}
        wanted = State.ON
        if claims and all(
            object_state(p, obj, at=at, states=states) is State.OFF for p in policies
        ):
            wanted = State.OFF
        reason = "; ".join(f"{p.name}: {_why(p, obj, at)}" for p in policies)
        out.append(
            _status(
                obj,
                index=index,
                policies=policies,
                wanted=wanted,
                reason=reason or "no policy selects it",
                pending=pending,
                at=at,
                observed=observed,
            )
        )
    return out


def _status(  # noqa: PLR0913 - one row's facts, keyword-only
    obj: ManifestObject,
    *,
    index: ManifestIndex,
    policies: Sequence[Policy],
    wanted: State,
    reason: str,
    pending: Mapping[WorkloadRef, Action],
    at: float,
    observed: Observed | None,
) -> TargetStatus:
    live, live_asleep = observed.live(obj.ref) if observed else (None, None)
    nxt, nxt_state = _next(policies, at)
    return TargetStatus(
        target=obj.ref,
        file=obj.file,
        policies=tuple(p.name for p in policies),
        wanted=wanted,
        reason=reason,
        git_asleep=obj.asleep,
        pending=pending.get(obj.ref),
        live=live,
        live_asleep=live_asleep,
        flux_revision=_revision(index, obj, observed.flux if observed else None),
        drift=_drift(
            git_asleep=obj.asleep,
            wanted_asleep=wanted is State.OFF,
            pending=obj.ref in pending,
            live=live_asleep,
        ),
        next_transition=nxt,
        next_state=nxt_state,
        warnings=observed.warnings.get(obj.ref, ()) if observed else (),
        rendered=observed.rendered.get(obj.ref) if observed else None,
        flux_ready=observed.ready(obj.ref) if observed else None,
    )


def to_document(rows: Sequence[TargetStatus], *, at: float) -> dict[str, Any]:
    """``offhours status --format json``."""
    return {
        "at": format_utc(at),
        "targets": [
            {
                "kind": r.target.kind,
                "namespace": r.target.namespace,
                "name": r.target.name,
                "file": r.file,
                "policies": list(r.policies),
                "wanted": str(r.wanted),
                "reason": r.reason,
                "git": "asleep" if r.git_asleep else "awake",
                "pending": None if r.pending is None else str(r.pending),
                "cluster": r.live,
                "fluxRevision": r.flux_revision,
                "drift": str(r.drift),
                "nextTransition": None
                if r.next_transition is None
                else format_utc(r.next_transition),
                "nextState": None if r.next_state is None else str(r.next_state),
                "warnings": list(r.warnings),
                "renderedWorkloads": _rendered_document(r.rendered),
                "fluxReady": _condition_document(r.flux_ready),
            }
            for r in rows
        ],
    }


def _rendered_document(check: SleepCheck | None) -> dict[str, Any] | None:
    if check is None:
        return None
    return {
        "expected": {
            "replicas": check.expectation.replicas,
            "kinds": list(check.expectation.kinds),
        },
        "found": len(check.workloads),
        "settled": check.settled,
        "stillRunning": [
            {
                "kind": w.ref.kind,
                "namespace": w.ref.namespace,
                "name": w.ref.name,
                "state": w.state,
            }
            for w in check.running
        ],
    }


def _condition_document(condition: Condition | None) -> dict[str, str] | None:
    if condition is None:
        return None
    return {
        "status": str(condition.status),
        "reason": condition.reason,
        "message": condition.message,
    }


def render_text(rows: Sequence[TargetStatus], *, at: float) -> str:
    """A table: one block per target, drift first so problems stand out."""
    lines = [f"offhours status at {format_utc(at)}: {len(rows)} targets"]
    order = sorted(rows, key=lambda r: (r.drift is Drift.IN_SYNC, str(r.target)))
    for r in order:
        git = "asleep" if r.git_asleep else "awake"
        nxt = (
            f"; next: {r.next_state} at {format_utc(r.next_transition)}"
            if r.next_transition is not None
            else ""
        )
        lines.append(f"{r.target}  [{r.drift}]")
        lines.append(f"  wants {r.wanted} ({r.reason}){nxt}")
        pending = f", pending {r.pending}" if r.pending else ""
        lines.append(f"  git: {git}{pending} ({r.file})")
        if r.live is not None:
            lines.append(f"  cluster: {r.live}; flux applied: {r.flux_revision or '-'}")
        lines.extend(f"  ! {w}" for w in r.warnings)
    return "\n".join(lines) + "\n"
