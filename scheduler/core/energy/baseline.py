"""The always-on baseline: what a target would have drawn had it stayed on.

Two methods, both from *measured* power while the target was on; the point is the median of
hourly mean power over the hour occurrences that qualify, the range the p10/p90 of step power
(``quantiles``):

- ``hour-of-week``: one bin per local hour of the week (``weekhours``); a bin's median is the
  baseline for off time falling in that hour. Chosen by ``auto`` when the on-time history spans
  at least ``min_history_seconds`` (14 days: every hour of the week could be seen twice). A bin
  with less than ``min_bin_seconds`` of history falls back to ``trailing`` for that bin.
- ``trailing``: the median over the on-time in the ``trailing_lookback_seconds`` preceding each
  off window (at least ``min_trailing_seconds`` of it), taken at the same local hour of the
  day and day type (weekday or weekend) as the off time it stands for, so that a daytime
  history does not pass for the night; where the lookback holds less than ``min_bin_seconds``
  of that hour, the median over all of the lookback's on-time (which ignores the daily cycle,
  and says so). Without enough on-time before a window there is no baseline for it.

*On-time history* is every grid step that has data (not NaN) and lies entirely outside every
excluded interval (intended and actual off time) widened by ``settle_seconds`` on both sides,
so shutdown and start-up tails never enter the baseline.

A ``BaselineProfile`` (168 hour-of-week bins, 48 day-type hours and overall stats) can be
stored as JSON and reused, e.g. one computed before offhours was adopted: once nights are off,
Prometheus retention eventually holds no always-on night at all. Owns history selection and
profiles; applying them to off windows is ``savings``.
"""

from __future__ import annotations

import bisect
import math
from array import array
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from enum import StrEnum
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from scheduler.core.energy import quantiles, weekhours
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import IntervalSet

__all__ = [
    "BaselineChoice",
    "BaselineConfig",
    "BaselineMethod",
    "BaselineOptions",
    "BaselineProfile",
    "History",
    "TrailingStats",
    "build_profile",
    "choose_method",
    "on_time_history",
    "trailing_stats",
    "zone_name",
]

DAY = 86400.0


class BaselineMethod(StrEnum):
    """How a target's baseline was obtained (reported per target)."""

    HOUR_OF_WEEK = "hour-of-week"
    TRAILING = "trailing"
    NONE = "none"
    CCF = "ccf-estimate"


class BaselineConfig(Protocol):
    """What ``BaselineOptions.from_config`` reads (``EnergySettings`` has these fields)."""

    @property
    def baseline_method(self) -> str: ...
    @property
    def baseline_min_history_days(self) -> float: ...
    @property
    def baseline_trailing_lookback_days(self) -> float: ...
    @property
    def baseline_settle_minutes(self) -> float: ...
    @property
    def baseline_min_bin_minutes(self) -> float: ...
    @property
    def baseline_min_trailing_minutes(self) -> float: ...


class BaselineChoice(StrEnum):
    """The configured method: ``auto`` picks hour-of-week once the history is long enough."""

    AUTO = "auto"
    HOUR_OF_WEEK = "hour-of-week"
    TRAILING = "trailing"


@dataclass(frozen=True)
class BaselineOptions:
    """How baselines are estimated (all durations in seconds)."""

    tz: tzinfo = UTC
    choice: BaselineChoice = BaselineChoice.AUTO
    min_history_seconds: float = 14 * DAY
    trailing_lookback_seconds: float = 14 * DAY
    settle_seconds: float = 900.0
    min_bin_seconds: float = 3600.0
    min_trailing_seconds: float = 3600.0

    @classmethod
    def from_config(cls, config: BaselineConfig, *, tz: tzinfo) -> BaselineOptions:
        """Options from configuration in days and minutes, for policies running in ``tz``."""
        return cls(
            tz=tz,
            choice=BaselineChoice(config.baseline_method),
            min_history_seconds=config.baseline_min_history_days * DAY,
            trailing_lookback_seconds=config.baseline_trailing_lookback_days * DAY,
            settle_seconds=config.baseline_settle_minutes * 60.0,
            min_bin_seconds=config.baseline_min_bin_minutes * 60.0,
            min_trailing_seconds=config.baseline_min_trailing_minutes * 60.0,
        )

    def __post_init__(self) -> None:
        for name in (
            "min_history_seconds",
            "trailing_lookback_seconds",
            "settle_seconds",
            "min_bin_seconds",
            "min_trailing_seconds",
        ):
            value = getattr(self, name)
            if not value >= 0:
                raise ValueError(f"baseline option {name} must be >= 0 seconds, got {value}")


@dataclass(frozen=True)
class History:
    """On-time samples of one grid: ascending step indices and their power in watts."""

    start: float
    step: float
    indices: array[int]
    watts: array[float]

    @property
    def seconds(self) -> float:
        """Seconds of on-time history."""
        return len(self.indices) * self.step

    @property
    def span_seconds(self) -> float:
        """From the start of the first to the end of the last on-time step (0 if none)."""
        if not self.indices:
            return 0.0
        return (self.indices[-1] - self.indices[0] + 1) * self.step

    def intervals(self) -> IntervalSet:
        """The on-time history as instants (consecutive steps merged)."""
        runs: list[tuple[float, float]] = []
        first = prev = -2
        for i in self.indices:
            if i != prev + 1:
                if prev >= 0:
                    runs.append(
                        (self.start + first * self.step, self.start + (prev + 1) * self.step)
                    )
                first = i
            prev = i
        if prev >= 0:
            runs.append((self.start + first * self.step, self.start + (prev + 1) * self.step))
        return IntervalSet(runs)

    def window(self, lo: float, hi: float) -> tuple[int, int]:
        """Positions ``[a, b)`` of the samples whose step lies entirely within ``[lo, hi)``."""
        first = math.ceil((lo - self.start) / self.step)
        stop = math.floor((hi - self.start) / self.step)
        return bisect.bisect_left(self.indices, first), bisect.bisect_left(self.indices, stop)


def _blocked(grid: EnergyGrid, excluded: IntervalSet, settle: float) -> bytearray:
    n = len(grid.joules)
    mask = bytearray(n)
    for s, e in excluded.pairs:
        lo = max(0, math.floor((s - settle - grid.start) / grid.step))
        hi = min(n, math.ceil((e + settle - grid.start) / grid.step))
        if hi > lo:
            mask[lo:hi] = b"\x01" * (hi - lo)
    return mask


def on_time_history(grid: EnergyGrid, *, excluded: IntervalSet, settle_seconds: float) -> History:
    """The steps with data that lie entirely outside ``excluded`` widened by the settle margin."""
    mask = _blocked(grid, excluded, settle_seconds)
    joules = grid.joules
    indices = array("l", (i for i, v in enumerate(joules) if not mask[i] and v == v))
    inverse = 1.0 / grid.step
    watts = array("d", (joules[i] * inverse for i in indices))
    return History(grid.start, grid.step, indices, watts)


def zone_name(tz: tzinfo) -> str:
    """The IANA key of a zone (``UTC`` for the UTC singleton)."""
    key = getattr(tz, "key", None)
    if isinstance(key, str):
        return key
    if tz == UTC:
        return "UTC"
    return str(tz)


def _filled(
    stats: tuple[quantiles.PowerStats | None, ...], min_seconds: float
) -> tuple[quantiles.PowerStats | None, ...]:
    return tuple(b if b is not None and b.seconds >= min_seconds else None for b in stats)


def _stats(rows: list[dict[str, Any] | None]) -> tuple[quantiles.PowerStats | None, ...]:
    return tuple(None if b is None else quantiles.PowerStats.from_json_dict(b) for b in rows)


@dataclass(frozen=True)
class BaselineProfile:
    """Per hour-of-week and overall power stats of one target's on-time history."""

    tz: tzinfo
    bins: tuple[quantiles.PowerStats | None, ...]
    day_types: tuple[quantiles.PowerStats | None, ...]
    overall: quantiles.PowerStats | None
    history_seconds: float
    history_span_seconds: float

    def __post_init__(self) -> None:
        if len(self.bins) != weekhours.HOURS_PER_WEEK:
            raise ValueError(f"a profile has 168 hour-of-week bins, got {len(self.bins)}")
        if len(self.day_types) != weekhours.DAY_TYPE_HOURS:
            raise ValueError(f"a profile has 48 day-type hours, got {len(self.day_types)}")

    def filled(self, min_bin_seconds: float) -> tuple[quantiles.PowerStats | None, ...]:
        """The bins with at least ``min_bin_seconds`` of history; thin ones are ``None``."""
        return _filled(self.bins, min_bin_seconds)

    def filled_day_types(self, min_bin_seconds: float) -> tuple[quantiles.PowerStats | None, ...]:
        """The day-type hours with at least ``min_bin_seconds`` of history."""
        return _filled(self.day_types, min_bin_seconds)

    def to_json_dict(self) -> dict[str, Any]:
        """A JSON-ready dict, e.g. to store a pre-adoption baseline next to the ledger."""
        return {
            "tz": zone_name(self.tz),
            "historySeconds": self.history_seconds,
            "historySpanSeconds": self.history_span_seconds,
            "overall": None if self.overall is None else self.overall.to_json_dict(),
            "bins": [None if b is None else b.to_json_dict() for b in self.bins],
            "dayTypes": [None if b is None else b.to_json_dict() for b in self.day_types],
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> BaselineProfile:
        """Rebuild a profile written by ``to_json_dict``."""
        name = str(data["tz"])
        return cls(
            tz=UTC if name == "UTC" else ZoneInfo(name),
            bins=_stats(data["bins"]),
            day_types=_stats(data["dayTypes"]),
            overall=None
            if data["overall"] is None
            else quantiles.PowerStats.from_json_dict(data["overall"]),
            history_seconds=float(data["historySeconds"]),
            history_span_seconds=float(data["historySpanSeconds"]),
        )


MIN_HOUR_SECONDS = 1800.0


@dataclass
class _Group:
    """Step powers, and mean power per hour occurrence (full: >= 30 min of on-time)."""

    watts: list[float] = field(default_factory=list)
    full: list[float] = field(default_factory=list)
    partial: list[float] = field(default_factory=list)

    def merge(self, other: _Group) -> None:
        self.watts.extend(other.watts)
        self.full.extend(other.full)
        self.partial.extend(other.partial)

    def stats(self, step: float) -> quantiles.PowerStats | None:
        """Step quantiles, and the median of full hour occurrences (else of all of them)."""
        return quantiles.power_stats(self.watts, step=step, hour_means=self.full or self.partial)


def _grouped(
    history: History, hours: weekhours.GridHours, *, start: int = 0, stop: int | None = None
) -> tuple[list[_Group], list[_Group], _Group]:
    """Group samples by hour-of-week bin, day-type hour and overall.

    History samples are in time order, so the samples of one hour occurrence are a run.
    """
    by_bin = [_Group() for _ in range(weekhours.HOURS_PER_WEEK)]
    bins, clock, step = hours.bins, hours.hours, history.step
    indices, watts = history.indices, history.watts
    stop = len(indices) if stop is None else stop
    first, current = start, -1
    for j in range(start, stop + 1):
        hour = clock[indices[j]] if j < stop else -2
        if hour == current:
            continue
        if j > first:
            group = by_bin[bins[indices[first]]]
            run = watts[first:j]
            group.watts.extend(run)
            means = group.full if len(run) * step >= MIN_HOUR_SECONDS else group.partial
            means.append(sum(run) / len(run))
        first, current = j, hour
    by_type = [_Group() for _ in range(weekhours.DAY_TYPE_HOURS)]
    every = _Group()
    for b, group in enumerate(by_bin):
        by_type[weekhours.DAY_TYPE_OF_BIN[b]].merge(group)
        every.merge(group)
    return by_bin, by_type, every


def build_profile(history: History, *, steps: int, tz: tzinfo) -> BaselineProfile:
    """Hour-of-week, day-type and overall stats of a history from a grid of ``steps`` steps."""
    hours = weekhours.grid_hours(history.start, history.step, steps, tz=tz)
    by_bin, by_type, every = _grouped(history, hours)
    return BaselineProfile(
        tz=tz,
        bins=tuple(g.stats(history.step) for g in by_bin),
        day_types=tuple(g.stats(history.step) for g in by_type),
        overall=every.stats(history.step),
        history_seconds=history.seconds,
        history_span_seconds=history.span_seconds,
    )


def choose_method(options: BaselineOptions, *, history: History, stored: bool) -> BaselineMethod:
    """The method for one target: the configured one, or ``auto``'s pick; ``none`` without data."""
    if options.choice is BaselineChoice.TRAILING:
        return BaselineMethod.TRAILING if history.indices else BaselineMethod.NONE
    if stored or options.choice is BaselineChoice.HOUR_OF_WEEK:
        return BaselineMethod.HOUR_OF_WEEK if stored or history.indices else BaselineMethod.NONE
    if not history.indices:
        return BaselineMethod.NONE
    if history.span_seconds >= options.min_history_seconds:
        return BaselineMethod.HOUR_OF_WEEK
    return BaselineMethod.TRAILING


@dataclass(frozen=True)
class TrailingStats:
    """The lookback before one off window: per day-type hour (thin ones ``None``) and in all."""

    day_types: tuple[quantiles.PowerStats | None, ...]
    plain: quantiles.PowerStats


def trailing_stats(
    history: History, *, before: float, options: BaselineOptions, hours: weekhours.GridHours
) -> TrailingStats | None:
    """Stats of the on-time in the lookback before ``before``; ``None`` if too little of it.

    ``hours`` are the bins and clock hours of the grid the history comes from.
    """
    a, b = history.window(before - options.trailing_lookback_seconds, before)
    if (b - a) * history.step < max(options.min_trailing_seconds, history.step):
        return None
    _, by_type, every = _grouped(history, hours, start=a, stop=b)
    plain = every.stats(history.step)
    if plain is None:
        return None
    day_types = tuple(g.stats(history.step) for g in by_type)
    return TrailingStats(_filled(day_types, options.min_bin_seconds), plain)
