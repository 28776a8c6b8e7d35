"""JSON merge patch (RFC 7386) and JSON patch (RFC 6902) over plain JSON values.

Owns applying the two patch formats the stand-in accepts (strategic merge is treated as a
merge patch: the kinds offhours touches need nothing more). Failures raise ``PatchError``
with a message the server turns into a 422. No HTTP here.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["PatchError", "json_patch", "merge_patch"]


class PatchError(ValueError):
    """A JSON patch could not be applied (bad path, failed ``test``)."""


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: objects merge recursively, ``null`` deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _segments(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}: must start with /")
    return [s.replace("~1", "/").replace("~0", "~") for s in path[1:].split("/")]


def _index(container: list[Any], segment: str, *, allow_end: bool) -> int:
    if segment == "-" and allow_end:
        return len(container)
    if not segment.isdigit():
        raise PatchError(f"invalid array index {segment!r}")
    index = int(segment)
    if index > len(container) or (index == len(container) and not allow_end):
        raise PatchError(f"array index {index} out of range")
    return index


def _parent(document: Any, path: str) -> tuple[Any, str]:
    segments = _segments(path)
    if not segments:
        raise PatchError("the whole document cannot be the target of this operation")
    node = document
    for segment in segments[:-1]:
        node = _child(node, segment, path)
    return node, segments[-1]


def _child(node: Any, segment: str, path: str) -> Any:
    if isinstance(node, dict) and segment in node:
        return node[segment]
    if isinstance(node, list):
        return node[_index(node, segment, allow_end=False)]
    raise PatchError(f"path {path!r} does not exist")


def _get(document: Any, path: str) -> Any:
    node = document
    for segment in _segments(path):
        node = _child(node, segment, path)
    return node


def _add(document: Any, path: str, value: Any) -> None:
    parent, key = _parent(document, path)
    if isinstance(parent, dict):
        parent[key] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, key, allow_end=True), value)
    else:
        raise PatchError(f"path {path!r} does not exist")


def _remove(document: Any, path: str) -> Any:
    parent, key = _parent(document, path)
    if isinstance(parent, dict) and key in parent:
        return parent.pop(key)
    if isinstance(parent, list):
        return parent.pop(_index(parent, key, allow_end=False))
    raise PatchError(f"path {path!r} does not exist")


def _apply(document: Any, operation: dict[str, Any]) -> None:
    op, path = operation.get("op"), operation.get("path")
    if not isinstance(path, str):
        raise PatchError(f"operation {operation!r} has no path")
    if op == "add":
        _add(document, path, copy.deepcopy(operation.get("value")))
    elif op == "remove":
        _remove(document, path)
    elif op == "replace":
        _remove(document, path)
        _add(document, path, copy.deepcopy(operation.get("value")))
    elif op in ("move", "copy"):
        source = str(operation.get("from", ""))
        value = _remove(document, source) if op == "move" else copy.deepcopy(_get(document, source))
        _add(document, path, value)
    elif op == "test":
        if _get(document, path) != operation.get("value"):
            raise PatchError(f"test operation failed at {path!r}")
    else:
        raise PatchError(f"unknown JSON patch operation {op!r}")


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 on a copy of ``target``; the whole patch applies or none of it."""
    if not isinstance(operations, list):
        raise PatchError("a JSON patch must be a list of operations")
    document = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, dict):
            raise PatchError(f"not a JSON patch operation: {operation!r}")
        _apply(document, operation)
    return document
