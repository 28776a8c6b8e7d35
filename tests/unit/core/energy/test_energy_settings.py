"""EnergySettings: pinned defaults that agree with the core's, and mapping to core options."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from scheduler.core.energy import ccf
from scheduler.core.energy.baseline import BaselineChoice, BaselineOptions
from scheduler.core.energy.conversions import ConversionFactors
from scheduler.settings import EnergySettings, Settings


def test_defaults_are_pinned() -> None:
    """Every energy default, as documented."""
    s = EnergySettings()
    assert s.model_dump() == {
        "grid_gco2e_per_kwh": 480.0,
        "grid_source": (
            "world average 2023, life-cycle gCO2e/kWh (Ember, Global Electricity Review 2024)"
        ),
        "price_per_kwh": 0.30,
        "currency": "EUR",
        "pue": 1.0,
        "baseline_method": "auto",
        "baseline_min_history_days": 14.0,
        "baseline_trailing_lookback_days": 14.0,
        "baseline_settle_minutes": 15.0,
        "baseline_min_bin_minutes": 60.0,
        "baseline_min_trailing_minutes": 60.0,
        "ccf_coefficients": "aws",
        "ccf_cpu_utilisation": 0.5,
    }


def test_settings_defaults_equal_core_defaults() -> None:
    """The settings and the core value objects default to the same numbers."""
    assert BaselineOptions.from_config(EnergySettings(), tz=UTC) == BaselineOptions()
    assert ConversionFactors.from_config(EnergySettings()) == ConversionFactors()
    assert ccf.coefficients(EnergySettings().ccf_coefficients).key == "aws"


def test_environment_overrides_map_to_core_units(monkeypatch: pytest.MonkeyPatch) -> None:
    """OFFHOURS_ENERGY__* in days and minutes become seconds; the policy zone is passed in."""
    monkeypatch.setenv("OFFHOURS_ENERGY__BASELINE_METHOD", "trailing")
    monkeypatch.setenv("OFFHOURS_ENERGY__BASELINE_SETTLE_MINUTES", "5")
    monkeypatch.setenv("OFFHOURS_ENERGY__PUE", "1.2")
    energy = Settings().energy
    berlin = ZoneInfo("Europe/Berlin")
    options = BaselineOptions.from_config(energy, tz=berlin)
    assert (options.choice, options.settle_seconds, options.tz) == (
        BaselineChoice.TRAILING,
        300.0,
        berlin,
    )
    assert ConversionFactors.from_config(energy).pue == 1.2
