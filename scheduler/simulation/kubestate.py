"""kube-state-metrics gauges for simulated objects, sampled at every Prometheus scrape.

``kube_deployment_spec_replicas`` / ``kube_statefulset_replicas`` (0 while actually off),
``kube_cronjob_spec_suspend`` (1 while actually off), ``kube_replicaset_owner``,
``kube_pod_owner`` (with ``uid``, Kepler's ``pod_id``), ``kube_pod_start_time``,
``kube_job_owner``, ``kube_node_info``
and, for a workload a Flux object renders, ``kube_<kind>_labels`` with its Flux labels. Series
that span the whole simulation share one timestamp array.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Mapping

from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.releases import FLUX_LABELS, LABEL_METRICS
from scheduler.core.series import MetricSeries
from scheduler.simulation.lives import PodLife
from scheduler.simulation.spec import WorkloadSpec

__all__ = ["KubeState"]


def _series(
    name: str, labels: Mapping[str, str], times: array[float], *, values: array[float]
) -> MetricSeries:
    return MetricSeries(name, tuple(sorted(labels.items())), times, values)


class KubeState:
    """Builds KSM series on one shared array of scrape instants."""

    def __init__(self, ok_times: array[float]) -> None:
        self.times = ok_times
        self._ones = array("d", [1.0]) * len(ok_times)

    def _span(self, start: float, end: float) -> tuple[array[float], array[float]]:
        a = bisect.bisect_left(self.times, start)
        b = bisect.bisect_left(self.times, end)
        if a == 0 and b == len(self.times):
            return self.times, self._ones
        return self.times[a:b], self._ones[a:b]

    def _off_values(self, off: IntervalSet, *, on: float, off_value: float) -> array[float]:
        values = array("d", [on]) * len(self.times)
        for s, e in off.pairs:
            a = bisect.bisect_left(self.times, s)
            b = bisect.bisect_left(self.times, e)
            values[a:b] = array("d", [off_value]) * (b - a)
        return values

    def workload(
        self, w: WorkloadSpec, *, actual_off: IntervalSet, replicaset: str
    ) -> list[MetricSeries]:
        """Desired replicas (or suspend) over time, the ReplicaSet owner of a Deployment, and
        the Flux labels of a rendered workload."""
        return [*self._state(w, actual_off=actual_off, replicaset=replicaset), *self._labels(w)]

    def _labels(self, w: WorkloadSpec) -> list[MetricSeries]:
        if w.flux_owner is None:
            return []
        metric, key = next((m, k) for m, (kind, k) in LABEL_METRICS.items() if kind == w.kind)
        name, namespace = FLUX_LABELS[w.flux_owner.kind]
        labels = {
            "namespace": w.namespace,
            key: w.name,
            name: w.flux_owner.name,
            namespace: w.flux_owner.namespace,
        }
        return [_series(metric, labels, self.times, values=self._ones)]

    def _state(
        self, w: WorkloadSpec, *, actual_off: IntervalSet, replicaset: str
    ) -> list[MetricSeries]:
        ns = w.namespace
        if w.kind == "Deployment":
            values = self._off_values(actual_off, on=float(w.replicas), off_value=0.0)
            rs = {
                "namespace": ns,
                "replicaset": replicaset,
                "owner_kind": "Deployment",
                "owner_name": w.name,
                "owner_is_controller": "true",
            }
            return [
                _series(
                    "kube_deployment_spec_replicas",
                    {"namespace": ns, "deployment": w.name},
                    self.times,
                    values=values,
                ),
                _series("kube_replicaset_owner", rs, self.times, values=self._ones),
            ]
        if w.kind == "StatefulSet":
            values = self._off_values(actual_off, on=float(w.replicas), off_value=0.0)
            labels = {"namespace": ns, "statefulset": w.name}
            return [_series("kube_statefulset_replicas", labels, self.times, values=values)]
        values = self._off_values(actual_off, on=0.0, off_value=1.0)
        return [
            _series(
                "kube_cronjob_spec_suspend",
                {"namespace": ns, "cronjob": w.name},
                self.times,
                values=values,
            )
        ]

    def pod(
        self, w: WorkloadSpec, life: PodLife, *, times: array[float] | None = None
    ) -> list[MetricSeries]:
        """``kube_pod_owner`` and ``kube_pod_start_time`` of one pod (and ``kube_job_owner`` of
        its Job).

        ``times`` (the pod's Kepler sample instants) are shared instead of a new array.
        """
        if times:
            ones = array("d", [1.0]) * len(times)
        else:
            times, ones = self._span(life.start, life.end)
        if not times:
            return []
        owner = {
            "namespace": w.namespace,
            "pod": life.pod,
            "uid": life.uid,
            "owner_kind": life.owner_kind,
            "owner_name": life.owner_name,
            "owner_is_controller": "true",
        }
        started = array("d", [life.start]) * len(times)
        identity = {k: owner[k] for k in ("namespace", "pod", "uid")}
        out = [
            _series("kube_pod_owner", owner, times, values=ones),
            _series("kube_pod_start_time", identity, times, values=started),
        ]
        if life.owner_kind == "Job":
            job = {
                "namespace": w.namespace,
                "job_name": life.owner_name,
                "owner_kind": "CronJob",
                "owner_name": w.name,
                "owner_is_controller": "true",
            }
            out.append(_series("kube_job_owner", job, times, values=ones))
        return out

    def node(self, name: str, *, life: tuple[float, float]) -> list[MetricSeries]:
        """``kube_node_info`` while the node exists."""
        times, ones = self._span(*life)
        if not times:
            return []
        labels = {
            "node": name,
            "kernel_version": "6.1.0-sim",
            "os_image": "Debian GNU/Linux 12 (bookworm)",
            "container_runtime_version": "containerd://1.7.0",
            "kubelet_version": "v1.30.0",
            "provider_id": f"sim://{name}",
            "internal_ip": "10.0.0.1",
        }
        return [_series("kube_node_info", labels, times, values=ones)]
