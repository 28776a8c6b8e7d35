"""Cutting a multi-document file into the text of each document.

A fleet file often holds several documents (a HelmRelease with its source, a Deployment with
its Service, many workloads), and a plan usually edits a few of them. A document can be
composed, edited and verified alone when its text is cut cleanly: from the start of the line
of its first token to the next line starting a document marker (``---`` or ``...``), which
nothing inside a document may begin with. Files with directives (``%YAML``), templates
(``{{``) or a top-level SOPS key are not cut: those checks need every document. Pure.
"""

from __future__ import annotations

from typing import Final

from scheduler.core.manifests.lines import line_start

__all__ = ["bounds", "sliceable"]

#: Markers ending a document's text when they start a line, then a blank or the end.
_MARKERS: Final = ("---", "...")
_BLANKS: Final = " \t\r\n"
#: Line starts that make a file's documents depend on each other (a directive, SOPS data).
_FILE_WIDE: Final = ("%", "sops:")


def sliceable(body: str) -> bool:
    """True when the documents of ``body`` may be edited one by one."""
    return (
        "{{" not in body
        and not body.startswith(_FILE_WIDE)
        and all("\n" + start not in body for start in _FILE_WIDE)
    )


def bounds(body: str, offset: int) -> tuple[int, int]:
    """``[start, end)`` of the text of the document whose first token is at ``offset``."""
    end, dots = _MARKERS
    return line_start(body, offset), min(
        _next_line(body, end, offset), _next_line(body, dots, offset)
    )


def _next_line(body: str, marker: str, offset: int) -> int:
    """Where the first line at or after ``offset`` that is ``marker`` (then a blank or the
    end) starts; the end of ``body`` when there is none."""
    if (offset == 0 or body[offset - 1] == "\n") and _is_marker(body, marker, offset):
        return offset
    found = body.find("\n" + marker, offset)
    while found >= 0 and not _is_marker(body, marker, found + 1):
        found = body.find("\n" + marker, found + 1)
    return len(body) if found < 0 else found + 1


def _is_marker(body: str, marker: str, at: int) -> bool:
    after = at + len(marker)
    return body.startswith(marker, at) and (after == len(body) or body[after] in _BLANKS)
