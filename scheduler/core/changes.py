"""What a plan does to one object: the record shared by the planner, the manifest editor, the
commit ledger and every output format (``plan --format json``, commit trailers, reports).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from scheduler.core.workloads import WorkloadRef

__all__ = ["Action", "Change", "Scalar"]

#: A YAML scalar as JSON sees it; ``None`` stands for "absent" in ``before``/``after``.
Scalar = str | int | float | bool | None


class Action(enum.StrEnum):
    """Which way a change goes."""

    SLEEP = "sleep"
    WAKE = "wake"


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one object changed by one policy.

    ``field`` is the dot path that changes (``spec.replicas``, ``spec.suspend``,
    ``spec.values.controllers.main.replicas``,
    ``metadata.annotations.autoscaling.keda.sh/paused-replicas``);
    ``before``/``after`` are its values, ``None`` meaning absent. ``note`` carries facts a
    reviewer needs, e.g. ``changed while asleep``.
    """

    target: WorkloadRef
    file: str
    policy: str
    action: Action
    field: str
    before: Scalar
    after: Scalar
    note: str = ""
