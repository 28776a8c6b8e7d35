"""When workloads were actually scaled to zero or suspended, from kube-state-metrics and Flux.

``read_off_states(client, timeline=..., namespaces=..., targets=...)`` probes which state
metrics exist (one label-values request), then sends one ``query_range`` per chunk of the
timeline (``queries.off_state_query``: the fraction of each step spent at zero or suspended,
sampled every ``resolution`` seconds), whatever the number of workloads, and turns the
fractions into ``IntervalSet``s (``scheduler.core.kepler.offstate``).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.kepler import queries
from scheduler.core.kepler.offstate import OffState, off_state
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef

__all__ = ["OffStates", "read_off_states"]

_RESOLUTION_FRACTION = 10


@dataclass(frozen=True)
class OffStates:
    """Per workload: intervals at zero/suspended and intervals observed; the metrics used."""

    states: dict[WorkloadRef, OffState]
    sources: tuple[str, ...]
    resolution: float


def read_off_states(
    client: PrometheusClient,
    *,
    timeline: Timeline,
    namespaces: tuple[str, ...] = (),
    targets: tuple[WorkloadRef, ...] = (),
    resolution: float | None = None,
    chunk_steps: int | None = None,
) -> OffStates:
    """Off intervals of every workload in ``namespaces`` (all if empty) and of ``targets``.

    ``resolution`` (default: a tenth of the step, at least 1 s) is the sampling interval inside
    each step; transitions are placed within one step, durations are exact to it.
    """
    scope = tuple(sorted(set(namespaces) | {t.namespace for t in targets if t.namespace}))
    if targets and any(not t.namespace for t in targets):
        scope = ()
    available = client.label_values(
        "__name__",
        matchers=[queries.names_matcher(queries.OFF_STATE_METRICS)],
        start=timeline.start,
        end=timeline.end,
    )
    every = resolution or max(1.0, timeline.step / _RESOLUTION_FRACTION)
    query = queries.off_state_query(
        window=timeline.step, resolution=every, namespaces=scope, available=available
    )
    fractions: dict[WorkloadRef, array[float]] = {}
    if query is not None:
        for first, last in timeline.chunks(chunk_steps or client.range_chunk_steps):
            result = client.range(
                query,
                start=timeline.point_time(first),
                end=timeline.point_time(last),
                step=timeline.step,
            )
            for series in result.series:
                labels = series.label_map
                ref = WorkloadRef(
                    labels.get("kind", ""), labels.get("namespace", ""), labels.get("name", "")
                )
                if scope and ref.namespace not in scope:
                    continue
                grid = fractions.setdefault(ref, array("d", [math.nan]) * timeline.steps)
                for t, value in zip(series.times, series.values, strict=True):
                    point = timeline.point_index(t)
                    if point:
                        grid[point - 1] = value
    states = {ref: off_state(timeline, grid) for ref, grid in sorted(fractions.items())}
    for target in targets:
        states.setdefault(target, off_state(timeline, array("d", [math.nan]) * timeline.steps))
    used = tuple(sorted(m for m in queries.OFF_STATE_METRICS if m in available))
    return OffStates(states, used, every)
