"""Flux artifact revisions (RFC-0005): ``main@sha1:<40hex>``, ``sha1:<hex>``, ``<tag>@sha256:...``.

Owns parsing a revision string into its named pointer and digest and deciding whether it names
a given Git commit. The digest follows the **last** ``@``; the pointer on its left may itself
contain ``/`` and ``@``. Pre-RFC revisions (``main/<sha>``, a bare checksum) are still
understood, since old controllers report them. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Revision", "parse_revision"]

_DIGEST = re.compile(r"(?P<algo>[a-z0-9]+(?:[.+_-][a-z0-9]+)*):(?P<sum>[A-Za-z0-9=_-]+)")
_HEX = re.compile(r"[0-9a-fA-F]+")
_LEGACY = re.compile(r"(?:(?P<pointer>.+)/)?(?P<sum>[0-9a-f]{40}|[0-9a-f]{64})")
_MIN_SHORT = 7
_SHA1_LEN = 40


@dataclass(frozen=True, slots=True)
class Revision:
    """A parsed revision; ``algorithm``/``checksum`` are empty when there is no digest."""

    pointer: str = ""
    algorithm: str = ""
    checksum: str = ""

    @property
    def digest(self) -> str:
        """``<algo>:<checksum>``, or ``""``."""
        return f"{self.algorithm}:{self.checksum}" if self.algorithm else ""

    def names_commit(self, sha: str) -> bool:
        """True when the digest is this Git commit (a truncated checksum of >= 7 chars counts)."""
        if self.algorithm not in ("sha1", "sha256") or not _HEX.fullmatch(sha):
            return False
        mine, theirs = self.checksum.lower(), sha.lower()
        if mine == theirs:
            return True
        shorter, longer = sorted((mine, theirs), key=len)
        return len(shorter) >= _MIN_SHORT and longer.startswith(shorter)

    def short(self) -> str:
        """The display form with the checksum cut to 7 characters: ``main@sha1:1eabc9a``."""
        if not self.algorithm:
            return self.pointer
        digest = f"{self.algorithm}:{self.checksum[:_MIN_SHORT]}"
        return f"{self.pointer}@{digest}" if self.pointer else digest

    def __str__(self) -> str:
        if not self.algorithm:
            return self.pointer
        return f"{self.pointer}@{self.digest}" if self.pointer else self.digest


def parse_revision(text: str) -> Revision:
    """Split a Flux revision into pointer and digest; anything unrecognised is a pointer.

    >>> parse_revision("main@sha1:1eabc9a41ca088515cab83f1cce49eb43e84b67f").pointer
    'main'
    """
    text = text.strip()
    head, at, tail = text.rpartition("@")
    if at:
        digest = _DIGEST.fullmatch(tail)
        if digest:
            return Revision(head, digest["algo"], digest["sum"])
        return Revision(pointer=text)
    digest = _DIGEST.fullmatch(text)
    if digest and _HEX.fullmatch(digest["sum"]):
        return Revision("", digest["algo"], digest["sum"])
    legacy = _LEGACY.fullmatch(text)
    if legacy:
        algo = "sha1" if len(legacy["sum"]) == _SHA1_LEN else "sha256"
        return Revision(legacy["pointer"] or "", algo, legacy["sum"])
    return Revision(pointer=text)
