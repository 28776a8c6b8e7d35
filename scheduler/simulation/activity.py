"""cAdvisor counters of simulated pods: CPU used and network bytes received.

Per pod, sampled at every scrape Prometheus made while the pod ran (a new pod starts its own
series at 0, as the kubelet's cAdvisor exports it):

- ``container_cpu_usage_seconds_total{namespace, pod, container, image, id, name}`` of the
  workload's container, and the same counter of the pod's cgroup (``container=""``, the sum of
  its containers; a reader must not add both);
- ``container_network_receive_bytes_total{namespace, pod, interface="eth0", id, name}``, pod
  level (the pod sandbox's interface).

and, for a workload with requests, the ingress controller's
``nginx_ingress_controller_requests{namespace, service, ingress, status, controller_pod}``
(``service`` is the workload's name; one series per workload, sampled at every scrape).

*Busy* is the load above the shape's night level (``(load_k - night) * f``, with the same
day factor and per-interval noise ``f`` as the Kepler power; a Job's load is all busy): an
idle pod uses ``idle_cores`` and receives ``probe_bytes`` per second (kubelet probes,
scrapes). In interval ``k`` a pod uses ``(idle_cores + cpu_cores * busy) * seconds`` CPU
seconds and receives ``(probe_bytes + peak_bytes * busy) * seconds`` bytes, plus
``request_cpu_seconds`` and ``request_bytes`` per request: Poisson with mean
``(peak_requests_per_second * busy + requests_per_second) * seconds``.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass

from scheduler.core.series import MetricSeries
from scheduler.simulation.lives import PodLife
from scheduler.simulation.spec import WorkloadSpec
from scheduler.simulation.timeline import Timeline

__all__ = ["CPU_METRIC", "NETWORK_METRIC", "REQUESTS_METRIC", "ActivityGenerator"]

CPU_METRIC = "container_cpu_usage_seconds_total"
NETWORK_METRIC = "container_network_receive_bytes_total"
REQUESTS_METRIC = "nginx_ingress_controller_requests"
_PROBE_NOISE = 0.02


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw (Knuth's product method; means here are small)."""
    if mean <= 0:
        return 0
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _series(
    name: str, labels: dict[str, str], times: array[float], *, values: array[float]
) -> MetricSeries:
    return MetricSeries(name, tuple(sorted(labels.items())), times, values)


@dataclass
class ActivityGenerator:
    """Generates the cAdvisor series of one workload's pods."""

    workload: WorkloadSpec
    tl: Timeline
    load: array[float]
    day_factor: dict[int, float]
    rng: random.Random

    requests: array[float] | None = None

    def __post_init__(self) -> None:
        w = self.workload
        if w.peak_requests_per_second > 0 or w.requests_per_second > 0:
            self.requests = array("d", bytes(8 * self.tl.count))

    def _busy(self, k: int) -> float:
        w = self.workload
        night = 0.0 if w.cron is not None else w.load.night
        noise = max(0.0, 1.0 + w.noise * self.rng.gauss()) if w.noise > 0 else 1.0
        return max(0.0, self.load[k] - night) * self.day_factor[self.tl.local_day[k]] * noise

    def _interval(self, k: int, seconds: float) -> tuple[float, float]:
        """CPU seconds and bytes received by one pod in ``seconds`` of interval ``k``."""
        w, rng = self.workload, self.rng
        busy = self._busy(k)
        rate = w.peak_requests_per_second * busy + w.requests_per_second
        requests = _poisson(rng, rate * seconds)
        if self.requests is not None:
            self.requests[k] += requests
        probe = w.probe_bytes * seconds * max(0.0, 1.0 + _PROBE_NOISE * rng.gauss())
        cpu = (w.idle_cores + w.cpu_cores * busy) * seconds + requests * w.request_cpu_seconds
        received = probe + w.peak_bytes * busy * seconds + requests * w.request_bytes
        return cpu, received

    def ingress_series(self) -> list[MetricSeries]:
        """The ingress controller's request counter for this workload (after every pod ran)."""
        if self.requests is None:
            return []
        tl, w = self.tl, self.workload
        times, values, total = array("d"), array("d"), 0.0
        for k in range(1, tl.count):
            total += self.requests[k]
            if tl.ok[k]:
                times.append(tl.t(k))
                values.append(total)
        labels = {
            "namespace": w.namespace,
            "service": w.name,
            "ingress": w.name,
            "status": "200",
            "controller_pod": "ingress-nginx-controller-0",
        }
        return [_series(REQUESTS_METRIC, labels, times, values=values)]

    def series(self, life: PodLife) -> list[MetricSeries]:
        """The three counters of one pod life (none if Prometheus never scraped it)."""
        tl = self.tl
        times, cpu, received = array("d"), array("d"), array("d")
        used = got = 0.0
        for k in range(tl.first_interval(life.start), tl.last_interval(life.end) + 1):
            t0, t1 = tl.t(k - 1), tl.t(k)
            a, b = max(t0, life.start), min(t1, life.end)
            if b <= a:
                continue
            c, r = self._interval(k, b - a)
            used, got = used + c, got + r
            if t1 < life.end and tl.ok[k]:
                times.append(t1)
                cpu.append(used)
                received.append(got)
        if not times:
            return []
        return self._labelled(life, times, cpu=cpu, received=received)

    def _labelled(
        self, life: PodLife, times: array[float], *, cpu: array[float], received: array[float]
    ) -> list[MetricSeries]:
        w = self.workload
        cgroup = f"/kubepods/burstable/pod{life.uid}"
        pod = {"namespace": w.namespace, "pod": life.pod, "id": cgroup, "name": ""}
        container = {
            **pod,
            "container": "job" if w.cron is not None else w.name,
            "image": f"registry.example/{w.name}:1.0",
            "id": f"{cgroup}/{life.uid[:12]}",
            "name": life.uid[:12],
        }
        network = {**pod, "interface": "eth0", "name": f"sandbox-{life.uid[:8]}"}
        return [
            _series(CPU_METRIC, container, times, values=cpu),
            _series(CPU_METRIC, {**pod, "container": "", "image": ""}, times, values=cpu),
            _series(NETWORK_METRIC, network, times, values=received),
        ]
