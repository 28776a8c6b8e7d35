"""Reading composed YAML nodes: keys of mappings, string fields, aliases and text extents.

A composed tree shares one node object between an anchor and all its aliases, so an alias has
no position of its own; ``is_alias`` tells them apart by position, and ``content_end`` finds
where an entry's text really ends (the place a new sibling line goes after). Read-only.
"""

from __future__ import annotations

from collections.abc import Iterator

from scheduler.core.manifests.documents import (
    CollectionNode,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
)

__all__ = [
    "content_end",
    "find_entry",
    "is_alias",
    "is_block_scalar",
    "mapping_at",
    "starts_with_property",
    "str_at",
    "string_list",
    "string_map",
]

_MERGE_TAG = "tag:yaml.org,2002:merge"


def find_entry(mapping: MappingNode, key: str) -> tuple[ScalarNode, Node] | None:
    """The (key node, value node) of ``key`` in ``mapping``; the last one wins, as in YAML
    loaders; None when absent."""
    for key_node, value_node in reversed(mapping.value):
        if key_node.value == key and type(key_node) is ScalarNode:
            return key_node, value_node
    return None


def _at(node: Node, path: tuple[str, ...]) -> Node | None:
    for key in path:
        if not isinstance(node, MappingNode):
            return None
        entry = find_entry(node, key)
        if entry is None:
            return None
        node = entry[1]
    return node


def mapping_at(node: Node, *path: str) -> MappingNode | None:
    """The mapping at ``path`` below ``node``, or None."""
    found = _at(node, path)
    return found if isinstance(found, MappingNode) else None


def str_at(node: Node, *path: str) -> str | None:
    """The non-empty scalar text at ``path`` below ``node``, or None."""
    found = _at(node, path)
    if isinstance(found, ScalarNode) and found.value != "" and not found.tag.endswith("null"):
        return str(found.value)
    return None


def string_map(node: Node | None) -> dict[str, str]:
    """A mapping of scalars as ``{key: text}`` (labels, annotations); other entries dropped."""
    if not isinstance(node, MappingNode):
        return {}
    return {
        k.value: v.value
        for k, v in node.value
        if isinstance(k, ScalarNode) and isinstance(v, ScalarNode) and k.tag != _MERGE_TAG
    }


def string_list(node: Node | None) -> Iterator[str]:
    """The scalar texts of a sequence (``resources:``), skipping anything else."""
    if isinstance(node, SequenceNode):
        for item in node.value:
            if isinstance(item, ScalarNode) and item.value:
                yield str(item.value)


def is_alias(key_node: Node, value_node: Node) -> bool:
    """True when the value of this entry is an alias (``key: *name``): the shared node then
    sits at its anchor, before the key."""
    return bool(value_node.start_mark.index < key_node.end_mark.index)


def starts_with_property(text: str, node: Node) -> bool:
    """True when the node's text starts with an anchor (``&x``) or an explicit tag (``!x``)."""
    start = node.start_mark.index
    return start < len(text) and text[start] in "&!"


def is_block_scalar(node: Node) -> bool:
    """True for literal (``|``) and folded (``>``) scalars."""
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def content_end(text: str, node: Node, floor: int) -> int:
    """Index just past the last character of ``node``'s own text.

    For block collections this is the end of their last entry (their end mark would run on
    over trailing comments and blank lines); ``floor`` is where the node's text cannot start
    before (the end of its key or previous item), which exposes aliases.
    """
    if node.start_mark.index < floor:
        return _alias_end(text, floor)
    if isinstance(node, ScalarNode) or (isinstance(node, CollectionNode) and node.flow_style):
        return int(node.end_mark.index)
    if isinstance(node, MappingNode):
        if not node.value:
            return int(node.end_mark.index)
        key_node, value_node = node.value[-1]
        if isinstance(value_node, ScalarNode) and value_node.value == "" and not value_node.style:
            return int(key_node.end_mark.index)
        return content_end(text, value_node, key_node.end_mark.index)
    items = node.value
    if not items:
        return int(node.end_mark.index)
    previous = items[-2].end_mark.index if len(items) > 1 else node.start_mark.index
    return content_end(text, items[-1], max(previous, node.start_mark.index))


def _alias_end(text: str, floor: int) -> int:
    star = text.find("*", floor)
    if star < 0:
        return floor
    end = star + 1
    while end < len(text) and text[end] not in " \t\r\n,]}#":
        end += 1
    return end
