"""Writing a small YAML tree (the entries offhours appends to a list) as text in a file's style.

offhours never re-serialises a manifest, but appending a list entry (a post-renderer, a
Kustomize patch) means writing new lines. This module renders such an entry, a tree of
``Map``s, tuples (lists), scalars and ``Literal`` texts, either as block lines at a given
column, with the document's own indentation step and list style (indented ``- `` or
indent-less), or as one flow text for a ``[...]`` or ``{...}`` context. Keys and scalars are
written as ``render`` writes them (plain when that reads back unchanged, else double-quoted);
a ``Literal`` is a ``|`` block scalar in block style and a double-quoted string in flow style.

Trees are immutable and hashable, so a fleet's thousands of identical entries are rendered
once (the functions are memoised). Pure; no parsing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from scheduler.core.changes import Scalar
from scheduler.core.manifests.render import ScalarText, new_scalar, render, render_key

__all__ = ["Layout", "Literal", "Map", "Value", "block_item", "block_value", "flow", "plain"]


class Literal(str):
    """A multi-line text written as a literal block scalar (``|``); it ends with a newline.

    Never equal to a plain ``str`` of the same text (they are written differently)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return type(other) is Literal and str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("literal", str(self)))


class Map(tuple[tuple[str, "Value"], ...]):
    """A mapping as its ``(key, value)`` pairs, in writing order (its hash is computed once:
    the same entries are looked up in the render caches thousands of times)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is Map and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash(("map", tuple(self)))
            self.__dict__["_hash"] = cached
        return cached

    @classmethod
    def of(cls, pairs: Mapping[str, Value]) -> Map:
        """A ``Map`` of a dict's items."""
        return cls(tuple(pairs.items()))


Value = Scalar | Literal | Map | tuple["Value", ...]


@dataclass(frozen=True, slots=True)
class Layout:
    """How a file indents: ``step`` columns per mapping level, list dashes ``offset``
    columns right of their key (0 for indent-less lists), entries ``gap`` columns right of
    their dash (``- a`` is 2, ``-   a`` is 4); ``literals`` False writes ``Literal`` texts
    double-quoted (last in a file without a final newline, a ``|`` block would lose its
    final line break)."""

    step: int = 2
    offset: int = 2
    gap: int = 2
    literals: bool = True


@functools.lru_cache(maxsize=256)
def plain(value: Value) -> object:
    """``value`` as plain Python data (a ``Literal`` becomes a ``str``), as a loader reads
    it. Shared between calls: do not modify the result."""
    if isinstance(value, Map):
        return {key: plain(item) for key, item in value}
    if isinstance(value, Literal):
        return str(value)
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    return value


def _scalar(value: Scalar, *, flow_context: bool = False) -> str:
    return render(new_scalar(value, flow=flow_context))


@functools.lru_cache(maxsize=256)
def flow(value: Value) -> str:
    """``value`` as flow text: ``{key: value, ...}``, ``[a, b]``, scalars as ``render``."""
    if isinstance(value, Map):
        inner = ", ".join(f"{render_key(k, flow=True)}: {flow(v)}" for k, v in value)
        return "{" + inner + "}"
    if isinstance(value, Literal):
        return render(ScalarText(str(value), '"'))
    if isinstance(value, tuple):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    return _scalar(value, flow_context=True)


@functools.lru_cache(maxsize=1024)
def block_value(key: str, value: Value, *, column: int, layout: Layout) -> tuple[str, ...]:
    """The lines of ``key: value`` with the key at ``column``."""
    pad = " " * column
    head = f"{pad}{render_key(key)}:"
    if isinstance(value, Map):
        lines = [head]
        for sub_key, sub in value:
            lines.extend(block_value(sub_key, sub, column=column + layout.step, layout=layout))
        return tuple(lines)
    if isinstance(value, Literal) and layout.literals:
        return (f"{head} |", *_literal_lines(value, column + layout.step))
    if isinstance(value, Literal):
        return (f"{head} {flow(value)}",)
    if isinstance(value, tuple):
        dash = column + layout.offset
        lines = [head]
        for item in value:
            lines.extend(block_item(item, column=dash, layout=layout))
        return tuple(lines)
    return (f"{head} {_scalar(value)}",)


@functools.lru_cache(maxsize=1024)
def block_item(value: Value, *, column: int, layout: Layout) -> tuple[str, ...]:
    """The lines of one list item whose dash is at ``column`` (its content ``gap`` further)."""
    content = column + layout.gap
    dash = " " * column + "-" + " " * (layout.gap - 1)
    if isinstance(value, Map):
        lines: list[str] = []
        for key, sub in value:
            lines.extend(block_value(key, sub, column=content, layout=layout))
        if not lines:
            return (dash + "{}",)
        lines[0] = dash + lines[0][content:]
        return tuple(lines)
    return (dash + flow(value),)


def _literal_lines(text: str, column: int) -> list[str]:
    if not text.endswith("\n") or text.endswith("\n\n") or text.startswith((" ", "\n")):
        raise ValueError("a literal block must end with exactly one newline and not start blank")
    pad = " " * column
    return [pad + line if line else "" for line in text[:-1].split("\n")]
