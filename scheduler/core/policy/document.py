"""YAML text to a located node tree: every value keeps the line and column it came from.

Policies are read from the composed node graph, not from constructed Python objects, so that
(1) every diagnostic points at the exact value, and (2) scalars keep their source text: an
unquoted ``on`` stays the word ``on`` and ``2026-12-24`` stays a date string (YAML 1.1 would
turn them into a boolean and a ``date``); the policy reader interprets each value by the field
it is in. Merge keys (``<<``) and aliases are resolved; duplicate keys, custom tags, recursive
aliases and oversized alias expansions are reported. This module never raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

__all__ = ["Document", "Mark", "Node", "Problem", "YMap", "YScalar", "YSeq", "parse_documents"]

_MAX_DEPTH = 64
_MAX_NODES = 100_000
_STD_TAG = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})


@dataclass(frozen=True, slots=True, order=True)
class Mark:
    """A 1-based line and column."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class YScalar:
    """A scalar as written; ``plain`` is false for quoted and block scalars."""

    text: str
    plain: bool
    mark: Mark

    @property
    def is_null(self) -> bool:
        """An unquoted empty value, ``~`` or ``null``."""
        return self.plain and self.text in _NULLS


@dataclass(frozen=True, slots=True)
class YSeq:
    """A sequence."""

    items: tuple[Node, ...]
    mark: Mark


@dataclass(frozen=True, slots=True)
class YMap:
    """A mapping with scalar keys, in source order, keys unique."""

    entries: tuple[tuple[YScalar, Node], ...]
    mark: Mark

    def get(self, key: str) -> Node | None:
        """The value of ``key``, or ``None``."""
        for k, v in self.entries:
            if k.text == key:
                return v
        return None

    def key(self, key: str) -> YScalar | None:
        """The key node named ``key``, or ``None``."""
        for k, _ in self.entries:
            if k.text == key:
                return k
        return None


Node = YScalar | YSeq | YMap


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the YAML itself, at ``mark``."""

    mark: Mark
    message: str


@dataclass(frozen=True, slots=True)
class Document:
    """One non-empty YAML document of a file."""

    root: Node
    index: int


def _mark(node: yaml.Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


@dataclass
class _Converter:
    problems: list[Problem] = field(default_factory=list)
    budget: int = _MAX_NODES

    def convert(self, node: yaml.Node, depth: int = 0) -> Node | None:
        self.budget -= 1
        if depth > _MAX_DEPTH or self.budget < 0:
            self.problems.append(
                Problem(_mark(node), "YAML nesting too deep, recursive alias or alias explosion")
            )
            return None
        if node.tag.startswith("!") or not node.tag.startswith(_STD_TAG):
            self.problems.append(Problem(_mark(node), f"unsupported YAML tag {node.tag}"))
            return None
        if isinstance(node, yaml.ScalarNode):
            return YScalar(str(node.value), node.style in ("", None), _mark(node))
        if isinstance(node, yaml.SequenceNode):
            items = (self.convert(item, depth + 1) for item in node.value)
            return YSeq(tuple(i for i in items if i is not None), _mark(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, depth)
        return None  # pragma: no cover - the composer makes only these three

    def _mapping(self, node: yaml.MappingNode, depth: int) -> YMap | None:
        entries: dict[str, tuple[YScalar, Node]] = {}
        merged: dict[str, tuple[YScalar, Node]] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _STD_TAG + "merge":
                self._merge(value_node, depth, merged)
                continue
            key = self.convert(key_node, depth + 1)
            if not isinstance(key, YScalar):
                self.problems.append(Problem(_mark(key_node), "mapping keys must be plain strings"))
                continue
            value = self.convert(value_node, depth + 1)
            if key.text in entries:
                first = entries[key.text][0].mark
                self.problems.append(
                    Problem(key.mark, f"duplicate key {key.text!r} (first at line {first.line})")
                )
            elif value is not None:
                entries[key.text] = (key, value)
        for name, entry in merged.items():
            entries.setdefault(name, entry)
        return YMap(tuple(entries.values()), _mark(node))

    def _merge(self, node: yaml.Node, depth: int, into: dict[str, tuple[YScalar, Node]]) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            converted = self.convert(source, depth + 1)
            if not isinstance(converted, YMap):
                self.problems.append(Problem(_mark(source), "a merge key (<<) needs a mapping"))
                continue
            for key, value in converted.entries:
                into.setdefault(key.text, (key, value))


def _yaml_problem(exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    where = Mark(mark.line + 1, mark.column + 1) if mark else Mark(1, 1)
    what = exc.problem or "cannot parse"
    start = exc.context_mark
    here = (where.line - 1, where.column - 1)
    if exc.context and start is not None and (start.line, start.column) != here:
        what += f" ({exc.context} started at line {start.line + 1}, column {start.column + 1})"
    elif exc.context:
        what += f" ({exc.context})"
    return Problem(where, f"invalid YAML: {what}")


def parse_documents(text: str) -> tuple[list[Document], list[Problem]]:
    """All non-empty documents of ``text`` and every YAML problem found.

    Documents before a syntax error are kept; the error is reported at its position.
    """
    converter = _Converter()
    documents: list[Document] = []
    try:
        for index, root in enumerate(yaml.compose_all(text, Loader=yaml.CSafeLoader)):
            if root is None or (
                isinstance(root, yaml.ScalarNode) and root.tag == _STD_TAG + "null"
            ):
                continue
            converted = converter.convert(root)
            if converted is not None:
                documents.append(Document(converted, index))
    except yaml.MarkedYAMLError as exc:
        converter.problems.append(_yaml_problem(exc))
    except yaml.YAMLError as exc:
        converter.problems.append(Problem(Mark(1, 1), f"invalid YAML: {exc}"))
    return documents, converter.problems
