"""The no-Kepler estimate: CPU requests times Cloud Carbon Footprint watts per vCPU.

Kepler 0.10+ does not start on VMs without RAPL, so some clusters have no energy data at all.
For them offhours falls back to the Cloud Carbon Footprint (CCF) compute method:

    average watts per vCPU = min_watts + utilisation x (max_watts - min_watts)
    baseline watts         = requested CPU cores x average watts per vCPU

with CCF's default utilisation of 50 % and a range from 0 % to 100 % utilisation. The
coefficients (per provider and per CPU architecture) ship in ``ccf_coefficients.json`` next
to this module, with the repository, path and commit each row was taken from. The result is
labelled "estimated, no Kepler" (method ``ccf-estimate``). Time when kube-state-metrics shows
the target still running (it did not stop) counts as residual at the same estimated power.

The table is read from the installed package (an immutable resource, never a user file).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any

from scheduler.core.energy import savings
from scheduler.core.energy.baseline import BaselineMethod
from scheduler.core.intervals import Interval, IntervalSet

__all__ = [
    "LABEL",
    "CcfCoefficients",
    "Utilisation",
    "coefficients",
    "estimate_without_kepler",
    "parse_table",
    "sources",
    "table",
]

LABEL = "estimated, no Kepler (Cloud Carbon Footprint: CPU requests x watts per vCPU)"


@dataclass(frozen=True, slots=True)
class CcfCoefficients:
    """Min and max watts per vCPU for one provider or CPU architecture, with its source."""

    key: str
    kind: str
    label: str
    min_watts: float
    max_watts: float
    pue: float | None
    source: str

    def average_watts(self, utilisation: float) -> float:
        """Watts per vCPU at ``utilisation`` (0..1)."""
        if not 0.0 <= utilisation <= 1.0:
            raise ValueError(f"CPU utilisation must be within [0, 1], got {utilisation}")
        return self.min_watts + utilisation * (self.max_watts - self.min_watts)


def parse_table(text: str) -> dict[str, CcfCoefficients]:
    """The coefficient rows of a ``ccf_coefficients.json`` document, by key."""
    data: dict[str, Any] = json.loads(text)
    rows = {}
    for row in data["coefficients"]:
        if row["source"] not in data["sources"]:
            raise ValueError(
                f"coefficient {row['key']!r} names an unknown source {row['source']!r}"
            )
        rows[row["key"]] = CcfCoefficients(
            key=row["key"],
            kind=row["kind"],
            label=row["label"],
            min_watts=float(row["minWatts"]),
            max_watts=float(row["maxWatts"]),
            pue=None if row["pue"] is None else float(row["pue"]),
            source=row["source"],
        )
    return rows


@functools.cache
def _packaged() -> str:
    return resources.files(__package__).joinpath("ccf_coefficients.json").read_text("utf-8")


def table() -> dict[str, CcfCoefficients]:
    """The shipped coefficients, by key (``aws``, ``gcp``, ``azure``, ``cascade-lake``, …)."""
    return parse_table(_packaged())


def sources() -> dict[str, dict[str, str]]:
    """Where each group of shipped coefficients comes from (repository, path, commit)."""
    data: dict[str, dict[str, dict[str, str]]] = json.loads(_packaged())
    return data["sources"]


def coefficients(key: str) -> CcfCoefficients:
    """One row of the shipped table; an unknown key names the valid ones."""
    rows = table()
    if key not in rows:
        raise ValueError(
            f"unknown CCF coefficients {key!r}; expected one of {', '.join(sorted(rows))}"
        )
    return rows[key]


@dataclass(frozen=True, slots=True)
class Utilisation:
    """Assumed CPU utilisation (0..1) while on: the point and the ends of the range."""

    point: float = 0.5
    low: float = 0.0
    high: float = 1.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.low <= self.point <= self.high <= 1.0:
            raise ValueError(
                "utilisation must satisfy 0 <= low <= point <= high <= 1, got "
                f"{self.low}, {self.point}, {self.high}"
            )


@dataclass(frozen=True, slots=True)
class _Powers:
    point: float
    low: float
    high: float


def _window(w: Interval, *, powers: _Powers, stopped: IntervalSet) -> savings.WindowSavings:
    ran = w.duration - stopped.clip(w.start, w.end).total()
    residual = powers.point * ran
    return savings.WindowSavings(
        start=w.start,
        end=w.end,
        covered_seconds=w.duration,
        no_data_seconds=0.0,
        no_baseline_seconds=0.0,
        fallback_seconds=0.0,
        unmatched_seconds=0.0,
        baseline_joules=powers.point * w.duration,
        baseline_joules_low=powers.low * (w.duration - ran) + residual,
        baseline_joules_high=powers.high * (w.duration - ran) + residual,
        residual_joules=residual,
        measured_joules=residual,
    )


def estimate_without_kepler(
    *,
    cpu_cores: float,
    windows: IntervalSet,
    period: Interval,
    row: CcfCoefficients,
    utilisation: Utilisation = Utilisation(),
    actual_off: IntervalSet | None = None,
) -> savings.SavingsEstimate:
    """The CCF estimate for one target requesting ``cpu_cores`` CPU cores while on.

    With ``actual_off`` (zero replicas seen by kube-state-metrics), off-window time in which
    the target was still running is residual at the estimated power, so it saves nothing.
    """
    if not cpu_cores >= 0:
        raise ValueError(f"CPU requests must be >= 0 cores, got {cpu_cores}")
    powers = _Powers(
        cpu_cores * row.average_watts(utilisation.point),
        cpu_cores * row.average_watts(utilisation.low),
        cpu_cores * row.average_watts(utilisation.high),
    )
    pieces = windows.clip(period.start, period.end)
    stopped = pieces if actual_off is None else pieces.intersection(actual_off)
    assessed = tuple(_window(w, powers=powers, stopped=stopped) for w in pieces)
    return savings.SavingsEstimate(
        method=BaselineMethod.CCF,
        off_seconds=pieces.total(),
        covered_seconds=pieces.total(),
        no_data_seconds=0.0,
        no_baseline_seconds=0.0,
        fallback_seconds=0.0,
        unmatched_seconds=0.0,
        history_seconds=0.0,
        baseline_joules=math.fsum(w.baseline_joules for w in assessed),
        baseline_joules_low=math.fsum(w.baseline_joules_low for w in assessed),
        baseline_joules_high=math.fsum(w.baseline_joules_high for w in assessed),
        residual_joules=math.fsum(w.residual_joules for w in assessed),
        measured_joules=None,
        windows=assessed,
        notes=_notes(cpu_cores, row, utilisation, ran=pieces.total() - stopped.total()),
    )


def _notes(
    cores: float, row: CcfCoefficients, utilisation: Utilisation, *, ran: float
) -> tuple[str, ...]:
    notes = [
        f"{LABEL}: {cores:g} cores x ({row.min_watts:.3g} + {utilisation.point:g} x "
        f"({row.max_watts:.3g} - {row.min_watts:.3g})) W per vCPU, {row.label}; "
        f"range: {utilisation.low:.0%} to {utilisation.high:.0%} utilisation"
    ]
    if ran > 0:
        notes.append(
            f"kube-state-metrics shows the target running for {ran:.0f} s of its off windows: "
            "counted as residual at the estimated power"
        )
    return tuple(notes)
