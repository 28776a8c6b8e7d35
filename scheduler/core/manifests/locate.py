"""Finding a field of an object by its path, and checking it can be edited in place.

A path is a tuple of mapping keys (``("spec", "values", "controllers", "main", "replicas")``);
annotation keys may contain dots, so paths are never split here. ``locate`` walks the composed
tree and either finds the value, reports it absent, or refuses when something on the way is not
a plain block or flow mapping (a sequence, a null, an anchor, an alias, a merge key).
Read-only: the splices are planned in ``mapedit``.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.core.manifests.documents import MappingNode, Node, ScalarNode
from scheduler.core.manifests.nodes import find_entry, is_alias, starts_with_property
from scheduler.core.manifests.refusals import Refusal, refuse, value_refusal

__all__ = ["Found", "dotted", "locate", "parent_refusal", "scalar_at"]

_MERGE_TAG = "tag:yaml.org,2002:merge"


def dotted(path: tuple[str, ...]) -> str:
    """The dot path shown to people (``spec.values.replicaCount``)."""
    return ".".join(path)


@dataclass(frozen=True, slots=True)
class Found:
    """The entry at a path: its key and value nodes, or None for both when absent."""

    key: ScalarNode | None
    value: Node | None


def parent_refusal(
    text: str, key: Node | None, node: Node, *, path: tuple[str, ...]
) -> Refusal | None:
    """Why the mapping ``node`` at ``path`` cannot take new or changed keys, or None."""
    start = node.start_mark.index
    if (
        type(node) is MappingNode
        and (key is None or not is_alias(key, node))
        and text[start : start + 1] not in ("&", "!")
        and text.find("<<", start, node.end_mark.index) < 0
    ):
        return None
    return _parent_problem(text, key, node, where=dotted(path) or "the document")


def _parent_problem(text: str, key: Node | None, node: Node, *, where: str) -> Refusal | None:
    if key is not None and is_alias(key, node):
        return refuse(key, f"{where} is an alias (*name); editing it would change its anchor")
    if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
        return refuse(node, f"{where} is empty (null); give it a mapping or remove the key")
    if not isinstance(node, MappingNode):
        return refuse(node, f"{where} is not a mapping (got {_kind(node)}; expected key: value)")
    if starts_with_property(text, node):
        return refuse(node, f"{where} is anchored or tagged; its aliases would change too")
    start, end = node.start_mark.index, node.end_mark.index
    if text.find("<<", start, end) >= 0 and any(k.tag == _MERGE_TAG for k, _ in node.value):
        return refuse(node, f"{where} uses a merge key (<<); not edited")
    return None


def _kind(node: Node) -> str:
    if isinstance(node, ScalarNode):
        return f"the value {node.value!r}"
    return "a sequence"


def locate(text: str, doc: Node, path: tuple[str, ...]) -> Found:
    """The entry at ``path`` in ``doc``; absent parents make it absent. Raises
    ``EditRefused`` when a parent cannot be edited (see ``parent_refusal``)."""
    node, key = doc, None
    for depth, name in enumerate(path):
        problem = parent_refusal(text, key, node, path=path[:depth])
        if problem is not None:
            raise problem
        assert isinstance(node, MappingNode)
        entry = find_entry(node, name)
        if entry is None:
            return Found(None, None)
        key, node = entry
    return Found(key, node)


def scalar_at(text: str, doc: Node, path: tuple[str, ...]) -> ScalarNode | None:
    """The editable scalar at ``path``, None when absent; raises ``EditRefused`` when the
    value cannot be replaced by a splice (see ``refusals.value_refusal``)."""
    found = locate(text, doc, path)
    if found.key is None or found.value is None:
        return None
    problem = value_refusal(text, found.key, found.value, path=path)
    if problem is not None:
        raise problem
    assert isinstance(found.value, ScalarNode)
    return found.value
