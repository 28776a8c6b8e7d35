"""A seeded, pure simulation of a cluster under offhours, with known ground truth.

``simulate(SimulationSpec(...))`` returns Kepler 0.10 and kube-state-metrics series as
``MetricSeries`` (what Prometheus would hold), the actual and intended off intervals of every
managed workload, and the ground truth (``truth``): the energy each workload would have drawn
in its off windows had it stayed on. ``standin_reader`` turns the series into ``EnergyGrid``s
without Prometheus. Used by the savings tests, ``offhours demo`` and the report's acceptance
tests. Nothing here does I/O or reads the clock.
"""

from scheduler.simulation.engine import Simulation, simulate
from scheduler.simulation.spec import CronSpec, LoadShape, PolicySpec, SimulationSpec, WorkloadSpec
from scheduler.simulation.truth import NodeTruth, Truth, WorkloadTruth

__all__ = [
    "CronSpec",
    "LoadShape",
    "NodeTruth",
    "PolicySpec",
    "Simulation",
    "SimulationSpec",
    "Truth",
    "WorkloadSpec",
    "WorkloadTruth",
    "simulate",
]
