"""The one error the policy-language parsers raise: a value that cannot be used, said plainly.

``windows``, ``cron``, ``calendar``, ``zones`` and ``instants`` parse single values and know
nothing about files; they raise ``SyntaxProblem`` with what is wrong, the value they got and
an example of what they expected. The policy reader adds the ``file:line:col`` and the field
name and turns it into a ``Diagnostic``. It never escapes the core's policy loader.
"""

from __future__ import annotations

import json

__all__ = ["SyntaxProblem", "quote"]


def quote(value: object) -> str:
    """A value as a policy author would recognise it: strings in double quotes."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class SyntaxProblem(ValueError):
    """A value that cannot be used: ``what`` is wrong (got ``got``; expected ``expected``)."""

    def __init__(self, what: str, *, got: str, expected: str) -> None:
        super().__init__(what)
        self.what = what
        self.got = got
        self.expected = expected

    def __str__(self) -> str:
        return f"{self.what} (got {self.got}; expected {self.expected})"
