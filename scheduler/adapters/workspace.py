"""Reading and writing YAML files in a checkout: the only file-system access of the core's inputs.

Files are read as bytes and decoded as UTF-8 without newline translation, so the text handed to
the core is exactly what is on disk (CRLF, BOM, missing final newline all preserved) and a
written-back edit changes only the bytes the core changed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SourceFile", "Unreadable", "iter_yaml_files", "read_yaml_files", "write_text"]

YAML_SUFFIXES = (".yaml", ".yml")
TEMPLATE_MARKERS = (".j2", ".tmpl", ".jinja", ".jinja2", ".gotmpl")
SKIP_DIRS = frozenset({".git", ".venv", "node_modules", "__pycache__"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One YAML file: ``rel`` is the POSIX path relative to the tree root, ``path`` the path
    to show to people (the root as the user gave it, joined with ``rel``)."""

    rel: str
    path: str
    text: str


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A YAML file that could not be read or decoded; ``reason`` says why."""

    rel: str
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: skipped: {self.reason}"


def _is_template(name: str) -> bool:
    return any(marker in name for marker in TEMPLATE_MARKERS)


def _yaml_names(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES) and not _is_template(name):
                yield Path(directory) / name


def iter_yaml_files(root: Path) -> Iterator[SourceFile | Unreadable]:
    """Every ``*.yaml``/``*.yml`` file under ``root`` (or ``root`` itself if it is a file),
    in a stable order, skipping ``.git`` and templates (``*.j2``, ``*.tmpl``, ...)."""
    base = root if root.is_dir() else root.parent
    for file in _yaml_names(root):
        rel = file.relative_to(base).as_posix()
        shown = str(root) if root.is_file() else str(root / rel)
        try:
            yield SourceFile(rel, shown, file.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield Unreadable(rel, shown, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        except OSError as exc:
            yield Unreadable(rel, shown, exc.strerror or str(exc))


def read_yaml_files(root: Path) -> tuple[list[SourceFile], list[Unreadable]]:
    """All YAML files under ``root``, split into readable and unreadable ones."""
    files: list[SourceFile] = []
    problems: list[Unreadable] = []
    for item in iter_yaml_files(root):
        if isinstance(item, SourceFile):
            files.append(item)
        else:
            problems.append(item)
    return files, problems


def write_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8, as is) atomically, keeping its mode."""
    mode = path.stat().st_mode if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
        if mode is not None:
            Path(tmp).chmod(mode)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
