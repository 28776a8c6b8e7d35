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
    """Index of the ``-`` introducing ``item`` on the item's own line, or None."""
    index = item.start_mark.index - 1
    while index >= 0 and text[index] == " ":
        index -= 1
    if index < 0 or text[index] != "-":
        return None
    if text[line_start(text, index) : index].strip(" "):
        return None
    return index


def dash_column(text: str, item: Node) -> int | None:
    """The column of the dash of a block list entry (None when it is not on the entry's
    line, e.g. ``-`` alone with the entry below)."""
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
        raise refuse(item, "this list entry does not start on its dash line; not removed")
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
