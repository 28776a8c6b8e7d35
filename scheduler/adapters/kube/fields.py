"""Defensive reads of Kubernetes JSON: a missing or mistyped field is a default, never a crash.

Owns small typed accessors over the dicts the API returns (``mapping``, ``text``, ``integer``,
``flag``, ``items``, ``string_map``) and the parsing of ``status.conditions`` and API
timestamps into core records. Objects written by other tools (and old Flux versions) have
gaps; the parsers in ``workloads`` and ``fluxobjects`` rely on these never raising.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scheduler.core.observations import Condition, ConditionStatus
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "conditions",
    "flag",
    "integer",
    "items",
    "mapping",
    "object_ref",
    "string_map",
    "text",
    "timestamp",
]

Json = dict[str, Any]


def _walk(obj: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def mapping(obj: Any, *path: str) -> Json:
    """The dict at ``path``, or ``{}``."""
    value = _walk(obj, path)
    return value if isinstance(value, dict) else {}


def text(obj: Any, *path: str) -> str:
    """The string at ``path``, or ``""``."""
    value = _walk(obj, path)
    return value if isinstance(value, str) else ""


def integer(obj: Any, *path: str) -> int | None:
    """The integer at ``path`` (integer-valued strings too, as annotations are), or ``None``."""
    value = _walk(obj, path)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def flag(obj: Any, *path: str) -> bool | None:
    """The boolean at ``path`` (``"true"``/``"false"`` strings too), or ``None``."""
    value = _walk(obj, path)
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def items(obj: Any, *path: str) -> list[Json]:
    """The dict entries of the list at ``path``."""
    value = _walk(obj, path)
    return [entry for entry in value if isinstance(entry, dict)] if isinstance(value, list) else []


def string_map(obj: Any, *path: str) -> dict[str, str]:
    """The string-to-string map at ``path`` (labels, annotations)."""
    return {str(k): str(v) for k, v in mapping(obj, *path).items() if isinstance(v, str)}


def timestamp(value: str) -> datetime | None:
    """An RFC 3339 API timestamp as an aware datetime, or ``None``."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def conditions(obj: Any) -> tuple[Condition, ...]:
    """``status.conditions`` as core records (unknown statuses read as ``Unknown``)."""
    result = []
    for entry in items(obj, "status", "conditions"):
        kind = text(entry, "type")
        if not kind:
            continue
        raw_status = text(entry, "status")
        status = (
            ConditionStatus(raw_status)
            if raw_status in {s.value for s in ConditionStatus}
            else ConditionStatus.UNKNOWN
        )
        result.append(
            Condition(
                type=kind,
                status=status,
                reason=text(entry, "reason"),
                message=text(entry, "message"),
                observed_generation=integer(entry, "observedGeneration"),
                last_transition_time=timestamp(text(entry, "lastTransitionTime")),
            )
        )
    return tuple(result)


def object_ref(obj: Any, kind: str) -> WorkloadRef:
    """``kind/namespace/name`` of an API object."""
    return WorkloadRef(kind, text(obj, "metadata", "namespace"), text(obj, "metadata", "name"))
