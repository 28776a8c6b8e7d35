"""Dot paths into an object (``spec.minRunners``, ``metadata.annotations["a.b/c"]``).

Policies name fields by dot path: ``field:`` for action field, ``valuesPath`` for Helm values
and ``renderedFields`` rules. A key holding dots is quoted (``["a.b"]``); ``[0]`` indexes a
list. Parsing only.
"""

from __future__ import annotations

import re
from typing import Final

from scheduler.core.policy.model import FieldPath
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = ["FIELD_EXAMPLE", "parse_field_path"]

_PATH_SEGMENT: Final = re.compile(r'([^.\[\]"]+)|\["([^"]+)"\]|\[(\d+)\]')
FIELD_EXAMPLE: Final = (
    'a dot path such as spec.minRunners or metadata.annotations["example.com/paused"]'
)


def parse_field_path(text: str) -> FieldPath:
    """``a.b[0]["c.d"]`` into segments; raises ``SyntaxProblem``."""
    segments: list[str | int] = []
    pos = 0
    while pos < len(text):
        if segments and text[pos] == ".":
            pos += 1
        match = _PATH_SEGMENT.match(text, pos)
        if not match or (segments and match.group(1) and text[pos - 1] != "."):
            raise SyntaxProblem("not a field path", got=quote(text), expected=FIELD_EXAMPLE)
        key, quoted, index = match.groups()
        segments.append(int(index) if index is not None else (key or quoted))
        pos = match.end()
    if not segments or text.endswith(".") or isinstance(segments[0], int):
        raise SyntaxProblem("not a field path", got=quote(text), expected=FIELD_EXAMPLE)
    return FieldPath(text, tuple(segments))
