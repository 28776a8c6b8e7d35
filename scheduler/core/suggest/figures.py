"""The figures every output of ``suggest`` prints, from one projection and the report's
conversions: J/week, kWh/year, CO2e and cost a year, with the p10-p90 range."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scheduler.core.energy.conversions import ConversionFactors, Converted, convert
from scheduler.core.suggest.projection import Projection

__all__ = ["WEEKS_PER_YEAR", "Figures", "figures"]

WEEKS_PER_YEAR = 365.25 / 7


@dataclass(frozen=True)
class Figures:
    """A weekly saving and its range, and the same a year in every unit."""

    week: Projection
    year: Converted
    year_low: Converted
    year_high: Converted

    def to_json_dict(self) -> dict[str, Any]:
        """camelCase JSON."""
        return {
            "joulesPerWeek": self.week.joules,
            "joulesPerWeekP10": self.week.low,
            "joulesPerWeekP90": self.week.high,
            "offHoursPerWeek": self.week.off_seconds / 3600,
            "offSlotsWithoutKeplerData": self.week.unknown_slots,
            "perYear": self.year.to_json_dict(),
            "perYearP10": self.year_low.to_json_dict(),
            "perYearP90": self.year_high.to_json_dict(),
        }

    def summary(self) -> str:
        """``1.23 kWh/week (1.10-1.40), 64.1 kWh/year, 30.8 kg CO2e/year, 19.23 EUR/year``."""
        kwh = self.week.joules / 3.6e6
        low, high = self.week.low / 3.6e6, self.week.high / 3.6e6
        return (
            f"{kwh:.2f} kWh/week (p10-p90 {low:.2f}-{high:.2f}), {self.year.kwh:.1f} kWh/year, "
            f"{self.year.co2e_grams / 1000:.1f} kg CO2e/year, "
            f"{self.year.cost:.2f} {self.year.currency}/year"
        )


def figures(week: Projection, factors: ConversionFactors) -> Figures:
    """The weekly projection and its yearly conversions."""
    return Figures(
        week,
        convert(week.joules * WEEKS_PER_YEAR, factors),
        convert(week.low * WEEKS_PER_YEAR, factors),
        convert(week.high * WEEKS_PER_YEAR, factors),
    )
