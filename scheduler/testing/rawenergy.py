"""The direct computation of Kepler energy from raw samples: what ``offhours energy`` must find.

Independent of PromQL and of the reader: it walks the raw ``MetricSeries`` (recorded or
simulated) as a person would with the counters in hand.

* Counters (Kepler 0.4-0.9 ``mode="dynamic"`` components, 0.10 pod counters): series split by
  labels that do not identify the counter (``command``, ``state``, scrape-target labels) are
  merged per identity (the largest value at each instant); each sample in ``(start, end]``
  adds its delta to the previous sample of its counter (before ``start`` too); a drop is a
  reset counted from 0; a counter's first sample counts from 0 when the data set already had
  samples before it (the series began then), else it is only the baseline.
* Gauges (Kepler <=0.3 mJ-per-3-s samples): each sample in ``(start, end]`` stands for
  ``interval`` seconds at its mean power.

Pseudo-containers (``system_processes``, ``kernel_processes``) are left out. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from scheduler.core.series import MetricSeries

__all__ = ["V010_POD", "V07_COMPONENTS", "counter_energy", "gauge_energy"]

V07_COMPONENTS = ("kepler_container_package_joules_total", "kepler_container_dram_joules_total")
V010_POD = ("kepler_pod_cpu_joules_total",)
_PSEUDO = ("system_processes", "kernel_processes")
_IDENTITY = {
    "kepler_container_": ("container_namespace", "pod_name", "container_name", "container_id"),
    "kepler_pod_": ("pod_namespace", "pod_name", "pod_id", "zone"),
}
_NAMESPACE = {"kepler_container_": "container_namespace", "kepler_pod_": "pod_namespace"}


def _family(name: str) -> str:
    return "kepler_container_" if name.startswith("kepler_container_") else "kepler_pod_"


def _wanted(one: MetricSeries, names: Sequence[str], zones: Sequence[str]) -> bool:
    labels = one.label_map
    if one.name not in names or labels.get("pod_name") in _PSEUDO:
        return False
    if labels.get("mode", "dynamic") != "dynamic":
        return False
    return "zone" not in labels or labels["zone"] in zones


def _merged(
    series: Iterable[MetricSeries], names: Sequence[str], zones: Sequence[str]
) -> dict[tuple[str, ...], dict[float, float]]:
    counters: dict[tuple[str, ...], dict[float, float]] = defaultdict(dict)
    for one in series:
        if not _wanted(one, names, zones):
            continue
        labels = one.label_map
        family = _family(one.name)
        key = (one.name, *(labels.get(k, "") for k in _IDENTITY[family]))
        samples = counters[key]
        for t, v in zip(one.times, one.values, strict=True):
            samples[t] = max(samples.get(t, v), v)
    return counters


def counter_energy(
    series: Iterable[MetricSeries],
    *,
    start: float,
    end: float,
    names: Sequence[str],
    zones: Sequence[str] = ("package", "dram"),
) -> dict[str, float]:
    """Joules per namespace of the counters ``names`` over ``(start, end]`` (module rules)."""
    counters = _merged(series, names, zones)
    if not counters:
        return {}
    first_of_all = min(min(samples) for samples in counters.values())
    out: dict[str, float] = defaultdict(float)
    for key, samples in counters.items():
        namespace = key[1]
        previous: float | None = None
        for t in sorted(samples):
            value = samples[t]
            if start < t <= end:
                if previous is None:
                    out[namespace] += value if t > first_of_all else 0.0
                else:
                    out[namespace] += value - previous if value >= previous else value
            previous = value
    return dict(out)


def gauge_energy(
    series: Iterable[MetricSeries],
    *,
    start: float,
    end: float,
    interval: float,
    zones: Sequence[str] = ("package", "dram"),
) -> dict[str, float]:
    """Joules per namespace of Kepler <=0.3 ``pod_curr_energy_in_*_millijoule`` samples in
    ``(start, end]``, each standing for ``interval`` seconds."""
    names = {"package": "pod_curr_energy_in_pkg_millijoule"}
    names["dram"] = "pod_curr_energy_in_dram_millijoule"
    wanted = {names[z] for z in zones}
    out: dict[str, float] = defaultdict(float)
    for one in series:
        if one.name not in wanted:
            continue
        namespace = one.label_map.get("pod_namespace", "")
        inside = sum(v for t, v in zip(one.times, one.values, strict=True) if start < t <= end)
        out[namespace] += inside / 1000.0 / 3.0 * interval
    return dict(out)
