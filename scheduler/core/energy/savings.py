"""Estimated avoided energy of one target: baseline energy over its off windows minus the
energy measured in them.

For every off window (clipped to the report period) and every grid step it overlaps, with
``o`` the overlap in seconds:

- no data (NaN step, or outside the grid): ``o`` counts as *no data*. It is neither a zero
  residual nor extrapolated; ``coverage`` says how much of the off time the figure covers.
- data but no baseline (thin bin and no trailing history): ``o`` counts as *no baseline*.
- hour-of-week bin too thin: the window's trailing baseline is used (``fallback``); trailing
  without on-time at that local hour and day type uses the lookback's plain median
  (``unmatched``, the one figure that ignores the daily cycle).
- otherwise ``baseline += median(bin) * o`` (p10 and p90 likewise) and
  ``residual += joules[i] * o / step``: a partially covered step contributes the fraction of
  its energy that falls in the window (power assumed uniform within a step).

``saved = baseline - residual`` over the covered seconds, negative when the target drew more
while "off" than it would have while on (never hidden). The p10/p90 range is the spread of
*typical* step power (as if the whole window ran at the bin's 10th/90th percentile power),
not a confidence interval for the mean. Owns the per-window arithmetic; identity and totals
live in ``targets``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from scheduler.core.energy import baseline, quantiles, weekhours
from scheduler.core.energy.baseline import BaselineMethod
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import Interval, IntervalSet

__all__ = ["SavingsEstimate", "WindowSavings", "estimate_savings"]

_Triple = tuple[float, float, float]


@dataclass(frozen=True, slots=True)
class WindowSavings:
    """The arithmetic of one off window (clipped to the period)."""

    start: float
    end: float
    covered_seconds: float
    no_data_seconds: float
    no_baseline_seconds: float
    fallback_seconds: float
    unmatched_seconds: float
    baseline_joules: float
    baseline_joules_low: float
    baseline_joules_high: float
    residual_joules: float
    measured_joules: float

    @property
    def off_seconds(self) -> float:
        """Length of the window."""
        return self.end - self.start

    @property
    def saved_joules(self) -> float | None:
        """Baseline minus residual over the covered seconds (``None`` when nothing is covered)."""
        if self.covered_seconds <= 0:
            return None
        return self.baseline_joules - self.residual_joules

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (camelCase keys)."""
        return {
            "start": self.start,
            "end": self.end,
            "offSeconds": self.off_seconds,
            "coveredSeconds": self.covered_seconds,
            "baselineJoules": self.baseline_joules,
            "residualJoules": self.residual_joules,
            "savedJoules": self.saved_joules,
        }


@dataclass(frozen=True)
class SavingsEstimate:
    """Avoided energy of one target over the off windows of one period, and how it was got."""

    method: BaselineMethod
    off_seconds: float
    covered_seconds: float
    no_data_seconds: float
    no_baseline_seconds: float
    fallback_seconds: float
    unmatched_seconds: float
    history_seconds: float
    baseline_joules: float
    baseline_joules_low: float
    baseline_joules_high: float
    residual_joules: float
    measured_joules: float | None
    windows: tuple[WindowSavings, ...] = ()
    comparison: IntervalSet = field(default_factory=IntervalSet)
    notes: tuple[str, ...] = ()

    @property
    def coverage(self) -> float | None:
        """Fraction of off time with data and a baseline (``None`` without off time)."""
        return self.covered_seconds / self.off_seconds if self.off_seconds > 0 else None

    @property
    def estimated(self) -> bool:
        """Whether any off time could be estimated (a target never off counts as estimated: 0)."""
        return self.off_seconds <= 0 or self.covered_seconds > 0

    def _per_second(self, joules: float) -> float | None:
        return joules / self.covered_seconds if self.covered_seconds > 0 else None

    @property
    def baseline_watts(self) -> float | None:
        """Mean baseline power over the covered off time."""
        return self._per_second(self.baseline_joules)

    @property
    def baseline_watts_p10(self) -> float | None:
        """Mean p10 baseline power over the covered off time."""
        return self._per_second(self.baseline_joules_low)

    @property
    def baseline_watts_p90(self) -> float | None:
        """Mean p90 baseline power over the covered off time."""
        return self._per_second(self.baseline_joules_high)

    def _saved(self, base: float) -> float | None:
        if self.off_seconds <= 0:
            return 0.0
        if self.covered_seconds <= 0:
            return None
        return base - self.residual_joules

    @property
    def saved_joules(self) -> float | None:
        """Point estimate; ``None`` means "not estimated", which is not zero."""
        return self._saved(self.baseline_joules)

    @property
    def saved_joules_low(self) -> float | None:
        """Savings with the p10 baseline."""
        return self._saved(self.baseline_joules_low)

    @property
    def saved_joules_high(self) -> float | None:
        """Savings with the p90 baseline."""
        return self._saved(self.baseline_joules_high)


@dataclass(frozen=True)
class _Context:
    grid: EnergyGrid
    history: baseline.History
    options: baseline.BaselineOptions
    hours: weekhours.GridHours
    table: tuple[_Triple | None, ...] | None
    trailing: bool
    stored: baseline.BaselineProfile | None


@dataclass(frozen=True)
class _Trailing:
    day_types: tuple[_Triple | None, ...]
    plain: _Triple


@dataclass
class _Tally:
    covered: float = 0.0
    no_data: float = 0.0
    no_baseline: float = 0.0
    fallback: float = 0.0
    unmatched: float = 0.0
    base: float = 0.0
    low: float = 0.0
    high: float = 0.0
    residual: float = 0.0
    measured: float = 0.0


def _triple(stats: quantiles.PowerStats | None) -> _Triple | None:
    return None if stats is None else _point(stats)


def _point(stats: quantiles.PowerStats) -> _Triple:
    return (stats.median, stats.p10, stats.p90)


def _lookback(ctx: _Context, start: float) -> _Trailing | None:
    if not ctx.trailing:
        return None
    stats = baseline.trailing_stats(ctx.history, before=start, options=ctx.options, hours=ctx.hours)
    if stats is None:
        return None
    return _Trailing(tuple(_triple(s) for s in stats.day_types), _point(stats.plain))


def _assess(ctx: _Context, a: float, b: float) -> WindowSavings:
    grid, tally = ctx.grid, _Tally()
    joules, start, step = grid.joules, grid.start, grid.step
    n = len(joules)
    tally.no_data += max(0.0, min(b, start) - a) + max(0.0, b - max(a, grid.end))
    first = max(0, math.floor((a - start) / step))
    stop = min(n, math.ceil((b - start) / step))
    table, bins, day_type = ctx.table, ctx.hours.bins, weekhours.DAY_TYPE_OF_BIN
    trailing: _Trailing | None = None
    looked = False
    for i in range(first, stop):
        s = start + i * step
        o = min(s + step, b) - max(s, a)
        v = joules[i]
        if o <= 0:
            continue
        if v != v:
            tally.no_data += o
            continue
        part = v * o / step
        tally.measured += part
        stats = table[bins[i]] if table is not None else None
        if stats is None:
            if not looked:
                trailing, looked = _lookback(ctx, a), True
            if trailing is None:
                tally.no_baseline += o
                continue
            stats = trailing.day_types[day_type[bins[i]]]
            if stats is None:
                stats = trailing.plain
                tally.unmatched += o
            if table is not None:
                tally.fallback += o
        tally.covered += o
        tally.base += stats[0] * o
        tally.low += stats[1] * o
        tally.high += stats[2] * o
        tally.residual += part
    return _window(a, b, tally)


def _window(a: float, b: float, tally: _Tally) -> WindowSavings:
    return WindowSavings(
        start=a,
        end=b,
        covered_seconds=tally.covered,
        no_data_seconds=tally.no_data,
        no_baseline_seconds=tally.no_baseline,
        fallback_seconds=tally.fallback,
        unmatched_seconds=tally.unmatched,
        baseline_joules=tally.base,
        baseline_joules_low=tally.low,
        baseline_joules_high=tally.high,
        residual_joules=tally.residual,
        measured_joules=tally.measured,
    )


def _context(
    grid: EnergyGrid,
    *,
    history: baseline.History,
    method: BaselineMethod,
    options: baseline.BaselineOptions,
    profile: baseline.BaselineProfile | None,
) -> _Context:
    table: tuple[_Triple | None, ...] | None = None
    tz = options.tz if profile is None else profile.tz
    hours = weekhours.grid_hours(grid.start, grid.step, len(grid.joules), tz=tz)
    stored = profile
    if method is BaselineMethod.HOUR_OF_WEEK:
        if profile is None:
            profile = baseline.build_profile(history, steps=len(grid.joules), tz=tz)
        table = tuple(_triple(s) for s in profile.filled(options.min_bin_seconds))
    trailing = method is not BaselineMethod.NONE and bool(history.indices)
    return _Context(grid, history, options, hours, table, trailing, stored)


def estimate_savings(
    grid: EnergyGrid,
    *,
    windows: IntervalSet,
    period: Interval,
    options: baseline.BaselineOptions,
    actual_off: IntervalSet | None = None,
    profile: baseline.BaselineProfile | None = None,
) -> SavingsEstimate:
    """Avoided energy of one target over ``windows`` (intended off time) within ``period``.

    ``actual_off`` (e.g. zero replicas seen by kube-state-metrics) is kept out of the on-time
    history together with ``windows``. A stored ``profile`` replaces the hour-of-week bins
    built from ``grid`` (trailing fallbacks still come from ``grid``).
    """
    excluded = windows if actual_off is None else windows.union(actual_off)
    history = baseline.on_time_history(
        grid, excluded=excluded, settle_seconds=options.settle_seconds
    )
    if options.choice is baseline.BaselineChoice.TRAILING:
        profile = None
    method = baseline.choose_method(options, history=history, stored=profile is not None)
    ctx = _context(grid, history=history, method=method, options=options, profile=profile)
    pieces = windows.clip(period.start, period.end)
    assessed = tuple(_assess(ctx, w.start, w.end) for w in pieces)
    return _combine(method, assessed, history=history, ctx=ctx)


def _combine(
    method: BaselineMethod,
    assessed: tuple[WindowSavings, ...],
    *,
    history: baseline.History,
    ctx: _Context,
) -> SavingsEstimate:
    def total(name: str) -> float:
        return math.fsum(getattr(w, name) for w in assessed)

    no_data = total("no_data_seconds")
    off = total("off_seconds")
    if method is BaselineMethod.HOUR_OF_WEEK:
        comparison = history.intervals()
    else:
        used = IntervalSet(
            (w.start - ctx.options.trailing_lookback_seconds, w.start) for w in assessed
        )
        comparison = history.intervals().intersection(used)
    estimate = SavingsEstimate(
        method=method,
        off_seconds=off,
        covered_seconds=total("covered_seconds"),
        no_data_seconds=no_data,
        no_baseline_seconds=total("no_baseline_seconds"),
        fallback_seconds=total("fallback_seconds"),
        unmatched_seconds=total("unmatched_seconds"),
        history_seconds=history.seconds,
        baseline_joules=total("baseline_joules"),
        baseline_joules_low=total("baseline_joules_low"),
        baseline_joules_high=total("baseline_joules_high"),
        residual_joules=total("residual_joules"),
        measured_joules=total("measured_joules") if no_data < off else None,
        windows=assessed,
        comparison=comparison,
    )
    return _with_notes(estimate, ctx)


def _span(seconds: float) -> str:
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            return f"{seconds / size:g} {unit}"
    return f"{seconds:g} s"


def _pct(part: float, whole: float) -> str:
    return f"{100.0 * part / whole:.1f} %"


def _method_note(e: SavingsEstimate, ctx: _Context) -> str:
    options = ctx.options
    zone = baseline.zone_name(options.tz if ctx.stored is None else ctx.stored.tz)
    if e.method is BaselineMethod.NONE:
        return "no on-time history: no baseline, savings not estimated (this is not zero)"
    if e.method is BaselineMethod.HOUR_OF_WEEK:
        days = (e.history_seconds if ctx.stored is None else ctx.stored.history_seconds) / 86400
        source = "a stored profile of" if ctx.stored is not None else "from"
        return f"hour-of-week baseline ({zone}), {source} {days:.1f} days of on-time history"
    return (
        "trailing baseline: median over the on-time in the "
        f"{_span(options.trailing_lookback_seconds)} before each off window, "
        f"at the same local hour of weekdays or weekend days ({zone})"
    )


def _share_notes(e: SavingsEstimate, options: baseline.BaselineOptions) -> list[str]:
    off, notes = e.off_seconds, []
    if e.fallback_seconds > 0:
        notes.append(
            f"trailing fallback for {_pct(e.fallback_seconds, off)} of off time: "
            f"hour-of-week bins with < {_span(options.min_bin_seconds)} of on-time history"
        )
    if e.unmatched_seconds > 0:
        notes.append(
            "no on-time at the same local hour before the window for "
            f"{_pct(e.unmatched_seconds, off)} of off time: plain trailing median "
            "used, which ignores the daily cycle (overestimates if on-time is busier)"
        )
    if e.no_data_seconds > 0:
        notes.append(
            f"no energy data for {_pct(e.no_data_seconds, off)} of off time: "
            "not counted, not extrapolated"
        )
    if e.no_baseline_seconds > 0 and e.method is not BaselineMethod.NONE:
        notes.append(
            f"no baseline for {_pct(e.no_baseline_seconds, off)} of off time: "
            "too little on-time before those windows"
        )
    return notes


def _with_notes(e: SavingsEstimate, ctx: _Context) -> SavingsEstimate:
    notes = [_method_note(e, ctx)]
    if e.off_seconds > 0:
        notes += _share_notes(e, ctx.options)
    saved = e.saved_joules
    if saved is not None and saved < 0:
        notes.append(
            f"residual exceeds baseline: {e.residual_joules:.0f} J measured while off "
            f"vs a baseline of {e.baseline_joules:.0f} J"
        )
    return dataclasses.replace(e, notes=tuple(notes))
