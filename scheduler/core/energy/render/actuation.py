"""How late the cluster followed the ledger: intended off windows against actual zero replicas.

For each intended off window ``[s, e)`` (from offhours' own commits) and the actual off
intervals (kube-state-metrics: desired replicas 0, or suspended) of the same target:

- *sleep lag* = start of the first actual off interval overlapping the window minus ``s``
  (negative when the target was already at zero before the commit);
- *wake lag* = end of the last actual off interval overlapping the window minus ``e`` (the
  time the target stayed at zero after the wake commit);
- a window with state samples but no actual off time is *missed* (the target never went to
  zero); one without any state sample is *unobserved* and gives no lag.

A lag whose edge lies at the end of the state data (e.g. the report ends before the wake was
seen), or a wake at the very end of the period (nothing after it is read), is not counted.
Pure: intervals in, figures out.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from scheduler.core.intervals import Interval, IntervalSet

__all__ = ["Actuation", "actuation"]

_EDGE = 1.0


@dataclass(frozen=True, slots=True)
class Actuation:
    """Intended against actual off time of one target over a period, and the lags."""

    intended_seconds: float
    actual_seconds: float
    overlap_seconds: float
    windows: int
    missed: int
    unobserved: int
    sleep_lags: tuple[float, ...]
    wake_lags: tuple[float, ...]

    @staticmethod
    def _median(values: tuple[float, ...]) -> float | None:
        return statistics.median(values) if values else None

    @property
    def sleep_lag_median(self) -> float | None:
        """Median seconds from the sleep commit to zero replicas (``None``: no window seen)."""
        return self._median(self.sleep_lags)

    @property
    def wake_lag_median(self) -> float | None:
        """Median seconds from the wake commit to replicas back (``None``: none seen)."""
        return self._median(self.wake_lags)

    @property
    def sleep_lag_max(self) -> float | None:
        """Longest sleep lag."""
        return max(self.sleep_lags) if self.sleep_lags else None

    @property
    def wake_lag_max(self) -> float | None:
        """Longest wake lag."""
        return max(self.wake_lags) if self.wake_lags else None

    @property
    def outside_seconds(self) -> float:
        """Actual off time outside the intended windows (lags, manual scale-downs)."""
        return self.actual_seconds - self.overlap_seconds

    def to_json_dict(self) -> dict[str, Any]:
        """The figures as reported (camelCase keys, seconds)."""
        return {
            "intendedOffSeconds": self.intended_seconds,
            "actualOffSeconds": self.actual_seconds,
            "overlapSeconds": self.overlap_seconds,
            "actualOutsideIntendedSeconds": self.outside_seconds,
            "windows": self.windows,
            "missedWindows": self.missed,
            "unobservedWindows": self.unobserved,
            "sleepLagMedianSeconds": self.sleep_lag_median,
            "sleepLagMaxSeconds": self.sleep_lag_max,
            "wakeLagMedianSeconds": self.wake_lag_median,
            "wakeLagMaxSeconds": self.wake_lag_max,
        }


def _run_of(observed: IntervalSet, t: float) -> Interval | None:
    """The observed run containing (or ending at) ``t``."""
    return next((o for o in observed if o.start <= t <= o.end), None)


def _window_lags(
    w: Interval, actual: IntervalSet, observed: IntervalSet
) -> tuple[str, float | None, float | None]:
    """``(outcome, sleep lag, wake lag)`` of one intended window; an edge that coincides
    with the start or end of the state data is unknown (``None``)."""
    if not observed.clip(w.start, w.end):
        return "unobserved", None, None
    touching = [a for a in actual if a.start < w.end and a.end > w.start]
    if not touching:
        return "missed", None, None
    first, last = touching[0], touching[-1]
    run = _run_of(observed, first.start)
    sleep = None if run is None or first.start <= run.start + _EDGE else first.start - w.start
    run = _run_of(observed, last.end)
    wake = None if run is None or last.end >= run.end - _EDGE else last.end - w.end
    return "matched", sleep, wake


def actuation(
    intended: IntervalSet, actual: IntervalSet, *, observed: IntervalSet, period: Interval
) -> Actuation:
    """Intended vs actual off time within ``period``, with per-window lags.

    ``intended`` and ``actual`` may reach outside the period (a window that started before it
    is judged whole); seconds are counted inside the period only.
    """
    inside = intended.clip(period.start, period.end)
    actual_in = actual.clip(period.start, period.end)
    sleeps: list[float] = []
    wakes: list[float] = []
    missed = unobserved = 0
    windows = [w for w in intended if w.start < period.end and w.end > period.start]
    for w in windows:
        outcome, sleep, wake = _window_lags(w, actual, observed)
        missed += outcome == "missed"
        unobserved += outcome == "unobserved"
        if sleep is not None and w.start >= period.start:
            sleeps.append(sleep)
        if wake is not None and w.end < period.end:
            wakes.append(wake)
    return Actuation(
        intended_seconds=inside.total(),
        actual_seconds=actual_in.total(),
        overlap_seconds=inside.intersection(actual_in).total(),
        windows=len(windows),
        missed=missed,
        unobserved=unobserved,
        sleep_lags=tuple(sleeps),
        wake_lags=tuple(wakes),
    )
