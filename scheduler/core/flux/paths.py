"""Field paths across the three notations offhours meets: change fields, JSON pointers, Helm
``targetPath``s, and whether a Flux patch or ignore rule reaches a given field.

Owns converting a ``Change.field`` dot path (``spec.replicas``,
``metadata.annotations.autoscaling.keda.sh/paused-replicas``, ``spec.values.a.b``) to a JSON
pointer (``/spec/replicas``), splitting Helm ``--set``-style paths (``a.b\\.c[0]``), and
deciding whether a strategic-merge or JSON6902 patch writes a pointer. Pure: no I/O (YAML is
parsed from text already read).
"""

from __future__ import annotations

import enum
import re
from typing import Any

import yaml

__all__ = [
    "PatchReach",
    "field_pointer",
    "helm_path",
    "patch_reach",
    "pointer_covers",
    "rendered_pointer",
    "values_path",
]

_MAP_PREFIXES = ("metadata.annotations.", "metadata.labels.")
_VALUES_PREFIX = "spec.values."
_REPLICA_LEAVES = frozenset({"replicas", "replicaCount", "replica_count", "replicacount"})
_INDEX = re.compile(r"\[(\d+)\]")


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def field_pointer(field: str) -> str:
    """The JSON pointer of a change field; annotation and label keys stay one segment."""
    for prefix in _MAP_PREFIXES:
        if field.startswith(prefix):
            head = prefix.rstrip(".").split(".")
            return "/" + "/".join([*head, _escape(field[len(prefix) :])])
    return "/" + "/".join(_escape(part) for part in field.split("."))


def pointer_segments(pointer: str) -> list[str]:
    """Split a JSON pointer into unescaped segments (``""`` is the whole document)."""
    if not pointer or pointer == "/":
        return []
    return [_unescape(part) for part in pointer.lstrip("/").split("/")]


def pointer_covers(rule: str, pointer: str) -> bool:
    """True when ``rule`` is ``pointer`` or one of its ancestors."""
    outer, inner = pointer_segments(rule), pointer_segments(pointer)
    return inner[: len(outer)] == outer


def values_path(field: str) -> tuple[str, ...] | None:
    """The Helm values path a ``spec.values.*`` change field edits, else ``None``."""
    if not field.startswith(_VALUES_PREFIX):
        return None
    return tuple(field[len(_VALUES_PREFIX) :].split("."))


def helm_path(target_path: str) -> tuple[str, ...]:
    """Split a Helm ``--set`` path (``targetPath``): unescaped dots separate, ``[n]`` indexes."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(target_path)
    for char in chars:
        if char == "\\":
            current.append(next(chars, ""))
        elif char == ".":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    segments: list[str] = []
    for part in parts:
        name = _INDEX.split(part)
        segments.extend(piece for piece in name if piece)
    return tuple(segments)


def rendered_pointer(values: tuple[str, ...]) -> str | None:
    """The field of a rendered object a values leaf most likely lands in (replicas, suspend)."""
    leaf = values[-1] if values else ""
    if leaf in _REPLICA_LEAVES:
        return "/spec/replicas"
    if leaf == "suspend":
        return "/spec/suspend"
    return None


class PatchReach(enum.Enum):
    """Whether a patch writes a field: it does, it does not, or its text cannot be read."""

    WRITES = "writes"
    MISSES = "misses"
    UNREADABLE = "unreadable"


def patch_reach(patch: str, pointer: str) -> tuple[PatchReach, dict[str, Any] | None]:
    """Does ``patch`` (strategic-merge YAML or a JSON6902 list) write ``pointer``?

    Also returns the patch document when it is a strategic-merge patch, whose own
    ``kind``/``metadata`` name its target when the rule has no explicit one.
    """
    try:
        document = yaml.safe_load(patch)
    except yaml.YAMLError:
        return PatchReach.UNREADABLE, None
    segments = pointer_segments(pointer)
    if isinstance(document, list):
        return _json6902_reach(document, segments), None
    if isinstance(document, dict):
        return _merge_reach(document, segments), document
    return PatchReach.UNREADABLE, None


def _json6902_reach(operations: list[Any], segments: list[str]) -> PatchReach:
    for operation in operations:
        if not isinstance(operation, dict) or operation.get("op") in ("test", None):
            continue
        path = operation.get("path")
        if isinstance(path, str) and pointer_covers(path, "/" + "/".join(map(_escape, segments))):
            return PatchReach.WRITES
    return PatchReach.MISSES


def _merge_reach(document: dict[str, Any], segments: list[str]) -> PatchReach:
    node: Any = document
    for segment in segments:
        if not isinstance(node, dict):
            return PatchReach.WRITES
        if segment not in node:
            return PatchReach.MISSES
        node = node[segment]
    return PatchReach.WRITES
