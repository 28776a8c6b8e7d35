"""``offhours apply``: plan at an instant, edit the files, make one commit, push.

The producer handed to the Git adapter re-reads the checkout and re-plans every time it is
called, so after a rejected push (another writer moved the branch) the plan is recomputed on
top of the new remote tip: a change the other writer already made is not repeated, and
nothing is ever force-pushed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scheduler.adapters import gitrepo
from scheduler.core.planner import Plan
from scheduler.reconcile.workspace import (
    Workspace,
    load_workspace,
    plan_workspace,
    write_plan,
)
from scheduler.settings import Settings

__all__ = ["ApplyOutcome", "Producer", "apply", "plan_checkout"]


@dataclass(frozen=True)
class ApplyOutcome:
    """The plan that was (or would be) committed, and what the Git adapter did with it.

    ``publish`` is ``None`` on a dry run.
    """

    plan: Plan
    publish: gitrepo.PublishResult | None
    repository: str


class Producer:
    """Re-plans the tree it is given and writes the edits; remembers the last workspace
    and plan (a rejected push calls it again on top of the remote)."""

    def __init__(
        self,
        settings: Settings,
        *,
        at: datetime,
        now: datetime,
        hold_suspends: Callable[[Workspace], Collection[str]] | None = None,
        commit_date: datetime | None = None,
    ) -> None:
        self._settings, self._at, self._now = settings, at, now
        self._hold = hold_suspends
        self._date = commit_date
        self.plan: Plan | None = None
        self.workspace: Workspace | None = None

    def __call__(self, root: Path) -> gitrepo.CommitRequest | None:
        ws = load_workspace(root, policies=self._settings.policies, now=self._now)
        self.workspace = ws
        hold = self._hold(ws) if self._hold is not None else ()
        self.plan = plan_workspace(ws, at=self._at, hold_suspends=hold)
        if self.plan.is_empty:
            return None
        write_plan(root, self.plan)
        return gitrepo.CommitRequest.for_changes(self.plan.changes, date=self._date)


def plan_checkout(settings: Settings, *, at: datetime, now: datetime) -> ApplyOutcome:
    """The plan against the repository (cloned when it is a URL), changing nothing."""
    with gitrepo.open_checkout(settings.git) as checkout:
        ws = load_workspace(checkout.path, policies=settings.policies, now=now)
        return ApplyOutcome(plan_workspace(ws, at=at), None, str(checkout))


def apply(settings: Settings, *, at: datetime, now: datetime, push: bool = True) -> ApplyOutcome:
    """Plan at ``at``, commit the edits once and push (unless ``push`` is False)."""
    produce = Producer(settings, at=at, now=now)
    with gitrepo.open_checkout(settings.git) as checkout:
        result = gitrepo.publish(
            checkout, produce, push=push, attempts=settings.git.push_retries + 1
        )
        repository = str(checkout)
    assert produce.plan is not None
    return ApplyOutcome(produce.plan, result, repository)
