"""Expected avoided energy of a schedule that has not run yet (``offhours preview``).

Given a target's ``BaselineProfile`` from recent history and the policy's off intervals for
the coming week, the forecast is the profile's power over those intervals: the hour-of-week
median of each hour the schedule would switch off (``auto`` picks hour-of-week once the history
spans 14 days), otherwise the median of the same local hour of weekdays or weekend days. A thin
bin falls back to the day-type hour, then to the median over all on-time history.
``residual_watts`` (e.g. the mean residual power of past off windows) is subtracted if known;
by default the forecast assumes the pods stop at once. Always labelled an estimate.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from scheduler.core.energy import baseline, quantiles, weekhours
from scheduler.core.energy.baseline import BaselineMethod
from scheduler.core.intervals import IntervalSet

__all__ = ["LABEL", "WeeklyForecast", "combine", "forecast_week", "seconds_by_bin"]

LABEL = "estimate: baseline power of recent on-time history over the scheduled off time"


@dataclass(frozen=True)
class WeeklyForecast:
    """Expected avoided energy of one target (or a sum of targets) for the scheduled off time."""

    method: BaselineMethod | None
    off_seconds: float
    estimated_seconds: float
    fallback_seconds: float
    joules: float | None
    joules_low: float | None
    joules_high: float | None

    def to_json_dict(self) -> dict[str, Any]:
        """The forecast as reported."""
        return {
            "label": LABEL,
            "method": "mixed" if self.method is None else str(self.method),
            "offSeconds": self.off_seconds,
            "estimatedSeconds": self.estimated_seconds,
            "fallbackSeconds": self.fallback_seconds,
            "joules": self.joules,
            "joulesLow": self.joules_low,
            "joulesHigh": self.joules_high,
        }


def _method(
    profile: baseline.BaselineProfile | None, options: baseline.BaselineOptions
) -> BaselineMethod:
    if profile is None or profile.overall is None:
        return BaselineMethod.NONE
    if options.choice is baseline.BaselineChoice.TRAILING:
        return BaselineMethod.TRAILING
    if options.choice is baseline.BaselineChoice.HOUR_OF_WEEK:
        return BaselineMethod.HOUR_OF_WEEK
    if profile.history_span_seconds >= options.min_history_seconds:
        return BaselineMethod.HOUR_OF_WEEK
    return BaselineMethod.TRAILING


@functools.lru_cache(maxsize=256)
def seconds_by_bin(off: IntervalSet, tz: tzinfo, resolution: float = 300.0) -> tuple[float, ...]:
    """Seconds of ``off`` in each local hour-of-week bin (chunks of ``resolution`` seconds).

    Cached: every target of a policy shares the policy's off intervals.
    """
    seconds = [0.0] * weekhours.HOURS_PER_WEEK
    for w in off:
        t = w.start
        while t < w.end:
            dt = min(resolution, w.end - t)
            seconds[weekhours.hour_of_week(t + dt / 2, tz)] += dt
            t += dt
    return tuple(seconds)


def forecast_week(
    profile: baseline.BaselineProfile | None,
    *,
    off: IntervalSet,
    options: baseline.BaselineOptions,
    residual_watts: float = 0.0,
) -> WeeklyForecast:
    """Expected avoided energy of ``off`` (the coming week's off intervals) for one target."""
    method = _method(profile, options)
    off_seconds = off.total()
    if profile is None or profile.overall is None or method is BaselineMethod.NONE:
        return WeeklyForecast(method, off_seconds, 0.0, 0.0, None, None, None)
    overall = profile.overall
    filled: tuple[quantiles.PowerStats | None, ...] = (None,) * weekhours.HOURS_PER_WEEK
    if method is BaselineMethod.HOUR_OF_WEEK:
        filled = profile.filled(options.min_bin_seconds)
    day_types = profile.filled_day_types(options.min_bin_seconds)
    point = low = high = fallback = 0.0
    for b, dt in enumerate(seconds_by_bin(off, profile.tz)):
        if dt <= 0:
            continue
        stats = filled[b]
        if stats is None:
            stats = day_types[weekhours.DAY_TYPE_OF_BIN[b]] or overall
            fallback += dt if method is BaselineMethod.HOUR_OF_WEEK else 0.0
        point += (stats.median - residual_watts) * dt
        low += (stats.p10 - residual_watts) * dt
        high += (stats.p90 - residual_watts) * dt
    return WeeklyForecast(method, off_seconds, off_seconds, fallback, point, low, high)


def combine(forecasts: Iterable[WeeklyForecast]) -> WeeklyForecast:
    """The sum of several targets' forecasts (e.g. one policy); unestimated ones are skipped.

    The method is the targets' common one, ``None`` ("mixed") when they differ.
    """
    rows = list(forecasts)
    known = [f for f in rows if f.joules is not None]
    methods = {f.method for f in known}
    method = methods.pop() if len(methods) == 1 else None if known else BaselineMethod.NONE

    def total(values: Iterable[float | None]) -> float | None:
        return math.fsum(v for v in values if v is not None) if known else None

    return WeeklyForecast(
        method=method,
        off_seconds=math.fsum(f.off_seconds for f in rows),
        estimated_seconds=math.fsum(f.estimated_seconds for f in known),
        fallback_seconds=math.fsum(f.fallback_seconds for f in known),
        joules=total(f.joules for f in known),
        joules_low=total(f.joules_low for f in known),
        joules_high=total(f.joules_high for f in known),
    )
