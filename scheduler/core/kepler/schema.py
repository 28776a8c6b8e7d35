"""The three Kepler metric generations and how to tell them apart.

* ``0.10`` (0.10+, July 2025): ``kepler_pod_cpu_joules_total``; pod counters, zone ``package``
  (+ ``dram``), ``state`` running/terminated;
* ``0.7`` (0.4 - 0.9.x): ``kepler_container_*_joules_total``; container counters,
  ``mode="dynamic"``, components package + dram;
* ``0.3`` (<= 0.3, 2022): ``pod_curr_energy_in_pkg_millijoule``; mJ-per-3-s gauges (the
  ``total_*`` counters of that era are garbage).

Detection works on the metric names present in the report window (one label-values request);
the newest generation present wins unless the user overrides it, and the others are reported.
Build-info versions come from ``kepler_build_info`` (0.10+) / ``kepler_exporter_build_info``
(<= 0.9); the v0.7.3 release exported ``kepler_container_joules_total`` in millijoules.
Pure: works on names and label values handed in.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "BUILD_INFO_METRICS",
    "KSM_METRICS",
    "PROBE_METRICS",
    "SCRAPE_METRICS",
    "Detection",
    "KeplerSchema",
    "NoKeplerData",
    "choose_schema",
    "detect",
    "millijoule_bug",
    "parse_version",
]


class KeplerSchema(StrEnum):
    """A Kepler metric generation, named after a representative release."""

    V0_10 = "0.10"
    V0_7 = "0.7"
    V0_3 = "0.3"

    @property
    def label(self) -> str:
        """A human description for reports."""
        return _LABELS[self]


_LABELS = {
    KeplerSchema.V0_10: "Kepler 0.10+ (pod counters with zone/state labels)",
    KeplerSchema.V0_7: "Kepler 0.4-0.9 (container counters with mode labels)",
    KeplerSchema.V0_3: "Kepler <=0.3 (2022 millijoule-per-3-s gauges)",
}

# Newest first: detection prefers the first generation present.
_SCHEMA_PROBES: dict[KeplerSchema, tuple[str, ...]] = {
    KeplerSchema.V0_10: ("kepler_pod_cpu_joules_total",),
    KeplerSchema.V0_7: (
        "kepler_container_package_joules_total",
        "kepler_container_joules_total",
    ),
    KeplerSchema.V0_3: ("pod_curr_energy_in_pkg_millijoule", "pod_total_energy_millijoule"),
}

BUILD_INFO_METRICS = ("kepler_build_info", "kepler_exporter_build_info")
KSM_METRICS = (
    "kube_pod_owner",
    "kube_replicaset_owner",
    "kube_job_owner",
    "kube_node_info",
    "kube_pod_start_time",
)
#: per schema, the metrics whose samples measure the scrape interval (first present wins)
SCRAPE_METRICS: dict[KeplerSchema, tuple[str, ...]] = {
    KeplerSchema.V0_10: ("kepler_node_cpu_active_joules_total", "kepler_pod_cpu_joules_total"),
    KeplerSchema.V0_7: (
        "kepler_node_package_joules_total",
        "kepler_node_platform_joules_total",
        "kepler_container_package_joules_total",
        "kepler_container_joules_total",
    ),
    KeplerSchema.V0_3: ("node_curr_energy_in_pkg_joule", "pod_curr_energy_in_pkg_millijoule"),
}

PROBE_METRICS: tuple[str, ...] = (
    *(name for names in _SCHEMA_PROBES.values() for name in names),
    "kepler_container_dram_joules_total",
    "kepler_node_cpu_active_joules_total",
    "kepler_node_cpu_idle_joules_total",
    "kepler_node_package_joules_total",
    "kepler_node_dram_joules_total",
    "kepler_node_platform_joules_total",
    "pod_curr_energy_in_dram_millijoule",
    "node_curr_energy_in_pkg_joule",
    "node_curr_energy_in_dram_joule",
    *BUILD_INFO_METRICS,
    *KSM_METRICS,
)

_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


class NoKeplerData(LookupError):
    """No Kepler metric of any known generation exists in the window."""


@dataclass(frozen=True)
class Detection:
    """Which probe metrics exist in the window, and the schemas they indicate (newest first)."""

    names: frozenset[str]
    present: tuple[KeplerSchema, ...]

    def has(self, name: str) -> bool:
        """Whether ``name`` has series in the window."""
        return name in self.names

    def scrape_metric(self, schema: KeplerSchema) -> str | None:
        """The metric to measure ``schema``'s scrape interval with, if any is present."""
        return next((m for m in SCRAPE_METRICS[schema] if m in self.names), None)

    @property
    def has_ksm_owners(self) -> bool:
        """Whether kube-state-metrics pod ownership is available."""
        return "kube_pod_owner" in self.names


def detect(names: Collection[str]) -> Detection:
    """The schemas indicated by the metric ``names`` present in a window."""
    present = tuple(
        schema for schema, probes in _SCHEMA_PROBES.items() if any(p in names for p in probes)
    )
    return Detection(frozenset(names), present)


def choose_schema(detection: Detection, override: KeplerSchema | None) -> KeplerSchema:
    """The schema to read: the override, else the newest present; ``NoKeplerData`` if none."""
    if override is not None:
        if override not in detection.present:
            probes = ", ".join(_SCHEMA_PROBES[override])
            raise NoKeplerData(
                f"--kepler-schema {override.value} was requested but none of its metrics "
                f"({probes}) has data in the window"
            )
        return override
    if not detection.present:
        probes = ", ".join(p for names in _SCHEMA_PROBES.values() for p in names)
        raise NoKeplerData(f"no Kepler metrics in the window (looked for {probes})")
    return detection.present[0]


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"v0.7.3"`` / ``"release-0.7.3-dirty"`` -> ``(0, 7, 3)``; None if no version inside."""
    found = _VERSION.search(text)
    if found is None:
        return None
    return (int(found.group(1)), int(found.group(2)), int(found.group(3) or 0))


def millijoule_bug(versions: Iterable[str]) -> bool | None:
    """Whether ``kepler_container_joules_total`` is in millijoules (the v0.7.3 release).

    True if every build-info version is 0.7.3, False if none is, None if mixed (ambiguous).
    """
    buggy = [parse_version(v) == (0, 7, 3) for v in versions]
    if not any(buggy):
        return False
    return True if all(buggy) else None
