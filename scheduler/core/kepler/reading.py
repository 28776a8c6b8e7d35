"""What an energy read asks for and what it returns: the hand-off to reports and the CLI.

``EnergyRequest`` names the window, grid step, lookback and selection (namespaces, targets, a
pod regex, an optional schema override). ``EnergyReading`` holds per-workload, per-namespace
and per-node ``EnergyGrid``s on the same timeline, per-pod totals, the node count per step, the
instants with Kepler data, and ``ReadingMetadata``: everything a report must state (schema,
version, zones, modes, pseudo-containers, attribution, coverage, method, edge rules). Pure
values.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Mapping
from dataclasses import dataclass, field

from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler import resolution
from scheduler.core.kepler.edges import StartRule
from scheduler.core.kepler.releases import Placement
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.core.kepler.timeline import Timeline
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "DEFAULT_ZONES",
    "EnergyReading",
    "EnergyRequest",
    "GridTotal",
    "NodeCount",
    "NodeEnergy",
    "PodEnergy",
    "ReadingMetadata",
    "grid_total",
]

DEFAULT_ZONES = ("package", "dram")


@dataclass(frozen=True)
class EnergyRequest:
    """Read Kepler energy on ``Timeline.spanning(start, end, step)`` (Unix seconds).

    ``namespaces`` empty and no ``targets``: every namespace. ``targets`` always get a grid
    (0 J when they had no pods). ``schema`` None: auto-detect. ``zones``: RAPL zones to add up
    (``package`` and ``dram`` are disjoint; others overlap them and are refused).
    ``include_pseudo_containers``: count Kepler 0.4-0.9 ``system_processes``/``kernel_processes``
    in the grids of their pseudo-namespaces (``system``, ``kernel``); never in workloads.
    ``placements``: HelmRelease/Kustomization targets that scale what they render; they own
    the pods of those workloads (``scheduler.core.kepler.releases``), and their namespaces are
    read too. ``scrape_interval``: Kepler's scrape interval when measured (sets ``lookback``).
    """

    start: float
    end: float
    step: float
    namespaces: tuple[str, ...] = ()
    targets: tuple[WorkloadRef, ...] = ()
    pod_regex: str | None = None
    schema: KeplerSchema | None = None
    zones: tuple[str, ...] = DEFAULT_ZONES
    include_pseudo_containers: bool = False
    placements: tuple[Placement, ...] = ()
    scrape_interval: float | None = None

    def __post_init__(self) -> None:
        bad = [z for z in self.zones if z not in DEFAULT_ZONES]
        if bad or not self.zones:
            raise ValueError(
                f"zones must be a non-empty subset of {DEFAULT_ZONES} (got {self.zones}); "
                "core/uncore are inside package and psys overlaps both"
            )
        self.timeline  # noqa: B018 - validates start, end and step

    @property
    def timeline(self) -> Timeline:
        """The grid of the reading."""
        return Timeline.spanning(self.start, self.end, self.step)

    @property
    def lookback(self) -> float:
        """How far each grid point looks back for a counter's last sample (seconds)."""
        return resolution.lookback(self.step, scrape_interval=self.scrape_interval)

    @property
    def selected_namespaces(self) -> tuple[str, ...]:
        """Requested namespaces plus those of the targets and placements; empty means all
        (no namespaces and no targets, or a target of unknown namespace)."""
        names = set(self.namespaces) | {t.namespace for t in self.targets if t.namespace}
        if not names or (self.targets and any(not t.namespace for t in self.targets)):
            return ()
        names |= {n for p in self.placements for n in p.namespaces if n}
        return tuple(sorted(names))


@dataclass(frozen=True)
class PodEnergy:
    """One pod over the window: its workload, joules on known steps, seconds observed.

    ``rendered``: the Deployment/StatefulSet/CronJob through which a Flux target owns the pod.
    ``start_rule``: how its first sample in the period was treated (``edges``; None for
    gauges); ``ended``: it was no longer seen at the period's last point.
    """

    workload: WorkloadRef
    attribution: str
    joules: float
    seconds: float
    unknown_steps: int
    rendered: WorkloadRef | None = None
    start_rule: StartRule | None = None
    ended: bool = False

    @property
    def mean_watts(self) -> float:
        """Mean power while observed (NaN if never observed for a whole step)."""
        return self.joules / self.seconds if self.seconds > 0 else math.nan


@dataclass(frozen=True)
class NodeEnergy:
    """A node's energy per step: ``total`` and, when Kepler splits it, ``active``/``idle``."""

    total: EnergyGrid
    active: EnergyGrid | None
    idle: EnergyGrid | None
    source: str


@dataclass(frozen=True)
class NodeCount:
    """Mean number of nodes per step (NaN: unknown) and where it came from."""

    start: float
    step: float
    counts: array[float]
    source: str


@dataclass(frozen=True)
class ReadingMetadata:
    """What a report must say about the measurement.

    ``edges``: pods per start rule and ``ended`` (``edges.EdgeTally.as_dict``), with the rules
    in words in ``edge_notes``; ``notes``: limits of the data worth stating.
    """

    schema: KeplerSchema
    versions: tuple[str, ...]
    zones: tuple[str, ...]
    modes: tuple[str, ...]
    pseudo_containers: str
    attribution: Mapping[str, int]
    node_source: str
    method: str
    coverage: float
    unit_correction: str | None = None
    other_schemas: tuple[KeplerSchema, ...] = ()
    warnings: tuple[str, ...] = ()
    queries: int = 0
    lookback: float = 0.0
    scrape_interval: float | None = None
    edges: Mapping[str, int] = field(default_factory=dict)
    edge_notes: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def schema_label(self) -> str:
        """The schema in words, with the build version when known."""
        version = ", ".join(self.versions) if self.versions else "version unknown"
        return f"{self.schema.label}; build {version}"


@dataclass(frozen=True)
class EnergyReading:
    """Kepler energy on one timeline; every grid has ``timeline.steps`` steps."""

    timeline: Timeline
    workloads: Mapping[WorkloadRef, EnergyGrid]
    namespaces: Mapping[str, EnergyGrid]
    pods: Mapping[WorkloadRef, PodEnergy]
    nodes: Mapping[str, NodeEnergy]
    node_count: NodeCount
    covered: IntervalSet
    metadata: ReadingMetadata


@dataclass(frozen=True)
class GridTotal:
    """Sum of a grid's known steps, the seconds they cover, and the mean power over them."""

    joules: float
    seconds: float
    total_seconds: float

    @property
    def watts(self) -> float:
        """Mean power over the covered seconds (NaN if nothing is covered)."""
        return self.joules / self.seconds if self.seconds > 0 else math.nan

    @property
    def watt_hours(self) -> float:
        """Energy in Wh."""
        return self.joules / 3600.0

    @property
    def coverage(self) -> float:
        """Fraction of the window with data."""
        return self.seconds / self.total_seconds if self.total_seconds > 0 else 0.0


def grid_total(grid: EnergyGrid) -> GridTotal:
    """Total joules and covered seconds of ``grid`` (NaN steps are not counted)."""
    known = [j for j in grid.joules if not math.isnan(j)]
    return GridTotal(math.fsum(known), len(known) * grid.step, len(grid.joules) * grid.step)
