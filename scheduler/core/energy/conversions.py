"""Joules to kWh, facility energy (PUE), CO2e and cost, with the factors' sources.

- kWh = J / 3,600,000 (IT energy: what Kepler measures, CPU package + DRAM).
- facility kWh = kWh x PUE (power usage effectiveness of the data centre, 1.0 = not applied).
- CO2e grams = facility kWh x grid intensity (gCO2e/kWh).
- cost = facility kWh x price per kWh.

Default grid intensity: 480 gCO2e/kWh, the world average of 2023 (record low, down from 486 in
2022) reported by Ember's Global Electricity Review 2024 (ember-climate.org), life-cycle
emissions in CO2 equivalents over 100 years. Set the intensity of your own grid or region. The
price default is illustrative only. Owns arithmetic and labels, not where the factors come from
(``EnergySettings`` in ``scheduler.settings``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

__all__ = [
    "DEFAULT_GRID_GCO2E_PER_KWH",
    "DEFAULT_GRID_SOURCE",
    "JOULES_PER_KWH",
    "ConversionConfig",
    "ConversionFactors",
    "Converted",
    "convert",
    "joules_to_kwh",
]

JOULES_PER_KWH = 3.6e6
DEFAULT_GRID_GCO2E_PER_KWH = 480.0
DEFAULT_GRID_SOURCE = (
    "world average 2023, life-cycle gCO2e/kWh (Ember, Global Electricity Review 2024)"
)


def joules_to_kwh(joules: float) -> float:
    """Joules as kilowatt-hours."""
    return joules / JOULES_PER_KWH


class ConversionConfig(Protocol):
    """What ``ConversionFactors.from_config`` reads (``EnergySettings`` has these fields)."""

    @property
    def grid_gco2e_per_kwh(self) -> float: ...
    @property
    def grid_source(self) -> str: ...
    @property
    def price_per_kwh(self) -> float: ...
    @property
    def currency(self) -> str: ...
    @property
    def pue(self) -> float: ...


@dataclass(frozen=True)
class ConversionFactors:
    """Grid intensity, price and PUE used to turn joules into kWh, CO2e and money."""

    grid_gco2e_per_kwh: float = DEFAULT_GRID_GCO2E_PER_KWH
    grid_source: str = DEFAULT_GRID_SOURCE
    price_per_kwh: float = 0.30
    currency: str = "EUR"
    pue: float = 1.0

    @classmethod
    def from_config(cls, config: ConversionConfig) -> ConversionFactors:
        """Factors from configuration (e.g. ``Settings().energy``)."""
        return cls(
            grid_gco2e_per_kwh=config.grid_gco2e_per_kwh,
            grid_source=config.grid_source,
            price_per_kwh=config.price_per_kwh,
            currency=config.currency,
            pue=config.pue,
        )

    def __post_init__(self) -> None:
        if not self.grid_gco2e_per_kwh >= 0:
            raise ValueError(
                f"grid intensity must be >= 0 gCO2e/kWh, got {self.grid_gco2e_per_kwh}"
            )
        if not self.price_per_kwh >= 0:
            raise ValueError(f"price per kWh must be >= 0, got {self.price_per_kwh}")
        if not self.pue >= 1.0:
            raise ValueError(f"PUE must be >= 1.0 (1.0 = not applied), got {self.pue}")

    def to_json_dict(self) -> dict[str, Any]:
        """The factors as reported (camelCase keys)."""
        return {
            "gridGCo2ePerKWh": self.grid_gco2e_per_kwh,
            "gridSource": self.grid_source,
            "pricePerKWh": self.price_per_kwh,
            "currency": self.currency,
            "pue": self.pue,
        }


@dataclass(frozen=True, slots=True)
class Converted:
    """One energy figure in every unit a report shows."""

    joules: float
    kwh: float
    facility_kwh: float
    co2e_grams: float
    cost: float
    currency: str

    def to_json_dict(self) -> dict[str, Any]:
        """The figure as reported (camelCase keys)."""
        return {
            "joules": self.joules,
            "kWh": self.kwh,
            "facilityKWh": self.facility_kwh,
            "co2eGrams": self.co2e_grams,
            "cost": self.cost,
            "currency": self.currency,
        }


def convert(joules: float, factors: ConversionFactors) -> Converted:
    """Convert an energy figure (may be negative: a net loss converts to negative CO2e)."""
    kwh = joules_to_kwh(joules)
    facility = kwh * factors.pue
    return Converted(
        joules=joules,
        kwh=kwh,
        facility_kwh=facility,
        co2e_grams=facility * factors.grid_gco2e_per_kwh,
        cost=facility * factors.price_per_kwh,
        currency=factors.currency,
    )
