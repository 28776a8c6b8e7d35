"""The JSON preview: the contract later tools and tests rely on.

``{"from", "to", "policies": [{"name", "file", "timeZone", "enabled", "initial", "off":
[{"start", "end"}], "offSeconds", "transitions": [{"at", "to"}]}]}``; instants are UTC with a
``Z`` suffix, to the second; ``off`` intervals are maximal, sorted and clipped to the range.
With a metrics store each policy also has ``savingsEstimate`` (``PolicySavings.to_json_dict``);
with ``--repo`` its resolved ``targets`` (``kind/namespace/name`` strings).
Fields may be added, never removed or renamed.
"""

from __future__ import annotations

from typing import Any

from scheduler.core.instants import format_utc
from scheduler.core.jsontext import Rows, indented
from scheduler.core.preview.model import PolicyPreview, Preview

__all__ = ["render_json", "to_document"]


def _policy(item: PolicyPreview, preview: Preview) -> dict[str, Any]:
    """One policy's entry; ``off`` and ``transitions`` as ``Rows`` (see ``to_document``)."""
    doc: dict[str, Any] = {
        "name": item.policy.name,
        "file": item.policy.file,
        "timeZone": item.policy.zone,
        "enabled": item.policy.enabled,
        "initial": str(item.initial),
        "off": Rows(("start", "end"), [(format_utc(a), format_utc(b)) for a, b in item.off.pairs]),
        "offSeconds": item.off_seconds,
        "transitions": Rows(
            ("at", "to"), [(format_utc(t.at), str(t.to)) for t in item.transitions]
        ),
    }
    targets = preview.targets_of(item.policy.name)
    if targets is not None:
        doc["targets"] = [str(t) for t in targets]
    estimate = preview.savings_of(item.policy.name)
    if estimate is not None:
        doc["savingsEstimate"] = estimate.to_json_dict()
    return doc


def _document(preview: Preview) -> dict[str, Any]:
    return {
        "from": format_utc(preview.start),
        "to": format_utc(preview.end),
        "policies": [_policy(item, preview) for item in preview.policies],
    }


def to_document(preview: Preview) -> dict[str, Any]:
    """The preview as JSON-ready data."""
    doc = _document(preview)
    doc["policies"] = [
        {key: value.dicts() if isinstance(value, Rows) else value for key, value in entry.items()}
        for entry in doc["policies"]
    ]
    return doc


def render_json(preview: Preview) -> str:
    """The preview as indented JSON text (with a final newline): ``to_document`` as
    ``json.dumps(..., indent=2, ensure_ascii=False)`` writes it, written by ``jsontext``."""
    return indented(_document(preview)) + "\n"
