"""What a preview shows: each policy's off intervals, transitions and totals over a range."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scheduler.core import schedule
from scheduler.core.intervals import IntervalSet
from scheduler.core.policy.model import Policy, State
from scheduler.core.preview.savings import PolicySavings
from scheduler.core.schedule import Transition
from scheduler.core.workloads import WorkloadRef

__all__ = ["PolicyPreview", "Preview", "build"]


@dataclass(frozen=True, slots=True)
class PolicyPreview:
    """One policy evaluated over the preview range."""

    policy: Policy
    off: IntervalSet
    initial: State
    transitions: tuple[Transition, ...]

    @property
    def off_seconds(self) -> int:
        """Seconds off within the range."""
        return int(self.off.total())


@dataclass(frozen=True, slots=True)
class Preview:
    """Policies evaluated over ``[start, end)`` (whole Unix seconds).

    ``savings`` holds the per-policy savings estimate when a metrics store was asked (empty
    otherwise: the preview is then exactly the schedule).
    """

    start: int
    end: int
    policies: tuple[PolicyPreview, ...]
    savings: tuple[PolicySavings, ...] = ()
    #: each policy's targets resolved against a repository (``preview --repo``), if asked
    targets: Mapping[str, tuple[WorkloadRef, ...]] | None = None

    def targets_of(self, name: str) -> tuple[WorkloadRef, ...] | None:
        """The resolved targets of one policy (None when targets were not resolved)."""
        return None if self.targets is None else self.targets.get(name, ())

    def savings_of(self, name: str) -> PolicySavings | None:
        """The savings estimate of one policy, if any."""
        return next((s for s in self.savings if s.policy == name), None)

    @property
    def seconds(self) -> int:
        """Length of the range."""
        return self.end - self.start


def evaluate(policy: Policy, *, start: int, end: int) -> PolicyPreview:
    """One policy over ``[start, end)``."""
    off, changes = schedule.off_and_transitions(policy, start, end)
    initial = State.OFF if start in off else State.ON
    return PolicyPreview(policy, off, initial, changes)


def build(policies: Sequence[Policy], *, start: float, end: float) -> Preview:
    """Evaluate ``policies`` over ``[start, end)`` (rounded down to whole seconds)."""
    lo, hi = math.floor(start), math.floor(end)
    if hi <= lo:
        raise ValueError("the preview range is empty: end must be after start")
    return Preview(lo, hi, tuple(evaluate(p, start=lo, end=hi) for p in policies))
