"""Joules to kWh, facility energy (PUE), CO2e and cost."""

from __future__ import annotations

import pytest

from scheduler.core.energy.conversions import (
    DEFAULT_GRID_GCO2E_PER_KWH,
    DEFAULT_GRID_SOURCE,
    ConversionFactors,
    convert,
    joules_to_kwh,
)


def test_one_kwh_is_3_6_megajoules() -> None:
    """3.6 MJ is exactly 1 kWh."""
    assert joules_to_kwh(3.6e6) == 1.0


def test_defaults_are_documented_with_their_source() -> None:
    """The default grid intensity is Ember's 2023 world average, with its source."""
    factors = ConversionFactors()
    assert factors.grid_gco2e_per_kwh == DEFAULT_GRID_GCO2E_PER_KWH == 480.0
    assert "Ember, Global Electricity Review 2024" in DEFAULT_GRID_SOURCE
    assert factors.pue == 1.0


def test_pue_scales_facility_energy_co2e_and_cost() -> None:
    """1 kWh with PUE 1.2: 1.2 facility kWh, 1.2 x 480 = 576 g, 1.2 x 0.30 = 0.36 EUR."""
    c = convert(3.6e6, ConversionFactors(pue=1.2))
    assert c.kwh == 1.0
    assert c.facility_kwh == pytest.approx(1.2)
    assert c.co2e_grams == pytest.approx(576.0)
    assert c.cost == pytest.approx(0.36)
    assert c.currency == "EUR"


def test_custom_grid_and_price() -> None:
    """Own intensity and tariff: 7.2 MJ at 50 g/kWh and 0.1 USD/kWh, no PUE."""
    c = convert(7.2e6, ConversionFactors(grid_gco2e_per_kwh=50, price_per_kwh=0.1, currency="USD"))
    assert (c.co2e_grams, c.cost, c.currency) == (100.0, pytest.approx(0.2), "USD")
    assert c.to_json_dict()["facilityKWh"] == 2.0


def test_negative_energy_converts_to_negative_figures() -> None:
    """A net loss stays a loss in every unit."""
    assert convert(-3.6e6, ConversionFactors()).co2e_grams == -480.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pue": 0.9}, "PUE must be >= 1.0"),
        ({"grid_gco2e_per_kwh": -1}, "grid intensity must be >= 0"),
        ({"price_per_kwh": -0.1}, "price per kWh must be >= 0"),
    ],
    ids=["pue-below-one", "negative-intensity", "negative-price"],
)
def test_factors_reject_impossible_values(kwargs: dict[str, float], message: str) -> None:
    """Impossible factors are errors with the bad value."""
    with pytest.raises(ValueError, match=message):
        ConversionFactors(**kwargs)  # type: ignore[arg-type]


def test_factors_json_names_the_source() -> None:
    """The reported factors carry the grid intensity's source."""
    assert ConversionFactors().to_json_dict()["gridSource"] == DEFAULT_GRID_SOURCE
