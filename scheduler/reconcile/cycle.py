"""One daemon cycle: pull, drop expired overrides, plan at now, commit, push, and report.

The same code path as ``offhours apply``; the cycle adds what a long-running service needs:
the removal of expired overrides (a commit of their own), the hold on Flux suspends until the
scale-down they follow is applied (asked of the cluster when there is one, else after a settle
time), the hand-off of each push to a Flux follower, and the facts the loop schedules and
exports from (next transitions, targets asleep, actuation lag).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from scheduler.adapters import gitrepo
from scheduler.core import ledger, schedule
from scheduler.core.changes import Action, Change
from scheduler.core.manifests import kinds
from scheduler.core.planner import Plan
from scheduler.core.policy import Policy
from scheduler.core.workloads import WorkloadRef
from scheduler.reconcile.applier import Producer
from scheduler.reconcile.overrides import expired_producer
from scheduler.reconcile.workspace import Workspace
from scheduler.settings import Settings

__all__ = ["CycleReport", "FluxView", "Reconciler"]

#: how far back a transition still counts as "the one this cycle acted on" (actuation lag)
_DUE_WINDOW = 300.0


@dataclass(frozen=True)
class CycleReport:
    """What one reconcile cycle did, for logs, metrics and the daemon's next wake-up.

    ``due`` maps each policy whose scheduled transition this cycle acted on to that instant
    (Unix seconds), so the daemon can measure actuation lag; ``next_by_policy`` holds each
    policy's next transition (Unix seconds).
    """

    changes: tuple[Change, ...] = ()
    commit: str | None = None
    pushed: bool = False
    conflicts: int = 0
    asleep: Mapping[str, float] = field(default_factory=dict)
    watts_avoided: Mapping[str, float] = field(default_factory=dict)
    next_transition: datetime | None = None
    next_by_policy: Mapping[str, float] = field(default_factory=dict)
    due: Mapping[str, float] = field(default_factory=dict)
    held: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()


class FluxView(Protocol):
    """What the cycle asks of the cluster (``None`` when offhours runs without one)."""

    def applied(
        self, commit: str, owners: Sequence[WorkloadRef], *, includes: Callable[[str], bool]
    ) -> bool:
        """Whether every owner reports ``commit`` (or a commit ``includes`` accepts) applied."""
        ...

    def follow(
        self,
        commit: str,
        owners: Sequence[WorkloadRef],
        *,
        pushed_at: datetime,
        includes: Callable[[str], bool],
        changes: Sequence[Change] = (),
    ) -> None:
        """Start following a push (ask Flux to reconcile, record when it applied)."""
        ...


class Reconciler:
    """The daemon's cycle, bound to its settings and (optionally) the cluster."""

    def __init__(
        self,
        settings: Settings,
        *,
        flux: FluxView | None = None,
        settle_seconds: float = 300.0,
        stamp_commits: bool = False,
        watts: Callable[[Workspace, Plan], Mapping[str, float]] | None = None,
    ) -> None:
        """``stamp_commits`` dates each commit at the cycle's ``now`` (virtual-time runs such
        as ``offhours demo``; a real daemon commits at the wall clock). ``watts`` estimates
        the power avoided now per policy; it runs after the Git work, on a background
        thread, so metrics never delay a transition."""
        self._settings, self._flux, self._settle = settings, flux, settle_seconds
        self._stamp = stamp_commits
        self._watts = _Background(watts) if watts is not None else None
        self._last_checkout: gitrepo.Checkout | None = None

    def __call__(self, now: datetime) -> CycleReport:
        settings = self._settings
        attempts = settings.git.push_retries + 1
        with gitrepo.open_checkout(settings.git) as checkout:
            self._last_checkout = checkout
            gitrepo.sync(checkout)
            date = now if self._stamp else None
            expired = expired_producer(settings, now=now, commit_date=date)
            gitrepo.publish(checkout, expired, attempts=attempts)
            hold = self._holds(checkout, now)
            produce = Producer(settings, at=now, now=now, hold_suspends=hold, commit_date=date)
            result = gitrepo.publish(checkout, produce, attempts=attempts)
        assert produce.plan is not None
        assert produce.workspace is not None
        if result.pushed and result.commit and self._flux is not None:
            owners = _owners(produce.workspace, produce.plan)
            self._flux.follow(
                result.commit,
                owners,
                pushed_at=datetime.now(UTC),
                includes=_includes(checkout, result.commit),
                changes=produce.plan.changes,
            )
        retry = 30.0 if self._flux is not None else self._settle
        report = summarise(
            produce.workspace, produce.plan, result=result, now=now, retry_held_in=retry
        )
        if self._watts is None:
            return report
        return replace(report, watts_avoided=self._watts(produce.workspace, produce.plan))

    def _holds(self, checkout: gitrepo.Checkout, now: datetime) -> Callable[[Workspace], set[str]]:
        """Which policies' Flux suspends must wait: their latest scale-down (from the ledger
        of the last day) is not applied yet, by the cluster's word or, without a cluster,
        until ``settle_seconds`` have passed."""
        since = now - timedelta(days=1)
        records = gitrepo.commits_between(checkout, since, None, offhours_only=True)
        latest: dict[str, ledger.LedgerEntry] = {}
        for entry in ledger.parse_ledger(records).entries:
            if (
                entry.action is Action.SLEEP
                and entry.target.kind not in kinds.FLUX_SUSPENDABLE_KINDS
            ):
                latest[entry.policy] = entry

        def hold(ws: Workspace) -> set[str]:
            return {p for p, e in latest.items() if not self._settled(e, ws, now)}

        return hold

    def _includes(self, commit: str) -> Callable[[str], bool]:
        checkout = self._last_checkout
        if checkout is None:
            return lambda sha: sha == commit
        return _includes(checkout, commit)

    def _settled(self, entry: ledger.LedgerEntry, ws: Workspace, now: datetime) -> bool:
        if self._flux is not None:
            owners = sorted(
                {
                    ks.object.ref
                    for o in ws.index.find(entry.target)
                    for ks in ws.index.owners_of(o.file)
                }
            )
            return self._flux.applied(entry.commit, owners, includes=self._includes(entry.commit))
        return now.timestamp() - entry.time >= self._settle


class _Background:
    """Runs an estimate on a worker thread; each call starts one if none is running and
    returns the latest finished result."""

    def __init__(self, estimate: Callable[[Workspace, Plan], Mapping[str, float]]) -> None:
        self._estimate = estimate
        self._latest: dict[str, float] = {}
        self._worker: threading.Thread | None = None

    def __call__(self, ws: Workspace, plan: Plan) -> dict[str, float]:
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, args=(ws, plan), daemon=True)
            self._worker.start()
        return dict(self._latest)

    def _run(self, ws: Workspace, plan: Plan) -> None:
        self._latest = dict(self._estimate(ws, plan))


def _includes(checkout: gitrepo.Checkout, commit: str) -> Callable[[str], bool]:
    """Whether an applied commit contains ``commit`` (another writer pushed on top of ours)."""
    return lambda sha: sha == commit or gitrepo.contains(checkout, commit, sha)


def _owners(ws: Workspace, plan: Plan) -> list[WorkloadRef]:
    refs = {ks.object.ref for edit in plan.changed_files for ks in ws.index.owners_of(edit.path)}
    return sorted(refs)


def summarise(
    ws: Workspace,
    plan: Plan,
    *,
    result: gitrepo.PublishResult | None,
    now: datetime,
    retry_held_in: float = 300.0,
) -> CycleReport:
    """The cycle's report from the final plan and what the Git adapter did. Held changes
    (Flux suspends waiting for a scale-down) bring the next cycle forward to ``retry_held_in``
    seconds from now."""
    policies = ws.policies.policies
    upcoming = _next_by_policy(policies, now.timestamp())
    soonest = min(upcoming.values(), default=None)
    if plan.held and any(" waits: " in item for item in plan.held):
        retry = now.timestamp() + retry_held_in
        soonest = retry if soonest is None else min(soonest, retry)
    changes = plan.changes if result is not None and result.commit else ()
    return CycleReport(
        changes=changes,
        commit=result.commit if result else None,
        pushed=bool(result and result.pushed),
        conflicts=result.conflicts if result else 0,
        asleep=_asleep(ws, plan),
        next_transition=None if soonest is None else datetime.fromtimestamp(soonest, UTC),
        next_by_policy=upcoming,
        due=_due(policies, changes, now.timestamp()),
        held=plan.held,
        refused=plan.refused,
    )


def _next_by_policy(policies: Sequence[Policy], after: float) -> dict[str, float]:
    found: dict[str, float] = {}
    for policy in policies:
        bounds = [b for o in policy.overrides if o.targets for b in (o.start, o.until)]
        instants = [b for b in bounds if b is not None and b > after]
        transition = schedule.next_transition(policy, after)
        if transition is not None:
            instants.append(transition.at)
        if instants:
            found[policy.name] = float(min(instants))
    return found


def _asleep(ws: Workspace, plan: Plan) -> dict[str, float]:
    slept = {c.target for c in plan.changes if c.action is Action.SLEEP}
    woken = {c.target for c in plan.changes if c.action is Action.WAKE}
    counts: Counter[str] = Counter({p.name: 0 for p in ws.policies.policies})
    if plan.resolution is None:
        return dict(counts)
    for obj in ws.index.objects:
        asleep = (obj.asleep or obj.ref in slept) and obj.ref not in woken
        for claim in plan.resolution.claims_on(obj) if asleep else ():
            counts[claim.policy.name] += 1
    return {name: float(n) for name, n in counts.items()}


def _due(policies: Sequence[Policy], changes: Sequence[Change], now: float) -> dict[str, float]:
    by_name = {p.name: p for p in policies}
    due: dict[str, float] = {}
    for name in {c.policy for c in changes if c.policy in by_name}:
        recent = schedule.transitions(by_name[name], now - _DUE_WINDOW, now + 1)
        if recent:
            due[name] = float(recent[-1].at)
    return due
