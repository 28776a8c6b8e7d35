"""Recorded Prometheus answers read back into ``MetricSeries`` (for backfilling and tests).

Owns the file formats of the Kepler recordings in ``tests/data/kepler`` (see its
``SOURCES.md``): query_range dumps ``{metric: [{"metric", "values"}]}``, pandas-written CSVs of
one metric each, and the recorded instant-query envelopes of the 2022 Flux notes; and
``merge_series``, which joins samples of the same series from several sources.
"""

from __future__ import annotations

import csv
import gzip
import json
from array import array
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from scheduler.core.series import MetricSeries

__all__ = ["load_instant_responses", "load_pandas_csv", "load_query_range_dump", "merge_series"]


def _series(
    name: str, labels: Mapping[str, str], points: Iterable[tuple[float, float]]
) -> MetricSeries:
    times, values = array("d"), array("d")
    for t, v in points:
        times.append(t)
        values.append(v)
    return MetricSeries(name, tuple(sorted((k, v) for k, v in labels.items() if v)), times, values)


def _open_text(path: Path) -> Any:
    return (
        gzip.open(path, "rt", encoding="utf-8")
        if path.suffix == ".gz"
        else path.open(encoding="utf-8")
    )


def load_query_range_dump(path: Path) -> list[MetricSeries]:
    """A ``{metric: [{"metric": labels, "values": [[t, "v"], ...]}]}`` dump (one query_range
    answer per metric, as kepler-model-server stores them)."""
    with _open_text(path) as handle:
        dump = json.load(handle)
    out = []
    for entries in dump.values():
        for entry in entries:
            labels = dict(entry["metric"])
            name = labels.pop("__name__")
            out.append(_series(name, labels, ((float(t), float(v)) for t, v in entry["values"])))
    return _merged(out)


def load_pandas_csv(path: Path) -> list[MetricSeries]:
    """A pandas-written CSV of one metric: index column, labels, ``timestamp``, value column."""
    grouped: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[float, float]]] = {}
    with _open_text(path) as handle:
        reader = csv.reader(handle)
        header = next(reader)
        name_at, time_at = header.index("__name__"), header.index("timestamp")
        label_columns = [
            (i, h) for i, h in enumerate(header) if i not in (0, name_at, time_at, len(header) - 1)
        ]
        for row in reader:
            labels = tuple(sorted((h, row[i]) for i, h in label_columns if row[i]))
            grouped.setdefault((row[name_at], labels), []).append(
                (float(row[time_at]), float(row[-1]))
            )
    return [
        _series(name, dict(labels), sorted(points)) for (name, labels), points in grouped.items()
    ]


def load_instant_responses(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(query, envelope)`` for every recorded full response of the 2022 Flux notes."""
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    for entry in document["entries"]:
        if entry.get("response") is not None:
            yield entry["query"], entry["response"]


def merge_series(series: Iterable[MetricSeries]) -> list[MetricSeries]:
    """One series per identity: samples of equal name and labels merged in time order."""
    return _merged(series)


def _merged(series: Iterable[MetricSeries]) -> list[MetricSeries]:
    merged: dict[tuple[str, tuple[tuple[str, str], ...]], dict[float, float]] = {}
    for one in series:
        merged.setdefault((one.name, one.labels), {}).update(
            zip(one.times, one.values, strict=True)
        )
    return [
        _series(name, dict(labels), sorted(points.items()))
        for (name, labels), points in merged.items()
    ]
