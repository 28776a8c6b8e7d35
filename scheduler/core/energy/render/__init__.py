"""Rendering of ``offhours report``: the document model and its five formats (pure).

- ``document``: ``ReportDocument`` (the savings report plus intended/actual/lag per target,
  the reading's and the ledger's facts) and its JSON contract;
- ``actuation``: the lag between intended and actual off time; ``series``: chart data;
- ``units``, ``explain``, ``figures``: numbers and plain-word explanations shared by formats;
- ``text``, ``markdown``, ``table`` (CSV), ``html`` (one self-contained file, inline SVG).
"""

from __future__ import annotations

import json

from scheduler.core.energy.render.document import LedgerFacts, ReportDocument, TargetDetail
from scheduler.core.energy.render.text import render_text

__all__ = ["LedgerFacts", "ReportDocument", "TargetDetail", "render_json", "render_text"]


def render_json(doc: ReportDocument) -> str:
    """The JSON contract, indented, with a final newline."""
    return json.dumps(doc.to_json_dict(), indent=2, ensure_ascii=False) + "\n"
