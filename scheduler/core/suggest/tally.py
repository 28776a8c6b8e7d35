"""Folds query answers into per-unit activity signals, chunk by chunk.

Pods are attributed to workloads as the report does (kube-state-metrics owners, then name
patterns); a workload labelled by a HelmRelease (``helm.toolkit.fluxcd.io/name`` through
kube-state-metrics) belongs to that release, the unit a policy targets with ``action: scale``.
A workload a Kustomization applies stays its own unit: its manifest is in Git.

A step at which the activity query returned no series at all is *unknown* for every unit (a
Prometheus or cAdvisor gap); otherwise a unit without pods there had no activity (0). Before
a unit's first and after its last appearance its steps are unknown (it did not exist).
Values of the user's activity expression are matched to units by their labels: ``pod``, then
``deployment``/``statefulset``/``cronjob``, then ``service`` or ``workload`` naming a workload
or HelmRelease of the same namespace; unmatched series are counted.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from scheduler.core.kepler.owners import OwnerIndex, attribute_pod
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.series import MetricSeries
from scheduler.core.suggest.idleness import Signal, UnitActivity
from scheduler.core.suggest.queries import SIGNAL_LABEL
from scheduler.core.workloads import WorkloadRef

__all__ = ["EVENT_SIGNALS", "ActivityTally"]

EVENT_SIGNALS = frozenset({"restarts", "replicas", "requests"})
_KIND_LABELS = {"deployment": "Deployment", "statefulset": "StatefulSet", "cronjob": "CronJob"}


@dataclass
class _Unit:
    home: str
    members: set[WorkloadRef] = field(default_factory=set)
    signals: dict[str, array[float]] = field(default_factory=dict)
    first: int = 1 << 62
    last: int = -1


class ActivityTally:
    """Per-unit signals on one timeline, fed chunk by chunk."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.owners = OwnerIndex()
        self.covered = bytearray(timeline.steps)
        self._units: dict[WorkloadRef, _Unit] = {}
        self._custom: list[MetricSeries] = []
        self.unmatched_custom = 0

    def add_owners(self, label_sets: Iterable[Mapping[str, str]]) -> None:
        """Owner references and Flux labels of the next chunk (before its answers)."""
        self.owners.add(label_sets)

    def unit_of(self, workload: WorkloadRef) -> WorkloadRef:
        """The HelmRelease rendering ``workload``, else the workload itself."""
        owners = self.owners.flux.owners_of(workload) or frozenset()
        releases = sorted(o for o in owners if o.kind == "HelmRelease")
        return releases[0] if releases else workload

    def _put(self, workload: WorkloadRef, signal: str, series: MetricSeries) -> None:
        ref = self.unit_of(workload)
        unit = self._units.setdefault(ref, _Unit(workload.namespace))
        unit.members.add(workload)
        values = unit.signals.get(signal)
        if values is None:
            values = unit.signals[signal] = array("d", [math.nan]) * self.timeline.steps
        start, inverse, steps = self.timeline.start, 1.0 / self.timeline.step, len(values)
        covered = self.covered if signal == "cpu" else None
        first, last = unit.first, unit.last
        for t, v in zip(series.times, series.values, strict=True):
            i = round((t - start) * inverse) - 1  # the point at the end of step i
            if not 0 <= i < steps or v != v:
                continue
            values[i] = v if values[i] != values[i] else values[i] + v
            first, last = min(first, i), max(last, i)
            if covered is not None:
                covered[i] = 1
        unit.first, unit.last = first, last

    def add(self, series: Iterable[MetricSeries]) -> None:
        """Answers of ``queries.activity_queries`` for one chunk."""
        for s in series:
            labels = s.label_map
            signal = labels.get(SIGNAL_LABEL, "")
            namespace = labels.get("namespace", "")
            if "workload_kind" in labels:
                ref = WorkloadRef(labels["workload_kind"], namespace, labels.get("workload", ""))
                self._put(ref, signal, s)
                continue
            pod = labels.get("pod", "")
            if pod:
                self._put(attribute_pod(namespace, pod, owners=self.owners).workload, signal, s)

    def add_custom(self, series: Iterable[MetricSeries]) -> None:
        """Answers of the user's activity expression (matched to units at the end)."""
        self._custom.extend(series)

    def _custom_target(self, labels: Mapping[str, str]) -> WorkloadRef | None:
        namespace = labels.get("namespace", "")
        if labels.get("pod"):
            return attribute_pod(namespace, labels["pod"], owners=self.owners).workload
        for key, kind in _KIND_LABELS.items():
            if labels.get(key):
                return WorkloadRef(kind, namespace, labels[key])
        name = labels.get("service") or labels.get("workload")
        if not name:
            return None
        for unit, state in self._units.items():
            for member in sorted(state.members):
                if member.name == name and member.namespace == namespace:
                    return member
            if unit.name == name and (unit.namespace == namespace or state.home == namespace):
                return min(state.members)
        return None

    def _place_custom(self) -> None:
        for s in self._custom:
            target = self._custom_target(s.label_map)
            known = target is not None and (
                target in self._units or self.unit_of(target) in self._units
            )
            if target is None or not known:
                self.unmatched_custom += 1
                continue
            self._put(target, "requests", s)
        self._custom = []

    def units(self, *, custom: bool) -> list[UnitActivity]:
        """Every unit seen, its signals completed: 0 where covered and silent, NaN where not
        covered or the unit did not exist."""
        if custom:
            self._place_custom()
        out = []
        for ref, unit in self._units.items():
            signals = []
            names = sorted({*unit.signals, "requests"} if custom else unit.signals)
            for name in names:
                values = unit.signals.get(name) or array("d", [math.nan]) * self.timeline.steps
                for i in range(self.timeline.steps):
                    inside = self.covered[i] and unit.first <= i <= unit.last
                    if not inside:
                        values[i] = math.nan
                    elif values[i] != values[i]:
                        values[i] = 0.0
                signals.append(Signal(name, values, events=name in EVENT_SIGNALS))
            members = tuple(sorted(unit.members))
            out.append(UnitActivity(ref, unit.home, members, tuple(signals)))
        return sorted(out, key=lambda u: u.unit)
