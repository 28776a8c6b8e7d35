"""How a plan is shown: text for people, the JSON contract for tools, a unified diff for review.

JSON contract (``offhours plan --format json``)::

    {"at": "...Z", "changes": [{"file", "kind", "namespace", "name", "policy", "action",
      "field", "from", "to", "note"}], "warnings": [...], "skipped": [...], "held": [...]}

``from``/``to`` are JSON scalars, ``null`` meaning absent; ``skipped`` lists files that could
not be read and objects that could not be edited safely. Pure: a ``Plan`` in, text out.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from scheduler.core.changes import Change, Scalar
from scheduler.core.instants import format_utc
from scheduler.core.planner import Plan

__all__ = ["render_diff", "render_json", "render_text", "to_document"]


def _change_json(change: Change) -> dict[str, Any]:
    return {
        "file": change.file,
        "kind": change.target.kind,
        "namespace": change.target.namespace,
        "name": change.target.name,
        "policy": change.policy,
        "action": str(change.action),
        "field": change.field,
        "from": change.before,
        "to": change.after,
        "note": change.note,
    }


def to_document(plan: Plan) -> dict[str, Any]:
    """The plan as the JSON contract (a dict ready for ``json.dumps``)."""
    return {
        "at": format_utc(plan.at),
        "changes": [_change_json(c) for c in plan.changes],
        "warnings": [str(d) for d in plan.diagnostics if not d.is_error],
        "skipped": [str(d) for d in plan.diagnostics if d.is_error] + list(plan.refused),
        "held": list(plan.held),
    }


def render_json(plan: Plan) -> str:
    """The JSON contract, indented."""
    return json.dumps(to_document(plan), indent=2, ensure_ascii=False) + "\n"


def _value(value: Scalar) -> str:
    return "(absent)" if value is None else json.dumps(value)


def _change_line(change: Change) -> str:
    note = f"  [{change.note}]" if change.note else ""
    return (
        f"  {change.action!s:<5} {change.target}  {change.field}: "
        f"{_value(change.before)} -> {_value(change.after)}  "
        f"({change.policy or 'no policy'}; {change.file}){note}"
    )


def _section(title: str, lines: Iterable[str]) -> Iterator[str]:
    items = list(lines)
    if items:
        yield f"{title} ({len(items)}):"
        yield from (f"  {line}" for line in items)


def render_text(plan: Plan) -> str:
    """A readable summary: changes first, then warnings, skipped and held items."""
    changes = plan.changes
    out = [f"offhours plan at {format_utc(plan.at)}"]
    if changes:
        sleeps = sum(1 for c in changes if str(c.action) == "sleep")
        out.append(f"{len(changes)} changes ({sleeps} sleep, {len(changes) - sleeps} wake):")
        out.extend(_change_line(c) for c in changes)
    else:
        out.append("no changes: the repository already matches every policy")
    doc = to_document(plan)
    out.extend(_section("warnings", doc["warnings"]))
    out.extend(_section("skipped", doc["skipped"]))
    out.extend(_section("held", doc["held"]))
    return "\n".join(out) + "\n"


def _lines(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def render_diff(plan: Plan) -> str:
    """A unified diff (``git apply``-able) of every changed file."""
    chunks: list[str] = []
    for edit in plan.changed_files:
        chunks.extend(
            difflib.unified_diff(
                _lines(edit.text), _lines(edit.new_text), f"a/{edit.path}", f"b/{edit.path}"
            )
        )
    return "".join(chunks)
