"""Text splices: replace a span of the original text, insert at a point, or delete lines.

All edits of a file are collected as splices against the *original* text and applied in one
pass, so positions never go stale and several edits to one file (multiple objects, a field
plus its annotation) compose. Splices must not overlap; insertions at the same point are
ordered deeper-first, so lines closing an inner block come before lines of an outer one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Splice", "apply_splices"]


@dataclass(frozen=True, slots=True, order=True)
class Splice:
    """Replace ``text[start:end]`` (empty for an insertion) with ``text``; ``rank`` orders
    insertions at the same point (lower first)."""

    start: int
    end: int
    rank: int
    text: str


def apply_splices(
    text: str, splices: Iterable[Splice], *, start: int = 0, end: int | None = None
) -> str:
    """``text[start:end]`` with every splice applied (all must lie in that window: one
    document's splices give its new text without copying the rest of the file); raises
    ``ValueError`` when two overlap or one lies outside."""
    out: list[str] = []
    position = start
    for splice in sorted(splices):
        if splice.start < position:
            raise ValueError(f"overlapping edits at character {splice.start}")
        out.append(text[position : splice.start])
        out.append(splice.text)
        position = splice.end
    stop = len(text) if end is None else end
    if position > stop:
        raise ValueError(f"an edit past character {stop}")
    out.append(text[position:stop])
    return "".join(out)
