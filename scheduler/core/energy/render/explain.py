"""The report's explanations in plain words, shared by every human-readable format.

Each function states one figure (or the method behind it) the way the report prints it: what
was measured, what was estimated and how, and what the reader must not conclude. Pure text.
"""

from __future__ import annotations

from scheduler.core.energy import ccf
from scheduler.core.energy.baseline import zone_name
from scheduler.core.energy.render import units
from scheduler.core.energy.render.document import ReportDocument

__all__ = [
    "COVERAGE",
    "FIGURE_1",
    "FIGURE_2",
    "FIGURE_3",
    "NET",
    "OVERHEAD",
    "RANGE",
    "conversions",
    "figure_1",
    "figure_1_title",
    "method",
    "range_text",
]

FIGURE_1 = (
    "What the targets would have drawn in their intended off windows had they stayed on "
    "(an always-on baseline from their own measured power while on), minus what they still "
    "drew while off. Kepler gives pods their active energy only, so this is the workloads' "
    "share: idle node power is not in it."
)
FIGURE_2 = (
    "Measured energy of the nodes in the off windows against the same nodes' typical power "
    "in comparable on-time hours. Observational: it includes everything else running on "
    "those nodes, so it is shown on its own and never added to (1)."
)
FIGURE_3 = (
    "Counted only when nodes were actually removed (cluster autoscaler, consolidation): the "
    "drop in node count during the off windows times the measured power per node (RAPL "
    "package and DRAM; a whole machine saves more). Never added to (1)."
)
RANGE = (
    "The range repeats the estimate with the 10th and the 90th percentile of the targets' "
    "typical power while on: a spread of plausible baselines, not a confidence interval."
)
COVERAGE = (
    "Coverage is the share of intended off time with both energy data and a baseline. Off "
    "time without data is neither counted nor extrapolated; a target with none is 'not "
    "estimated', which is not zero."
)
OVERHEAD = (
    "The energy of the Flux controllers and of offhours itself over the whole period, gaps "
    "filled at their mean power. An upper bound: Flux would run without offhours too."
)
NET = "Net = (1) minus the overhead. Figures (2) and (3) are never added to it."


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


FIGURE_1_CCF = (
    "What the targets would have drawn in their intended off windows had they stayed on, "
    "estimated without Kepler from their CPU requests and Cloud Carbon Footprint's watts per "
    "vCPU, minus the same estimate for off-window time kube-state-metrics still saw them running."
)
RANGE_CCF = (
    "The range repeats the estimate at 0 % and 100 % CPU utilisation (Cloud Carbon Footprint's "
    "minimum and maximum watts per vCPU)."
)


def figure_1(doc: ReportDocument) -> str:
    """What figure (1) is, for this report (measured baseline, or the CCF estimate)."""
    return FIGURE_1_CCF if doc.without_kepler else FIGURE_1


def range_text(doc: ReportDocument) -> str:
    """What the range means, for this report."""
    return RANGE_CCF if doc.without_kepler else RANGE


def figure_1_title(doc: ReportDocument) -> str:
    """The headline's title, saying when it is an estimate without Kepler."""
    if doc.without_kepler:
        return "Estimated avoided workload energy (estimated, no Kepler)"
    return "Estimated avoided workload energy"


def method(doc: ReportDocument) -> list[str]:
    """How the baseline and the off time were obtained, one sentence per line."""
    o = doc.savings.options
    history = units.duration(doc.savings.period.start - doc.history_start)
    lines = []
    if doc.without_kepler:
        lines.append(
            f"Without Kepler: {ccf.LABEL}. Coefficients: {doc.ccf_source or 'n/a'}. Requested "
            "cores are the median of each target's summed CPU requests while it had pods."
        )
    else:
        lines.append(
            "Baseline: per target, hour-of-week (the median of its hourly mean power in the "
            "same local hour of the week while on) once its on-time history spans "
            f"{units.duration(o.min_history_seconds)}, else trailing (the median in the "
            f"{units.duration(o.trailing_lookback_seconds)} before each off window, same "
            "local hour and day type). Hours are local to each target's policy zone "
            f"(report default {zone_name(o.tz)}). History read: {history} before the period; "
            f"on-time excludes every off window widened by {units.duration(o.settle_seconds)}."
        )
    lines.append(_sentence(doc.ledger.to_json_dict()["method"]))
    lines.append(_sentence(doc.actual_method))
    meta = doc.reading
    if meta is not None:
        lines.append(
            f"Energy: {meta.schema_label}; zones {', '.join(meta.zones)}; "
            f"modes {', '.join(meta.modes) or 'n/a'}; pseudo-containers: "
            f"{meta.pseudo_containers}; {meta.method}. RAPL covers CPU package and DRAM only "
            "(not PSU, fans, disks, network); on VMs Kepler values are model estimates."
        )
        if meta.edge_notes:
            lines.append(
                "Pods at the edges (decided from data): " + "; ".join(meta.edge_notes) + "."
            )
    return lines


def conversions(doc: ReportDocument) -> str:
    """The conversion factors and their sources."""
    f = doc.savings.factors
    return (
        f"kWh = J / 3,600,000; x PUE {f.pue:g}; CO2e at {f.grid_gco2e_per_kwh:g} gCO2e/kWh "
        f"({f.grid_source}); cost at {f.price_per_kwh:g} {f.currency}/kWh (set yours: "
        "OFFHOURS_ENERGY__GRID_GCO2E_PER_KWH, __PRICE_PER_KWH, __PUE)"
    )
