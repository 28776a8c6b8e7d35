"""The simulated clock: scrape instants, Prometheus outages, Kepler restarts, local time, and
the policies' off windows.

Scrape ``k`` happens at ``t_k = start + k * interval``; *interval* ``k`` (k >= 1) is
``[t_{k-1}, t_k)``. Load is piecewise constant per interval, evaluated at the interval's
local midpoint: the generator and the ground truth share that discretisation exactly.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from scheduler.core.intervals import IntervalSet
from scheduler.simulation.spec import PolicySpec, SimulationSpec

__all__ = ["Timeline", "build_timeline", "policy_windows"]


@dataclass(frozen=True)
class Timeline:
    """Scrape instants and per-interval local time of one simulation."""

    start: float
    interval: float
    count: int
    ok: bytearray
    kepler_down: bytearray
    hour_of_week: array[float]
    local_day: array[int]
    gaps: IntervalSet

    def t(self, k: int) -> float:
        """Instant of scrape ``k``."""
        return self.start + k * self.interval

    def first_interval(self, t: float) -> int:
        """The interval containing instant ``t`` (at least 1)."""
        return max(1, math.floor((t - self.start) / self.interval) + 1)

    def last_interval(self, t: float) -> int:
        """The last interval starting before instant ``t`` (at most ``count - 1``)."""
        return min(self.count - 1, math.ceil((t - self.start) / self.interval))

    def ok_times(self) -> array[float]:
        """Instants of the scrapes Prometheus made."""
        return array("d", (self.t(k) for k in range(self.count) if self.ok[k]))


def _gaps(spec: SimulationSpec, rng: random.Random) -> IntervalSet:
    expected = spec.gaps_per_day * spec.days
    n = 0
    threshold, product = math.exp(-expected), rng.random()
    while product > threshold:
        n += 1
        product *= rng.random()
    lo, hi = spec.gap_minutes
    out = []
    for _ in range(n):
        at = spec.start_ts + rng.random() * (spec.end_ts - spec.start_ts)
        out.append((at, at + 60.0 * rng.uniform(lo, hi)))
    return IntervalSet(out)


def build_timeline(spec: SimulationSpec) -> Timeline:
    """Scrapes, outages, Kepler restarts and local hour-of-week per interval."""
    rng = random.Random(f"{spec.seed}:timeline")
    start, dt = spec.start_ts, spec.scrape_interval
    count = math.floor((spec.end_ts - start) / dt) + 1
    gaps = _gaps(spec, rng)
    ok = bytearray(1 if (start + k * dt) not in gaps else 0 for k in range(count))
    down = bytearray(count)
    for _ in range(spec.kepler_restarts):
        down[rng.randrange(1, count)] = 1
    zone = spec.zone
    how, days = array("d"), array("l")
    for k in range(count):
        local = datetime.fromtimestamp(start + (k - 0.5) * dt, zone)
        how.append(local.weekday() * 24 + local.hour + local.minute / 60 + local.second / 3600)
        days.append(local.toordinal())
    return Timeline(start, dt, count, ok, down, how, days, gaps)


def _at(day: date, clock: time, tz: tzinfo) -> float:
    return datetime.combine(day, clock, tzinfo=tz).timestamp()


def policy_windows(policy: PolicySpec, *, tz: tzinfo, start: float, end: float) -> IntervalSet:
    """The policy's intended off windows within ``[start, end)``.

    Every night from ``sleep`` to the next ``wake`` (local time); with ``weekends`` from
    Friday's sleep to Monday's wake.
    """
    first = datetime.fromtimestamp(start, tz).date() - timedelta(days=3)
    last = datetime.fromtimestamp(end, tz).date() + timedelta(days=1)
    overnight = policy.wake <= policy.sleep
    pairs = []
    day = first
    while day <= last:
        wake_day = day + timedelta(days=1 if overnight else 0)
        if policy.weekends and day.weekday() == 4:
            wake_day += timedelta(days=2)
        if not (policy.weekends and day.weekday() >= 5):
            pairs.append((_at(day, policy.sleep, tz), _at(wake_day, policy.wake, tz)))
        day += timedelta(days=1)
    return IntervalSet(pairs).clip(start, end)
