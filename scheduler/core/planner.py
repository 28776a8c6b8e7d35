"""Planning: the edits that bring the GitOps repository to each policy's state at an instant.

Level-based, like the downscalers, but against Git: for every object a policy selects, the
desired state at ``at`` is *off* only when every selecting policy is off (on wins); an object
that should be off and is not asleep in Git gets a sleep edit, one that should be on and is
asleep (carries an ``offhours.dev/original-*`` record) gets a wake edit. Planning again after
applying is therefore empty. Objects asleep in Git that no policy selects any more are woken,
unless a policy failed to load (it might be the one that selects them: they are held).

Ordering for Flux: when a policy sleeps workloads *and* suspends Flux objects, the suspends
are held until the scale-down has been committed and applied (a suspended Kustomization would
never apply it); the caller says which policies must still hold their suspends.
Pure: reads policies and the manifest index, returns a ``Plan`` with the new file texts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from scheduler.core import scalecheck, schedule
from scheduler.core.changes import Action, Change
from scheduler.core.diagnostics import Diagnostic, Severity
from scheduler.core.manifests import (
    EditRequest,
    FileEdit,
    ManifestIndex,
    ManifestObject,
    Outcome,
    ScaleRendered,
    SleepMethod,
    Suspend,
    kinds,
    plan_edits,
)
from scheduler.core.policy import Policy, State
from scheduler.core.targets import Claim, Resolution, resolve, sleep_method

__all__ = ["Plan", "object_state", "plan"]


@dataclass(frozen=True)
class Plan:
    """What to change at ``at`` (Unix seconds), and what was found on the way.

    ``files`` hold every file an edit was attempted in (new text included); ``refused`` the
    objects that could not be edited safely (``file:line:col: reason``); ``held`` the changes
    deliberately postponed, with the reason.
    """

    at: float
    files: tuple[FileEdit, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    refused: tuple[str, ...] = ()
    held: tuple[str, ...] = ()
    resolution: Resolution | None = field(default=None, repr=False, compare=False)

    @property
    def changes(self) -> tuple[Change, ...]:
        """Every change, file by file."""
        return tuple(c for f in self.files for c in f.changes)

    @property
    def changed_files(self) -> tuple[FileEdit, ...]:
        """The files whose text changes."""
        return tuple(f for f in self.files if f.changed)

    @property
    def is_empty(self) -> bool:
        """True when nothing would change."""
        return not self.changed_files


@dataclass
class _Requests:
    requests: list[EditRequest] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    #: ``targets.sleep_method`` by claim (shared by all it selects), API version and kind
    methods: dict[tuple[int, str, str], SleepMethod | ValueError] = field(default_factory=dict)


def plan(
    policies: Sequence[Policy],
    index: ManifestIndex,
    *,
    at: float,
    broken_policies: Collection[str] = (),
    hold_suspends: Collection[str] = (),
) -> Plan:
    """The plan at ``at``. ``broken_policies`` names policies that failed to load (their
    objects are held, not woken); ``hold_suspends`` names policies whose Flux suspends must
    wait (their previous scale-down is not applied yet)."""
    resolution = resolve(policies, index)
    states = {p.name: schedule.state_at(p, at) for p in policies}
    collected = _Requests()
    unreachable, claimed = resolution.unreachable, resolution.claims
    for obj in index.objects:
        oid = obj.id
        if oid in unreachable:
            continue
        claims = claimed.get(oid, ())
        wanted = {c.policy.name: object_state(c.policy, obj, at=at, states=states) for c in claims}
        _request(obj, claims, wanted, broken=bool(broken_policies), out=collected)
    _hold_flux_suspends(collected, index, hold=set(hold_suspends))
    _refuse_machinery_scales(collected, index)
    files = plan_edits(index, collected.requests)
    refused = collected.refused + [
        edit.message
        for f in files
        for edit in f.objects
        if edit.outcome in (Outcome.REFUSED, Outcome.FAILED)
    ]
    return Plan(
        at=at,
        files=files,
        diagnostics=(
            *index.problems,
            *resolution.diagnostics,
            *scalecheck.scale_findings(index, resolution),
            *_patched(index, collected.requests),
        ),
        refused=tuple(refused),
        held=tuple(collected.held),
        resolution=resolution,
    )


def object_state(
    policy: Policy, obj: ManifestObject, *, at: float, states: Mapping[str, State]
) -> State:
    """``policy``'s state for ``obj`` at ``at``: a targeted override naming the object
    (``offhours wake TARGET``; the last active one wins) beats the policy's own state."""
    if policy.enabled:
        for override in reversed(policy.overrides):
            if override.targets and obj.ref in override.targets and override.active(at):
                return override.state
    return states[policy.name]


def _patched(index: ManifestIndex, requests: Sequence[EditRequest]) -> list[Diagnostic]:
    """A warning per edited object that a kustomize patch document also names: the patch is
    applied after the base, so it may override the field offhours edits in the base."""
    found = []
    for request in requests:
        obj = request.target
        for patch in index.patches_for(obj):
            found.append(
                Diagnostic(
                    obj.file,
                    obj.line,
                    obj.column,
                    f"{obj.ref}: the kustomize patch {patch.file}:{patch.line} also sets this "
                    "object and is applied after it; if it sets the field offhours edits, the "
                    "edit has no effect",
                    Severity.WARNING,
                )
            )
    return found


def _request(
    obj: ManifestObject,
    claims: tuple[Claim, ...],
    states: Mapping[str, State],
    *,
    broken: bool,
    out: _Requests,
) -> None:
    if obj.excluded:
        if obj.asleep:
            out.held.append(f"{obj.where}: {obj.ref} is asleep but excluded; it is left as it is")
        return
    if obj.conflict and (claims or obj.asleep):
        out.refused.append(f"{obj.where}: {obj.ref}: {obj.conflict}")
        return
    if not claims:
        _orphan(obj, broken=broken, out=out)
        return
    off = all(states[c.policy.name] is State.OFF for c in claims)
    if off and not obj.asleep:
        _add(obj, claims[0], Action.SLEEP, out=out)
    elif not off and obj.asleep:
        awake = next(c for c in claims if states[c.policy.name] is State.ON)
        _add(obj, awake, Action.WAKE, out=out)


def _orphan(obj: ManifestObject, *, broken: bool, out: _Requests) -> None:
    if not obj.asleep:
        return
    if broken:
        out.held.append(
            f"{obj.where}: {obj.ref} is asleep and no valid policy selects it; it stays asleep "
            "until the policies that failed to load are fixed"
        )
        return
    out.requests.append(EditRequest(obj, Action.WAKE, None, ""))


def _add(obj: ManifestObject, claim: Claim, action: Action, *, out: _Requests) -> None:
    found = _method(obj, claim, out=out)
    method = None
    if isinstance(found, ValueError):
        if action is Action.SLEEP:
            out.refused.append(f"{obj.where}: {obj.ref}: policy {claim.policy.name}: {found}")
            return
    else:
        method = found
    out.requests.append(EditRequest(obj, action, method, claim.policy.name))


def _method(obj: ManifestObject, claim: Claim, *, out: _Requests) -> SleepMethod | ValueError:
    """``sleep_method`` (or why not), once per claim and kind: it reads nothing else of
    ``obj``, and a fleet's objects of one kind share a few claims."""
    key = (id(claim), obj.api_version, obj.kind)
    found = out.methods.get(key)
    if found is None:
        try:
            found = sleep_method(obj, claim)
        except ValueError as exc:
            found = exc
        out.methods[key] = found
    return found


def _is_flux_suspend(request: EditRequest) -> bool:
    return (
        request.action is Action.SLEEP
        and isinstance(request.method, Suspend)
        and request.target.group.endswith(".fluxcd.io")
    )


def _hold_flux_suspends(collected: _Requests, index: ManifestIndex, *, hold: set[str]) -> None:
    scaling = {
        r.policy for r in collected.requests if r.action is Action.SLEEP and not _is_flux_suspend(r)
    }
    kept: list[EditRequest] = []
    for request in collected.requests:
        if not _is_flux_suspend(request) or request.policy not in scaling | hold:
            kept.append(request)
            continue
        why = (
            "the scale-down of the same policy is committed first"
            if request.policy in scaling
            else "Flux has not applied the policy's scale-down yet"
        )
        collected.held.append(
            f"{request.target.where}: suspend of {request.target.ref} waits: {why}"
        )
    collected.requests = kept


def _refuse_machinery_scales(collected: _Requests, index: ManifestIndex) -> None:
    """Drop ``scale`` sleeps of Flux Kustomizations that apply offhours, the Flux
    controllers or a self-managing Kustomization (see ``scalecheck``)."""
    kept: list[EditRequest] = []
    for request in collected.requests:
        obj = request.target
        problem = None
        if (
            request.action is Action.SLEEP
            and isinstance(request.method, ScaleRendered)
            and kinds.is_flux_kustomization(obj.api_version, obj.kind)
        ):
            problem = scalecheck.kustomization_scale_refusal(index, obj)
        if problem is None:
            kept.append(request)
        else:
            collected.refused.append(f"{obj.where}: {obj.ref}: policy {request.policy}: {problem}")
    collected.requests = kept
