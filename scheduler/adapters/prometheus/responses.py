"""The Prometheus HTTP API envelope, decoded into ``MetricSeries``.

Owns the JSON shapes of ``/api/v1/query``, ``/api/v1/query_range``, ``/api/v1/series`` and
``/api/v1/label/<name>/values`` (``{"status", "data", "errorType", "error", "warnings"}``), and
the conversion of string sample values (``"NaN"``, ``"+Inf"``) into floats.

Matrix results are decoded one series at a time (the ``result`` array is walked with
``json.JSONDecoder.raw_decode``), so a large response is held once as text plus compact
``array('d')`` columns instead of millions of small Python lists. Does no I/O.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, cast

from scheduler.core.series import MetricSeries

__all__ = [
    "Envelope",
    "MalformedResponse",
    "QueryResult",
    "RawSeries",
    "decode",
    "decode_query",
    "iter_label_sets",
]

_DECODER = json.JSONDecoder()
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_RESULT_ARRAY = re.compile(r'"result"\s*:\s*\[')


class RawSeries(TypedDict):
    """One element of a vector or matrix ``result``."""

    metric: dict[str, str]
    value: NotRequired[list[Any]]
    values: NotRequired[list[list[Any]]]


class Envelope(TypedDict):
    """The outer object of every API response."""

    status: str
    data: NotRequired[Any]
    errorType: NotRequired[str]
    error: NotRequired[str]
    warnings: NotRequired[list[str]]


class MalformedResponse(ValueError):
    """The body is not a Prometheus API envelope."""


class _NotSeries(Exception):
    """The ``result`` array holds no series objects (a scalar or string result)."""


@dataclass(frozen=True)
class QueryResult:
    """The series of a query (a vector holds one sample per series) and the server's warnings."""

    result_type: str
    series: list[MetricSeries]
    warnings: tuple[str, ...] = ()


def decode(text: str) -> Envelope:
    """Parse a small envelope (errors, series, label values) in one go."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise MalformedResponse(f"not JSON: {exc}") from exc
    if not isinstance(body, dict) or body.get("status") not in {"success", "error"}:
        raise MalformedResponse("no 'status' field of 'success' or 'error'")
    return cast(Envelope, body)


def _to_series(raw: RawSeries) -> MetricSeries:
    labels = dict(raw.get("metric") or {})
    name = labels.pop("__name__", "")
    pairs = raw.get("values")
    if pairs is None:
        pairs = [raw["value"]] if "value" in raw else []
    times = array("d", [float(p[0]) for p in pairs])
    values = array("d", [float(p[1]) for p in pairs])
    return MetricSeries(name, tuple(sorted(labels.items())), times, values)


def _walk_result(text: str, start: int) -> tuple[list[MetricSeries], int]:
    """Decode the array opened at ``text[start - 1] == '['``; return series and end index."""
    out: list[MetricSeries] = []
    pos = _WHITESPACE.match(text, start).end()  # type: ignore[union-attr]
    if text.startswith("]", pos):
        return out, pos + 1
    while True:
        element, pos = _DECODER.raw_decode(text, pos)
        if not isinstance(element, dict):
            raise _NotSeries
        out.append(_to_series(cast(RawSeries, element)))
        pos = _WHITESPACE.match(text, pos).end()  # type: ignore[union-attr]
        if text.startswith("]", pos):
            return out, pos + 1
        if not text.startswith(",", pos):
            raise MalformedResponse(f"expected ',' or ']' at offset {pos}")
        pos = _WHITESPACE.match(text, pos + 1).end()  # type: ignore[union-attr]


def _scalar_series(data: dict[str, Any]) -> list[MetricSeries]:
    value = data.get("result")
    if not isinstance(value, list) or len(value) != 2:
        raise MalformedResponse("a scalar result is not [time, value]")
    return [_to_series({"metric": {}, "value": value})]


def decode_query(text: str) -> tuple[Envelope, QueryResult | None]:
    """Parse a query or query_range response; the result is None for an error envelope."""
    found = _RESULT_ARRAY.search(text)
    if found is not None:
        try:
            return _decode_streamed(text, found.end())
        except _NotSeries:
            pass
    envelope = decode(text)
    if envelope["status"] != "success":
        return envelope, None
    data = envelope.get("data") or {}
    if data.get("resultType") == "scalar":
        return envelope, QueryResult("scalar", _scalar_series(data), _warnings(envelope))
    raise MalformedResponse(f"unsupported result type {data.get('resultType')!r}")


def _decode_streamed(text: str, start: int) -> tuple[Envelope, QueryResult | None]:
    try:
        series, end = _walk_result(text, start)
        envelope = decode(text[:start] + "]" + text[end:])
    except _NotSeries:
        raise
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise MalformedResponse(f"cannot decode the result: {exc}") from exc
    if envelope["status"] != "success":
        return envelope, None
    data = envelope.get("data") or {}
    return envelope, QueryResult(str(data.get("resultType", "")), series, _warnings(envelope))


def _warnings(envelope: Envelope) -> tuple[str, ...]:
    return tuple(str(w) for w in envelope.get("warnings") or ())


def iter_label_sets(envelope: Envelope) -> Iterator[dict[str, str]]:
    """The label sets of a ``/api/v1/series`` response."""
    for item in envelope.get("data") or ():
        if isinstance(item, dict):
            yield {str(k): str(v) for k, v in item.items()}
