"""Planning the splices that set or delete fields of one YAML document, or extend its lists.

Given the composed document and a list of writes (``Write``: set a scalar at a path, creating
missing mappings, or delete it; ``Append``: add entries to the list at a path, creating it;
``RemoveItems``: remove entries from a list), this produces text splices that touch nothing
else:

- a present scalar is replaced in place, keeping its quoting style and any trailing comment;
- a missing key becomes one new line at the column of its sibling keys: first in its
  mapping, right under the parent key (last under ``metadata`` and at the top level);
  missing parent mappings become nested lines indented by the document's own step; in a
  flow mapping (``values: {}``) the entry is added inside the braces;
- a deleted key loses exactly its line(s); a block mapping left empty loses its own key line
  (so a wake removes what a sleep created), a flow mapping left empty stays ``{}``;
- appended list entries become block lines after the list's last entry, with its dash column
  (``emit``), or flow text inside ``[...]``; a missing list is created like a missing key;
  removed entries lose exactly their lines, and a list left empty loses its key when asked.

It also returns what each path must hold afterwards, for ``verify``. It refuses (raises
``EditRefused``) rather than guess. No parsing, no verification here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from scheduler.core.changes import Scalar
from scheduler.core.manifests import emit, listedit
from scheduler.core.manifests.documents import (
    CollectionNode,
    MappingNode,
    Node,
    ScalarNode,
)
from scheduler.core.manifests.lines import is_first_on_line, line_start, next_line_start
from scheduler.core.manifests.listedit import ListAfter
from scheduler.core.manifests.locate import dotted, parent_refusal
from scheduler.core.manifests.nodes import content_end, find_entry, is_block_scalar
from scheduler.core.manifests.refusals import Refusal, refuse, value_refusal
from scheduler.core.manifests.render import ScalarText, plain_safe, render, render_key
from scheduler.core.manifests.seqtext import trimmed
from scheduler.core.manifests.splice import Splice

__all__ = [
    "GONE",
    "Append",
    "DocumentPlan",
    "Expected",
    "ListAfter",
    "RemoveItems",
    "Write",
    "document_step",
    "plan_writes",
]

Path = tuple[str, ...]


class _Gone:
    """The expected state of a deleted path."""

    def __repr__(self) -> str:
        return "absent"


GONE: Final = _Gone()


Expected = Scalar | _Gone | ListAfter


@dataclass(frozen=True, slots=True)
class Write:
    """Set the scalar at ``path`` to ``scalar`` (None deletes the key)."""

    path: Path
    scalar: ScalarText | None


@dataclass(slots=True)
class DocumentPlan:
    """The splices for one document and what each written path must hold afterwards."""

    splices: list[Splice] = field(default_factory=list)
    expected: dict[Path, Expected] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Append:
    """Append ``items`` to the list at ``path`` (the list is created when absent)."""

    path: Path
    items: tuple[emit.Value, ...]


@dataclass(frozen=True, slots=True)
class RemoveItems:
    """Remove the entries at ``indices`` from the list at ``path``; with ``drop_empty`` a
    list left empty loses its key (a block list left empty always does: ``key:`` alone would
    be null)."""

    path: Path
    indices: tuple[int, ...]
    drop_empty: bool = False


_Leaf = Write | Append | RemoveItems
_LEAVES = (Write, Append, RemoveItems)
_Trie = dict[str, "_Trie | _Leaf"]


def _trie(writes: Sequence[_Leaf]) -> _Trie:
    root: _Trie = {}
    for write in writes:
        level = root
        for name in write.path[:-1]:
            nxt = level.setdefault(name, {})
            if isinstance(nxt, _LEAVES):
                raise Refusal(f"conflicting edits of {dotted(write.path)}")
            level = nxt
        if write.path[-1] in level:
            raise Refusal(f"conflicting edits of {dotted(write.path)}")
        level[write.path[-1]] = write
    return root


def _sets(sub: _Trie | _Leaf) -> bool:
    if isinstance(sub, Write):
        return sub.scalar is not None
    if isinstance(sub, Append):
        return True
    if isinstance(sub, RemoveItems):
        return False
    return any(_sets(child) for child in sub.values())


def plan_writes(text: str, doc: Node, writes: Sequence[_Leaf], *, newline: str) -> DocumentPlan:
    """Splices making ``writes`` in ``doc`` (a document of ``text``); raises ``EditRefused``."""
    problem = parent_refusal(text, None, doc, path=())
    if problem is not None:
        raise problem
    assert isinstance(doc, MappingNode)
    step = document_step(doc)
    lists = any(isinstance(w, Append) for w in writes)
    layout = listedit.layout(text, doc, step) if lists else emit.Layout(step, step)
    planner = _Planner(text, newline, layout)
    if planner.mapping(doc, _trie(writes), (), key=None):
        raise refuse(doc, "edit would empty the whole document")
    return planner.finish()


def document_step(doc: MappingNode) -> int:
    """The indentation step of a document: its first non-empty block mapping's (2 if none)."""
    base = doc.start_mark.column
    for _key, value in doc.value:
        if isinstance(value, MappingNode) and not value.flow_style and value.value:
            step = value.value[0][0].start_mark.column - base
            if step > 0:
                return int(step)
    return 2


class _Planner:
    def __init__(self, text: str, newline: str, layout: emit.Layout) -> None:
        self.text = text
        self.newline = newline
        self.step = layout.step
        self.layout = layout
        self.plan = DocumentPlan()
        self.removals: list[tuple[int, int]] = []

    def mapping(
        self, node: MappingNode, trie: _Trie, path: Path, *, key: ScalarNode | None
    ) -> bool:
        """Plan ``trie`` inside ``node``; True when the (block) mapping ends up empty."""
        removed: list[tuple[ScalarNode, Node]] = []
        inserts: list[tuple[str, _Trie | _Leaf]] = []
        for name, sub in trie.items():
            where = (*path, name)
            entry = find_entry(node, name)
            if entry is None:
                if _sets(sub):
                    inserts.append((name, sub))
                else:
                    self._expect_gone(sub, where)
            elif self._entry(entry, sub, where, flow=bool(node.flow_style)):
                removed.append(entry)
        if node.flow_style:
            self._flow_removals(node, removed)
            self._flow_inserts(node, inserts, path)
            return False
        if removed and len(removed) == len(node.value) and not inserts:
            return True
        self._block_removals(removed)
        lists: list[tuple[str, _Trie | _Leaf]] = []
        others: list[tuple[str, _Trie | _Leaf]] = []
        for name, sub in inserts:
            (lists if isinstance(sub, Append) else others).append((name, sub))
        if others:
            self._block_insert(node, others, path=path, key=key)
        if lists:
            self._block_insert(node, lists, path=path, key=None)
        return False

    def _entry(
        self, entry: tuple[ScalarNode, Node], sub: _Trie | _Leaf, where: Path, *, flow: bool
    ) -> bool:
        """Plan ``sub`` at an existing entry; True when the whole entry must go."""
        if isinstance(sub, Write):
            if sub.scalar is not None:
                self._replace(entry, sub.scalar, where, flow=flow)
                return False
        elif isinstance(sub, Append):
            self._append(entry, sub, where)
            return False
        elif isinstance(sub, RemoveItems):
            if not self._remove_items(entry, sub, where):
                return False
        else:
            return self._nested(entry, sub, where)
        self.plan.expected[where] = GONE
        return True

    def _nested(self, entry: tuple[ScalarNode, Node], sub: _Trie, where: Path) -> bool:
        key, value = entry
        problem = parent_refusal(self.text, key, value, path=where)
        if problem is not None:
            raise problem
        assert isinstance(value, MappingNode)
        return self.mapping(value, sub, where, key=key)

    def _expect_gone(self, sub: _Trie | _Leaf, where: Path) -> None:
        if isinstance(sub, _LEAVES):
            self.plan.expected[where] = GONE
            return
        for name, child in sub.items():
            self._expect_gone(child, (*where, name))

    def _replace(
        self, entry: tuple[ScalarNode, Node], scalar: ScalarText, where: Path, *, flow: bool
    ) -> None:
        key, value = entry
        problem = value_refusal(self.text, key, value, path=where)
        if problem is not None:
            raise problem
        assert isinstance(value, ScalarNode)
        style = value.style if value.style in ("'", '"') else ""
        if not style and not plain_safe(scalar.text, flow=flow):
            style = '"'
        written = ScalarText(scalar.text, style)
        start, end = value.start_mark.index, value.end_mark.index
        new = render(written)
        if new != self.text[start:end]:
            self.plan.splices.append(Splice(start, end, 0, new))
        self.plan.expected[where] = written.loads_as()

    def _entry_end(self, key: Node, value: Node) -> int:
        if isinstance(value, ScalarNode) and value.value == "" and not value.style:
            return int(key.end_mark.index)
        return content_end(self.text, value, key.end_mark.index)

    def _block_removals(self, removed: list[tuple[ScalarNode, Node]]) -> None:
        for key, value in removed:
            start = key.start_mark.index
            if not is_first_on_line(self.text, start):
                raise refuse(key, f"{key.value} does not start its own line; not removed")
            end = trimmed(self.text, self._entry_end(key, value))
            after = end if self.text[end - 1 : end] == "\n" else next_line_start(self.text, end)
            self.removals.append((line_start(self.text, start), after or len(self.text)))

    def finish(self) -> DocumentPlan:
        """The plan, with removed lines merged into splices (a removal reaching the end of a
        file without a final newline also takes the line break before it)."""
        merged: list[list[int]] = []
        for start, end in sorted(self.removals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        for start, end in merged:
            if end == len(self.text) and not self.text.endswith("\n"):
                start = _before_line_break(self.text, start)
            self.plan.splices.append(Splice(start, end, 0, ""))
        return self.plan

    def _block_insert(
        self,
        node: MappingNode,
        inserts: list[tuple[str, _Trie | _Leaf]],
        *,
        path: Path,
        key: ScalarNode | None,
    ) -> None:
        """New keys go first in their mapping (right under the parent key, where reviewers
        see them), except under ``metadata`` and at the top level, where they go last; so do
        new lists (``key`` None), which Flux manifests conventionally end with."""
        column = int(node.value[0][0].start_mark.column)
        step = self.step
        if key is not None and column > key.start_mark.column:
            step = column - int(key.start_mark.column)
        if key is not None and path[0] != "metadata":
            at = next_line_start(self.text, key.end_mark.index)
        else:
            end = content_end(self.text, node, node.start_mark.index)
            at = end if self.text[end - 1 : end] == "\n" else next_line_start(self.text, end)
            if at is None and _ends_in_block_scalar(node):
                # A line after a block scalar that ends the file without a newline would give
                # the scalar a final line break: go before the mapping's last entry instead.
                at = line_start(self.text, node.value[-1][0].start_mark.index)
        # Last in a file without a final newline, a literal block would lose its final line
        # break: new texts are then written double-quoted.
        lines = self._lines(inserts, column=column, step=step, path=path, literals=at is not None)
        if at is None:
            block = "".join(self.newline + line for line in lines)
            at = len(self.text)
        else:
            block = "".join(line + self.newline for line in lines)
        self.plan.splices.append(Splice(at, at, -column, block))

    def _lines(
        self,
        entries: list[tuple[str, _Trie | _Leaf]],
        *,
        column: int,
        step: int,
        path: Path,
        literals: bool = True,
    ) -> list[str]:
        indent = " " * column
        lines: list[str] = []
        for name, sub in entries:
            where = (*path, name)
            if isinstance(sub, Append):
                layout = emit.Layout(step, self.layout.offset, self.layout.gap, literals)
                lines.extend(emit.block_value(name, sub.items, column=column, layout=layout))
                self.plan.expected[where] = ListAfter((), sub.items)
            elif isinstance(sub, RemoveItems):
                continue
            elif isinstance(sub, Write):
                if sub.scalar is not None:
                    lines.append(f"{indent}{render_key(name)}: {render(sub.scalar)}")
                    self.plan.expected[where] = sub.scalar.loads_as()
            elif _sets(sub):
                lines.append(f"{indent}{render_key(name)}:")
                lines.extend(
                    self._lines(
                        list(sub.items()),
                        column=column + step,
                        step=step,
                        path=where,
                        literals=literals,
                    )
                )
        return lines

    def _flow_inserts(
        self, node: MappingNode, inserts: list[tuple[str, _Trie | _Leaf]], path: Path
    ) -> None:
        entries: list[str] = []
        for name, sub in inserts:
            if isinstance(sub, Append):
                entries.append(f"{render_key(name, flow=True)}: {emit.flow(sub.items)}")
                self.plan.expected[(*path, name)] = ListAfter((), sub.items)
                continue
            if not isinstance(sub, Write) or sub.scalar is None:
                raise refuse(
                    node,
                    f"cannot create {dotted((*path, name))} inside the flow mapping "
                    f"{dotted(path)} ({{...}}); write {dotted(path)} in block style",
                )
            scalar = sub.scalar
            if not scalar.style and not plain_safe(scalar.text, flow=True):
                scalar = ScalarText(scalar.text, '"')
            entries.append(f"{render_key(name, flow=True)}: {render(scalar)}")
            self.plan.expected[(*path, name)] = scalar.loads_as()
        if not entries:
            return
        if node.value:
            key, value = node.value[-1]
            at = self._entry_end(key, value)
            text = "".join(", " + entry for entry in entries)
        else:
            at = node.start_mark.index + 1
            text = ", ".join(entries)
        self.plan.splices.append(Splice(at, at, 0, text))

    def _append(self, entry: tuple[ScalarNode, Node], sub: Append, where: Path) -> None:
        """Add ``sub.items`` after the last entry of the list at ``entry``."""
        splice, expected = listedit.append(
            self.text, entry, sub.items, style=self.layout, newline=self.newline, where=where
        )
        self.plan.splices.append(splice)
        self.plan.expected[where] = expected

    def _remove_items(self, entry: tuple[ScalarNode, Node], sub: RemoveItems, where: Path) -> bool:
        """Remove entries of the list at ``entry``; True when the whole key must go."""
        removal = listedit.remove(
            self.text, entry, sub.indices, drop_empty=sub.drop_empty, where=where
        )
        if removal is None:
            return True
        self.plan.expected[where] = removal.expected
        self.plan.splices.extend(removal.splices)
        self.removals.extend(removal.lines)
        return False

    def _flow_removals(self, node: MappingNode, removed: list[tuple[ScalarNode, Node]]) -> None:
        if not removed:
            return
        entries = node.value
        gone = {id(key) for key, _ in removed}
        ends = [self._entry_end(key, value) for key, value in entries]
        kept = [i for i, (key, _) in enumerate(entries) if id(key) not in gone]
        if not kept:
            self.plan.splices.append(Splice(entries[0][0].start_mark.index, ends[-1], 0, ""))
            return
        first_kept = kept[0]
        if first_kept > 0:
            start, stop = entries[0][0].start_mark.index, entries[first_kept][0].start_mark.index
            self.plan.splices.append(Splice(start, stop, 0, ""))
        for i in range(first_kept + 1, len(entries)):
            if id(entries[i][0]) in gone:
                self.plan.splices.append(Splice(ends[i - 1], ends[i], 0, ""))


def _ends_in_block_scalar(node: Node) -> bool:
    """True when the text of ``node`` ends with a literal or folded block scalar."""
    while isinstance(node, CollectionNode) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, MappingNode) else last
    return is_block_scalar(node)


def _before_line_break(text: str, start: int) -> int:
    """Move ``start`` (a line start) back over the line break before it, if any."""
    if start == 0:
        return 0
    start -= 1
    if start > 0 and text[start - 1] == "\r":
        start -= 1
    return start
