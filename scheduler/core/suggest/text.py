"""``offhours suggest`` as text (the terminal) and as a pull-request description (markdown)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from scheduler.core.energy.baseline import zone_name
from scheduler.core.energy.conversions import ConversionFactors
from scheduler.core.suggest.figures import figures
from scheduler.core.suggest.proposal import ProposedPolicy, Reason, Suggestion, UnitVerdict

__all__ = ["render_markdown", "render_text"]


def _day(t: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(t, tz).date().isoformat()


def _method(s: Suggestion) -> list[str]:
    st = s.settings
    g = st.slots.granularity // 60
    signals = "Kepler power only (--power-only)" if s.power_only else ", ".join(s.signals)
    return [
        f"Read {_day(s.start, st.slots.tz)} to {_day(s.end, st.slots.tz)} "
        f"({s.weeks_observed} weeks observed), "
        f"time zone {zone_name(st.slots.tz)}, {g}-minute slots; activity: {signals}.",
        "A slot is idle when every signal stayed at the workload's own floor in every observed "
        f"week (at least {st.min_weeks}); off time keeps {st.margin_slots * g} min from any "
        f"activity and lasts at least {st.min_window_slots * g} min.",
        "Savings: median power of each off slot over the observed weeks (Kepler, the report's "
        "baseline method), p10-p90 range; a year is 52.18 weeks; public holidays are not in "
        "the projection.",
    ]


def _closest(v: UnitVerdict) -> str:
    m = v.closest.minutes
    return "n/a" if m is None else f"{m:.0f} min"


def _row(v: UnitVerdict, factors: ConversionFactors) -> str:
    idle = v.idle
    saving = f"{v.projection.joules / 3.6e6:.2f}" if v.uptime else "-"
    return (
        f"  {v.ref!s:<44} {idle.idle_share:>5.0%} {idle.observed_weeks:>5} "
        f"{saving:>9} {_closest(v):>9}  {v.reason.value}"
    )


def render_text(s: Suggestion, factors: ConversionFactors) -> str:
    """The human-readable suggestion."""
    lines = ["offhours suggest", *(f"  {m}" for m in _method(s)), ""]
    if s.policies:
        lines.append(f"Proposed policies ({len(s.policies)}):")
        for p in s.policies:
            target = (
                f"namespace {p.namespace}"
                if p.namespace_wide
                else ", ".join(str(u.ref) for u in p.units)
            )
            lines += [
                f"  {p.name}: {target}",
                f"    uptime: {'; '.join(p.uptime)}"
                + (f"; off on {p.holidays.label} public holidays" if p.holidays else ""),
                f"    saves {figures(p.projection, factors).summary()}",
            ]
        lines += ["", f"Total: {figures(s.projection, factors).summary()}", ""]
    else:
        lines += ["No policy proposed.", ""]
    lines.append(
        f"  {'workload':<44} {'idle':>5} {'weeks':>5} {'kWh/week':>9} {'closest':>9}  decision"
    )
    lines += [_row(v, factors) for v in s.verdicts]
    lines += [f"note: {n}" for n in s.notes]
    return "\n".join(lines)


def _policy_row(p: ProposedPolicy) -> str:
    targets = (
        f"namespace `{p.namespace}`"
        if p.namespace_wide
        else "<br>".join(f"`{u.ref}`" for u in p.units)
    )
    uptime = "<br>".join(f"`{u}`" for u in p.uptime)
    if p.holidays:
        uptime += f"<br>off on {p.holidays.label} holidays"
    w = p.projection
    near = "n/a" if p.closest_minutes is None else f"{p.closest_minutes:.0f} min"
    return (
        f"| `{p.name}` | {targets} | {uptime} | {w.joules / 3.6e6:.2f} "
        f"({w.low / 3.6e6:.2f}-{w.high / 3.6e6:.2f}) | {near} |"
    )


def render_markdown(s: Suggestion, factors: ConversionFactors) -> str:
    """A pull-request description: what the policies do, the evidence and the risk."""
    total = figures(s.projection, factors)
    lines = [
        "## Off-hours policies suggested from measured idleness",
        "",
        *_method(s),
        "",
        f"**Projected saving:** {total.summary()}.",
        "",
        "| Policy | Targets | Uptime | Saving a week (kWh, p10-p90) | Closest activity |",
        "|---|---|---|---|---|",
    ]
    lines += [_policy_row(p) for p in s.policies]
    skipped = [v for v in s.verdicts if v.reason is not Reason.PROPOSED]
    if skipped:
        lines += ["", "<details><summary>Not proposed</summary>", ""]
        lines += [f"- `{v.ref}`: {v.reason.value}" for v in skipped]
        lines += ["", "</details>"]
    lines += [
        "",
        "Risk: the share of observed activity inside the proposed off time is 0 by "
        "construction; the closest activity is listed per policy.",
    ]
    lines += [f"- note: {n}" for n in s.notes]
    return "\n".join(lines) + "\n"
