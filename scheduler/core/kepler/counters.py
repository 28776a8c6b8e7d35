"""Energy counters at grid points -> joules per grid step, exactly and honestly.

``CounterLedger`` receives, per counter (one pod/container/node series after ``max by``), the
last raw sample of each window at evaluation points (see ``queries``) and adds the per-step
differences into energy grids. Rules, in order:

* **delta**: consecutive points ``j-1, j`` give step ``j-1`` the difference ``v(j) - v(j-1)``,
  which is the exact sum of the raw sample deltas in that window (no extrapolation);
* **reset**: a drop is a counter restart. ``FROM_ZERO`` (pod/container counters, which restart
  at 0 with Kepler) counts the new value in full, as Prometheus' ``increase()`` does; ``REBASE``
  (0.10 node active/idle counters, which are re-initialised from the raw RAPL counter on a
  Kepler restart) marks the step unknown (NaN) and takes the new value as baseline, and never
  counts a newly seen series from 0 either;
* **new series**: a counter first seen at point ``j > 0`` started inside step ``j-1`` and is
  counted from 0, but only if Kepler data existed at point ``j-1`` (else the series was merely
  unobserved and its value is a baseline) and only if the value is plausible (not above the
  per-step ``bound``, derived from node energy): a counter that was running unseen during a
  scrape outage is never counted as energy of one step;
* **gap**: a counter missing at points while the cluster was scraped, then back, leaves the
  steps in between unknown (NaN): the energy of the gap cannot be placed in time;
* **end**: after its last point a counter adds nothing (0 J; the pod is gone).

Every step therefore holds the raw-sample integral, or NaN. Energy is lost only where raw
samples would lose it too (between the last sample before a reset and the reset), plus, with
more than one reset inside one window, the energy of the middle counter segment. Pure.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CounterLedger", "Fed", "ResetPolicy", "integrate_counter"]


class ResetPolicy(StrEnum):
    """What a decrease of a counter means."""

    FROM_ZERO = "from-zero"
    REBASE = "rebase"


@dataclass(slots=True)
class _Track:
    point: int
    value: float


@dataclass(frozen=True, slots=True)
class Fed:
    """What one ``feed`` call added: joules (NaN steps excluded), steps with energy, unknown steps,
    and whether the series' first point was counted from zero."""

    joules: float
    steps: int
    unknown: int
    started: bool


def _mark_unknown(sinks: Sequence[array[float]], first: int, last: int) -> int:
    for sink in sinks:
        for step in range(first, last):
            sink[step] = math.nan
    return max(0, last - first)


class CounterLedger:
    """Per-key counter state across chunks of evaluation points."""

    def __init__(
        self,
        *,
        policy: ResetPolicy,
        covered: Sequence[bool] | bytearray,
        bound: Sequence[float] | None = None,
        scale: float = 1.0,
    ) -> None:
        self._policy = policy
        self._from_zero = policy is ResetPolicy.FROM_ZERO
        self._covered = covered
        self._bound = bound
        self._scale = scale
        self._tracks: dict[Hashable, _Track] = {}

    def __len__(self) -> int:
        return len(self._tracks)

    def _plausible(self, step: int, joules: float) -> bool:
        if self._bound is None:
            return True
        limit = self._bound[step]
        return math.isnan(limit) or joules <= limit

    def feed(
        self,
        key: Hashable,
        points: Sequence[int],
        values: Sequence[float],
        *,
        sinks: Sequence[array[float]],
    ) -> Fed:
        """Add the steps closed by ``points`` (ascending grid points, values in counter units
        before ``scale``) into every array of ``sinks``."""
        track = self._tracks.get(key)
        started = False
        total = 0.0
        steps = unknown = 0
        for point, raw in zip(points, values, strict=True):
            value = raw * self._scale
            if math.isnan(value):
                continue
            joules: float | None = None
            if track is None:
                if point > 0 and self._covered[point - 1] and self._from_zero:
                    started = True
                    joules = value if self._plausible(point - 1, value) else math.nan
                track = _Track(point, value)
                self._tracks[key] = track
            elif track.point == point - 1:
                joules = value - track.value
                if joules < 0:
                    plausible = self._from_zero and self._plausible(point - 1, value)
                    joules = value if plausible else math.nan
            elif track.point < point - 1:
                unknown += _mark_unknown(sinks, track.point, point)
            else:
                continue
            track.point, track.value = point, value
            if joules is None:
                continue
            if math.isnan(joules):
                unknown += _mark_unknown(sinks, point - 1, point)
                continue
            for sink in sinks:
                sink[point - 1] += joules
            total += joules
            steps += 1
        return Fed(total, steps, unknown, started)


def integrate_counter(values: Sequence[float]) -> float:
    """Raw-sample integral of one counter: the sum of its deltas, a drop counted from 0.

    The reference the point-wise ledger is measured against (the first sample is the
    baseline; NaN samples are skipped).
    """
    total = 0.0
    previous: float | None = None
    for value in values:
        if math.isnan(value):
            continue
        if previous is not None:
            total += value - previous if value >= previous else value
        previous = value
    return total
