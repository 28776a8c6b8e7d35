"""OpenMetrics text for ``promtool tsdb create-blocks-from openmetrics`` (Prometheus 2.42).

Owns the exact text promtool's backfiller accepts: timestamps in **seconds**, one ``# TYPE``
line per metric family before its first sample, no blank lines or free comments, every series'
samples in strictly ascending time order, and a final ``# EOF``. promtool silently drops
out-of-order and duplicate samples and silently accepts millisecond timestamps (blocks in the
year ~55,700), so this writer rejects all three instead of letting data vanish.

Pure: it renders text from ``MetricSeries``; writing the text to a file is the caller's job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping
from enum import StrEnum

from scheduler.core.series import MetricSeries

__all__ = ["MAX_SECONDS_TIMESTAMP", "MetricType", "format_value", "render"]

# 5138-11-16 in seconds: anything larger is almost certainly milliseconds.
MAX_SECONDS_TIMESTAMP = 1e11

_METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


class MetricType(StrEnum):
    """The ``# TYPE`` of a metric family."""

    COUNTER = "counter"
    GAUGE = "gauge"
    UNKNOWN = "unknown"


def format_value(value: float) -> str:
    """A sample value as OpenMetrics spells it (``NaN``, ``+Inf``, ``-Inf``, shortest repr)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _prefix(series: MetricSeries) -> str:
    if not _METRIC_NAME.fullmatch(series.name):
        raise ValueError(f"invalid metric name {series.name!r}; expected [a-zA-Z_:][a-zA-Z0-9_:]*")
    parts = []
    for name, value in series.labels:
        if not _LABEL_NAME.fullmatch(name) or name.startswith("__"):
            raise ValueError(
                f"series {series.name}: invalid label name {name!r}; "
                "expected [a-zA-Z_][a-zA-Z0-9_]*"
            )
        if value:
            parts.append(f'{name}="{_escape(value)}"')
    return f"{series.name}{{{','.join(parts)}}} " if parts else f"{series.name} "


def _check_times(series: MetricSeries) -> None:
    previous = -math.inf
    for t in series.times:
        if not t > previous:
            raise ValueError(
                f"series {series.name}{dict(series.labels)}: timestamps must be strictly "
                f"ascending (got {t!r} after {previous!r}); promtool would drop the sample"
            )
        previous = t
    if series.times and not 0 <= series.times[-1] < MAX_SECONDS_TIMESTAMP:
        raise ValueError(
            f"series {series.name}: timestamp {series.times[-1]!r} is not Unix seconds "
            "(milliseconds?); promtool expects seconds"
        )


def _family(name: str, kind: MetricType) -> str:
    if kind is MetricType.COUNTER and name.endswith("_total"):
        return name.removesuffix("_total")
    return name


def _samples(prefix: str, series: MetricSeries, stamps: list[str]) -> str:
    pairs = zip(stamps, series.values, strict=True)
    if math.isfinite(sum(series.values)):  # fast path: no NaN/Inf, repr is the spelling
        return "".join([f"{prefix}{v!r} {t}\n" for t, v in pairs])
    return "".join([f"{prefix}{format_value(v)} {t}\n" for t, v in pairs])


def render(
    series: Iterable[MetricSeries], *, types: Mapping[str, MetricType] | None = None
) -> Iterator[str]:
    """Yield the OpenMetrics text of ``series`` in chunks (one per series), ending with ``# EOF``.

    Series are grouped by metric name and sorted by labels; a name not in ``types`` is typed
    ``counter`` if it ends in ``_total``, else ``gauge``. Empty series are skipped. Raises
    ``ValueError`` on an invalid name, non-ascending or millisecond timestamps, or the same
    series given twice.
    """
    ordered = sorted(series, key=lambda s: (s.name, s.labels))
    kinds = types or {}
    current_name: str | None = None
    previous: tuple[str, tuple[tuple[str, str], ...]] | None = None
    stamped: object = None
    stamps: list[str] = []
    for one in ordered:
        identity = (one.name, one.labels)
        if identity == previous:
            raise ValueError(f"series {one.name}{dict(one.labels)} given twice; merge it first")
        previous = identity
        if not len(one):
            continue
        prefix = _prefix(one)
        if one.times is not stamped:  # series sharing one times array share its spelling
            _check_times(one)
            stamped, stamps = one.times, [repr(t) for t in one.times]
        if one.name != current_name:
            current_name = one.name
            default = MetricType.COUNTER if one.name.endswith("_total") else MetricType.GAUGE
            kind = kinds.get(one.name, default)
            yield f"# TYPE {_family(one.name, kind)} {kind.value}\n"
        yield _samples(prefix, one, stamps)
    yield "# EOF\n"
