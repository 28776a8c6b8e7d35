"""Inline SVG charts drawn from report data: time axes, power lines, shaded windows, bands.

``TimeChart`` maps ``[start, end)`` × ``[0, top]`` onto a plot area and collects SVG elements:
shaded intervals (off windows), flat segments (baselines), a line with gaps (power), a filled
band (a p10–p90 range), day ticks in a time zone and "nice" value ticks. Output is a string
of plain SVG 1.1 with classes styled by the page's inline CSS. Pure string building.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from datetime import datetime, time, timedelta, tzinfo

from scheduler.core.intervals import IntervalSet

__all__ = ["TimeChart", "nice_top"]


def nice_top(value: float) -> float:
    """The smallest 1/2/2.5/5 x 10^n at or above ``value`` (1 for non-positive values)."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= value * (1 - 1e-9):
            return float(factor * power)
    return float(10 * power)  # pragma: no cover


def _f(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class TimeChart:
    """One chart: a plot area over time and value, collecting SVG elements in draw order."""

    def __init__(
        self,
        *,
        start: float,
        end: float,
        top: float,
        width: int = 760,
        height: int = 200,
        margin: tuple[int, int, int, int] = (12, 14, 26, 56),
    ) -> None:
        self.start, self.end, self.top = start, max(end, start + 1), nice_top(top)
        self.width, self.height = width, height
        self.mt, self.mr, self.mb, self.ml = margin
        self.parts: list[str] = []

    @property
    def plot_width(self) -> float:
        """Width of the plot area in px."""
        return self.width - self.ml - self.mr

    @property
    def plot_height(self) -> float:
        """Height of the plot area in px."""
        return self.height - self.mt - self.mb

    def x(self, t: float) -> float:
        """Pixel x of instant ``t`` (clamped to the plot)."""
        share = (min(max(t, self.start), self.end) - self.start) / (self.end - self.start)
        return self.ml + share * self.plot_width

    def y(self, value: float) -> float:
        """Pixel y of ``value``."""
        share = min(max(value / self.top, -0.05), 1.05)
        return self.mt + (1 - share) * self.plot_height

    def shade(self, intervals: IntervalSet, css: str, *, strip: float | None = None) -> None:
        """Shade intervals over the whole height, or as a strip of ``strip`` px at the bottom."""
        top = self.mt if strip is None else self.mt + self.plot_height - strip
        height = self.plot_height if strip is None else strip
        for a, b in intervals.clip(self.start, self.end).pairs:
            x0, x1 = self.x(a), self.x(b)
            self.parts.append(
                f'<rect class="{css}" x="{_f(x0)}" y="{_f(top)}" '
                f'width="{_f(max(0.6, x1 - x0))}" height="{_f(height)}"/>'
            )

    def blocks(self, blocks: Sequence[tuple[float, float, float]], css: str) -> None:
        """Rectangles from 0 up to a value over ``(start, end, value)`` spans."""
        base = self.y(0)
        for a, b, value in blocks:
            x0, x1, y = self.x(a), self.x(b), self.y(value)
            self.parts.append(
                f'<rect class="{css}" x="{_f(x0)}" y="{_f(y)}" '
                f'width="{_f(max(0.6, x1 - x0))}" height="{_f(max(0.0, base - y))}"/>'
            )

    def segments(self, blocks: Sequence[tuple[float, float, float]], css: str) -> None:
        """Horizontal segments at a value over ``(start, end, value)`` spans."""
        for a, b, value in blocks:
            y = _f(self.y(value))
            self.parts.append(
                f'<line class="{css}" x1="{_f(self.x(a))}" y1="{y}" x2="{_f(self.x(b))}" y2="{y}"/>'
            )

    def line(
        self, values: Sequence[float | None], *, start: float, bucket: float, css: str
    ) -> None:
        """A polyline through bucket midpoints; ``None`` breaks it."""
        runs: list[list[str]] = [[]]
        for i, v in enumerate(values):
            if v is None:
                runs.append([])
                continue
            t = start + (i + 0.5) * bucket
            runs[-1].append(f"{_f(self.x(t))},{_f(self.y(v))}")
        for run in runs:
            if len(run) == 1:
                run.append(run[0])
            if run:
                self.parts.append(f'<polyline class="{css}" points="{" ".join(run)}"/>')

    def steps(self, points: Sequence[tuple[float, float]], css: str) -> None:
        """A step line: each value holds until the next point."""
        coords = []
        for i, (t, v) in enumerate(points):
            if i:
                coords.append(f"{_f(self.x(t))},{_f(self.y(points[i - 1][1]))}")
            coords.append(f"{_f(self.x(t))},{_f(self.y(v))}")
        if coords:
            self.parts.append(f'<polyline class="{css}" points="{" ".join(coords)}"/>')

    def band(self, points: Sequence[tuple[float, float, float]], css: str) -> None:
        """A filled step band between a low and a high value (``t, low, high``)."""
        if not points:
            return
        upper, lower = [], []
        for i, (t, low, high) in enumerate(points):
            if i:
                prev = points[i - 1]
                upper.append(f"{_f(self.x(t))},{_f(self.y(prev[2]))}")
                lower.append(f"{_f(self.x(t))},{_f(self.y(prev[1]))}")
            upper.append(f"{_f(self.x(t))},{_f(self.y(high))}")
            lower.append(f"{_f(self.x(t))},{_f(self.y(low))}")
        coords = " ".join(upper + lower[::-1])
        self.parts.append(f'<polygon class="{css}" points="{coords}"/>')

    def _day_ticks(self, tz: tzinfo) -> list[str]:
        days = (self.end - self.start) / 86400
        every = 1 if days <= 10 else 2 if days <= 20 else 7 if days <= 70 else 30
        day = datetime.fromtimestamp(self.start, tz).date() + timedelta(days=1)
        out = []
        while (t := datetime.combine(day, time(0), tz).timestamp()) < self.end:
            if day.toordinal() % every == 0:
                x = _f(self.x(t))
                label = day.strftime("%a %d" if every < 7 else "%d %b")
                out.append(
                    f'<line class="grid" x1="{x}" y1="{self.mt}" x2="{x}" '
                    f'y2="{_f(self.mt + self.plot_height)}"/>'
                    f'<text class="tick" x="{x}" y="{self.height - 8}" '
                    f'text-anchor="middle">{label}</text>'
                )
            day += timedelta(days=1)
        return out

    def _value_ticks(self, unit: str) -> list[str]:
        out = []
        for k in range(5):
            value = self.top * k / 4
            y = _f(self.y(value))
            text = f"{value:g}" if value >= 1 or value == 0 else f"{value:.2g}"
            out.append(
                f'<line class="grid" x1="{self.ml}" y1="{y}" x2="{self.width - self.mr}" '
                f'y2="{y}"/><text class="tick" x="{self.ml - 6}" y="{y}" dy="4" '
                f'text-anchor="end">{text}{" " + unit if k == 4 else ""}</text>'
            )
        return out

    def render(self, *, tz: tzinfo, unit: str, title: str) -> str:
        """The chart as one ``<svg>`` element with a title for screen readers."""
        axes = self._value_ticks(unit) + self._day_ticks(tz)
        frame = (
            f'<rect class="frame" x="{self.ml}" y="{self.mt}" width="{_f(self.plot_width)}" '
            f'height="{_f(self.plot_height)}"/>'
        )
        return (
            f'<svg class="chart" viewBox="0 0 {self.width} {self.height}" '
            f'role="img" aria-label="{html.escape(title)}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{html.escape(title)}</title>{''.join(axes)}{frame}{''.join(self.parts)}</svg>"
        )
