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


def apply_splices(text: str, splices: Iterable[Splice]) -> str:
    """``text`` with every splice applied; raises ``ValueError`` when two overlap."""
    out: list[str] = []
    position = 0
    for splice in sorted(splices):
        if splice.start < position:
            raise ValueError(f"overlapping edits at character {splice.start}")
        out.append(text[position : splice.start])
        out.append(splice.text)
        position = splice.end
    out.append(text[position:])
    return "".join(out)
