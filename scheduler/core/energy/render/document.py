"""What ``offhours report`` shows: the savings report plus how each number was obtained.

``ReportDocument`` wraps the core ``SavingsReport`` (the three figures, overhead, net,
conversions) with what the renderers also need: per target the intended off windows (from
offhours' own commits), the actual ones (kube-state-metrics), the lag between them and, for
the targets shown in detail, their measured power; the Kepler reading's facts; the ledger's
facts; report-wide notes. ``to_json_dict`` extends ``SavingsReport.to_json_dict`` (every key
of that contract is kept as it is) with these facts. Pure values.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from scheduler.core.energy.render.actuation import Actuation
from scheduler.core.energy.render.series import CumulativePoint, PowerSeries
from scheduler.core.energy.report import SavingsReport, iso
from scheduler.core.energy.targets import TargetSavings
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.reading import ReadingMetadata
from scheduler.core.workloads import WorkloadRef

__all__ = ["LedgerFacts", "ReportDocument", "TargetDetail"]

ACTUAL_METHOD = (
    "actual off time: kube-state-metrics desired replicas at 0 or suspended "
    "(kube_deployment_spec_replicas, kube_statefulset_replicas, kube_cronjob_spec_suspend, "
    "Flux suspend metrics), sampled every {resolution:g} s within each {step:g} s step"
)
INTENDED_METHOD = (
    "intended off time: from each sleep to the next wake commit of offhours in the Git "
    "history (Offhours-Change trailers, committer time)"
)


@dataclass(frozen=True)
class TargetDetail:
    """Per target: policy zone, intended and actual off time in the period, lag, power.

    ``attribution``: how a Flux target's energy and off state were found from the workloads it
    renders (empty for a workload measured through its own pods).
    """

    target: WorkloadRef
    zone: str
    intended: IntervalSet
    actual: IntervalSet
    actuation: Actuation | None
    power: PowerSeries | None = None
    data_note: str = ""
    attribution: str = ""

    def to_json_dict(self) -> dict[str, Any]:
        """The extra keys of one target row."""
        return {
            "timeZone": self.zone,
            "intendedOff": [{"start": iso(a), "end": iso(b)} for a, b in self.intended.pairs],
            "actualOff": [{"start": iso(a), "end": iso(b)} for a, b in self.actual.pairs],
            "actuation": None if self.actuation is None else self.actuation.to_json_dict(),
            "dataNote": self.data_note or None,
            "attribution": self.attribution or None,
        }


@dataclass(frozen=True)
class LedgerFacts:
    """What the Git history said."""

    repository: str
    commits: int
    entries: int
    problems: tuple[str, ...] = ()
    policies_note: str = ""

    @property
    def empty(self) -> bool:
        """True when no offhours commit was found."""
        return self.entries == 0

    def to_json_dict(self) -> dict[str, Any]:
        """The ledger facts as reported."""
        return {
            "repository": self.repository,
            "commits": self.commits,
            "changes": self.entries,
            "empty": self.empty,
            "problems": list(self.problems),
            "method": INTENDED_METHOD,
        }


@dataclass(frozen=True)
class ReportDocument:
    """The whole report: savings, details per target, data facts and notes."""

    savings: SavingsReport
    step: float
    history_start: float
    details: tuple[TargetDetail, ...]
    ledger: LedgerFacts
    reading: ReadingMetadata | None = None
    off_state_sources: tuple[str, ...] = ()
    off_state_resolution: float = 0.0
    fleet_power: PowerSeries | None = None
    cumulative: tuple[CumulativePoint, ...] = ()
    notes: tuple[str, ...] = ()
    http_requests: int = 0
    ccf_source: str = ""
    _by_target: dict[WorkloadRef, TargetDetail] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self._by_target.update({d.target: d for d in self.details})

    @property
    def without_kepler(self) -> bool:
        """True when no Kepler data existed: every figure is the CCF estimate (or missing)."""
        return self.reading is None

    def detail(self, target: WorkloadRef) -> TargetDetail | None:
        """The detail of one target."""
        return self._by_target.get(target)

    def ranked(self) -> Iterator[tuple[TargetSavings, TargetDetail | None]]:
        """Targets by estimated savings, largest first; not-estimated ones last, by name."""

        def key(row: TargetSavings) -> tuple[int, float, WorkloadRef]:
            saved = row.estimate.saved_joules
            return (saved is None, -(saved or 0.0), row.target)

        for row in sorted(self.savings.targets, key=key):
            yield row, self.detail(row.target)

    @property
    def actual_method(self) -> str:
        """How actual off time was observed, in words."""
        if not self.off_state_sources:
            return "actual off time: no kube-state-metrics or Flux state metrics in the window"
        return (
            ACTUAL_METHOD.format(resolution=self.off_state_resolution, step=self.step)
            + "; metrics found: "
            + ", ".join(self.off_state_sources)
        )

    def _kepler_json(self) -> dict[str, Any] | None:
        meta = self.reading
        if meta is None:
            return None
        return {
            "schema": meta.schema.value,
            "schemaLabel": meta.schema.label,
            "versions": list(meta.versions),
            "zones": list(meta.zones),
            "modes": list(meta.modes),
            "pseudoContainers": meta.pseudo_containers,
            "attribution": dict(meta.attribution),
            "nodeSource": meta.node_source,
            "method": meta.method,
            "coverage": meta.coverage,
            "unitCorrection": meta.unit_correction,
            "otherSchemas": [s.value for s in meta.other_schemas],
            "warnings": list(meta.warnings),
            "queries": meta.queries,
            "lookbackSeconds": meta.lookback,
            "edges": dict(meta.edges),
            "edgeRules": list(meta.edge_notes),
            "notes": list(meta.notes),
        }

    def to_json_dict(self, *, include_windows: bool = False) -> dict[str, Any]:
        """``SavingsReport.to_json_dict`` plus intended/actual/lag per target and the facts."""
        doc = self.savings.to_json_dict(include_windows=include_windows)
        for row in doc["targets"]:
            ref = WorkloadRef(row["kind"], row["namespace"], row["name"])
            extra = self.detail(ref)
            if extra is not None:
                row.update(extra.to_json_dict())
        if self.without_kepler:
            doc["baselineMethod"] = "ccf-estimate"
        doc.update(
            {
                "stepSeconds": self.step,
                "historyFrom": iso(self.history_start),
                "estimatedWithoutKepler": self.without_kepler,
                "kepler": self._kepler_json(),
                "ccfSource": self.ccf_source or None,
                "ledger": self.ledger.to_json_dict(),
                "actualOffMethod": self.actual_method,
                "offStateSources": list(self.off_state_sources),
                "notes": list(self.notes),
                "httpRequests": self.http_requests,
            }
        )
        cleaned: dict[str, Any] = _finite(doc)
        return cleaned


def _finite(value: Any) -> Any:
    """NaN and infinities become ``null`` (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
