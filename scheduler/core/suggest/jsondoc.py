"""The JSON contract of ``offhours suggest --format json`` (``apiVersion`` ``offhours.dev/v1``,
``kind`` ``Suggestion``): the period, settings, proposed policies with their YAML, and every
unit's verdict with its evidence. Keys are camelCase and only ever added to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scheduler.core.energy.baseline import zone_name
from scheduler.core.energy.conversions import ConversionFactors
from scheduler.core.suggest.figures import figures
from scheduler.core.suggest.policyfile import policy_yaml
from scheduler.core.suggest.proposal import ProposedPolicy, Suggestion, UnitVerdict

__all__ = ["as_json"]


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _unit(v: UnitVerdict, suggestion: Suggestion, factors: ConversionFactors) -> dict[str, Any]:
    idle, slots = v.idle, suggestion.settings.slots
    closest = v.closest
    return {
        "target": str(v.ref),
        "namespace": v.unit.home,
        "workloads": [str(m) for m in v.unit.members],
        "decision": v.reason.name.lower().replace("_", "-"),
        "reason": v.reason.value,
        "weeksSeen": {"fewest": idle.fewest_weeks, "most": idle.observed_weeks},
        "idleShare": idle.idle_share,
        "floors": {name: f.to_json_dict() for name, f in sorted(idle.floors.items())},
        "holidaysIdle": idle.holidays_idle,
        "uptime": list(v.uptime.lines) if v.uptime else None,
        "saving": figures(v.projection, factors).to_json_dict(),
        "risk": {
            "activeShareInOffTime": closest.share_inside,
            "closestActivityMinutes": closest.minutes,
            "closestActivitySlot": None if closest.slot is None else slots.label(closest.slot),
            "closestActivityWeekOf": closest.week_of.isoformat() if closest.week_of else None,
        },
    }


def _policy(
    p: ProposedPolicy, suggestion: Suggestion, factors: ConversionFactors
) -> dict[str, Any]:
    return {
        "name": p.name,
        "namespace": p.namespace,
        "uptime": list(p.uptime),
        "holidays": p.holidays.label if p.holidays else None,
        "namespaceWide": p.namespace_wide,
        "targets": [str(u.ref) for u in p.units],
        "saving": figures(p.projection, factors).to_json_dict(),
        "closestActivityMinutes": p.closest_minutes,
        "yaml": policy_yaml(p, suggestion, factors),
    }


def as_json(suggestion: Suggestion, factors: ConversionFactors) -> dict[str, Any]:
    """The whole suggestion as a JSON-ready dict."""
    s = suggestion.settings
    return {
        "apiVersion": "offhours.dev/v1",
        "kind": "Suggestion",
        "period": {"from": _iso(suggestion.start), "until": _iso(suggestion.end)},
        "settings": {
            "timeZone": zone_name(s.slots.tz),
            "granularityMinutes": s.slots.granularity // 60,
            "marginMinutes": s.margin_slots * s.slots.granularity // 60,
            "minWindowMinutes": s.min_window_slots * s.slots.granularity // 60,
            "minWeeks": s.min_weeks,
            "minSavingJoulesPerWeek": s.min_saving_joules,
            "holidays": s.holidays.label if s.holidays else None,
        },
        "signals": list(suggestion.signals),
        "powerOnly": suggestion.power_only,
        "weeksObserved": suggestion.weeks_observed,
        "total": figures(suggestion.projection, factors).to_json_dict(),
        "conversions": factors.to_json_dict(),
        "policies": [_policy(p, suggestion, factors) for p in suggestion.policies],
        "units": [_unit(v, suggestion, factors) for v in suggestion.verdicts],
        "notes": list(suggestion.notes),
        "kepler": suggestion.extra.get("kepler"),
        "prometheusRequests": suggestion.extra.get("requests"),
    }
