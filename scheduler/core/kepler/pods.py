"""Per-pod totals of an energy read: workload, attribution, joules and observed time.

One pod may arrive as several series (zones, containers, Kepler restarts); its joules are their
sum, its observed time runs from the first to the last grid point any of them was seen at (plus
the first step when the pod started inside the window), less the steps left unknown. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from scheduler.core.kepler.counters import Fed
from scheduler.core.kepler.reading import PodEnergy
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef

__all__ = ["PodTally"]


@dataclass
class _Pod:
    workload: WorkloadRef
    attribution: str
    rendered: WorkloadRef | None
    joules: float = 0.0
    first: int = -1
    last: int = -1
    started: bool = False
    unknown: dict[Hashable, int] = field(default_factory=dict)


class PodTally:
    """Pods seen by one read, keyed by ``(namespace, pod name)``."""

    def __init__(self, timeline: Timeline, *, gauge: bool = False) -> None:
        self.timeline = timeline
        self.gauge = gauge
        self._pods: dict[tuple[str, str], _Pod] = {}

    def workload_of(self, namespace: str, pod: str) -> WorkloadRef | None:
        """The workload ``pod`` was attributed to, if it was seen before."""
        known = self._pods.get((namespace, pod))
        return known.workload if known is not None else None

    def attribute(
        self,
        namespace: str,
        pod: str,
        *,
        workload: WorkloadRef,
        how: str,
        rendered: WorkloadRef | None = None,
    ) -> None:
        """Record the workload of a newly seen pod (``rendered``: see ``PodEnergy``)."""
        self._pods.setdefault((namespace, pod), _Pod(workload, how, rendered))

    def add(
        self, namespace: str, pod: str, *, key: Hashable, points: Sequence[int], fed: Fed
    ) -> None:
        """Account one series' points and what the ledger added for them."""
        known = self._pods[(namespace, pod)]
        known.joules += fed.joules
        known.unknown[key] = known.unknown.get(key, 0) + fed.unknown
        if not points:
            return
        if known.first < 0 or points[0] < known.first:
            known.first = points[0]
            known.started = fed.started
        elif points[0] == known.first:
            known.started = known.started or fed.started
        known.last = max(known.last, points[-1])

    def _seconds(self, pod: _Pod) -> float:
        if pod.first < 0:
            return 0.0
        steps = pod.last - pod.first + (1 if pod.started or self.gauge else 0)
        if self.gauge and pod.first == 0:
            steps -= 1
        steps -= max(pod.unknown.values(), default=0)
        return max(0, steps) * self.timeline.step

    def result(self) -> dict[WorkloadRef, PodEnergy]:
        """Every pod as ``Pod/<namespace>/<name>`` -> ``PodEnergy``."""
        return {
            WorkloadRef("Pod", namespace, name): PodEnergy(
                workload=pod.workload,
                attribution=pod.attribution,
                joules=pod.joules,
                seconds=self._seconds(pod),
                unknown_steps=max(pod.unknown.values(), default=0),
                rendered=pod.rendered,
            )
            for (namespace, name), pod in sorted(self._pods.items())
        }

    def attribution_counts(self) -> dict[str, int]:
        """How many pods were attributed each way."""
        return dict(Counter(pod.attribution for pod in self._pods.values()))
