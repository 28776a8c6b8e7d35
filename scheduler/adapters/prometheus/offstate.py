"""When workloads were actually scaled to zero or suspended, from kube-state-metrics and Flux.

``read_off_states(client, timeline=..., namespaces=..., targets=...)`` probes which state
metrics exist (one label-values request), then sends one ``query_range`` per chunk of the
timeline (``queries.off_state_query``: the fraction of each step spent at zero or suspended,
sampled every ``resolution`` seconds), whatever the number of workloads, and turns the
fractions into ``IntervalSet``s (``scheduler.core.kepler.offstate``).

A placed HelmRelease/Kustomization target (one that scales what it renders) is off while it is
suspended or while everything it renders is at zero: the query's ``via="rendered"`` series,
from kube-state-metrics' Flux labels. Without them, a Kustomization falls back to the workloads
its files in Git define, a HelmRelease to those of its namespaces named like the release
(``<release>`` or ``<release>-...``): per step, the least off of them (exact when they switch
together, as a post-renderer makes them).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeAlias

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.kepler import queries
from scheduler.core.kepler.offstate import OffState, off_state
from scheduler.core.kepler.releases import Placement, Placements, Via
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef

__all__ = ["OffStates", "read_off_states"]

_RESOLUTION_FRACTION = 10
_Grids: TypeAlias = "dict[tuple[WorkloadRef, str], array[float]]"


@dataclass(frozen=True)
class OffStates:
    """Per workload: intervals at zero/suspended and intervals observed; the metrics used.

    ``derived``: how the state of a placed Flux target was found from what it renders.
    """

    states: dict[WorkloadRef, OffState]
    sources: tuple[str, ...]
    resolution: float
    derived: Mapping[WorkloadRef, str] = field(default_factory=dict)


def _scope(
    namespaces: tuple[str, ...], targets: tuple[WorkloadRef, ...], placements: tuple[Placement, ...]
) -> tuple[str, ...]:
    """The namespaces to read; empty (all) without namespaces and targets, or with a target of
    unknown namespace."""
    scope = set(namespaces) | {t.namespace for t in targets if t.namespace}
    if not scope or (targets and any(not t.namespace for t in targets)):
        return ()
    return tuple(sorted(scope | {n for p in placements for n in p.namespaces if n}))


def _fractions(
    client: PrometheusClient,
    query: str,
    *,
    timeline: Timeline,
    scope: tuple[str, ...],
    chunk_steps: int,
) -> _Grids:
    """Per ``(workload, via)``: the off fraction of every step (NaN: no sample)."""
    fractions: _Grids = {}
    for first, last in timeline.chunks(chunk_steps):
        start, end = timeline.point_time(first), timeline.point_time(last)
        for series in client.range(query, start=start, end=end, step=timeline.step).series:
            labels = series.label_map
            ref = WorkloadRef(
                labels.get("kind", ""), labels.get("namespace", ""), labels.get("name", "")
            )
            if scope and ref.namespace not in scope:
                continue
            key = (ref, labels.get("via", ""))
            grid = fractions.setdefault(key, array("d", [math.nan]) * timeline.steps)
            for t, value in zip(series.times, series.values, strict=True):
                point = timeline.point_index(t)
                if point:
                    grid[point - 1] = value
    return fractions


def _combined(grids: list[array[float]], *, take: str) -> array[float]:
    """Per step the largest (``max``: off if any is) or smallest (``min``: off only if all
    are) known value; NaN where none is known."""
    pick = max if take == "max" else min
    out = array("d", [math.nan]) * len(grids[0])
    for i in range(len(out)):
        known = [g[i] for g in grids if not math.isnan(g[i])]
        if known:
            out[i] = pick(known)
    return out


def _unlabelled(placements: Placements, fractions: _Grids) -> dict[WorkloadRef, list[WorkloadRef]]:
    """Per placed target, its workloads found without Flux labels: a Kustomization's from its
    files in Git, a HelmRelease's by name."""
    found: dict[WorkloadRef, list[WorkloadRef]] = {}
    for placement in placements.by_target.values():
        known = [w for w in placement.workloads if (w, "") in fractions]
        if known:
            found[placement.target] = known
    for ref, via in sorted(fractions):
        release = placements.release_by_name(ref) if not via else None
        if release is not None and release not in found and ref not in placements.targets:
            found.setdefault(release, []).append(ref)
    return found


def _placed_states(placements: Placements, fractions: _Grids) -> dict[WorkloadRef, str]:
    """Fold each placed target's rendered state into its own ``(ref, "")`` grid; how."""
    derived: dict[WorkloadRef, str] = {}
    unlabelled = _unlabelled(placements, fractions)
    for target in placements.by_target:
        rendered = fractions.pop((target, "rendered"), None)
        if rendered is not None:
            derived[target] = Via.LABELS.value
        elif target in unlabelled:
            workloads = unlabelled[target]
            rendered = _combined([fractions[(w, "")] for w in workloads], take="min")
            via = Via.GIT if target.kind == "Kustomization" else Via.PREFIX
            derived[target] = f"{via.value}: " + ", ".join(map(str, workloads))
        if rendered is None:
            continue
        own = fractions.get((target, ""))
        fractions[(target, "")] = (
            rendered if own is None else _combined([own, rendered], take="max")
        )
    return derived


def read_off_states(
    client: PrometheusClient,
    *,
    timeline: Timeline,
    namespaces: tuple[str, ...] = (),
    targets: tuple[WorkloadRef, ...] = (),
    placements: tuple[Placement, ...] = (),
    resolution: float | None = None,
) -> OffStates:
    """Off intervals of every workload in ``namespaces`` (all if empty) and of ``targets``.

    ``resolution`` (default: a tenth of the step, at least 1 s) is the sampling interval inside
    each step; transitions are placed within one step, durations are exact to it. The
    timeline is read in chunks of the client's ``range_chunk_steps``.
    """
    scope = _scope(namespaces, targets, placements)
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
    fractions: _Grids = {}
    if query is not None:
        fractions = _fractions(
            client, query, timeline=timeline, scope=scope, chunk_steps=client.range_chunk_steps
        )
    derived = _placed_states(Placements(placements, targets=targets), fractions)
    states = {ref: off_state(timeline, g) for (ref, via), g in sorted(fractions.items()) if not via}
    for target in targets:
        states.setdefault(target, off_state(timeline, array("d", [math.nan]) * timeline.steps))
    used = tuple(sorted(m for m in queries.OFF_STATE_METRICS if m in available))
    return OffStates(states, used, every, derived)
