"""Findings about input files, located to the character: ``path:line:col: message``.

Every reader of user input (policies, manifests) reports problems as ``Diagnostic`` values
instead of raising, so one broken document never stops the others. Lines and columns are
1-based, as editors show them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = ["Diagnostic", "Severity"]


class Severity(enum.StrEnum):
    """How serious a finding is: errors fail ``validate`` (exit 1), warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about one place in one file."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        if self.severity is Severity.WARNING:
            return f"{where}: warning: {self.message}"
        return f"{where}: {self.message}"

    @property
    def is_error(self) -> bool:
        """True for errors, False for warnings."""
        return self.severity is Severity.ERROR
