"""The savings estimate a preview shows per policy when a metrics store is configured.

For each policy: the sum over its targets of ``forecast.forecast_week`` (each target's baseline
profile of recent history over the policy's off intervals in the previewed range), the number
of targets and how many had a profile, the range and a per-week figure. Always labelled an
estimate with its method; a policy whose targets had no history says so (``None``, not 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scheduler.core.energy import forecast

__all__ = ["PolicySavings"]

WEEK = 7 * 86400


@dataclass(frozen=True, slots=True)
class PolicySavings:
    """Expected avoided energy of one policy's targets over the previewed range."""

    policy: str
    targets: int
    estimated: int
    forecast: forecast.WeeklyForecast
    range_seconds: int
    history_seconds: float

    def per_week(self, joules: float | None) -> float | None:
        """``joules`` over the range scaled to seven days."""
        if joules is None or self.range_seconds <= 0:
            return None
        return joules * WEEK / self.range_seconds

    @property
    def method(self) -> str:
        """The baseline method in words."""
        f = self.forecast
        return "mixed" if f.method is None else str(f.method)

    def to_json_dict(self) -> dict[str, Any]:
        """The estimate as the preview's JSON shows it (``joules`` over the range)."""
        f = self.forecast
        return {
            **f.to_json_dict(),
            "targets": self.targets,
            "targetsEstimated": self.estimated,
            "kWh": None if f.joules is None else f.joules / 3.6e6,
            "joulesPerWeek": self.per_week(f.joules),
            "historySeconds": self.history_seconds,
        }

    def describe(self) -> str:
        """One line for people: figure, range, targets, per week, method (an estimate)."""
        from scheduler.core.energy.forecast import LABEL
        from scheduler.core.energy.render import units  # the report renderers: only when shown

        f = self.forecast
        if f.joules is None:
            return (
                f"estimated savings: {units.NOT_ESTIMATED} (none of {self.targets} targets had "
                "Kepler history to estimate from)"
            )
        days = units.duration(self.history_seconds)
        text = (
            f"estimated savings over this range: {units.energy(f.joules)} "
            f"({units.kwh(f.joules)}), range {units.energy(f.joules_low)} to "
            f"{units.energy(f.joules_high)}, {self.estimated} of {self.targets} targets"
        )
        if self.range_seconds != WEEK:
            text += f"; ≈ {units.energy(self.per_week(f.joules))} per week"
        return text + f" ({LABEL}; {self.method} baseline, history read: {days})"
