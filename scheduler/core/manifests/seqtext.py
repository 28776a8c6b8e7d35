"""Where a block list and its entries sit in the text: dashes, entry lines, the list's end.

Appending to a list means writing new entries after its last one, at its dash column; removing
an entry means deleting exactly its lines. A literal block scalar's end mark runs on over the
blank lines after it, so ends are pulled back to the last line that holds text. Also says why
a list cannot be extended or shortened by a splice (an alias, an anchor or tag, not a list).
Read-only: the splices are planned in ``mapedit``.
"""

from __future__ import annotations

from scheduler.core.manifests.documents import Node, ScalarNode, SequenceNode
from scheduler.core.manifests.lines import line_start, next_line_start
from scheduler.core.manifests.nodes import content_end, is_alias, starts_with_property
from scheduler.core.manifests.refusals import Refusal, refuse

__all__ = ["dash_column", "item_span", "list_refusal", "sequence_end", "trimmed"]


def _dash_index(text: str, item: Node) -> int | None:
    """Index of the ``-`` introducing ``item``: on the item's own line, or alone on a line
    above it (``-`` followed only by a comment, blank and comment lines between)."""
    start = line_start(text, item.start_mark.index)
    before = text[start : item.start_mark.index]
    if before.strip(" ") == "-" or (before.strip(" ").startswith("-") and _dash_only(before)):
        return start + before.index("-")
    if before.strip(" "):
        return None
    while start > 0:
        start = line_start(text, start - 1)
        line = text[start : next_line_start(text, start) or len(text)].rstrip("\r\n")
        stripped = line.strip(" ")
        if stripped.startswith("-") and _dash_only(line):
            return start + line.index("-")
        if stripped and not stripped.startswith("#"):
            return None
    return None


def _dash_only(line: str) -> bool:
    """True for ``  -``, ``  - `` and ``  - # comment`` (a dash with nothing else)."""
    rest = line.strip(" ")[1:]
    return not rest.strip(" ") or (rest.startswith(" ") and rest.strip(" ").startswith("#"))


def dash_column(text: str, item: Node) -> int | None:
    """The column of the dash of a block list entry, or None."""
    index = _dash_index(text, item)
    return None if index is None else index - line_start(text, index)


def trimmed(text: str, end: int) -> int:
    """``end`` pulled back over whitespace-only lines, when it is at a line start."""
    if end == 0 or text[end - 1] != "\n":
        return end
    while end > 0:
        previous = line_start(text, end - 1)
        if text[previous:end].strip():
            return end
        end = previous
    return end


def sequence_end(text: str, node: SequenceNode, floor: int) -> int | None:
    """Where a new last entry of the block list ``node`` starts: the line after its last
    entry's text; None when that entry ends the file without a final newline."""
    end = trimmed(text, content_end(text, node, floor))
    if text[end - 1 : end] == "\n":
        return end
    return next_line_start(text, end)


def item_span(text: str, item: Node, floor: int) -> tuple[int, int]:
    """The lines of one block list entry: from its dash line to the end of its text."""
    dash = _dash_index(text, item)
    if dash is None:
        raise refuse(item, "a comment stands between this list entry and its dash; not removed")
    end = trimmed(text, content_end(text, item, floor))
    if text[end - 1 : end] != "\n":
        end = next_line_start(text, end) or len(text)
    return line_start(text, dash), end


def list_refusal(text: str, key: Node, value: Node, *, path: tuple[str, ...]) -> Refusal | None:
    """Why the value at ``path`` cannot take or lose entries by a splice, or None."""
    where = ".".join(path)
    if is_alias(key, value):
        return refuse(key, f"{where} is an alias (*name); editing it would change its anchor")
    if isinstance(value, ScalarNode) and value.tag.endswith(":null"):
        return refuse(value, f"{where} is empty (null); give it a list or remove the key")
    if not isinstance(value, SequenceNode):
        return refuse(value, f"{where} is not a list (expected - entries)")
    if starts_with_property(text, value):
        return refuse(value, f"{where} is anchored or tagged; its aliases would change too")
    return None
