"""OpenMetrics text exactly as promtool 2.42's backfiller accepts it."""

from __future__ import annotations

import math
from array import array

import pytest

from scheduler.core import openmetrics
from scheduler.core.series import MetricSeries


def _series(name: str, labels: dict[str, str], points: list[tuple[float, float]]) -> MetricSeries:
    return MetricSeries(
        name,
        tuple(sorted(labels.items())),
        array("d", [t for t, _ in points]),
        array("d", [v for _, v in points]),
    )


def test_render_groups_families_sorts_series_and_ends_with_eof() -> None:
    """TYPE once per family before its samples, series sorted, seconds, '# EOF', no blank line."""
    text = "".join(
        openmetrics.render(
            [
                _series("g", {"b": "2"}, [(1700000000.0, 1.0)]),
                _series(
                    "kepler_x_joules_total",
                    {"zone": "package"},
                    [(1700000000.0, 0.5), (1700000030.5, 2.0)],
                ),
                _series(
                    "g", {"a": 'say "hi"\\'}, [(1700000000.0, math.nan), (1700000001.0, math.inf)]
                ),
            ]
        )
    )
    assert text == (
        "# TYPE g gauge\n"
        'g{a="say \\"hi\\"\\\\"} NaN 1700000000.0\n'
        'g{a="say \\"hi\\"\\\\"} +Inf 1700000001.0\n'
        'g{b="2"} 1.0 1700000000.0\n'
        "# TYPE kepler_x_joules counter\n"
        'kepler_x_joules_total{zone="package"} 0.5 1700000000.0\n'
        'kepler_x_joules_total{zone="package"} 2.0 1700000030.5\n'
        "# EOF\n"
    )
    assert "\n\n" not in text


def test_types_can_be_given_and_empty_labels_are_dropped() -> None:
    """An explicit type wins; an empty label value means no label."""
    text = "".join(
        openmetrics.render(
            [_series("up", {"job": ""}, [(1.0, 1.0)])], types={"up": openmetrics.MetricType.UNKNOWN}
        )
    )
    assert text == "# TYPE up unknown\nup 1.0 1.0\n# EOF\n"


@pytest.mark.parametrize(
    ("series", "match"),
    [
        (_series("x", {}, [(2.0, 1.0), (1.0, 1.0)]), "strictly ascending"),
        (_series("x", {}, [(1.0, 1.0), (1.0, 2.0)]), "strictly ascending"),
        (_series("x", {}, [(1700000000000.0, 1.0)]), "milliseconds"),
        (_series("bad-name", {}, [(1.0, 1.0)]), "invalid metric name"),
        (_series("x", {"__name__": "y"}, [(1.0, 1.0)]), "invalid label name"),
    ],
    ids=["out-of-order", "duplicate-time", "millis", "metric-name", "label-name"],
)
def test_what_promtool_would_silently_drop_is_refused(series: MetricSeries, match: str) -> None:
    """Out-of-order or duplicate samples and ms timestamps raise instead of vanishing."""
    with pytest.raises(ValueError, match=match):
        "".join(openmetrics.render([series]))


def test_the_same_series_twice_is_refused() -> None:
    """Two series with one identity must be merged by the caller."""
    one = _series("x", {"a": "1"}, [(1.0, 1.0)])
    with pytest.raises(ValueError, match="given twice"):
        "".join(openmetrics.render([one, one]))


def test_format_value() -> None:
    """OpenMetrics spellings of special values; shortest round-trip repr otherwise."""
    assert [openmetrics.format_value(v) for v in (math.nan, math.inf, -math.inf, 0.1, 3.0)] == [
        "NaN",
        "+Inf",
        "-Inf",
        "0.1",
        "3.0",
    ]
