"""Baseline profiles of many targets from recent history: one energy read, whatever their number.

Used where no ledger is at hand (``offhours preview``, the daemon's watts-avoided gauge): the
on-time history of each target excludes the time kube-state-metrics saw it at zero replicas or
suspended (widened by the settle margin). A target without any Kepler pod in the history, or
without on-time, has no profile (``None``), never a zero one. Raises ``MetricsError`` when
Prometheus fails or has no Kepler data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo

from scheduler.adapters.prometheus import kepler, offstate
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.energy import baseline, quantiles, weekhours
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.reading import EnergyRequest
from scheduler.core.workloads import WorkloadRef

__all__ = ["HistorySpan", "power_at", "read_profiles"]


@dataclass(frozen=True)
class HistorySpan:
    """The history ``[end - seconds, end)`` read on a grid of ``step`` seconds."""

    end: float
    seconds: float
    step: float = 300.0


def read_profiles(
    client: PrometheusClient,
    *,
    targets: Sequence[WorkloadRef],
    zones: Mapping[WorkloadRef, tzinfo],
    span: HistorySpan,
    settle_seconds: float,
) -> dict[WorkloadRef, baseline.BaselineProfile | None]:
    """Each target's hour-of-week profile of the span (bounds aligned to its step)."""
    if not targets:
        return {}
    step = span.step
    last = math.floor(span.end / step) * step
    first = last - max(step, math.ceil(span.seconds / step) * step)
    unique = tuple(sorted(set(targets)))
    reading = kepler.read_energy(
        client, EnergyRequest(start=first, end=last, step=step, targets=unique)
    )
    off = offstate.read_off_states(client, timeline=reading.timeline, targets=unique)
    with_pods = {p.workload for p in reading.pods.values()}
    profiles: dict[WorkloadRef, baseline.BaselineProfile | None] = {}
    for target in unique:
        grid = reading.workloads.get(target)
        state = off.states.get(target)
        if grid is None or target not in with_pods:
            profiles[target] = None
            continue
        excluded = state.off if state is not None else IntervalSet()
        history = baseline.on_time_history(grid, excluded=excluded, settle_seconds=settle_seconds)
        profiles[target] = (
            baseline.build_profile(history, steps=len(grid.joules), tz=zones[target])
            if history.indices
            else None
        )
    return profiles


def power_at(
    profile: baseline.BaselineProfile, t: float, *, min_bin_seconds: float
) -> quantiles.PowerStats | None:
    """The profile's power at instant ``t``: its hour-of-week bin, else the same local hour of
    weekdays or weekend days, else its overall stats."""
    b = weekhours.hour_of_week(t, profile.tz)
    stats = profile.filled(min_bin_seconds)[b]
    if stats is None:
        stats = profile.filled_day_types(min_bin_seconds)[weekhours.DAY_TYPE_OF_BIN[b]]
    return stats or profile.overall
