"""Line arithmetic on manifest text: line boundaries and the file's newline style.

Edits insert and remove whole lines, so they need to know where a line starts and ends, which
newline the file uses (CRLF files stay CRLF) and whether the last line has one at all. Pure
string arithmetic; nothing here knows YAML.
"""

from __future__ import annotations

__all__ = ["indent_of", "is_first_on_line", "line_start", "newline_of", "next_line_start"]


def newline_of(text: str) -> str:
    """The newline the file uses: ``\\r\\n`` if its first line break is CRLF, else ``\\n``."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def line_start(text: str, index: int) -> int:
    """Index of the first character of the line holding ``index``."""
    return text.rfind("\n", 0, index) + 1


def next_line_start(text: str, index: int) -> int | None:
    """Index just past the line break ending the line of ``index``; None on a last line
    without a final newline."""
    end = text.find("\n", index)
    return None if end < 0 else end + 1


def is_first_on_line(text: str, index: int) -> bool:
    """True when only spaces precede ``index`` on its line."""
    start = line_start(text, index)
    return text[start:index].strip(" ") == ""


def indent_of(text: str, index: int) -> str:
    """The leading spaces of the line holding ``index``."""
    start = line_start(text, index)
    end = start
    while end < len(text) and text[end] == " ":
        end += 1
    return text[start:end]
