"""Numbers for people: energy, power, durations, shares and instants, as every format prints them.

Energy is shown in the unit that keeps 3–4 significant digits (J, kJ, MJ, GJ) with kWh beside
it, power in W or mW. ``None`` (not estimated, unknown) is always printed as a word, never as
0. Pure string formatting; no locale, no clock.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

__all__ = [
    "NOT_ESTIMATED",
    "duration",
    "energy",
    "kwh",
    "lag",
    "local_time",
    "percent",
    "power",
    "utc",
]

NOT_ESTIMATED = "not estimated"
_ENERGY_UNITS = ((1e9, "GJ"), (1e6, "MJ"), (1e3, "kJ"), (1.0, "J"))


def _significant(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def energy(joules: float | None, *, missing: str = NOT_ESTIMATED) -> str:
    """``4.44 MJ``; ``missing`` for ``None``/NaN."""
    if joules is None or math.isnan(joules):
        return missing
    for size, unit in _ENERGY_UNITS:
        if abs(joules) >= size or size == 1.0:
            return f"{_significant(joules / size)} {unit}"
    return f"{joules:.2f} J"  # pragma: no cover - the loop always returns


def kwh(joules: float | None, *, missing: str = NOT_ESTIMATED) -> str:
    """``1.234 kWh`` (``Wh`` below 1 kWh)."""
    if joules is None or math.isnan(joules):
        return missing
    value = joules / 3.6e6
    if abs(value) >= 1:
        return f"{value:,.3f} kWh"
    return f"{value * 1000:,.2f} Wh"


def power(watts: float | None, *, missing: str = "n/a") -> str:
    """``3.20 W`` or ``130 mW``."""
    if watts is None or math.isnan(watts):
        return missing
    if abs(watts) < 1:
        return f"{watts * 1000:.0f} mW"
    return f"{_significant(watts)} W"


def percent(share: float | None, *, missing: str = "n/a") -> str:
    """``98.2 %``."""
    if share is None or math.isnan(share):
        return missing
    return f"{100 * share:.1f} %"


def duration(seconds: float | None, *, missing: str = "n/a") -> str:
    """``3 d 4 h``, ``5 h 30 min``, ``45 s``."""
    if seconds is None or math.isnan(seconds):
        return missing
    total = round(abs(seconds))
    sign = "-" if seconds < 0 and total else ""
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        text = f"{days} d {hours} h" if hours else f"{days} d"
    elif hours:
        text = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    elif minutes:
        text = f"{minutes} min {secs} s" if secs else f"{minutes} min"
    else:
        text = f"{secs} s"
    return sign + text


def lag(seconds: float | None) -> str:
    """A lag in the shortest form (``+75 s``, ``+3 min``); ``-`` when unknown."""
    if seconds is None:
        return "-"
    if abs(seconds) < 600:
        return f"{seconds:+.0f} s"
    return ("+" if seconds > 0 else "-") + duration(abs(seconds))


def utc(t: float) -> str:
    """``2025-03-24 00:00 UTC``."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%d %H:%M UTC")


def local_time(t: float, zone: str) -> str:
    """``Mon 2025-03-24 20:00 CET`` in ``zone`` (UTC if the zone is unknown)."""
    tz: tzinfo
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        tz = UTC
    return datetime.fromtimestamp(t, tz).strftime("%a %Y-%m-%d %H:%M %Z")
