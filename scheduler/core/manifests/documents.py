"""Parsing a manifest file into YAML node trees that know where they came from.

offhours never re-serialises a manifest: it composes the text with PyYAML's C loader (libyaml)
only to *locate* things. Every node carries ``start_mark``/``end_mark`` with the line, column
and character index of its text, so edits can be spliced into the original text. Composing
does not construct Python objects, which keeps it fast and sidesteps YAML 1.1 construction
failures (custom tags, ``=`` values); duplicate anchors still fail and are reported.

This module owns the loader, the parse result, and turning scalar nodes into JSON scalars. It
does not decide what a document means (see ``index``) or change text (see ``splice``).
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from typing import Final

import yaml
import yaml._yaml

from scheduler.core.changes import Scalar

__all__ = [
    "BOM",
    "CollectionNode",
    "MappingNode",
    "Node",
    "ParseProblem",
    "ScalarNode",
    "SequenceNode",
    "compose",
    "resolve_plain",
    "scalar_value",
]

Node = yaml.Node
CollectionNode = yaml.nodes.CollectionNode
MappingNode = yaml.MappingNode
ScalarNode = yaml.ScalarNode
SequenceNode = yaml.SequenceNode

BOM: Final = "\ufeff"

_NULL: Final = "tag:yaml.org,2002:null"
_BOOL: Final = "tag:yaml.org,2002:bool"
_INT: Final = "tag:yaml.org,2002:int"
_FLOAT: Final = "tag:yaml.org,2002:float"
_CONSTRUCTOR: Final = yaml.constructor.SafeConstructor()
_RESOLVE_CACHE_LIMIT: Final = 65536


_RESOLVER: Final = yaml.resolver.Resolver()


@functools.lru_cache(maxsize=_RESOLVE_CACHE_LIMIT)
def _resolve(kind: type[Node], value: str | None, implicit: tuple[bool, bool]) -> str:
    return str(_RESOLVER.resolve(kind, value, implicit))  # type: ignore[no-untyped-call]


def resolve_plain(text: str) -> str:
    """The tag a plain scalar with this text resolves to (``3`` -> int, ``web`` -> str)."""
    return _resolve(ScalarNode, text, (True, False))


class _Loader(yaml.CSafeLoader):
    """libyaml's safe loader, tuned for composing many files fast (same results).

    Tag resolution is a pure function of (kind, text, implicit) since offhours adds no path
    resolvers, and fleet manifests repeat the same keys and values thousands of times, so it
    goes through a C-level LRU cache. The per-node path-resolver hooks do nothing without path
    resolvers; C builtins that ignore their arguments stand in for them, sparing a Python call
    per node. Together about a quarter of the compose time (``bench/bench_plan.py``).
    """

    resolve = staticmethod(_resolve)
    descend_resolver = operator.is_  # type: ignore[assignment]  # (parent, index) -> ignored
    ascend_resolver = tuple  # type: ignore[assignment]  # () -> ignored

    # Composing reads no constructor or path-resolver state, so only the parser is set up:
    # two Python-level inits less per compose (one compose per edited document to verify).
    __init__ = yaml._yaml.CParser.__init__


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Why a text could not be composed, and where (1-based line and column)."""

    line: int
    column: int
    reason: str

    def __str__(self) -> str:
        return self.reason


def compose(body: str) -> tuple[Node, ...] | ParseProblem:
    """All documents of ``body`` as node trees (an empty document is a null scalar).

    ``body`` must not start with a byte-order mark: libyaml skips it and its indices would
    then be off by one; callers split it off first (see ``BOM``).
    """
    try:
        loader = _Loader(body)
        docs = []
        while loader.check_node():
            docs.append(loader.get_node())
        return tuple(docs)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return ParseProblem(line, column, _reason(exc))
    except yaml.reader.ReaderError as exc:
        line = body.count("\n", 0, exc.position) + 1
        column = exc.position - (body.rfind("\n", 0, exc.position) + 1) + 1
        return ParseProblem(line, column, f"{exc.reason} (character {exc.character!r})")
    except yaml.YAMLError as exc:
        return ParseProblem(1, 1, str(exc))


def _reason(exc: yaml.MarkedYAMLError) -> str:
    context, problem = exc.context or "", exc.problem or ""
    if "duplicate anchor" in context:
        return "duplicate anchor (PyYAML refuses an anchor name defined twice in one document)"
    if context and problem:
        return f"{context}: {problem}"
    return problem or context or "invalid YAML"


def scalar_value(node: ScalarNode) -> Scalar:
    """The JSON scalar a scalar node loads as (unknown tags load as their text)."""
    tag = node.tag
    if tag == _INT and node.value.isdigit() and (node.value[0] != "0" or node.value == "0"):
        return int(node.value)
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return bool(_CONSTRUCTOR.construct_yaml_bool(node))
    if tag == _INT:
        return int(_CONSTRUCTOR.construct_yaml_int(node))
    if tag == _FLOAT:
        return float(_CONSTRUCTOR.construct_yaml_float(node))
    return str(node.value)
