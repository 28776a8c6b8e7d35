"""Ground truth of a simulation, defined exactly.

For a workload with intended off windows ``W`` (its policy's schedule from adoption on):

- ``counterfactual(ref, within)`` = the *expected* energy (package + DRAM) the workload would
  have drawn in ``W ∩ within`` had it never been switched off:
  ``Σ_k watts_k · |interval_k ∩ W ∩ within ∩ lives| · replicas · (1 + dram_ratio)`` with the
  generator's own per-interval expected power ``watts_k`` and its always-on lives (every Job of
  a CronJob). It is the expectation of the generating process: the day factor and the per-
  interval noise have mean 1 (clipping the noise factor at 0 moves its mean by < 3e-5 for the
  allowed ``noise <= 0.3``). No start-up spike: an always-on workload never wakes.
- ``residual(ref, within)`` = the energy the simulation *actually generated* for the workload
  inside ``W ∩ within`` (shutdown tails, nights it did not stop, Jobs still running).
- ``avoided(ref, within)`` = counterfactual − residual: what the savings estimate estimates.

Node truth: the removal intervals of the removable nodes and the expected power of an empty
node (idle package + idle DRAM + system activity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scheduler.core.intervals import IntervalSet
from scheduler.core.workloads import WorkloadRef
from scheduler.simulation import kepler, lives
from scheduler.simulation.spec import SimulationSpec, WorkloadSpec
from scheduler.simulation.timeline import Timeline

__all__ = ["NodeTruth", "Truth", "WorkloadTruth"]


@dataclass(frozen=True)
class WorkloadTruth:
    """What one workload was told, did, and would have drawn."""

    spec: WorkloadSpec
    intended_off: IntervalSet
    actual_off: IntervalSet
    residual: kepler.Residual

    @property
    def ref(self) -> WorkloadRef:
        """The workload."""
        return self.spec.ref

    def residual_joules(self, within: IntervalSet | None = None) -> float:
        """Generated energy inside the intended windows (and ``within``, if given)."""
        r = self.residual
        if within is None:
            return math.fsum(r.joules)
        total = []
        for a, b, e in zip(r.starts, r.ends, r.joules, strict=True):
            inside = within.clip(a, b).total()
            if inside > 0:
                total.append(e * inside / (b - a))
        return math.fsum(total)


@dataclass(frozen=True)
class NodeTruth:
    """Removed node-seconds and the expected power of an empty node."""

    removal: IntervalSet
    removable: int
    empty_node_watts: float

    def removed_node_seconds(self, within: IntervalSet) -> float:
        """Node-seconds removed within ``within``."""
        return self.removable * self.removal.intersection(within).total()


class Truth:
    """Ground truth of one simulation (see the module docstring for the definitions)."""

    def __init__(
        self,
        spec: SimulationSpec,
        *,
        timeline: Timeline,
        workloads: dict[WorkloadRef, WorkloadTruth],
        nodes: NodeTruth,
    ) -> None:
        self.spec = spec
        self.timeline = timeline
        self.workloads = workloads
        self.nodes = nodes

    def expected_joules(self, ref: WorkloadRef, within: IntervalSet) -> float:
        """Expected energy of the always-on workload over ``within``."""
        w = self.workloads[ref].spec
        tl = self.timeline
        watts = kepler.watts_per_interval(w, tl)
        parts = []
        for piece in lives.counterfactual_lives(self.spec, w).intersection(within):
            for k in range(tl.first_interval(piece.start), tl.last_interval(piece.end) + 1):
                a, b = max(tl.t(k - 1), piece.start), min(tl.t(k), piece.end)
                if b > a:
                    parts.append(watts[k] * (b - a))
        return math.fsum(parts) * w.replicas * (1.0 + w.dram_ratio)

    def counterfactual(self, ref: WorkloadRef, within: IntervalSet | None = None) -> float:
        """Expected energy over the intended off windows (∩ ``within``) had it stayed on."""
        windows = self.workloads[ref].intended_off
        return self.expected_joules(
            ref, windows if within is None else windows.intersection(within)
        )

    def residual(self, ref: WorkloadRef, within: IntervalSet | None = None) -> float:
        """Energy actually generated inside the intended off windows (∩ ``within``)."""
        return self.workloads[ref].residual_joules(within)

    def avoided(self, ref: WorkloadRef, within: IntervalSet | None = None) -> float:
        """Counterfactual minus residual: the avoided energy an estimate should find."""
        return self.counterfactual(ref, within) - self.residual(ref, within)
