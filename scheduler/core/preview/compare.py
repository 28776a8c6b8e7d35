"""What a policy change does: the policies and targets of two versions of a repository,
compared (``offhours preview --compare REV``), for the review of a policy pull request.

Per policy: added, removed, changed (its targets or its off intervals in the range differ,
even with the same hours per week) or unchanged; the targets it gains and loses; and its
off hours per week over the previewed range, before and after. Pure: two sets of policies
with their resolved targets in, a comparison and its markdown out.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scheduler.core import schedule
from scheduler.core.instants import format_utc
from scheduler.core.policy import Policy
from scheduler.core.workloads import WorkloadRef

__all__ = ["Change", "PolicyDiff", "Side", "compare", "render_markdown"]

WEEK = 7 * 86400


class Change(enum.StrEnum):
    """How one policy differs between the two versions."""

    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Side:
    """One version: its valid policies and the targets each selects."""

    policies: Sequence[Policy]
    targets: Mapping[str, frozenset[WorkloadRef]]
    broken: tuple[str, ...] = ()


@dataclass(frozen=True)
class PolicyDiff:
    """One policy across the two versions (hours are off hours per week; None: absent)."""

    name: str
    change: Change
    gained: tuple[WorkloadRef, ...]
    lost: tuple[WorkloadRef, ...]
    kept: int
    hours_before: float | None
    hours_after: float | None


def _weekly_hours(policy: Policy | None, *, start: float, end: float) -> float | None:
    if policy is None:
        return None
    off = schedule.off_intervals(policy, start, end).total()
    return off / (end - start) * WEEK / 3600


def _diff(name: str, before: Side, after: Side, *, start: float, end: float) -> PolicyDiff:
    old = next((p for p in before.policies if p.name == name), None)
    new = next((p for p in after.policies if p.name == name), None)
    was, now = before.targets.get(name, frozenset()), after.targets.get(name, frozenset())
    hours = (_weekly_hours(old, start=start, end=end), _weekly_hours(new, start=start, end=end))
    if old is None:
        change = Change.ADDED
    elif new is None:
        change = Change.REMOVED
    elif was != now or schedule.off_intervals(old, start, end) != schedule.off_intervals(
        new, start, end
    ):
        change = Change.CHANGED
    else:
        change = Change.UNCHANGED
    return PolicyDiff(
        name, change, tuple(sorted(now - was)), tuple(sorted(was - now)), len(was & now), *hours
    )


def compare(before: Side, after: Side, *, start: float, end: float) -> list[PolicyDiff]:
    """Every policy of either version, changed ones first."""
    names = {p.name for p in before.policies} | {p.name for p in after.policies}
    diffs = [_diff(n, before, after, start=start, end=end) for n in sorted(names)]
    return sorted(diffs, key=lambda d: (d.change is Change.UNCHANGED, d.name))


def _hours(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} h"


def _delta(diff: PolicyDiff) -> str:
    if diff.hours_before is None or diff.hours_after is None:
        return ""
    change = diff.hours_after - diff.hours_before
    return "±0" if abs(change) < 0.05 else f"{change:+.1f} h"


def _targets(refs: Sequence[WorkloadRef], sign: str) -> list[str]:
    shown = [f"{sign} `{r}`" for r in refs[:20]]
    if len(refs) > 20:
        shown.append(f"{sign} ... and {len(refs) - 20} more")
    return shown


def render_markdown(
    diffs: Sequence[PolicyDiff], *, base: str, start: float, end: float, broken: Sequence[str] = ()
) -> str:
    """A pull-request comment: a summary table, then the target changes per policy."""
    changed = [d for d in diffs if d.change is not Change.UNCHANGED]
    lines = [
        f"### offhours: effect of this change (compared with `{base}`)",
        "",
        f"Off hours per week over {format_utc(start)} .. {format_utc(end)}; targets resolved "
        "against the manifests of each version.",
        "",
        "| policy | change | off h/week before | after | Δ | targets gained | lost | kept |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| `{d.name}` | {d.change} | {_hours(d.hours_before)} | {_hours(d.hours_after)} | "
        f"{_delta(d)} | {len(d.gained)} | {len(d.lost)} | {d.kept} |"
        for d in diffs
    ]
    for d in changed:
        if d.gained or d.lost:
            lines += ["", f"**`{d.name}`**", *_targets(d.gained, "+"), *_targets(d.lost, "-")]
    if not changed:
        lines += ["", "No policy or target changes."]
    if broken:
        lines += ["", "Policies that do not load in this version (fix them first):"]
        lines += [f"- `{name}`" for name in broken]
    return "\n".join(lines) + "\n"
