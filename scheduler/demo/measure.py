"""Measurements consistent with what the scheduler committed, and the real report on them.

A seeded simulation (``scheduler.simulation``) generates Kepler 0.10 and kube-state-metrics
series for the example's workloads (for a HelmRelease, the Deployment its chart renders,
labelled with the release as helm-controller does): three weeks always on (the history an
hour-of-week baseline needs), then the demo week, in which each workload is off exactly when
offhours' commits said so (plus Flux's apply delay and shutdown tails). The series go into a
real Prometheus on 127.0.0.1 when the ``prometheus`` binary is present, and the real
``offhours report`` reads them from there; otherwise the same report is assembled from the
generated series directly (and says so). All of it is labelled simulated.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from scheduler.adapters.prometheus.offstate import OffStates
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.render.document import ReportDocument
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.offstate import OffState
from scheduler.core.kepler.reading import (
    EnergyReading,
    NodeCount,
    NodeEnergy,
    PodEnergy,
    ReadingMetadata,
    grid_total,
)
from scheduler.core.kepler.releases import Placements, Via
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.series import MetricSeries
from scheduler.core.workloads import WorkloadRef
from scheduler.reconcile import reporting
from scheduler.reconcile.reporting.intended import Intended
from scheduler.settings import Settings
from scheduler.simulation import (
    CronSpec,
    PolicySpec,
    Simulation,
    SimulationSpec,
    WorkloadSpec,
    simulate,
)
from scheduler.simulation.standin_reader import (
    GridShape,
    namespace_grids,
    node_counts,
    node_grids,
    workload_grids,
)
from scheduler.testing import promserver, recordings

__all__ = ["build_simulation", "report_offline", "report_with_prometheus"]

HISTORY = timedelta(days=21)
STEP = 300.0
SCRAPE = 60.0

#: power model per example workload: (replicas, base W, peak W) per pod; CronJobs: period, run
_POWER: Mapping[str, tuple[int, float, float]] = {
    "web": (2, 0.8, 4.0),
    "api": (2, 0.6, 3.0),
    "postgres": (1, 1.5, 2.5),
    "worker": (3, 0.7, 2.5),
    "pr-101": (1, 0.3, 1.2),
    "pr-117": (1, 0.3, 1.2),
}
#: the workload each example HelmRelease's chart renders (podinfo names it <release>-podinfo)
_RENDERED: Mapping[str, tuple[str, str, tuple[int, float, float]]] = {
    "shop": ("Deployment", "shop-podinfo", (2, 0.4, 1.6)),
}
_CRON: Mapping[str, CronSpec] = {
    "etl-hourly": CronSpec(period_seconds=3600.0, job_seconds=600.0),
    "report-nightly": CronSpec(period_seconds=86400.0, job_seconds=2700.0),
}


def _shape(
    ref: WorkloadRef, *, placed: Placements
) -> tuple[WorkloadRef, tuple[int, float, float], WorkloadRef | None] | None:
    """The simulated workload of a Deployment/StatefulSet target, or the one a placed
    HelmRelease's chart renders (labelled with the release); its power; its Flux owner."""
    if ref.kind in ("Deployment", "StatefulSet"):
        return ref, _POWER.get(ref.name, (1, 0.5, 2.0)), None
    if ref.kind == "HelmRelease" and ref in placed.by_target:
        kind, name, power = _RENDERED.get(ref.name, ("Deployment", ref.name, (1, 0.5, 2.0)))
        return WorkloadRef(kind, ref.namespace, name), power, ref
    return None  # Flux objects that only suspend have no pods of their own


def _workload(ref: WorkloadRef, policy: str, *, placed: Placements) -> WorkloadSpec | None:
    if ref.kind == "CronJob":
        cron = _CRON.get(ref.name, CronSpec())
        return WorkloadSpec("CronJob", ref.namespace, ref.name, policy=policy, cron=cron)
    shape = _shape(ref, placed=placed)
    if shape is None:
        return None
    simulated, (replicas, base, peak), owner = shape
    return WorkloadSpec(
        simulated.kind,
        simulated.namespace,
        simulated.name,
        policy=policy,
        replicas=replicas,
        base_watts=base,
        peak_watts=peak,
        restarts_per_day=0.3,
        flux_owner=owner,
    )


def _placements(intended: Intended) -> Placements:
    return Placements(intended.placements, targets=intended.targets)


def build_simulation(
    intended: Intended, *, start: datetime, end: datetime, seed: int
) -> Simulation:
    """Simulate the targets of ``intended`` from three weeks before ``start`` to ``end``, off
    in the demo week exactly in their intended windows."""
    placed = _placements(intended)
    specs = [
        spec
        for ref in intended.targets
        if (spec := _workload(ref, intended.policies[ref], placed=placed)) is not None
    ]
    policies = tuple(PolicySpec(name) for name in sorted({s.policy or "" for s in specs}))
    windows = {s.ref: intended.windows.get(s.flux_owner or s.ref, IntervalSet()) for s in specs}
    first = start - HISTORY
    return simulate(
        SimulationSpec(
            start=first,
            days=(end - first).total_seconds() / 86400,
            workloads=tuple(specs),
            policies=policies,
            adoption=start,
            intended=windows,
            scrape_interval=SCRAPE,
            seed=seed,
            gaps_per_day=0.3,
            removable_nodes=0,
        )
    )


def report_with_prometheus(
    sim: Simulation,
    *,
    settings: Settings,
    request: reporting.ReportRequest,
    scratch: Path,
    binaries: promserver.PromBinaries,
    now: datetime,
) -> ReportDocument:
    """Backfill the series into a Prometheus on loopback and run the real report on it."""
    scratch.mkdir(parents=True, exist_ok=True)
    source = scratch / "simulated.om"
    promserver.write_openmetrics(recordings.merge_series(sim.series), source)
    promserver.create_blocks(
        source, scratch / "tsdb", promtool=binaries.promtool, max_block_duration="1000h"
    )
    source.unlink()
    with promserver.PromServer(scratch / "tsdb", binaries=binaries, work_dir=scratch) as server:
        prometheus = settings.prometheus.model_copy(update={"url": server.url, "retries": 0})
        return reporting.build_report(
            settings.model_copy(update={"prometheus": prometheus}), request, now=now
        )


def _reading(
    series: list[MetricSeries],
    window: reporting.ReportWindow,
    *,
    sim: Simulation,
    placed: Placements,
) -> EnergyReading:
    timeline = window.timeline
    shape = GridShape(timeline.start, timeline.step, timeline.steps, scrape_interval=SCRAPE)
    nodes = node_grids(series, shape)
    counts = node_counts(series, shape)
    covered = IntervalSet()
    for grid in nodes.values():
        covered = covered.union(grid.covered())
    span = window.end - timeline.start
    workloads = workload_grids(series, shape, placements=placed)
    pods = _pods(workloads, rendered=_rendered(sim))
    return EnergyReading(
        timeline=timeline,
        workloads=workloads,
        namespaces=namespace_grids(series, shape, namespaces=("flux-system", "offhours")),
        pods=pods,
        nodes={name: NodeEnergy(grid, None, None, "simulated") for name, grid in nodes.items()},
        node_count=NodeCount(counts.start, counts.step, counts.counts, "simulated"),
        covered=covered,
        metadata=ReadingMetadata(
            schema=KeplerSchema.V0_10,
            versions=("simulated",),
            zones=shape.zones,
            modes=(),
            pseudo_containers="not applicable (simulated)",
            attribution=dict(Counter(p.attribution for p in pods.values())),
            node_source="simulated node counters",
            method="generated series read directly (no Prometheus binary found)",
            coverage=covered.clip(timeline.start, window.end).total() / span,
        ),
    )


def _rendered(sim: Simulation) -> dict[WorkloadRef, WorkloadRef]:
    """Flux target -> the simulated workload it renders."""
    return {w.flux_owner: w.ref for w in sim.spec.workloads if w.flux_owner is not None}


def _pods(
    workloads: Mapping[WorkloadRef, EnergyGrid], *, rendered: Mapping[WorkloadRef, WorkloadRef]
) -> dict[WorkloadRef, PodEnergy]:
    """One pseudo pod per workload (the generated series are attributed already)."""
    pods = {}
    for ref, grid in workloads.items():
        total = grid_total(grid)
        source = rendered.get(ref)
        pod = WorkloadRef("Pod", ref.namespace, f"{(source or ref).name} (simulated pods)")
        how = f"{Via.LABELS.value} (simulated)" if source else "simulated owner series"
        pods[pod] = PodEnergy(ref, how, total.joules, total.seconds, 0, rendered=source)
    return pods


def _off_states(
    sim: Simulation, targets: Iterable[WorkloadRef], window: reporting.ReportWindow
) -> OffStates:
    seen = IntervalSet.of(window.history_start, window.end)
    rendered = _rendered(sim)
    states = {
        ref: OffState(sim.off.get(rendered.get(ref, ref), IntervalSet()), seen) for ref in targets
    }
    derived = dict.fromkeys(rendered, f"{Via.LABELS.value} (simulated)")
    return OffStates(states, ("simulated kube-state-metrics",), STEP, derived)


def report_offline(
    sim: Simulation,
    *,
    settings: Settings,
    request: reporting.ReportRequest,
    intended: Intended,
) -> ReportDocument:
    """The same report, assembled from the generated series without a Prometheus."""
    window = reporting.ReportWindow.aligned(
        start=request.start,
        end=request.end,
        step=request.step,
        history_seconds=reporting.default_history_seconds(settings.energy),
    )
    series = recordings.merge_series(sim.series)
    measured = reporting.Measured(
        reading=_reading(series, window, sim=sim, placed=_placements(intended)),
        off=_off_states(sim, intended.targets, window),
        requests=None,
        timeline=window.timeline,
    )
    how = reporting.Assembly(
        energy=settings.energy,
        flux_namespace=settings.kube.flux_namespace,
        overhead_namespace=request.overhead_namespace,
        detail_targets=request.detail_targets,
        http_requests=0,
    )
    document = reporting.assemble(how, window=window, intended=intended, measured=measured)
    return replace(document, notes=(*document.notes, "read without Prometheus (not installed)"))
