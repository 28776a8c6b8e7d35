"""Turn what was read (ledger, policies, Kepler, kube-state-metrics) into a ``ReportDocument``.

Per target: the estimate from ``scheduler.core.energy`` (hour-of-week or trailing baseline in
the policy's zone; the CCF estimate from CPU requests without Kepler), the intended and actual
off time and their lag. Then overhead (Flux and offhours namespaces), the node figures, the
conversions, chart data and the notes a reader needs. A target without any Kepler data gets a
grid of "no data" (so it is *not estimated*, never 0 J). Pure given its inputs.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, tzinfo

from scheduler.core import zones as tzones
from scheduler.core.energy import baseline, ccf, conversions, nodes, overhead, savings
from scheduler.core.energy.baseline import BaselineMethod
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.energy.render import actuation as lags
from scheduler.core.energy.render import series
from scheduler.core.energy.render.document import LedgerFacts, ReportDocument, TargetDetail
from scheduler.core.energy.report import SavingsReport
from scheduler.core.energy.targets import TargetSavings
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.reading import EnergyReading
from scheduler.core.manifests import kinds
from scheduler.core.workloads import WorkloadRef
from scheduler.reconcile.reporting.intended import Intended
from scheduler.reconcile.reporting.measured import Measured
from scheduler.reconcile.reporting.window import ReportWindow
from scheduler.settings import EnergySettings

__all__ = ["Assembly", "assemble", "not_estimated"]

NO_POD_NOTE = "no Kepler data attributed to this target: no pod of it in the read range"
FLUX_NOTE = "a Flux object has no pods of its own: its workloads' energy is reported under them"
RENDERED_NOTE = (
    "no pod of a workload it renders was found: give kube-state-metrics the Flux labels "
    "(--metric-labels-allowlist for deployments, statefulsets and cronjobs: "
    "helm.toolkit.fluxcd.io/name and /namespace, kustomize.toolkit.fluxcd.io/name and "
    "/namespace), or name the workloads after the release"
)


@dataclass(frozen=True)
class Assembly:
    """How to assemble: settings, the namespaces that make the overhead, chart detail."""

    energy: EnergySettings
    flux_namespace: str = "flux-system"
    overhead_namespace: str = "offhours"
    detail_targets: int = 12
    http_requests: int = 0


def _zone(name: str) -> tzinfo:
    try:
        return tzones.get_zone(name)
    except ValueError:
        return UTC


def not_estimated(
    windows: IntervalSet, *, period: tuple[float, float], note: str
) -> savings.SavingsEstimate:
    """An estimate that could not be made: its off time counts as *no data*."""
    off = windows.clip(*period).total()
    return savings.SavingsEstimate(
        method=BaselineMethod.NONE,
        off_seconds=off,
        covered_seconds=0.0,
        no_data_seconds=off,
        no_baseline_seconds=0.0,
        fallback_seconds=0.0,
        unmatched_seconds=0.0,
        history_seconds=0.0,
        baseline_joules=0.0,
        baseline_joules_low=0.0,
        baseline_joules_high=0.0,
        residual_joules=0.0,
        measured_joules=None,
        notes=(note,),
    )


class _Builder:
    """The state of one assembly."""

    def __init__(
        self, how: Assembly, *, window: ReportWindow, intended: Intended, measured: Measured
    ) -> None:
        self.how, self.window, self.intended, self.measured = how, window, intended, measured
        self.period = window.period
        self.grids: dict[WorkloadRef, EnergyGrid] = {}
        reading = measured.reading
        self.with_pods = {p.workload for p in reading.pods.values()} if reading else set()
        self.placed = {p.target for p in intended.placements}
        self.rendered = _rendered(reading)
        self.ccf_row = ccf.coefficients(how.energy.ccf_coefficients)
        self.utilisation = ccf.Utilisation(point=how.energy.ccf_cpu_utilisation)

    def options(self, zone: str) -> baseline.BaselineOptions:
        return baseline.BaselineOptions.from_config(self.how.energy, tz=_zone(zone))

    def _empty_grid(self) -> EnergyGrid:
        return self.measured.timeline.grid(math.nan)

    def estimate(
        self, target: WorkloadRef, *, windows: IntervalSet, actual: IntervalSet, zone: str
    ) -> tuple[savings.SavingsEstimate, str]:
        reading, bounds = self.measured.reading, (self.period.start, self.period.end)
        if reading is None:
            return self._ccf(target, windows=windows, actual=actual)
        note = ""
        grid = reading.workloads.get(target)
        if grid is None or target not in self.with_pods:
            grid = self._empty_grid()
            note = NO_POD_NOTE
            if target.kind in kinds.FLUX_SUSPENDABLE_KINDS:
                note = RENDERED_NOTE if target in self.placed else FLUX_NOTE
        else:
            self.grids[target] = grid
        if note and not windows.clip(*bounds):
            return not_estimated(windows, period=bounds, note=note), note
        estimate = savings.estimate_savings(
            grid,
            windows=windows,
            period=self.period,
            options=self.options(zone),
            actual_off=actual,
        )
        return estimate, note

    def attribution(self, target: WorkloadRef) -> str:
        """How a Flux target's energy and off state came from the workloads it renders."""
        parts = [
            f"energy of the pods of {workload} ({', '.join(sorted(hows))})"
            for workload, hows in sorted(self.rendered.get(target, {}).items())
        ]
        derived = self.measured.off.derived.get(target)
        if derived:
            parts.append(f"off while all it renders is at zero ({derived})")
        return "; ".join(parts)

    def _ccf(
        self, target: WorkloadRef, *, windows: IntervalSet, actual: IntervalSet
    ) -> tuple[savings.SavingsEstimate, str]:
        requests = self.measured.requests
        cores = requests.cores.get(target) if requests is not None else None
        bounds = (self.period.start, self.period.end)
        if cores is None:
            note = (
                "estimated, no Kepler: no CPU requests of this target in kube-state-metrics "
                "(kube_pod_container_resource_requests), so nothing to estimate from"
            )
            return not_estimated(windows, period=bounds, note=note), note
        estimate = ccf.estimate_without_kepler(
            cpu_cores=cores,
            windows=windows,
            period=self.period,
            row=self.ccf_row,
            utilisation=self.utilisation,
            actual_off=actual if self.measured.off.sources else None,
        )
        return estimate, ""

    def target(self, target: WorkloadRef) -> tuple[TargetSavings, TargetDetail]:
        intended = self.intended
        zone = intended.zone_of(target)
        windows = intended.windows.get(target, IntervalSet())
        state = self.measured.off.states.get(target)
        actual = state.off if state is not None else IntervalSet()
        estimate, note = self.estimate(target, windows=windows, actual=actual, zone=zone)
        acted = None
        if state is not None and self.measured.off.sources:
            acted = lags.actuation(windows, actual, observed=state.observed, period=self.period)
        p = self.period
        detail = TargetDetail(
            target=target,
            zone=zone,
            intended=windows.clip(p.start, p.end),
            actual=actual.clip(p.start, p.end),
            actuation=acted,
            data_note=note,
            attribution=self.attribution(target),
        )
        return TargetSavings(target, intended.policies[target], estimate), detail


def _rendered(reading: EnergyReading | None) -> dict[WorkloadRef, dict[WorkloadRef, set[str]]]:
    """Per Flux target: the rendered workloads whose pods it owns, and how each was found."""
    out: dict[WorkloadRef, dict[WorkloadRef, set[str]]] = {}
    for pod in reading.pods.values() if reading else ():
        if pod.rendered is not None:
            out.setdefault(pod.workload, {}).setdefault(pod.rendered, set()).add(pod.attribution)
    return out


def _main_zone(intended: Intended) -> str:
    counts = Counter(intended.zone_of(t) for t in intended.targets)
    return counts.most_common(1)[0][0] if counts else "UTC"


def _overhead(b: _Builder) -> tuple[overhead.Overhead, list[str]]:
    names = (b.how.flux_namespace, b.how.overhead_namespace)
    parts: dict[str, EnergyGrid] = {}
    notes: list[str] = []
    reading, requests = b.measured.reading, b.measured.requests
    for namespace in names:
        grid: EnergyGrid | None = None
        if reading is not None:
            if any(p.namespace == namespace for p in reading.pods):
                grid = reading.namespaces.get(namespace)
        elif requests is not None:
            watts = b.ccf_row.average_watts(b.utilisation.point)
            grid = requests.namespace_grid(namespace, watts_per_core=watts)
        if grid is None:
            notes.append(f"no pods measured in namespace {namespace}: not part of the overhead")
        else:
            parts[namespace] = grid
    if reading is None and parts:
        notes.append("overhead estimated from CPU requests (Cloud Carbon Footprint), no Kepler")
    return overhead.measure_overhead(parts, period=b.period), notes


def _present(grid: EnergyGrid) -> EnergyGrid:
    """A node grid with the steps the node did not exist as *no data*.

    The reader fills a node's steps without any of its series with 0 J; a node that exists
    never draws exactly 0 J (idle power), so those steps are a node that was not there
    (removed, or not yet added): figure (2) must not count them as measured, figure (3) counts
    removals separately, and the per-node power must only average nodes that were present.
    """
    joules = array("d", (math.nan if v == 0.0 else v for v in grid.joules))
    return EnergyGrid(grid.start, grid.step, joules)


def _node_figures(
    reading: EnergyReading, *, windows: IntervalSet, b: _Builder, zone: str
) -> tuple[nodes.NodeComparison | None, nodes.NodesRemoved | None]:
    if not windows.clip(b.period.start, b.period.end) or not reading.nodes:
        return None, None
    grids = {name: _present(energy.total) for name, energy in reading.nodes.items()}
    options = b.options(zone)
    comparison = nodes.compare_nodes(grids, windows=windows, period=b.period, options=options)
    count = reading.node_count
    removed = nodes.nodes_removed(
        nodes.NodeCounts(count.start, count.step, count.counts),
        node_watts=nodes.node_power(grids, windows=windows, period=b.period),
        windows=windows,
        period=b.period,
        options=options,
    )
    return comparison, removed


def _report_notes(b: _Builder, *, overhead_notes: list[str]) -> tuple[str, ...]:
    intended, notes = b.intended, list[str]()
    if intended.entries == 0:
        notes.append(
            f"the ledger is empty: no offhours commit in the history of {intended.repository} "
            "up to the end of the period, so no off time was intended and nothing is counted "
            "as saved"
        )
    if not intended.targets:
        notes.append("no targets: no ledger entries and no current policy selects any object")
    if intended.problems:
        notes.append(f"{len(intended.problems)} ledger trailers could not be read (see ledger)")
    notes += intended.notes
    if b.measured.reading is None:
        notes.append(
            "no Kepler metrics in the window: every energy figure is estimated from CPU "
            f"requests ({ccf.LABEL})"
        )
        requests = b.measured.requests
        if requests is None or not requests.found:
            notes.append(
                "missing: no Kepler energy metrics and no kube-state-metrics CPU requests "
                "(kube_pod_container_resource_requests): nothing to estimate savings from; "
                "deploy Kepler (bare metal or VMs with RAPL) or kube-state-metrics"
            )
    if not b.measured.off.sources and intended.targets:
        notes.append(
            "no kube-state-metrics or Flux state metrics: actual off time and lags unknown"
        )
    return tuple(notes + overhead_notes)


def assemble(
    how: Assembly, *, window: ReportWindow, intended: Intended, measured: Measured
) -> ReportDocument:
    """The report of ``window`` from the intended and measured sides."""
    b = _Builder(how, window=window, intended=intended, measured=measured)
    pairs = [b.target(t) for t in intended.targets]
    rows = tuple(r for r, _ in pairs)
    zone = _main_zone(intended)
    cost, cost_notes = _overhead(b)
    reading = measured.reading
    union = IntervalSet()
    for w in intended.windows.values():
        union = union.union(w)
    comparison, removed = (
        _node_figures(reading, windows=union, b=b, zone=zone) if reading else (None, None)
    )
    report = SavingsReport(
        period=window.period,
        kepler_schema=reading.metadata.schema.value if reading else None,
        zones=tuple(reading.metadata.zones) if reading else (),
        options=b.options(zone),
        factors=conversions.ConversionFactors.from_config(how.energy),
        targets=rows,
        overhead=cost,
        node_comparison=comparison,
        nodes_removed=removed,
    )
    details = _with_power(b, rows, [d for _, d in pairs])
    return ReportDocument(
        savings=report,
        step=window.step,
        history_start=window.history_start,
        details=details,
        ledger=LedgerFacts(
            intended.repository, intended.commits, intended.entries, intended.problems
        ),
        reading=reading.metadata if reading else None,
        off_state_sources=measured.off.sources,
        off_state_resolution=measured.off.resolution,
        fleet_power=_fleet(b),
        cumulative=series.cumulative_savings((r.estimate for r in rows), period=window.period),
        notes=_report_notes(b, overhead_notes=cost_notes),
        http_requests=how.http_requests,
        ccf_source="" if reading else f"{b.ccf_row.label} ({b.ccf_row.source})",
    )


def _with_power(
    b: _Builder, rows: tuple[TargetSavings, ...], details: list[TargetDetail]
) -> tuple[TargetDetail, ...]:
    ranked = sorted(
        (r for r in rows if r.estimate.saved_joules is not None and r.target in b.grids),
        key=lambda r: -(r.estimate.saved_joules or 0.0),
    )
    shown = {r.target for r in ranked[: b.how.detail_targets]}
    out = []
    for d in details:
        if d.target in shown:
            power = series.power_series(b.grids[d.target], period=b.period)
            d = replace(d, power=power)
        out.append(d)
    return tuple(out)


def _fleet(b: _Builder) -> series.PowerSeries | None:
    total = series.sum_grids(b.grids.values())
    return None if total is None else series.power_series(total, period=b.period, points=360)
