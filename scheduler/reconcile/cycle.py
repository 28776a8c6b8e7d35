"""One daemon cycle's outcome: what the loop logs, exports and schedules from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from scheduler.core.changes import Change

__all__ = ["CycleReport"]


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
