"""Energy counters at grid points -> joules per grid step, exactly and honestly.

``CounterLedger`` receives, per counter (one pod/container/node series after ``max by``), its
last raw sample at or before each evaluation point, looked back over at least one step (see
``queries``), and adds the per-step differences into energy grids. Rules, in order:

* **delta**: consecutive points ``j-1, j`` give step ``j-1`` the difference ``v(j) - v(j-1)``,
  which is the exact sum of the raw sample deltas of the samples in ``(t(j-1), t(j)]`` (no
  extrapolation); a step without samples gets 0 J;
* **reset**: a drop is a counter restart. ``FROM_ZERO`` (pod/container counters, which restart
  at 0 with Kepler) counts the new value in full, as Prometheus' ``increase()`` does; ``REBASE``
  (0.10 node active/idle counters, which are re-initialised from the raw RAPL counter on a
  Kepler restart) marks the step unknown (NaN) and takes the new value as baseline, and never
  counts a newly seen series from 0 either;
* **first point**: the rules of ``edges`` (seen at point 0: baseline from before the period;
  later: counted from 0 when kube-state-metrics says its pod started after the previous
  point's lookback began (``Horizon``), or, without a start time, when Kepler data existed at
  the previous point and the value is plausible, i.e. not above the per-step ``bound``
  derived from node energy; else a baseline). ``Fed.rule`` says which;
* **gap**: a counter missing at points (no sample within the lookback) while the cluster was
  scraped, then back, leaves the steps in between unknown (NaN): the energy of the gap cannot
  be placed in time;
* **end**: after its last point a counter adds nothing (0 J; the pod is gone).

Every step therefore holds the raw-sample integral, or NaN. Energy is lost only where raw
samples would lose it too (between the last sample before a reset and the reset), plus, with
more than one reset inside one step, the energy of the middle counter segment. Pure.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from scheduler.core.kepler.edges import Horizon, StartRule

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
    """What one ``feed`` call added: joules (NaN steps excluded), steps with energy, unknown
    steps, the rule applied at the series' first point (None if not in this call), and the last
    point whose step received energy (-1: none)."""

    joules: float
    steps: int
    unknown: int
    rule: StartRule | None = None
    last_change: int = -1

    @property
    def started(self) -> bool:
        """Whether the series' first point was counted from zero."""
        return self.rule is not None and self.rule.counted_from_zero


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
        horizon: Horizon | None = None,
    ) -> None:
        self._policy = policy
        self._horizon = horizon
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

    def first_rule(self, point: int, value: float, *, started_at: float | None) -> StartRule:
        """The ``edges`` rule for a series first seen at ``point`` with ``value`` (joules);
        ``started_at``: its pod's ``kube_pod_start_time`` (None: unknown)."""
        if point == 0:
            return StartRule.BEFORE
        if not self._from_zero:
            return StartRule.NO_EARLIER_DATA
        if started_at is not None and self._horizon is not None:
            unseen = self._horizon.started_unseen(point, started_at)
            return StartRule.STARTED_KSM if unseen else StartRule.EXISTED_KSM
        if not self._covered[point - 1]:
            return StartRule.NO_EARLIER_DATA
        if not self._plausible(point - 1, value):
            return StartRule.IMPLAUSIBLE
        return StartRule.STARTED_NEW

    def _first_joules(self, rule: StartRule, value: float) -> float | None:
        if rule.counted_from_zero:
            return value
        return math.nan if rule is StartRule.IMPLAUSIBLE else None

    def _step_joules(self, track: _Track, value: float, point: int) -> float:
        joules = value - track.value
        if joules >= 0:
            return joules
        plausible = self._from_zero and self._plausible(point - 1, value)
        return value if plausible else math.nan

    def feed(
        self,
        key: Hashable,
        points: Sequence[int],
        values: Sequence[float],
        *,
        sinks: Sequence[array[float]],
        started_at: float | None = None,
    ) -> Fed:
        """Add the steps closed by ``points`` (ascending grid points, values in counter units
        before ``scale``) into every array of ``sinks``; ``started_at`` as in
        ``first_rule``."""
        track = self._tracks.get(key)
        books = _Books(sinks)
        for point, raw in zip(points, values, strict=True):
            value = raw * self._scale
            if math.isnan(value) or (track is not None and track.point >= point):
                continue
            if track is None:
                books.rule = self.first_rule(point, value, started_at=started_at)
                joules = self._first_joules(books.rule, value)
                track = self._tracks[key] = _Track(point, value)
            elif track.point == point - 1:
                joules = self._step_joules(track, value, point)
            else:  # missing at the points in between: a gap
                books.unknown += _mark_unknown(sinks, track.point, point)
                joules = None
            track.point, track.value = point, value
            books.add(point, joules)
        return books.fed()


@dataclass(slots=True)
class _Books:
    """What one ``feed`` call adds to its sinks."""

    sinks: Sequence[array[float]]
    rule: StartRule | None = None
    total: float = 0.0
    steps: int = 0
    unknown: int = 0
    last_change: int = -1

    def add(self, point: int, joules: float | None) -> None:
        """Book ``joules`` on the step closed by ``point`` (None: nothing; NaN: unknown)."""
        if joules is None:
            return
        if math.isnan(joules):
            self.unknown += _mark_unknown(self.sinks, point - 1, point)
            return
        for sink in self.sinks:
            sink[point - 1] += joules
        self.total += joules
        self.steps += 1
        if joules > 0:
            self.last_change = point

    def fed(self) -> Fed:
        """The summary of this call."""
        return Fed(self.total, self.steps, self.unknown, self.rule, self.last_change)


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
