"""Typed access to a located YAML node tree, reporting every problem as a ``Diagnostic``.

Each accessor checks one value against what its field needs and either returns it or records
``path:line:col: <field>: <what is wrong> (got <value>; expected <example>)`` and returns
``None``, so one document yields all of its problems at once. The reader never raises.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from scheduler.core.changes import Scalar
from scheduler.core.diagnostics import Diagnostic, Severity
from scheduler.core.policy.document import Mark, Node, YMap, YScalar, YSeq
from scheduler.core.policy.model import Location
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = ["Reader", "describe"]

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})


def describe(node: Node | None) -> str:
    """A node as a policy author would recognise it in "got ..."."""
    if node is None:
        return "nothing"
    if isinstance(node, YMap):
        return "a mapping"
    if isinstance(node, YSeq):
        return "a list"
    if node.is_null:
        return "an empty value"
    return quote(node.text)


class Reader:
    """Reads one document of ``path``; collects ``diagnostics``."""

    def __init__(self, path: str, lines: Sequence[str]) -> None:
        self.path = path
        self.lines = lines
        self.diagnostics: list[Diagnostic] = []

    # -- reporting ---------------------------------------------------------------------------
    def location(self, at: Node | Mark) -> Location:
        """The ``Location`` of a node or mark."""
        mark = at if isinstance(at, Mark) else at.mark
        return Location(self.path, mark.line, mark.column)

    def error(self, at: Node | Mark, field: str, what: str, *, got: str, expected: str) -> None:
        """Record an error at ``at``."""
        prefix = f"{field}: " if field else ""
        self._add(at, f"{prefix}{what} (got {got}; expected {expected})", Severity.ERROR)

    def warning(self, at: Node | Mark, field: str, message: str) -> None:
        """Record a warning at ``at``."""
        self._add(at, f"{field}: {message}", Severity.WARNING)

    def problem(self, at: Node | Mark, field: str, exc: SyntaxProblem) -> None:
        """Record a ``SyntaxProblem`` raised by a value parser."""
        self.error(at, field, exc.what, got=exc.got, expected=exc.expected)

    def _add(self, at: Node | Mark, message: str, severity: Severity) -> None:
        loc = self.location(at)
        self.diagnostics.append(Diagnostic(self.path, loc.line, loc.column, message, severity))

    @property
    def failed(self) -> bool:
        """Whether any error was recorded."""
        return any(d.is_error for d in self.diagnostics)

    def mark_in(self, node: YScalar, offset: int) -> Mark:
        """The mark of character ``offset`` of a single-line scalar (else the scalar's mark)."""
        if not 0 < node.mark.line <= len(self.lines):
            return node.mark
        line = self.lines[node.mark.line - 1]
        start = node.mark.column - 1
        if line.startswith(node.text, start):
            return Mark(node.mark.line, node.mark.column + offset)
        if line[start : start + 1] in {"'", '"'} and line.startswith(node.text, start + 1):
            return Mark(node.mark.line, node.mark.column + 1 + offset)
        return node.mark

    # -- structure ---------------------------------------------------------------------------
    def mapping(
        self,
        node: Node | None,
        field: str,
        *,
        allowed: Sequence[str],
        expected: str,
    ) -> YMap | None:
        """``node`` as a mapping whose keys are all in ``allowed`` (unknown keys are errors)."""
        if not isinstance(node, YMap):
            if node is not None:
                self.error(node, field, "must be a mapping", got=describe(node), expected=expected)
            return None
        for key, _ in node.entries:
            if key.text not in allowed:
                self.unknown_key(key, field, allowed)
        return node

    def unknown_key(self, key: YScalar, field: str, allowed: Sequence[str]) -> None:
        """Report ``key`` as unknown in ``field``, suggesting the closest allowed key."""
        expected = f"one of {', '.join(allowed)}"
        close = difflib.get_close_matches(key.text, allowed, n=1, cutoff=0.6)
        if close:
            expected += f"; did you mean {quote(close[0])}?"
        name = f"{field}.{key.text}" if field else key.text
        self.error(key, name, "unknown field", got=quote(key.text), expected=expected)

    def items(self, node: Node | None, field: str, *, expected: str) -> list[Node]:
        """``node`` as a list (a single value counts as a one-item list)."""
        if node is None or (isinstance(node, YScalar) and node.is_null):
            return []
        if isinstance(node, YSeq):
            return list(node.items)
        if isinstance(node, YMap):
            self.error(node, field, "must be a list", got="a mapping", expected=expected)
            return []
        return [node]

    # -- scalars -----------------------------------------------------------------------------
    def string(self, node: Node | None, field: str, *, expected: str) -> str | None:
        """A non-empty string (any scalar text)."""
        if isinstance(node, YScalar) and not node.is_null and node.text.strip():
            return node.text.strip()
        if node is not None:
            what = "must be a non-empty string" if isinstance(node, YScalar) else "must be a string"
            self.error(node, field, what, got=describe(node), expected=expected)
        return None

    def strings(self, node: Node | None, field: str, *, expected: str) -> list[tuple[str, YScalar]]:
        """A list of non-empty strings with their nodes."""
        out: list[tuple[str, YScalar]] = []
        for index, item in enumerate(self.items(node, field, expected=expected)):
            value = self.string(item, f"{field}[{index}]", expected=expected)
            if value is not None and isinstance(item, YScalar):
                out.append((value, item))
        return out

    def integer(self, node: Node | None, field: str, *, minimum: int) -> int | None:
        """An integer ``>= minimum`` written as a plain scalar."""
        expected = f"an integer >= {minimum}, e.g. {max(minimum, 0)}"
        if isinstance(node, YScalar) and node.plain and _INT.match(node.text):
            value = int(node.text)
            if value >= minimum:
                return value
            self.error(node, field, f"must be at least {minimum}", got=node.text, expected=expected)
            return None
        if node is not None:
            self.error(node, field, "must be an integer", got=describe(node), expected=expected)
        return None

    def boolean(self, node: Node | None, field: str) -> bool | None:
        """``true`` or ``false`` (YAML 1.2; ``yes``/``on`` are refused as ambiguous)."""
        if isinstance(node, YScalar) and node.plain and node.text in _TRUE | _FALSE:
            return node.text in _TRUE
        if node is not None:
            self.error(
                node, field, "must be true or false", got=describe(node), expected="true or false"
            )
        return None

    def scalar(self, node: Node | None, field: str) -> tuple[bool, Scalar]:
        """Any scalar, typed by the YAML 1.2 core schema; ``(False, None)`` if not a scalar."""
        if not isinstance(node, YScalar):
            if node is not None:
                self.error(
                    node,
                    field,
                    "must be a single value",
                    got=describe(node),
                    expected='0, false or "text"',
                )
            return False, None
        return True, typed_scalar(node)


def typed_scalar(node: YScalar) -> Scalar:
    """A scalar's value by the YAML 1.2 core schema (quoted scalars are strings)."""
    if not node.plain:
        return node.text
    text = node.text
    if node.is_null:
        return None
    if text in _TRUE | _FALSE:
        return text in _TRUE
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text
