"""The measured side of a report: Kepler energy, actual off states, or CPU requests.

``read_measured`` detects Kepler in the read range (history and period), reads every target's
energy plus the Flux and offhours namespaces in one ``read_energy`` (its number of requests does
not grow with the targets), and the actual off intervals on the same timeline. Without any
Kepler metric (and no ``--kepler-schema`` forcing one) it reads CPU requests for the Cloud
Carbon Footprint estimate instead. Any Prometheus failure raises; nothing is returned partly.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.adapters.prometheus import kepler, offstate
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest
from scheduler.core.kepler.releases import Placement
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import NoKeplerData
from scheduler.reconcile.reporting.requests import CpuRequests, read_cpu_requests
from scheduler.reconcile.reporting.window import ReportWindow

__all__ = ["Measured", "detect_kepler", "read_measured"]


@dataclass(frozen=True)
class Measured:
    """What Prometheus said: energy (or CPU requests without Kepler) and actual off states."""

    reading: EnergyReading | None
    off: offstate.OffStates
    requests: CpuRequests | None
    timeline: Timeline


def detect_kepler(
    client: PrometheusClient, *, start: float, end: float, schema: KeplerSchema | None
) -> kepler.Detected | None:
    """The Kepler schema of ``[start, end]``; ``None`` when there is no Kepler metric at all
    (an explicitly requested schema that is absent is an error, not a fallback)."""
    try:
        return kepler.detect(client, start=start, end=end, override=schema)
    except NoKeplerData:
        if schema is None:
            return None
        raise


def read_measured(
    client: PrometheusClient,
    *,
    window: ReportWindow,
    targets: tuple[WorkloadRef, ...],
    namespaces: tuple[str, ...],
    schema: KeplerSchema | None = None,
    placements: tuple[Placement, ...] = (),
) -> Measured:
    """Read energy (or CPU requests), and actual off states, for ``targets``; ``placements``
    (HelmRelease/Kustomization targets that scale what they render) own those pods."""
    timeline = window.timeline
    found = detect_kepler(
        client, start=window.history_start - window.step, end=window.end, schema=schema
    )
    reading = requests = None
    if found is not None:
        request = EnergyRequest(
            start=window.history_start,
            end=window.end,
            step=window.step,
            namespaces=namespaces,
            targets=targets,
            schema=schema,
            placements=placements,
        )
        reading = kepler.read_energy(client, request, detected=found)
    else:
        scope = {*namespaces, *(t.namespace for t in targets if t.namespace)}
        scope |= {n for p in placements for n in p.namespaces if n}
        requests = read_cpu_requests(
            client,
            timeline=timeline,
            namespaces=tuple(sorted(scope)),
            targets=targets,
            placements=placements,
        )
    if targets:
        off = offstate.read_off_states(
            client, timeline=timeline, targets=targets, placements=placements
        )
    else:
        off = offstate.OffStates({}, (), 0.0)
    return Measured(reading, off, requests, timeline)
