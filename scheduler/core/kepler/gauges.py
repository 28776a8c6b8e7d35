"""Energy from Kepler <=0.3 "current energy" gauges: an estimate from sampled power.

Kepler <=0.3 (2022) exported ``pod_curr_energy_in_{pkg,dram}_millijoule``: the energy of the
last **3-second** sample period, as a gauge. Prometheus sees one such value per scrape, so the
energy of a window is estimated as mean sampled power x window length:

    joules(window) = sum(samples_mJ) / 1000 / 3 s x (window / reference_samples)

where ``window / reference_samples`` is the scrape interval, measured per window as the largest
number of samples any pod series had in it. A pod present for part of a window contributes its
own samples only. Node gauges ``node_curr_energy_in_*_joule`` are joules per sample period and
use the same formula with unit 1. The ``pod_total_*`` counters of that era hold values near
2^62 (an unsigned underflow) and are never read. Pure.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence

from scheduler.core.kepler.counters import Fed

__all__ = ["MILLIJOULE", "SAMPLE_PERIOD_SECONDS", "feed_gauge", "power_watts"]

SAMPLE_PERIOD_SECONDS = 3.0
MILLIJOULE = 0.001


def power_watts(sample: float, *, unit_joules: float = MILLIJOULE) -> float:
    """Mean power of one "current energy" sample (e.g. 387 mJ per 3 s -> 0.129 W)."""
    return sample * unit_joules / SAMPLE_PERIOD_SECONDS


def feed_gauge(
    points: Sequence[int],
    sums: Sequence[float],
    *,
    reference: Sequence[float],
    step: float,
    unit_joules: float,
    sinks: Sequence[array[float]],
) -> Fed:
    """Add the estimated joules of the windows closed by ``points`` into ``sinks``.

    ``sums`` are per-window sums of gauge samples; ``reference[point]`` is the sample count of a
    series present in the whole window (NaN or 0: no data, the step is left untouched).
    """
    total = 0.0
    steps = unknown = 0
    for point, value in zip(points, sums, strict=True):
        if point == 0 or math.isnan(value):
            continue
        samples = reference[point]
        if math.isnan(samples) or samples <= 0:
            unknown += 1
            continue
        joules = power_watts(value, unit_joules=unit_joules) * step / samples
        for sink in sinks:
            sink[point - 1] += joules
        total += joules
        steps += 1
    return Fed(total, steps, unknown, started=False)
