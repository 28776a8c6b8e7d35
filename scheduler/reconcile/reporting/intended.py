"""The intended side of a report: offhours' own commits and the current policies.

From the Git history (``Offhours-Change`` trailers): each target's intended off windows and the
policy that put it to sleep. From the checkout's policies and manifests: each policy's time
zone (hour-of-week bins are local to it), the targets the current policies select, so a
target that has never been put to sleep yet is still listed (with no off time), and the
HelmRelease/Kustomization targets that scale what they render (``placements``: they own those
workloads' energy). A missing or
broken policy folder does not stop a report: its targets fall back to UTC and a note says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scheduler.adapters import gitrepo
from scheduler.core import ledger, rendered, targets
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.releases import Placement
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError
from scheduler.reconcile import workspace
from scheduler.reconcile.reporting.window import ReportWindow
from scheduler.settings import Settings

__all__ = ["Intended", "from_checkout", "read_intended"]


@dataclass(frozen=True)
class Intended:
    """Per target: policy, zone and intended off windows over the whole read range."""

    windows: Mapping[WorkloadRef, IntervalSet]
    policies: Mapping[WorkloadRef, str]
    zones: Mapping[str, str]
    repository: str
    commits: int
    entries: int
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    placements: tuple[Placement, ...] = ()

    @property
    def targets(self) -> tuple[WorkloadRef, ...]:
        """Every target: with ledger entries or selected by a current policy."""
        return tuple(sorted(self.policies))

    def zone_of(self, target: WorkloadRef) -> str:
        """The time zone of the target's policy (UTC when the policy is unknown)."""
        return self.zones.get(self.policies.get(target, ""), "UTC")


@dataclass(frozen=True)
class _Current:
    """What the checkout's current policies and manifests say."""

    zones: dict[str, str]
    selected: dict[WorkloadRef, str]
    notes: list[str]
    placements: tuple[Placement, ...] = ()


def _policy_targets(
    settings: Settings, root: Path, *, now: datetime, entries: tuple[ledger.LedgerEntry, ...]
) -> _Current:
    """Zones by policy, targets the current policies select (first claim), notes, and the
    Flux targets that scale what they render."""
    try:
        ws = workspace.load_workspace(root, policies=settings.policies, now=now)
    except ConfigError as exc:
        return _Current({}, {}, [f"policies not read ({exc}): time zones default to UTC"])
    notes = []
    if ws.policies.rejected:
        names = ", ".join(sorted(str(r.name or r.location) for r in ws.policies.rejected))
        notes.append(f"broken policies skipped (run offhours validate): {names}")
    zones = {p.name: p.zone for p in ws.policies.policies}
    by_policy = targets.targets_by_policy(ws.policies.policies, ws.index, first_only=True)
    selected = {ref: name for name, refs in by_policy.items() for ref in refs}
    resolution = targets.resolve(ws.policies.policies, ws.index)
    placed = rendered.placements(ws.index, resolution=resolution, entries=entries)
    return _Current(zones, selected, notes, placed)


def from_checkout(
    checkout: gitrepo.Checkout, settings: Settings, *, window: ReportWindow, now: datetime
) -> Intended:
    """The intended side read from an open checkout."""
    until = datetime.fromtimestamp(window.end, UTC)
    records = gitrepo.commits_between(checkout, None, until, offhours_only=True)
    read = ledger.parse_ledger(records)
    windows = ledger.off_intervals(read.entries, start=window.history_start, end=window.end)
    policies: dict[WorkloadRef, str] = {}
    for entry in read.entries:
        policies[entry.target] = entry.policy  # entries are in time order: the latest wins
    current = _policy_targets(settings, checkout.path, now=now, entries=read.entries)
    zones, notes = current.zones, current.notes
    for target, policy in current.selected.items():
        policies.setdefault(target, policy)
    missing = sorted({p for p in policies.values() if p not in zones})
    if missing and zones:
        notes.append(f"policies no longer in the repository, zone UTC: {', '.join(missing)}")
    return Intended(
        windows=windows,
        policies=policies,
        zones=zones,
        repository=str(checkout),
        commits=len(records),
        entries=len(read.entries),
        problems=tuple(str(p) for p in read.problems),
        notes=tuple(notes),
        placements=tuple(p for p in current.placements if p.target in policies),
    )


def read_intended(
    settings: Settings, *, window: ReportWindow, now: datetime, repo: str | None = None
) -> Intended:
    """Open the repository (``repo`` or ``settings.git.repo``) and read the intended side."""
    with gitrepo.open_checkout(settings.git, repo=repo) as checkout:
        return from_checkout(checkout, settings, window=window, now=now)
