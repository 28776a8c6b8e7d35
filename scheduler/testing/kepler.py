"""Kepler and kube-state-metrics series for tests: synthetic scenarios and recorded dumps.

``Scenario`` describes pods (power, lifetime, node, owner), scrapes, Kepler restarts and scrape
gaps; ``v010_series``/``v07_series``/``v03_series`` render it exactly in the label shapes of
each Kepler generation (``shared/design/kepler.md`` section 1), ``ksm_series`` adds
kube-state-metrics owners, pod start times and nodes, ``truth`` gives the per-step energy a
raw-sample integration must find (sample deltas in ``(t(i), t(i+1)]``, a pod's first sample
and the first sample after a restart counted from zero), and ``true_energy`` the energy the
pods really drew in a period (power x time, whatever was scraped). Rendering takes a time
window so large scenarios can be backfilled block by block.

Recorded Kepler answers are loaded by ``scheduler.testing.recordings``.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from scheduler.core.series import MetricSeries

__all__ = [
    "PodSpec",
    "Scenario",
    "ksm_series",
    "state_series",
    "true_energy",
    "truth",
    "v010_series",
    "v03_series",
    "v07_series",
]

_DRAM_SHARE = 0.25
_NODE_ACTIVE_WATTS = 2.0
_REBASE_JUMP = 50_000.0  # 0.10 node counters re-initialised from the raw RAPL counter


@dataclass(frozen=True)
class PodSpec:
    """One pod: where it runs, when (first/last instant it runs), its package power, owner."""

    namespace: str
    name: str
    watts: float
    node: str = "node-a"
    start: float = -math.inf
    end: float = math.inf
    owner_kind: str = ""
    owner_name: str = ""
    containers: int = 1

    @property
    def uid(self) -> str:
        """A stable pseudo UID."""
        return f"uid-{self.namespace}-{self.name}"


@dataclass(frozen=True)
class Scenario:
    """A cluster over ``[start, end)``: scrapes every ``scrape`` s except in ``gaps``."""

    start: float
    end: float
    pods: tuple[PodSpec, ...]
    scrape: float = 30.0
    nodes: tuple[str, ...] = ("node-a",)
    idle_watts: float = 40.0
    restarts: tuple[float, ...] = ()
    gaps: tuple[tuple[float, float], ...] = ()
    version: str = ""
    ksm_every: float = 60.0
    owners: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def scrapes(self, lo: float = -math.inf, hi: float = math.inf) -> list[float]:
        """Scrape instants in ``[max(start, lo), min(end, hi))`` outside gaps."""
        first = max(0, math.ceil((max(lo, self.start) - self.start) / self.scrape - 1e-9))
        out: list[float] = []
        k = first
        while True:
            t = self.start + k * self.scrape
            if t >= self.end or t >= hi:
                return out
            if not any(a <= t < b for a, b in self.gaps):
                out.append(t)
            k += 1

    def epoch(self, t: float) -> float:
        """The last Kepler (re)start at or before ``t``."""
        return max([self.start, *(r for r in self.restarts if r <= t)])

    def generation(self, t: float) -> int:
        """How many restarts happened at or before ``t``."""
        return sum(1 for r in self.restarts if r <= t)


def _pod_energy(pod: PodSpec, scenario: Scenario, *, at: float, watts: float) -> float:
    """The pod's counter at ``at``: energy since it started or since the last Kepler restart."""
    since = max(pod.start, scenario.epoch(at))
    return max(0.0, watts * (min(at, pod.end) - since))


def _series(
    name: str, labels: Mapping[str, str], points: Iterable[tuple[float, float]]
) -> MetricSeries:
    times, values = array("d"), array("d")
    for t, v in points:
        times.append(t)
        values.append(v)
    return MetricSeries(name, tuple(sorted((k, v) for k, v in labels.items() if v)), times, values)


def _running(pod: PodSpec, scenario: Scenario, *, lo: float, hi: float) -> list[float]:
    return [t for t in scenario.scrapes(lo, hi) if pod.start <= t <= pod.end]


def _terminated_at(pod: PodSpec, scenario: Scenario) -> float | None:
    """The scrape after the pod ended, where 0.10 exports its final total once."""
    if not math.isfinite(pod.end):
        return None
    after = scenario.scrapes(pod.end + 1e-6, pod.end + 10 * scenario.scrape)
    return after[0] if after and after[0] > pod.end else None


def v010_series(
    scenario: Scenario,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    zones: Sequence[str] = ("package", "dram", "core"),
) -> list[MetricSeries]:
    """Kepler 0.10+: pod counters per zone with ``state`` (running, then one terminated sample),
    node active/idle counters, build info. ``core`` is inside ``package`` (never to be added)."""
    shares = {"package": 1.0, "dram": _DRAM_SHARE, "core": 0.8, "uncore": 0.1}
    out = []
    for pod in scenario.pods:
        running = _running(pod, scenario, lo=lo, hi=hi)
        final_at = _terminated_at(pod, scenario)
        for zone in zones:
            watts = pod.watts * shares[zone]
            for state, times in (
                ("running", running),
                ("terminated", [final_at] if final_at is not None and lo <= final_at < hi else []),
            ):
                if not times:
                    continue
                labels = {
                    "node_name": pod.node,
                    "pod_id": pod.uid,
                    "pod_name": pod.name,
                    "pod_namespace": pod.namespace,
                    "state": state,
                    "zone": zone,
                    "job": "kepler",
                }
                by_generation: dict[int, list[tuple[float, float]]] = {}
                for t in times:
                    when = min(t, pod.end)
                    by_generation.setdefault(scenario.generation(t), []).append(
                        (t, _pod_energy(pod, scenario, at=when, watts=watts))
                    )
                for generation, points in by_generation.items():
                    labels["instance"] = f"{pod.node}-kepler-{generation}"
                    out.append(_series("kepler_pod_cpu_joules_total", labels, points))
    out += _v010_nodes(scenario, lo, hi, zones=[z for z in zones if z in ("package", "dram")])
    if scenario.version:
        for node in scenario.nodes:
            out.append(
                _series(
                    "kepler_build_info",
                    {"node_name": node, "version": scenario.version, "job": "kepler"},
                    [(t, 1.0) for t in scenario.scrapes(lo, hi)],
                )
            )
    return out


def _node_pods(scenario: Scenario, node: str) -> list[PodSpec]:
    return [p for p in scenario.pods if p.node == node]


def _node_raw(scenario: Scenario, pods: Sequence[PodSpec], *, at: float, share: float) -> float:
    """The hardware counter: all node energy since the scenario start, through restarts."""
    elapsed = at - scenario.start
    energy = (scenario.idle_watts + _NODE_ACTIVE_WATTS) * share * elapsed
    for pod in pods:
        energy += pod.watts * share * max(0.0, min(at, pod.end) - max(pod.start, scenario.start))
    return energy


def _v010_nodes(
    scenario: Scenario, lo: float, hi: float, *, zones: Sequence[str]
) -> list[MetricSeries]:
    out = []
    for node in scenario.nodes:
        pods = _node_pods(scenario, node)
        for zone in zones:
            share = 1.0 if zone == "package" else _DRAM_SHARE
            raw = [
                (t, _node_raw(scenario, pods, at=t, share=share)) for t in scenario.scrapes(lo, hi)
            ]
            labels = {
                "node_name": node,
                "zone": zone,
                "path": f"aggregated-{zone}",
                "job": "kepler",
            }
            out.append(_series("kepler_node_cpu_joules_total", labels, raw))
            for part in ("active", "idle"):
                by_generation: dict[int, list[tuple[float, float]]] = {}
                for t in scenario.scrapes(lo, hi):
                    generation = scenario.generation(t)
                    epoch = scenario.epoch(t)
                    if part == "idle":
                        value = scenario.idle_watts * share * (t - epoch)
                    else:
                        value = _NODE_ACTIVE_WATTS * share * (t - epoch) + sum(
                            _pod_energy(p, scenario, at=t, watts=p.watts * share) for p in pods
                        )
                    if generation:
                        value += _REBASE_JUMP
                    by_generation.setdefault(generation, []).append((t, value))
                for generation, points in by_generation.items():
                    labels = {
                        "node_name": node,
                        "zone": zone,
                        "path": f"aggregated-{zone}",
                        "instance": f"{node}-kepler-{generation}",
                        "job": "kepler",
                    }
                    out.append(_series(f"kepler_node_cpu_{part}_joules_total", labels, points))
    return out


_V07_COMPONENTS: tuple[tuple[str | None, float], ...] = (
    ("package", 1.0),
    ("dram", _DRAM_SHARE),
    ("core", 0.8),
    (None, 1.0 + _DRAM_SHARE),  # kepler_container_joules_total
)


def _container_value(
    scenario: Scenario, pod: PodSpec, *, at: float, share: float, mode: str
) -> float:
    if mode == "idle":  # the 0.4 replication: every container carries the node's idle counter
        return scenario.idle_watts * share * (at - scenario.epoch(at))
    return _pod_energy(pod, scenario, at=at, watts=pod.watts / pod.containers * share)


def _v07_container(
    scenario: Scenario, pod: PodSpec, *, index: int, times: Sequence[float], command_split: bool
) -> list[MetricSeries]:
    pseudo = pod.name in ("system_processes", "kernel_processes")
    base = {
        "container_id": f"{pod.uid}-{index}",
        "pod_name": pod.name,
        "container_name": pod.name if pseudo else f"c{index}",
        "container_namespace": pod.namespace,
        "source": "rapl",
        "job": "kepler-exporter",
        "namespace": "kepler",
        "pod": "kepler-exporter-abcde",
    }
    millijoules = "0.7.3" in scenario.version
    out = []
    for mode in ("dynamic", "idle"):
        for component, share in _V07_COMPONENTS:
            name = f"kepler_container_{component or ''}_joules_total".replace("__", "_")
            scale = 1000.0 if component is None and millijoules else 1.0
            points = [
                (t, scale * _container_value(scenario, pod, at=t, share=share, mode=mode))
                for t in times
            ]
            labels = {**base, "mode": mode}
            if command_split and not pseudo:
                out.append(_series(name, {**labels, "command": "runc:[2:IN"}, points[:1]))
                points = points[1:]
                labels["command"] = "app"
            if points:
                out.append(_series(name, labels, points))
    return out


def v07_series(
    scenario: Scenario,
    lo: float = -math.inf,
    hi: float = math.inf,
    *,
    command_split: bool = False,
    pseudo_watts: float = 0.5,
    platform: bool = True,
) -> list[MetricSeries]:
    """Kepler 0.4-0.9: container counters per component and mode; every container carries the
    node's idle counter (the 0.4 replication); ``system_processes``; node counters per socket;
    the platform meter. ``command_split`` gives each container a first sample under another
    ``command`` (the 0.5 recording). Version 0.7.3 makes ``kepler_container_joules_total``
    millijoules."""
    out = []
    pseudo = PodSpec("system", "system_processes", pseudo_watts, node=scenario.nodes[0])
    for pod in (*scenario.pods, pseudo):
        times = _running(pod, scenario, lo=lo, hi=hi)
        for index in range(pod.containers if times else 0):
            out += _v07_container(
                scenario, pod, index=index, times=times, command_split=command_split
            )
    out += _v07_nodes(scenario, lo, hi, platform=platform)
    if scenario.version:
        out.append(
            _series(
                "kepler_exporter_build_info",
                {"version": scenario.version, "goversion": "go1.20", "job": "kepler-exporter"},
                [(t, 1.0) for t in scenario.scrapes(lo, hi)],
            )
        )
    return out


def _v07_node_value(scenario: Scenario, node: str, *, at: float, share: float, mode: str) -> float:
    since = scenario.epoch(at)
    if mode == "idle":
        return scenario.idle_watts * share * (at - since)
    pods = _node_pods(scenario, node)
    dynamic = _NODE_ACTIVE_WATTS * (at - since)
    dynamic += sum(_pod_energy(p, scenario, at=at, watts=p.watts) for p in pods)
    return dynamic * share


def _v07_nodes(scenario: Scenario, lo: float, hi: float, *, platform: bool) -> list[MetricSeries]:
    out = []
    times = scenario.scrapes(lo, hi)
    for node in scenario.nodes:
        for component, share in (("package", 1.0), ("dram", _DRAM_SHARE), ("platform", 1.5)):
            sockets = ("0", "1") if component != "platform" else ("",)
            scale = (1.0 if component != "platform" or platform else 0.0) / len(sockets)
            for socket in sockets:
                for mode in ("dynamic", "idle"):
                    labels = {
                        "instance": node,
                        "exported_instance": "kepler-exporter-abcde",
                        "package": socket,
                        "mode": mode,
                        "source": "acpi" if component == "platform" else "rapl",
                        "job": "kepler-exporter",
                    }
                    points = [
                        (t, scale * _v07_node_value(scenario, node, at=t, share=share, mode=mode))
                        for t in times
                    ]
                    out.append(_series(f"kepler_node_{component}_joules_total", labels, points))
    return out


def v03_series(
    scenario: Scenario, lo: float = -math.inf, hi: float = math.inf
) -> list[MetricSeries]:
    """Kepler <=0.3: ``pod_curr_energy_in_{pkg,dram}_millijoule`` gauges (mJ per 3-s sample),
    garbage ``pod_total_*`` counters, node ``node_curr_energy_in_*_joule`` gauges."""
    out = []
    for pod in scenario.pods:
        times = _running(pod, scenario, lo=lo, hi=hi)
        if not times:
            continue
        labels = {
            "pod_name": pod.name,
            "pod_namespace": pod.namespace,
            "command": pod.name[:10],
            "instance": pod.node,
            "namespace": "kepler",
            "job": "kepler-exporter",
        }
        for metric, share in (("pkg", 1.0), ("dram", _DRAM_SHARE)):
            mj = pod.watts * share * 3.0 * 1000.0
            out.append(
                _series(f"pod_curr_energy_in_{metric}_millijoule", labels, [(t, mj) for t in times])
            )
        garbage = [(t, 18_424_628_186_400_976.0 + i) for i, t in enumerate(times)]
        out.append(_series("pod_total_energy_in_pkg_millijoule", labels, garbage))
    for node in scenario.nodes:
        watts = scenario.idle_watts + sum(p.watts for p in _node_pods(scenario, node))
        for metric, share in (("pkg", 1.0), ("dram", _DRAM_SHARE)):
            labels = {"instance": node, "job": "kepler-exporter"}
            out.append(
                _series(
                    f"node_curr_energy_in_{metric}_joule",
                    labels,
                    [(t, watts * share * 3.0) for t in scenario.scrapes(lo, hi)],
                )
            )
    return out


def ksm_series(
    scenario: Scenario, lo: float = -math.inf, hi: float = math.inf
) -> list[MetricSeries]:
    """kube-state-metrics: ``kube_pod_owner`` and ``kube_pod_start_time`` while each pod runs
    (a pod running since before the scenario started an hour before it),
    ``kube_replicaset_owner`` / ``kube_job_owner`` for ``scenario.owners`` (ReplicaSet/Job ->
    (kind, name)), ``kube_node_info`` for every node; sampled every ``ksm_every`` seconds."""
    every = scenario.ksm_every
    ticks = [
        scenario.start + k * every
        for k in range(math.ceil((scenario.end - scenario.start) / every))
    ]
    ticks = [t for t in ticks if lo <= t < hi]
    out = []
    for pod in scenario.pods:
        if not pod.owner_kind:
            continue
        times = [t for t in ticks if pod.start <= t <= pod.end]
        labels = {
            "namespace": pod.namespace,
            "pod": pod.name,
            "uid": pod.uid,
            "owner_kind": pod.owner_kind,
            "owner_name": pod.owner_name,
            "owner_is_controller": "true",
            "job": "kube-state-metrics",
        }
        out.append(_series("kube_pod_owner", labels, [(t, 1.0) for t in times]))
        started = pod.start if math.isfinite(pod.start) else scenario.start - 3600.0
        identity = {k: labels[k] for k in ("namespace", "pod", "uid", "job")}
        out.append(_series("kube_pod_start_time", identity, [(t, started) for t in times]))
    for child, (kind, name) in scenario.owners.items():
        parent_namespace = next((p.namespace for p in scenario.pods if p.owner_name == child), None)
        if parent_namespace is None:
            continue
        metric, label = (
            ("kube_replicaset_owner", "replicaset")
            if kind == "Deployment"
            else ("kube_job_owner", "job_name")
        )
        labels = {
            "namespace": parent_namespace,
            label: child,
            "owner_kind": kind,
            "owner_name": name,
            "owner_is_controller": "true",
            "job": "kube-state-metrics",
        }
        out.append(_series(metric, labels, [(t, 1.0) for t in ticks]))
    for node in scenario.nodes:
        out.append(
            _series(
                "kube_node_info",
                {"node": node, "job": "kube-state-metrics"},
                [(t, 1.0) for t in ticks],
            )
        )
    return out


def state_series(
    metric: str,
    labels: Mapping[str, str],
    changes: Sequence[tuple[float, float]],
    *,
    end: float,
    every: float = 30.0,
) -> MetricSeries:
    """A kube-state-metrics gauge sampled every ``every`` s from the first change to ``end``;
    ``changes`` are ``(instant, value)`` pairs in time order."""
    points = []
    t = changes[0][0]
    while t < end:
        value = [v for at, v in changes if at <= t][-1]
        points.append((t, value))
        t += every
    return _series(metric, labels, points)


def truth(
    scenario: Scenario,
    *,
    start: float,
    step: float,
    steps: int,
    zones: Sequence[str] = ("package", "dram"),
    terminated: bool = True,
) -> dict[tuple[str, str], list[float]]:
    """Per pod ``(namespace, name)``: joules per grid step as raw-sample integration finds them.

    ``terminated``: Kepler 0.10 exports a final sample after a pod ends; 0.4-0.9 and 0.3 do
    not, so the energy after a pod's last scrape is unobservable there.
    """
    shares = {"package": 1.0, "dram": _DRAM_SHARE}
    out: dict[tuple[str, str], list[float]] = {}
    for pod in scenario.pods:
        grid = [0.0] * steps
        times = _running(pod, scenario, lo=-math.inf, hi=math.inf)
        final_at = _terminated_at(pod, scenario) if terminated else None
        if final_at is not None:
            times.append(final_at)
        for zone in zones:
            watts = pod.watts * shares[zone]
            previous = 0.0
            previous_generation = None
            for t in times:
                generation = scenario.generation(t)
                value = _pod_energy(pod, scenario, at=min(t, pod.end), watts=watts)
                if previous_generation is not None and generation != previous_generation:
                    previous = 0.0
                index = math.ceil((t - start) / step - 1e-9) - 1
                if 0 <= index < steps:
                    grid[index] += value - previous
                previous, previous_generation = value, generation
        out[(pod.namespace, pod.name)] = grid
    return out


def true_energy(
    scenario: Scenario,
    *,
    start: float,
    end: float,
    zones: Sequence[str] = ("package", "dram"),
) -> dict[str, float]:
    """Joules per namespace the pods drew in ``[start, end)``: power x time while they ran
    (Kepler restarts and scrape gaps lose nothing here)."""
    shares = {"package": 1.0, "dram": _DRAM_SHARE}
    out: dict[str, float] = {}
    for pod in scenario.pods:
        seconds = max(0.0, min(end, pod.end) - max(start, pod.start))
        joules = pod.watts * seconds * sum(shares[z] for z in zones)
        out[pod.namespace] = out.get(pod.namespace, 0.0) + joules
    return out
