"""A proposed policy as a commented YAML document that ``offhours validate`` accepts.

The evidence goes in comments above the document: the period read, the weeks observed, per
target its idle share, projected saving and the closest observed activity. Names and values
are plain (DNS labels, ``HH:MM`` windows, IANA zones), so the YAML is written directly; a test
parses every written file back with the policy loader.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from scheduler.core.energy.baseline import zone_name
from scheduler.core.energy.conversions import ConversionFactors
from scheduler.core.suggest.figures import figures
from scheduler.core.suggest.proposal import ProposedPolicy, Suggestion, UnitVerdict

__all__ = ["policy_yaml"]


def _day(t: float, tz: tzinfo) -> str:
    return datetime.fromtimestamp(t, tz).date().isoformat()


def _evidence(unit: UnitVerdict, factors: ConversionFactors) -> list[str]:
    idle = unit.idle
    closest = unit.closest
    near = (
        f"closest activity {closest.minutes:.0f} min from off time"
        if closest.minutes is not None
        else "no activity near off time"
    )
    weeks = (
        f"{idle.observed_weeks}"
        if idle.fewest_weeks == idle.observed_weeks
        else f"{idle.fewest_weeks}-{idle.observed_weeks}"
    )
    return [
        f"#   {unit.ref}: idle {idle.idle_share:.0%} of the week in each of {weeks} weeks "
        f"seen; {near}",
        f"#     saves {figures(unit.projection, factors).summary()}",
    ]


def _targets(policy: ProposedPolicy) -> list[str]:
    if policy.namespace_wide:
        return [f"    - namespaces: [{policy.namespace}]"]
    groups: dict[tuple[str, str], list[str]] = {}
    for unit in policy.units:
        groups.setdefault((unit.ref.kind, unit.ref.namespace), []).append(unit.ref.name)
    lines = []
    for (kind, namespace), names in sorted(groups.items()):
        lines += [
            f"    - kinds: [{kind}]",
            f"      namespaces: [{namespace}]",
            f"      names: [{', '.join(sorted(names))}]",
        ]
        if kind == "HelmRelease":
            lines.append("      action: scale")
    return lines


def _holidays(policy: ProposedPolicy) -> list[str]:
    calendar = policy.holidays
    if calendar is None:
        return []
    lines = ["  holidays:", f"    country: {calendar.country}"]
    if calendar.subdivision:
        lines.append(f"    subdivision: {calendar.subdivision}")
    return lines


def policy_yaml(policy: ProposedPolicy, suggestion: Suggestion, factors: ConversionFactors) -> str:
    """The policy document, evidence first."""
    settings = suggestion.settings
    tz = settings.slots.tz
    signals = ", ".join(suggestion.signals) or "none"
    header = [
        f"# Suggested by `offhours suggest` from Prometheus data {_day(suggestion.start, tz)} "
        f"to {_day(suggestion.end, tz)} (signals: {signals}).",
        f"# Off only in {settings.slots.granularity // 60}-minute slots that were idle in every "
        f"observed week, at least {settings.margin_slots * settings.slots.granularity // 60} min "
        "from any activity.",
        f"# Projected saving: {figures(policy.projection, factors).summary()}.",
        "# Evidence per target:",
    ]
    if policy.holidays is not None:
        header.append(
            f"# Also off on {policy.holidays.label} public holidays: idle on every one observed "
            "(not in the projected saving)."
        )
    for unit in policy.units:
        header += _evidence(unit, factors)
    body = [
        "apiVersion: offhours.dev/v1alpha1",
        "kind: OffHoursPolicy",
        "metadata:",
        f"  name: {policy.name}",
        "spec:",
        f"  timeZone: {zone_name(settings.slots.tz)}",
        "  uptime:",
        *(f'    - "{line}"' for line in policy.uptime),
        *_holidays(policy),
        "  targets:",
        *_targets(policy),
    ]
    return "\n".join([*header, *body]) + "\n"
