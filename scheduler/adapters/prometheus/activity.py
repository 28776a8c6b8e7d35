"""Activity of every workload per slot, from cAdvisor and kube-state-metrics in any PromQL store.

``read_activity`` walks the timeline in chunks of at most a week of slots (and at most
``range_chunk_steps``) and sends, per chunk, whatever the number of workloads: one
``/api/v1/series`` request (owners and Flux labels), one ``query_range`` each for every pod's
CPU, network and restarts and every workload's replica changes
(``scheduler.core.suggest.queries``), and, with a user's activity expression, one more.
Answers are folded as they arrive (``scheduler.core.suggest.tally``). ``probe`` lists which
of the metrics exist (one request). A failure raises; nothing partial is returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.kepler import queries as kepler_queries
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.suggest import queries
from scheduler.core.suggest.tally import ActivityTally

__all__ = ["ActivityRequest", "Progress", "probe", "read_activity"]

#: called with a phase name and the share done (0..1)
Progress = Callable[[str, float], None]
_CUSTOM_RESOLUTION = 60.0
_WEEK = 7 * 86400.0


@dataclass(frozen=True)
class ActivityRequest:
    """Slots of ``timeline``; ``namespaces`` empty: all; ``custom``: the user's expression."""

    timeline: Timeline
    namespaces: tuple[str, ...] = ()
    custom: str | None = None


def probe(client: PrometheusClient, *, start: float, end: float) -> frozenset[str]:
    """Which of the metrics ``suggest`` reads hold data in ``[start, end]`` (one request)."""
    found = client.label_values(
        "__name__",
        matchers=[kepler_queries.names_matcher(queries.PROBE_METRICS)],
        start=start,
        end=end,
    )
    return frozenset(found)


def read_activity(
    client: PrometheusClient, request: ActivityRequest, *, progress: Progress | None = None
) -> ActivityTally:
    """Fold every chunk's answers into a tally of per-unit signals."""
    timeline = request.timeline
    tally = ActivityTally(timeline)
    step = timeline.step
    signals = queries.activity_queries(request.namespaces, window=step)
    custom = (
        queries.custom_query(request.custom, window=step, resolution=min(_CUSTOM_RESOLUTION, step))
        if request.custom
        else None
    )
    matchers = queries.workload_matchers(request.namespaces)
    week = max(1, round(_WEEK / step))
    chunks: Sequence[tuple[int, int]] = timeline.chunks(min(client.range_chunk_steps, week))
    for n, (first, last) in enumerate(chunks):
        start, end = timeline.point_time(max(1, first)), timeline.point_time(last)
        tally.add_owners(client.series(matchers, start=start - step, end=end))
        for query in signals:
            tally.add(client.range(query, start=start, end=end, step=step).series)
        if custom is not None:
            tally.add_custom(client.range(custom, start=start, end=end, step=step).series)
        if progress is not None:
            progress("activity", (n + 1) / len(chunks))
    return tally
