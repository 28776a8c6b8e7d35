"""``simulate(spec)``: the series and the ground truth of one simulated cluster.

Pure and deterministic: every random draw comes from ``random.Random`` seeded by
``spec.seed`` and the name of what is drawn, so adding a workload never changes another one's
data. Memory: samples are ``array('d')``; series that span the whole run share one timestamp
array.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from scheduler.core.intervals import IntervalSet
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.simulation import activity, kepler, kubestate, lives, load, timeline
from scheduler.simulation.spec import SimulationSpec, WorkloadSpec
from scheduler.simulation.truth import NodeTruth, Truth, WorkloadTruth

__all__ = ["Simulation", "simulate"]

NODE_PROVISION_SECONDS = 60.0


@dataclass(frozen=True)
class Simulation:
    """Generated series, the off intervals, and the ground truth."""

    spec: SimulationSpec
    series: list[MetricSeries]
    truth: Truth
    off: dict[WorkloadRef, IntervalSet]
    intended: dict[WorkloadRef, IntervalSet]
    policies: dict[WorkloadRef, str]

    @property
    def start(self) -> float:
        """First instant (Unix seconds)."""
        return self.spec.start_ts

    @property
    def end(self) -> float:
        """End instant (Unix seconds)."""
        return self.spec.end_ts

    @property
    def adoption(self) -> float:
        """When offhours started switching workloads off."""
        return self.spec.adoption_ts


def _actual_off(spec: SimulationSpec, w: WorkloadSpec, intended: IntervalSet) -> IntervalSet:
    rng = random.Random(f"{spec.seed}:missed:{w.ref}")
    kept = [
        (a + spec.flux_delay, b + spec.flux_delay)
        for a, b in intended.pairs
        if not (w.missed_sleep > 0 and rng.random() < w.missed_sleep)
    ]
    return IntervalSet(kept).clip(spec.start_ts, spec.end_ts)


def _day_factors(spec: SimulationSpec, w: WorkloadSpec, tl: timeline.Timeline) -> dict[int, float]:
    rng = random.Random(f"{spec.seed}:days:{w.ref}")
    days = range(tl.local_day[0], tl.local_day[-1] + 1)
    return {d: max(0.0, 1.0 + w.daily_sd * rng.gauss()) if w.daily_sd > 0 else 1.0 for d in days}


def _cadvisor(
    spec: SimulationSpec, w: WorkloadSpec, tl: timeline.Timeline, *, day_factor: dict[int, float]
) -> activity.ActivityGenerator | None:
    if not spec.cadvisor:
        return None
    return activity.ActivityGenerator(
        workload=w,
        tl=tl,
        load=load.load_per_interval(w, tl),
        day_factor=day_factor,
        rng=random.Random(f"{spec.seed}:activity:{w.ref}"),
    )


def _removal(spec: SimulationSpec, windows: dict[str, IntervalSet]) -> IntervalSet:
    if not windows or spec.removable_nodes <= 0:
        return IntervalSet()
    shifted = [
        IntervalSet((a + spec.flux_delay, b + spec.flux_delay) for a, b in w.pairs)
        for w in windows.values()
    ]
    every = shifted[0]
    for other in shifted[1:]:
        every = every.intersection(other)
    return IntervalSet(
        (a + spec.node_scale_down_delay, b + NODE_PROVISION_SECONDS)
        for a, b in every.pairs
        if b - a > spec.node_scale_down_delay
    ).clip(spec.start_ts, spec.end_ts)


def _nodes(
    spec: SimulationSpec,
    tl: timeline.Timeline,
    *,
    pods: kepler.NodeEnergy,
    removal: IntervalSet,
    ksm: kubestate.KubeState,
) -> list[MetricSeries]:
    model = kepler.NodeModel(
        spec.node_idle_watts, spec.node_dram_idle_watts, spec.node_system_watts
    )
    rng = random.Random(f"{spec.seed}:nodes")
    out: list[MetricSeries] = []
    nodes = [(f"node-{i}", (spec.start_ts, spec.end_ts)) for i in range(spec.nodes)]
    present = removal.complement(spec.start_ts, spec.end_ts)
    for j in range(spec.removable_nodes):
        nodes += [(f"node-extra-{j}-{i}", (s, e)) for i, (s, e) in enumerate(present.pairs)]
    for name, life in nodes:
        out += kepler.node_series(name, life=life, tl=tl, model=model, pods=pods, rng=rng)
        out += ksm.node(name, life=life)
    return out


def _policy_windows(spec: SimulationSpec) -> dict[str, IntervalSet]:
    """Each policy's off windows: from its nightly pattern, or (with ``spec.intended``) the
    instants at which all of its workloads were meant to be off."""
    if spec.intended is None:
        return {
            p.name: timeline.policy_windows(
                p, tz=spec.zone, start=spec.adoption_ts, end=spec.end_ts
            )
            for p in spec.policies
        }
    windows: dict[str, IntervalSet] = {}
    for w in spec.all_workloads():
        if w.policy is None:
            continue
        mine = spec.intended.get(w.ref, IntervalSet())
        windows[w.policy] = (
            mine if w.policy not in windows else windows[w.policy].intersection(mine)
        )
    return windows


def _intended(
    spec: SimulationSpec, w: WorkloadSpec, windows: dict[str, IntervalSet]
) -> IntervalSet:
    if spec.intended is not None:
        return spec.intended.get(w.ref, IntervalSet()).clip(spec.start_ts, spec.end_ts)
    return windows[w.policy] if w.policy is not None else IntervalSet()


def simulate(spec: SimulationSpec) -> Simulation:
    """Generate Kepler and kube-state-metrics series and the ground truth for ``spec``."""
    tl = timeline.build_timeline(spec)
    ksm = kubestate.KubeState(tl.ok_times())
    pods = kepler.NodeEnergy(tl.count)
    windows = _policy_windows(spec)
    series: list[MetricSeries] = []
    truths: dict[WorkloadRef, WorkloadTruth] = {}
    for index, w in enumerate(spec.all_workloads()):
        intended = _intended(spec, w, windows)
        actual = _actual_off(spec, w, intended)
        generator = kepler.PodGenerator(
            workload=w,
            tl=tl,
            watts=kepler.watts_per_interval(w, tl),
            day_factor=_day_factors(spec, w, tl),  # also drives the cAdvisor activity
            intended=intended,
            nodes=pods,
            rng=random.Random(f"{spec.seed}:noise:{w.ref}"),
        )
        cadvisor = _cadvisor(spec, w, tl, day_factor=generator.day_factor)
        for life in lives.pod_lives(spec, w, index=index, actual_off=actual):
            series += ksm.pod(w, life, times=generator.run(life))
            if cadvisor is not None:
                series += cadvisor.series(life)
        if cadvisor is not None:
            series += cadvisor.ingress_series()
        series += generator.series
        series += ksm.workload(w, actual_off=actual, replicaset=lives.replicaset_name(spec, w))
        truths[w.ref] = WorkloadTruth(w, intended, actual, generator.residual)
    removal = _removal(spec, windows)
    series += _nodes(spec, tl, pods=pods, removal=removal, ksm=ksm)
    empty = spec.node_idle_watts + spec.node_dram_idle_watts + 1.1 * spec.node_system_watts
    truth = Truth(
        spec, timeline=tl, workloads=truths, nodes=NodeTruth(removal, spec.removable_nodes, empty)
    )
    managed = [w for w in spec.all_workloads() if w.policy is not None]
    return Simulation(
        spec=spec,
        series=series,
        truth=truth,
        off={w.ref: truths[w.ref].actual_off for w in managed},
        intended={w.ref: truths[w.ref].intended_off for w in managed},
        policies={w.ref: w.policy for w in managed if w.policy is not None},
    )
