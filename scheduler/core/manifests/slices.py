"""Cutting a multi-document file into the text of each document.

A fleet file often holds several documents (a HelmRelease with its source, a Deployment with
its Service, many workloads), and a plan usually edits a few of them. A document can be
composed, edited and verified alone when its text is cut cleanly: from the start of the line
of its first token to the next line starting a document marker (``---`` or ``...``), which
nothing inside a document may begin with. Files with directives (``%YAML``), templates
(``{{``) or a top-level SOPS key are not cut: those checks need every document. Pure.
"""

from __future__ import annotations

import re
from typing import Final

from scheduler.core.manifests.lines import line_start

__all__ = ["bounds", "sliceable"]

_MARKER: Final = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.M)
_FILE_WIDE: Final = re.compile(r"^(?:%|sops:)", re.M)


def sliceable(body: str) -> bool:
    """True when the documents of ``body`` may be edited one by one."""
    return "{{" not in body and _FILE_WIDE.search(body) is None


def bounds(body: str, offset: int) -> tuple[int, int]:
    """``[start, end)`` of the text of the document whose first token is at ``offset``."""
    start = line_start(body, offset)
    found = _MARKER.search(body, offset)
    return start, len(body) if found is None else found.start()
