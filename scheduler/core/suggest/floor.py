"""A workload's own activity floor: the level it shows when nothing happens.

Robust statistics over every slot observed, no fixed threshold: the *floor* is the median of
the quietest tenth of the slot values; the *noise* is the scaled median absolute deviation
(``1.4826 * MAD``) of that quietest tenth. A slot is *at the floor* when its value is at most
``floor + max(RELATIVE * floor, SPREAD * noise, epsilon)``. Counts of events (requests, replica
changes, restarts) have an absolute floor: any event in a slot is activity.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Floor", "absolute_floor", "floor_of"]

QUIET_SHARE = 0.10
RELATIVE = 0.30
SPREAD = 4.0


@dataclass(frozen=True)
class Floor:
    """The floor of one signal and the highest value still at it."""

    level: float
    threshold: float

    def to_json_dict(self) -> dict[str, float]:
        """JSON-ready."""
        return {"floor": self.level, "threshold": self.threshold}


def floor_of(values: Iterable[float], *, epsilon: float) -> Floor | None:
    """The floor of a signal's finite slot values; None without any."""
    ordered = sorted(v for v in values if v == v)
    if not ordered:
        return None
    quiet = ordered[: max(1, math.ceil(QUIET_SHARE * len(ordered)))]
    level = statistics.median(quiet)
    noise = 1.4826 * statistics.median(abs(v - level) for v in quiet)
    return Floor(level, level + max(RELATIVE * abs(level), SPREAD * noise, epsilon))


def absolute_floor(epsilon: float) -> Floor:
    """The floor of an event count: zero; anything above ``epsilon`` is activity."""
    return Floor(0.0, epsilon)
