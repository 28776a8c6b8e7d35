"""Checking an edited file: only the intended paths changed, and they hold the new values.

After splicing, the new text is composed again and every document is compared with the
original, node by node (tag and value of every scalar, structure of every collection), except
along the written paths, where the new value must be the expected one, a deleted key must be
gone, an edited list must hold exactly the kept old entries then the appended ones, and
mappings may appear or disappear only if they hold nothing but written paths. This
is stricter than comparing loaded data (a scalar must keep its tag and text, not only its
value) and cheaper (no Python objects are constructed).

Two nodes of the same kind and tag whose source text is identical and starts at the same
column are equal without descending into them: with everything around them verified
structurally, the same characters in the same context parse to the same tree. Untouched
documents and subtrees are therefore compared at the speed of a string comparison. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from scheduler.core.manifests import emit
from scheduler.core.manifests.documents import (
    CollectionNode,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    scalar_value,
)
from scheduler.core.manifests.locate import dotted
from scheduler.core.manifests.mapedit import GONE, Expected, ListAfter

__all__ = ["Comparison", "check_leaf", "entries", "node_data"]

Path = tuple[str, ...]
_Tree = dict[str, "_Tree | _Leaf"]


class _Leaf:
    __slots__ = ("value",)

    def __init__(self, value: Expected) -> None:
        self.value = value


class Comparison:
    """Compares documents of an original text with those of its edited text."""

    def __init__(self, old_text: str, new_text: str) -> None:
        self.old_text = old_text
        self.new_text = new_text

    def same(self, old: Node, new: Node) -> bool:
        """True when two node trees are equal: same structure, tags and scalar texts."""
        if type(old) is type(new) and old.tag == new.tag and self._same_text(old, new):
            return True
        return self._same_deep(old, new)

    def _same_deep(self, old: Node, new: Node) -> bool:
        stack = [(old, new)]
        seen: set[tuple[int, int]] = set()
        while stack:
            a, b = stack.pop()
            if type(a) is not type(b) or a.tag != b.tag:
                return False
            if self._same_text(a, b):
                continue
            if type(a) is ScalarNode:
                if a.value != b.value:
                    return False
                continue
            pair = (id(a), id(b))
            if pair in seen:
                continue
            seen.add(pair)
            if len(a.value) != len(b.value):
                return False
            if type(a) is MappingNode:
                for (ka, va), (kb, vb) in zip(a.value, b.value, strict=True):
                    stack.append((ka, kb))
                    stack.append((va, vb))
            else:
                stack.extend(zip(a.value, b.value, strict=True))
        return True

    def _same_text(self, a: Node, b: Node) -> bool:
        sa = a.start_mark
        block = isinstance(a, CollectionNode) and not a.flow_style
        return self.same_span(
            b, start=sa.index, column=sa.column, end=a.end_mark.index, block=block
        )

    def same_span(self, new: Node, *, start: int, column: int, end: int, block: bool) -> bool:
        """True when ``new`` has the text ``old_text[start:end]`` of an old node, at the same
        ``column`` (when the old node is a ``block`` collection, its trailing blank and
        comment lines aside)."""
        sb = new.start_mark
        if column != sb.column:
            return False
        eb = new.end_mark.index
        if (
            end - start == eb - sb.index
            and self.old_text[start:end] == self.new_text[sb.index : eb]
        ):
            return True
        if not block:
            return False
        # A block collection's end mark runs on over the blank and comment lines after it (up
        # to the next token): an insertion after it changes that tail, not the collection.
        old_core = self.old_text[start : _core_end(self.old_text, start, end)]
        new_core = self.new_text[sb.index : _core_end(self.new_text, sb.index, eb)]
        return old_core == new_core and not _KEPT_TAIL.search(old_core)

    def verify(self, old: Node, new: Node, expected: Mapping[Path, Expected]) -> str | None:
        """None when ``new`` is ``old`` with exactly ``expected`` applied, else what differs."""
        if not expected:
            return None if self.same(old, new) else "the document changed"
        tree: _Tree = {}
        for path, value in expected.items():
            level = tree
            for name in path[:-1]:
                nxt = level.setdefault(name, {})
                assert isinstance(nxt, dict)
                level = nxt
            level[path[-1]] = _Leaf(value)
        return self._check(old, new, tree, path=())

    def _check(self, old: Node | None, new: Node | None, tree: _Tree, *, path: Path) -> str | None:
        old_entries, new_entries = entries(old, path), entries(new, path)
        if isinstance(old_entries, str):
            return old_entries
        if isinstance(new_entries, str):
            return new_entries
        for name, before in old_entries.items():
            if name not in tree:
                after = new_entries.get(name)
                if after is None or not self.same(before, after):
                    shown = dotted((*path, name))
                    return f"{shown} changed, but offhours did not mean to change it"
        for name in new_entries.keys() - old_entries.keys() - tree.keys():
            return f"{dotted((*path, name))} appeared, but offhours did not write it"
        for name, sub in tree.items():
            where = (*path, name)
            after = new_entries.get(name)
            if isinstance(sub, _Leaf) and isinstance(sub.value, ListAfter):
                problem = self.check_list(
                    old_entries.get(name), after, expected=sub.value, where=where
                )
            elif isinstance(sub, _Leaf):
                problem = check_leaf(after, sub.value, where)
            elif after is None:
                problem = _check_missing(sub, where)
            else:
                problem = self._check(old_entries.get(name), after, sub, path=where)
            if problem is not None:
                return problem
        return None

    def check_list(
        self, old: Node | None, new: Node | None, *, expected: ListAfter, where: Path
    ) -> str | None:
        """The list at ``where`` holds the kept old entries, unchanged, then the added ones."""
        if not isinstance(new, SequenceNode):
            return f"{dotted(where)} is not the list written"
        before = old.value if isinstance(old, SequenceNode) else []
        after = new.value
        if len(after) != len(expected.keep) + len(expected.added):
            return f"{dotted(where)} holds {len(after)} entries, not the expected number"
        for position, index in enumerate(expected.keep):
            if index >= len(before) or not self.same(before[index], after[position]):
                return f"{dotted(where)}[{position}] changed, but offhours did not mean to"
        for offset, value in enumerate(expected.added):
            position = len(expected.keep) + offset
            if not self._reads_as(after[position], value):
                return f"{dotted(where)}[{position}] does not read as the entry written"
        return None

    def _reads_as(self, node: Node, value: emit.Value) -> bool:
        """Whether ``node`` loads as ``value``. A fleet appends the same entry text many
        times; the same characters at the same column parse to the same tree (the principle
        of ``same``), so each distinct text is loaded once."""
        mark, end = node.start_mark, node.end_mark
        key = (self.new_text[mark.index : end.index], mark.column, type(node), value)
        known = _READS.get(key)
        if known is None:
            known = node_data(node) == emit.plain(value)
            if len(_READS) > _READS_LIMIT:
                _READS.clear()
            _READS[key] = known
        return known


#: A block scalar keeping its trailing line breaks (``|+``, ``>2+``): its tail is content.
_KEPT_TAIL = re.compile(r"[|>][0-9]?\+")


def _core_end(text: str, start: int, end: int) -> int:
    """``end`` pulled back over trailing whitespace and blank or comment-only lines."""
    while end > start:
        line = text.rfind("\n", start, end - 1) + 1 if end - 1 > start else start
        stripped = text[max(line, start) : end].strip()
        if stripped and not stripped.startswith("#"):
            return end
        if line <= start:
            return start
        end = line
    return end


#: ``(entry text, column, node type, entry written) -> the text reads as the entry``
_READS: dict[tuple[str, int, type, emit.Value], bool] = {}
_READS_LIMIT = 256


def node_data(node: Node) -> object:
    """A node as plain data (mappings as dicts, lists, JSON scalars), as a loader reads it."""
    if isinstance(node, ScalarNode):
        return scalar_value(node)
    if isinstance(node, MappingNode):
        return {node_data(key): node_data(value) for key, value in node.value}
    return [node_data(item) for item in node.value]


def entries(node: Node | None, path: Path) -> dict[str, Node] | str:
    """The entries of the mapping at ``path`` by key (the last one wins), or why not."""
    if node is None:
        return {}
    if not isinstance(node, MappingNode):
        return f"{dotted(path) or 'the document'} is no longer a mapping"
    entries: dict[str, Node] = {}
    for key, value in node.value:
        if type(key) is not ScalarNode:
            return f"{dotted(path)} has a complex key; cannot verify"
        entries[key.value] = value
    return entries


def check_leaf(after: Node | None, expected: Expected, where: Path) -> str | None:
    """Why the written scalar (or deleted key) at ``where`` is not as ``expected``, or None."""
    if expected is GONE:
        return None if after is None else f"{dotted(where)} is still present"
    if not isinstance(after, ScalarNode):
        return f"{dotted(where)} is not the value written"
    got = scalar_value(after)
    if type(got) is not type(expected) or got != expected:
        return f"{dotted(where)} reads {got!r} (expected {expected!r})"
    return None


def _check_missing(tree: _Tree, path: Path) -> str | None:
    """A written mapping that is gone: only deletions may have been under it."""
    for name, sub in tree.items():
        if isinstance(sub, _Leaf):
            if isinstance(sub.value, ListAfter) and not sub.value.added:
                continue
            if sub.value is not GONE:
                return f"{dotted((*path, name))} is missing"
        else:
            problem = _check_missing(sub, (*path, name))
            if problem is not None:
                return problem
    return None
