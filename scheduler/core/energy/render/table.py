"""The CSV report: one row per target with the JSON target fields (spreadsheets, BI tools).

Columns: the JSON contract's target fields first (``kind`` … ``coverage``), then the other
scalar fields of a target row, the policy zone, the actual off time and lags, and the notes
joined with ``; ``. Empty cells are ``null`` (not estimated / unknown), never 0. RFC 4180
quoting, ``\\r\\n`` line ends, targets in ranked order.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from scheduler.core.energy.render.document import ReportDocument

__all__ = ["COLUMNS", "render_csv"]

CONTRACT = (
    "kind",
    "namespace",
    "name",
    "policy",
    "offSeconds",
    "baselineWatts",
    "baselineWattsP10",
    "baselineWattsP90",
    "savedJoules",
    "savedJoulesLow",
    "savedJoulesHigh",
    "residualJoules",
    "coverage",
)
EXTRA = (
    "method",
    "coveredSeconds",
    "baselineJoules",
    "measuredOffJoules",
    "fallbackSeconds",
    "unmatchedSeconds",
    "noDataSeconds",
    "noBaselineSeconds",
    "historySeconds",
    "timeZone",
)
ACTUATION = (
    "actualOffSeconds",
    "actualOutsideIntendedSeconds",
    "missedWindows",
    "sleepLagMedianSeconds",
    "wakeLagMedianSeconds",
)
COLUMNS = (*CONTRACT, *EXTRA, *ACTUATION, "notes")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def render_csv(doc: ReportDocument) -> str:
    """Every target as one CSV row under a header row."""
    rows = {(r["kind"], r["namespace"], r["name"]): r for r in doc.to_json_dict()["targets"]}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for ts, _detail in doc.ranked():
        row = rows[(ts.target.kind, ts.target.namespace, ts.target.name)]
        acted = row.get("actuation") or {}
        cells = [row.get(c) for c in (*CONTRACT, *EXTRA)]
        cells += [acted.get(c) for c in ACTUATION]
        cells.append("; ".join(row.get("notes") or []))
        writer.writerow([_cell(c) for c in cells])
    return out.getvalue()
