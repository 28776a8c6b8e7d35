"""Per-pod totals of an energy read: workload, attribution, joules, observed time, edge rules.

One pod may arrive as several series (zones, containers, Kepler restarts); its joules are their
sum. Its observed time runs from the first grid point any of them was seen at (plus the first
step when the pod started inside the period) to its last point with energy, or its last point
seen less the lookback's linger (a counter is still seen up to one lookback after its last
sample), less the steps left unknown. Its start rule (``edges``) is that of its earliest
series; it ended inside the period when it was not seen at the last point. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from scheduler.core.kepler.counters import Fed
from scheduler.core.kepler.edges import EdgeTally, StartRule
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
    last_change: int = -1
    rule: StartRule | None = None
    unknown: dict[Hashable, int] = field(default_factory=dict)

    @property
    def started(self) -> bool:
        return self.rule is not None and self.rule.counted_from_zero


class PodTally:
    """Pods seen by one read, keyed by ``(namespace, pod name)``.

    ``linger``: how many points a counter is still seen after its last sample (the lookback
    in steps, less one); 0 for gauges, which are summed per step.
    """

    def __init__(self, timeline: Timeline, *, gauge: bool = False, linger: int = 0) -> None:
        self.timeline = timeline
        self.gauge = gauge
        self.linger = 0 if gauge else max(0, linger)
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
        known.last_change = max(known.last_change, fed.last_change)
        if not points:
            return
        if known.first < 0 or points[0] < known.first:
            known.first = points[0]
            known.rule = fed.rule or known.rule
        elif points[0] == known.first and fed.started:
            known.rule = fed.rule
        known.last = max(known.last, points[-1])

    def _seconds(self, pod: _Pod) -> float:
        if pod.first < 0:
            return 0.0
        end = max(pod.last_change, pod.last - self.linger, pod.first)
        steps = end - pod.first + (1 if pod.started or self.gauge else 0)
        if self.gauge and pod.first == 0:
            steps -= 1
        steps -= max(pod.unknown.values(), default=0)
        return max(0, steps) * self.timeline.step

    def _ended(self, pod: _Pod) -> bool:
        return 0 <= pod.last < self.timeline.steps

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
                start_rule=pod.rule,
                ended=self._ended(pod),
            )
            for (namespace, name), pod in sorted(self._pods.items())
        }

    def attribution_counts(self) -> dict[str, int]:
        """How many pods were attributed each way."""
        return dict(Counter(pod.attribution for pod in self._pods.values()))

    def edges(self) -> EdgeTally:
        """Pods per start rule and pods that ended inside the period (counters only)."""
        tally = EdgeTally()
        if self.gauge:
            return tally
        for pod in self._pods.values():
            if pod.first >= 0:
                tally.add(pod.rule, ended=self._ended(pod))
        return tally
