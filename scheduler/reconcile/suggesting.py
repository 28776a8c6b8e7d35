"""``offhours suggest``: read activity and power from Prometheus, then propose policies.

``suggest(client, request)`` probes which metrics exist (one request), reads every unit's
activity per slot (``adapters.prometheus.activity``), checks that enough weeks were observed,
reads Kepler energy for the same units with the report's reader, and hands both to the pure
``scheduler.core.suggest.proposal``. With ``power_only`` the Kepler power itself is the
activity signal (said in the output). Any failure raises before a suggestion exists.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from scheduler import errors
from scheduler.adapters.prometheus import activity, kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.calendar import HolidayCalendar
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.instants import DAY
from scheduler.core.kepler.reading import EnergyReading, EnergyRequest
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.suggest import queries, scope
from scheduler.core.suggest.idleness import Signal, UnitActivity
from scheduler.core.suggest.proposal import Settings, Suggestion, propose
from scheduler.core.suggest.weekslots import CellMap, WeekSlots, cell_map
from scheduler.core.workloads import WorkloadRef

__all__ = ["SuggestRequest", "suggest"]

WEEK = 7 * DAY


@dataclass(frozen=True)
class SuggestRequest:
    """The period read, the decision settings and what to read."""

    start: float
    end: float
    settings: Settings
    namespaces: tuple[str, ...] = ()
    custom: str | None = None
    power_only: bool = False
    schema: KeplerSchema | None = None

    @property
    def timeline(self) -> Timeline:
        """Slots of ``granularity`` from ``start`` (rounded down to a whole slot)."""
        g = self.settings.slots.granularity
        first = math.floor(self.start / g) * g
        last = math.floor(self.end / g) * g
        return Timeline.spanning(first, last, g)


def _missing(client: PrometheusClient, request: SuggestRequest) -> list[str]:
    found = activity.probe(client, start=request.start, end=request.end)
    if queries.CPU_METRIC not in found and not request.power_only:
        raise errors.MetricsError(
            f"Prometheus at {client.url} holds no {queries.CPU_METRIC} between "
            f"{_iso(request.start)} and {_iso(request.end)}: suggest reads activity from "
            "cAdvisor (the kubelet's /metrics/cadvisor scrape). Add that scrape job, or pass "
            "--power-only to use Kepler power alone (labelled as such in the output)"
        )
    wanted = (queries.NETWORK_METRIC, queries.RESTARTS_METRIC, *queries.REPLICA_METRICS)
    return [] if request.power_only else [m for m in wanted if m not in found]


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _check_history(covered: bytearray, timeline: Timeline, *, min_weeks: int, what: str) -> None:
    known = [i for i, c in enumerate(covered) if c]
    span = (known[-1] - known[0] + 1) * timeline.step if known else 0.0
    if span < min_weeks * WEEK - timeline.step:
        have = (
            f"{span / DAY:.1f} days, from {_iso(timeline.start + known[0] * timeline.step)}"
            if known
            else "none"
        )
        raise errors.MetricsError(
            f"not enough history: {what} data covers {have}; suggest needs at least "
            f"{min_weeks} weeks ({min_weeks * 7} days, --min-weeks) so that every slot of the "
            "week is seen that often. Wait for more data, or read a longer --since"
        )


def _energy(client: PrometheusClient, request: SuggestRequest, *, step: float) -> EnergyReading:
    timeline = request.timeline
    found = kepler.detect(
        client, start=timeline.start - step, end=timeline.end, override=request.schema
    )
    energy = EnergyRequest(
        start=timeline.start,
        end=timeline.end,
        step=step,
        namespaces=request.namespaces,
        schema=request.schema,
    )
    return kepler.read_energy(client, energy, detected=found)


def _power_step(granularity: int) -> float:
    return 900.0 if granularity % 900 == 0 else float(granularity)


def _unit_power(
    units: Sequence[UnitActivity], reading: EnergyReading
) -> dict[WorkloadRef, EnergyGrid]:
    out: dict[WorkloadRef, EnergyGrid] = {}
    for unit in units:
        grids = [reading.workloads[m] for m in unit.members if m in reading.workloads]
        if not grids:
            continue
        joules = array("d", grids[0].joules)
        for grid in grids[1:]:
            for i, v in enumerate(grid.joules):
                joules[i] = v if joules[i] != joules[i] else joules[i] + (v if v == v else 0.0)
        out[unit.unit] = EnergyGrid(grids[0].start, grids[0].step, joules)
    return out


def _power_units(reading: EnergyReading) -> list[UnitActivity]:
    out = []
    for ref, grid in sorted(reading.workloads.items()):
        watts = array("d", (j / grid.step for j in grid.joules))
        out.append(UnitActivity(ref, ref.namespace, (ref,), (Signal("power", watts),)))
    return out


def _scoped(units: Sequence[UnitActivity]) -> tuple[list[UnitActivity], list[str]]:
    kept: list[UnitActivity] = []
    skipped: dict[str, list[str]] = {}
    for unit in units:
        why = scope.skip_reason(unit.unit, home=unit.home)
        if why is None:
            kept.append(unit)
        else:
            skipped.setdefault(why, []).append(str(unit.unit))
    notes = [f"not analysed ({why}): {', '.join(refs)}" for why, refs in skipped.items()]
    return kept, notes


def _holiday_days(
    calendar: HolidayCalendar | None, timeline: Timeline, tz: tzinfo
) -> frozenset[int]:
    if calendar is None:
        return frozenset()
    first = datetime.fromtimestamp(timeline.start, tz).date()
    last = datetime.fromtimestamp(timeline.end, tz).date()
    return frozenset(d.toordinal() for d in calendar.names(first, last))


@dataclass(frozen=True)
class _Read:
    """What was read: units, their power, the Kepler reading and notes."""

    units: list[UnitActivity]
    power: Mapping[WorkloadRef, EnergyGrid]
    reading: EnergyReading
    notes: list[str]


def _read_power_only(client: PrometheusClient, request: SuggestRequest) -> _Read:
    timeline = request.timeline
    reading = _energy(client, request, step=timeline.step)
    covered = bytearray(timeline.steps)
    for piece in reading.covered.pairs:
        first = max(0, math.floor((piece[0] - timeline.start) / timeline.step))
        last = min(timeline.steps, math.ceil((piece[1] - timeline.start) / timeline.step))
        covered[first:last] = b"\x01" * max(0, last - first)
    _check_history(covered, timeline, min_weeks=request.settings.min_weeks, what="Kepler")
    notes = ["power only: Kepler power is the activity signal (no cAdvisor data used)"]
    return _Read(_power_units(reading), dict(reading.workloads), reading, notes)


def _read_activity(
    client: PrometheusClient, request: SuggestRequest, *, progress: activity.Progress | None
) -> _Read:
    timeline = request.timeline
    notes = [f"no {m} in Prometheus: that signal is not used" for m in _missing(client, request)]
    tally = activity.read_activity(
        client,
        activity.ActivityRequest(timeline, request.namespaces, request.custom),
        progress=progress,
    )
    units = tally.units(custom=request.custom is not None)
    if tally.unmatched_custom:
        notes.append(
            f"{tally.unmatched_custom} series of --activity-metric matched no workload "
            "(label them with namespace and pod, deployment, statefulset or service)"
        )
    _check_history(tally.covered, timeline, min_weeks=request.settings.min_weeks, what="cAdvisor")
    reading = _energy(client, request, step=_power_step(request.settings.slots.granularity))
    return _Read(units, _unit_power(units, reading), reading, notes)


def _signals(request: SuggestRequest, units: Sequence[UnitActivity]) -> tuple[str, ...]:
    if request.power_only:
        return ("power",)
    names = {sig.name for u in units for sig in u.signals}
    order = ("cpu", "network", "restarts", "replicas", "requests")
    return tuple(s for s in order if s in names)


def _cells(
    slots: WeekSlots, timeline: Timeline, power: Mapping[WorkloadRef, EnergyGrid]
) -> tuple[CellMap, CellMap | None]:
    """Week slots of the activity grid and of the power grid (None without any power)."""
    cells = cell_map(slots, start=timeline.start, step=timeline.step, steps=timeline.steps)
    some = next(iter(power.values()), None)
    if some is None:
        return cells, None
    return cells, cell_map(slots, start=some.start, step=some.step, steps=len(some.joules))


def suggest(
    client: PrometheusClient, request: SuggestRequest, *, progress: activity.Progress | None = None
) -> Suggestion:
    """Read, check, and propose (see the module docstring)."""
    settings, timeline = request.settings, request.timeline
    if request.power_only:
        read = _read_power_only(client, request)
    else:
        read = _read_activity(client, request, progress=progress)
    if progress is not None:
        progress("energy", 1.0)
    kept, skipped = _scoped(read.units)
    cells, power_cells = _cells(settings.slots, timeline, read.power)
    verdicts, policies = propose(
        kept,
        read.power,
        settings=settings,
        cells=cells,
        power_cells=power_cells,
        holiday_days=_holiday_days(settings.holidays, timeline, settings.slots.tz),
    )
    warnings = [f"warning: {w}" for w in read.reading.metadata.warnings]
    return Suggestion(
        settings=settings,
        start=timeline.start,
        end=timeline.end,
        verdicts=verdicts,
        policies=policies,
        notes=(*read.notes, *skipped, *warnings),
        signals=_signals(request, kept),
        power_only=request.power_only,
        extra={
            "kepler": read.reading.metadata.schema_label,
            "requests": client.stats.http_requests,
        },
    )
