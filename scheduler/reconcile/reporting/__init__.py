"""``offhours report``: measured savings from the ledger, Kepler and kube-state-metrics.

    document = reporting.build_report(settings, ReportRequest(start=..., end=...), now=now)

reads the intended off windows from offhours' own commits (``intended``), the energy and the
actual off states from any PromQL endpoint (``measured``) and assembles the report
(``assemble``); ``scheduler.core.energy.render`` renders it. The Prometheus client is closed
before anything is rendered, and any failure raises before a document exists, so callers
never write a partial report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.energy.render.document import ReportDocument
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.reconcile.reporting.assemble import Assembly, assemble
from scheduler.reconcile.reporting.intended import Intended, read_intended
from scheduler.reconcile.reporting.measured import Measured, read_measured
from scheduler.reconcile.reporting.window import ReportWindow
from scheduler.settings import EnergySettings, Settings

__all__ = [
    "Assembly",
    "Intended",
    "Measured",
    "ReportRequest",
    "ReportWindow",
    "assemble",
    "build_report",
    "default_history_seconds",
    "read_intended",
    "read_measured",
]

DAY = 86400.0


def default_history_seconds(energy: EnergySettings) -> float:
    """History read before the period: enough for either baseline method's needs."""
    return max(energy.baseline_min_history_days, energy.baseline_trailing_lookback_days) * DAY


@dataclass(frozen=True)
class ReportRequest:
    """One report: period, grid step, history, Kepler schema, repository and presentation.

    ``history_seconds`` ``None``: ``default_history_seconds``; ``repo`` ``None``: the
    settings' repository; ``detail_targets``: how many targets get a power chart.
    """

    start: datetime
    end: datetime
    step: float = 300.0
    history_seconds: float | None = None
    schema: KeplerSchema | None = None
    repo: str | None = None
    overhead_namespace: str = "offhours"
    detail_targets: int = 12


def build_report(settings: Settings, request: ReportRequest, *, now: datetime) -> ReportDocument:
    """Read everything and assemble the report; raises before returning anything on failure."""
    history = request.history_seconds
    window = ReportWindow.aligned(
        start=request.start,
        end=request.end,
        step=request.step,
        history_seconds=default_history_seconds(settings.energy) if history is None else history,
    )
    intended = read_intended(settings, window=window, now=now, repo=request.repo)
    namespaces = (settings.kube.flux_namespace, request.overhead_namespace)
    with PrometheusClient(settings.prometheus) as client:
        measured = read_measured(
            client,
            window=window,
            targets=intended.targets,
            namespaces=namespaces,
            schema=request.schema,
            placements=intended.placements,
        )
        http = client.stats.http_requests
    how = Assembly(
        energy=settings.energy,
        flux_namespace=settings.kube.flux_namespace,
        overhead_namespace=request.overhead_namespace,
        detail_targets=request.detail_targets,
        http_requests=http,
    )
    return assemble(how, window=window, intended=intended, measured=measured)
