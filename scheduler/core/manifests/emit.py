"""Writing a small YAML tree (the entries offhours appends to a list) as text in a file's style.

offhours never re-serialises a manifest, but appending a list entry (a post-renderer, a
Kustomize patch) means writing new lines. This module renders such an entry, a tree of
mappings, lists, scalars and ``Literal`` texts, either as block lines at a given column, with
the document's own indentation step and list style (indented ``- `` or indent-less), or as one
flow text for a ``[...]`` or ``{...}`` context. Keys and scalars are written as ``render``
writes them (plain when that reads back unchanged, else double-quoted); a ``Literal`` is a
``|`` block scalar in block style and a double-quoted string in flow style. Pure; no parsing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scheduler.core.changes import Scalar
from scheduler.core.manifests.render import ScalarText, new_scalar, render, render_key

__all__ = ["Layout", "Literal", "Value", "block_item", "block_value", "flow", "plain"]


class Literal(str):
    """A multi-line text written as a literal block scalar (``|``); it ends with a newline."""

    __slots__ = ()


Value = Scalar | Literal | Sequence["Value"] | Mapping[str, "Value"]


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


def plain(value: Value) -> object:
    """``value`` as plain Python data (a ``Literal`` becomes a ``str``), as a loader reads it."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, Literal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def _scalar(value: Scalar, *, flow_context: bool = False) -> str:
    return render(new_scalar(value, flow=flow_context))


def flow(value: Value) -> str:
    """``value`` as flow text: ``{key: value, ...}``, ``[a, b]``, scalars as ``render``."""
    if isinstance(value, Mapping):
        inner = ", ".join(f"{render_key(k, flow=True)}: {flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, Literal):
        return render(ScalarText(str(value), '"'))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(item) for item in value) + "]"
    assert not isinstance(value, Sequence) or isinstance(value, str)
    return _scalar(value, flow_context=True)


def block_value(key: str, value: Value, *, column: int, layout: Layout) -> list[str]:
    """The lines of ``key: value`` with the key at ``column``."""
    pad = " " * column
    head = f"{pad}{render_key(key)}:"
    if isinstance(value, Mapping):
        lines = [head]
        for sub_key, sub in value.items():
            lines.extend(block_value(sub_key, sub, column=column + layout.step, layout=layout))
        return lines
    if isinstance(value, Literal) and layout.literals:
        return [f"{head} |", *_literal_lines(value, column + layout.step)]
    if isinstance(value, Literal):
        return [f"{head} {flow(value)}"]
    if isinstance(value, (list, tuple)):
        dash = column + layout.offset
        lines = [head]
        for item in value:
            lines.extend(block_item(item, column=dash, layout=layout))
        return lines
    assert not isinstance(value, Sequence) or isinstance(value, str)
    return [f"{head} {_scalar(value)}"]


def block_item(value: Value, *, column: int, layout: Layout) -> list[str]:
    """The lines of one list item whose dash is at ``column`` (its content ``gap`` further)."""
    content = column + layout.gap
    dash = " " * column + "-" + " " * (layout.gap - 1)
    if isinstance(value, Mapping):
        lines: list[str] = []
        for key, sub in value.items():
            lines.extend(block_value(key, sub, column=content, layout=layout))
        if not lines:
            return [dash + "{}"]
        lines[0] = dash + lines[0][content:]
        return lines
    return [dash + flow(value)]


def _literal_lines(text: str, column: int) -> list[str]:
    if not text.endswith("\n") or text.endswith("\n\n") or text.startswith((" ", "\n")):
        raise ValueError("a literal block must end with exactly one newline and not start blank")
    pad = " " * column
    return [pad + line if line else "" for line in text[:-1].split("\n")]
