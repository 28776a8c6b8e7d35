"""Planning the splices that add entries to a YAML list or remove entries from it.

``append`` writes new entries after the list's last one: block lines at its dash column, in
the document's list style (``layout``), or flow text inside ``[...]``. ``remove`` deletes
exactly the lines (or the flow text and its comma) of the given entries. Both say what the
list must hold afterwards (``ListAfter``) for ``verify``, and refuse lists that cannot be
spliced (aliases, anchors, not a list). Used by ``mapedit``; no parsing, no verification.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from scheduler.core.manifests import emit
from scheduler.core.manifests.documents import MappingNode, Node, ScalarNode, SequenceNode
from scheduler.core.manifests.locate import dotted
from scheduler.core.manifests.nodes import content_end
from scheduler.core.manifests.refusals import refuse
from scheduler.core.manifests.seqtext import dash_column, item_span, list_refusal, sequence_end
from scheduler.core.manifests.splice import Splice

__all__ = ["ListAfter", "Removal", "append", "layout", "layout_between", "remove"]

Path = tuple[str, ...]
Entry = tuple[ScalarNode, Node]


@dataclass(frozen=True, slots=True)
class ListAfter:
    """The expected state of an edited list: the old entries at ``keep`` (in order), then
    entries loading as the trees ``added`` (see ``emit.plain``)."""

    keep: tuple[int, ...]
    added: tuple[emit.Value, ...] = ()


@dataclass(slots=True)
class Removal:
    """Removing entries: the expected list, the splices (flow) and the line ranges (block)."""

    expected: ListAfter
    splices: list[Splice] = field(default_factory=list)
    lines: list[tuple[int, int]] = field(default_factory=list)


#: The first line of a block list entry: its dash's indentation, and the gap after it.
_DASH_LINE: Final = re.compile(r"^( *)-( +)\S", re.M)
#: A key line opening a block value (``key:``, perhaps a comment after it).
_KEY_LINE: Final = re.compile(r"( *)[^ \n#-][^\n]*:[ \t]*(?:#[^\n]*)?")
#: A blank or comment-only line.
_FILLER_LINE: Final = re.compile(r"[ \t]*(?:#[^\n]*)?")


def layout(text: str, doc: MappingNode, step: int) -> emit.Layout:
    """The document's list style, from its first block list under a key: how far the dashes
    sit right of the key (0: indent-less) and the entries right of the dash; by default
    indented by ``step`` with ``- `` entries. A textual look: it only picks a style, and
    the edit is verified like any other."""
    return layout_between(text, doc.start_mark.index, doc.end_mark.index, step=step)


def layout_between(text: str, start: int, end: int, *, step: int) -> emit.Layout:
    """``layout`` of the document whose text is ``text[start:end]``: its first dash line
    right under a key line (blank and comment lines between them aside)."""
    for dash in _DASH_LINE.finditer(text, start, end):
        key = _key_indent_above(text, dash.start(), start)
        if key is None:
            continue
        dashes, gap = len(dash.group(1)), len(dash.group(2))
        if dashes < key:
            return emit.Layout(step, step)
        return emit.Layout(step, dashes - key, max(2, gap + 1))
    return emit.Layout(step, step)


def _key_indent_above(text: str, line: int, start: int) -> int | None:
    """The indentation of the key line above the line starting at ``line`` (over blank and
    comment lines, not before ``start``); None when the line above is no key line."""
    while line > start:
        above = text.rfind("\n", 0, line - 1) + 1
        if above < start:
            return None
        content = text[above : line - 1]
        if not _FILLER_LINE.fullmatch(content):
            key = _KEY_LINE.fullmatch(content)
            return None if key is None else len(key.group(1))
        line = above
    return None


def _sequence(text: str, entry: Entry, where: Path) -> SequenceNode:
    key, value = entry
    problem = list_refusal(text, key, value, path=where)
    if problem is not None:
        raise problem
    assert isinstance(value, SequenceNode)
    return value


def append(
    text: str,
    entry: Entry,
    items: tuple[emit.Value, ...],
    *,
    style: emit.Layout,
    newline: str,
    where: Path,
) -> tuple[Splice, ListAfter]:
    """The splice adding ``items`` after the last entry of the list at ``entry``."""
    value = _sequence(text, entry, where)
    expected = ListAfter(tuple(range(len(value.value))), items)
    if value.flow_style:
        texts = ", ".join(emit.flow(item) for item in items)
        if value.value:
            at = content_end(text, value.value[-1], value.start_mark.index)
            texts = ", " + texts
        else:
            at = value.start_mark.index + 1
        return Splice(at, at, 0, texts), expected
    dash = dash_column(text, value.value[0])
    if dash is None:
        raise refuse(value, f"{dotted(where)}: a comment stands between an entry and its dash")
    end = sequence_end(text, value, entry[0].end_mark.index)
    # Last in a file without a final newline, a literal block would lose its final line
    # break: new texts are then written double-quoted.
    chosen = style if end is not None else replace(style, literals=False)
    lines = [line for item in items for line in emit.block_item(item, column=dash, layout=chosen)]
    if end is None:
        return Splice(len(text), len(text), 0, "".join(newline + line for line in lines)), expected
    return Splice(end, end, 0, "".join(line + newline for line in lines)), expected


def remove(
    text: str, entry: Entry, indices: Sequence[int], *, drop_empty: bool, where: Path
) -> Removal | None:
    """Removing the entries at ``indices`` of the list at ``entry``; None when the whole key
    must go (the list ends up empty and ``drop_empty``, or a block list ends up empty:
    ``key:`` alone would be null)."""
    value = _sequence(text, entry, where)
    gone = set(indices)
    keep = tuple(i for i in range(len(value.value)) if i not in gone)
    if not keep and (drop_empty or not value.flow_style):
        return None
    removal = Removal(ListAfter(keep))
    if value.flow_style:
        removal.splices.extend(_flow_removals(text, value, gone))
        return removal
    floor = entry[0].end_mark.index
    for index, item in enumerate(value.value):
        if index in gone:
            removal.lines.append(item_span(text, item, floor))
        floor = item.end_mark.index
    return removal


def _flow_removals(text: str, node: SequenceNode, gone: set[int]) -> list[Splice]:
    items = node.value
    floor = node.start_mark.index
    ends = []
    for item in items:
        ends.append(content_end(text, item, floor))
        floor = item.end_mark.index
    kept = [i for i in range(len(items)) if i not in gone]
    if not kept:
        return [Splice(items[0].start_mark.index, ends[-1], 0, "")]
    splices = []
    if kept[0] > 0:
        splices.append(Splice(items[0].start_mark.index, items[kept[0]].start_mark.index, 0, ""))
    splices.extend(
        Splice(ends[i - 1], ends[i], 0, "") for i in range(kept[0] + 1, len(items)) if i in gone
    )
    return splices
