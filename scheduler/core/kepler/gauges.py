"""Energy from Kepler <=0.3 "current energy" gauges: an estimate from sampled power.

Kepler <=0.3 (2022) exported ``pod_curr_energy_in_{pkg,dram}_millijoule``: the energy of the
last **3-second** sample period, as a gauge. Prometheus sees one such value per scrape, so each
sample stands for the time since the previous scrape at its mean power:

    joules(step) = sum(samples_mJ in the step) / 1000 / 3 s x (span / reference_samples)

where ``span`` is the step and ``span / reference_samples`` the scrape interval, measured per
step as the largest number of samples any pod series had in it (so the step must not be
shorter than the scrape interval: ``resolution`` sees to that for this schema), or the
scrape interval measured over the whole period when the caller has it (``interval``: a step
that is not a whole number of scrapes then still weighs each sample the same). A pod present
for part of a step contributes its own samples only; at the period's edges the samples in
``(from, until]`` count, as for counters. Node gauges ``node_curr_energy_in_*_joule`` are
joules per sample period and use the same formula with unit 1. The ``pod_total_*`` counters
of that era hold values near 2^62 (an unsigned underflow) and are never read. Pure.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

from scheduler.core.kepler.counters import Fed

__all__ = ["MILLIJOULE", "SAMPLE_PERIOD_SECONDS", "SampleWeight", "feed_gauge", "power_watts"]

SAMPLE_PERIOD_SECONDS = 3.0
MILLIJOULE = 0.001


def power_watts(sample: float, *, unit_joules: float = MILLIJOULE) -> float:
    """Mean power of one "current energy" sample (e.g. 387 mJ per 3 s -> 0.129 W)."""
    return sample * unit_joules / SAMPLE_PERIOD_SECONDS


@dataclass(frozen=True)
class SampleWeight:
    """Seconds one gauge sample stands for, per step.

    ``reference[point]``: the sample count of a series present in the whole step of ``span``
    seconds closed by ``point`` (NaN or 0: no data); ``interval`` (seconds per sample), when
    known, replaces ``span / reference[point]``.
    """

    reference: Sequence[float]
    span: float
    interval: float | None = None

    def seconds(self, point: int) -> float | None:
        """The weight of a sample in the step closed by ``point``; None: no data there."""
        samples = self.reference[point]
        if math.isnan(samples) or samples <= 0:
            return None
        return self.interval if self.interval else self.span / samples


def feed_gauge(
    points: Sequence[int],
    sums: Sequence[float],
    *,
    weight: SampleWeight,
    unit_joules: float,
    sinks: Sequence[array[float]],
) -> Fed:
    """Add the estimated joules of the steps closed by ``points`` into ``sinks``; ``sums`` are
    per-step sums of gauge samples (a step without data is left untouched)."""
    total = 0.0
    steps = unknown = 0
    last_change = -1
    for point, value in zip(points, sums, strict=True):
        if point == 0 or math.isnan(value):
            continue
        seconds = weight.seconds(point)
        if seconds is None:
            unknown += 1
            continue
        joules = power_watts(value, unit_joules=unit_joules) * seconds
        for sink in sinks:
            sink[point - 1] += joules
        total += joules
        steps += 1
        if joules > 0:
            last_change = point
    return Fed(total, steps, unknown, last_change=last_change)
