"""structlog set-up: console lines on a terminal, JSON lines otherwise (the daemon in a Pod).

Configured once by the entry point; modules get loggers with ``structlog.get_logger()`` and log
events with stable names (``git.pushed``) and facts as key-values. structlog itself is imported
only by the modules that log: ``configure_when_loaded`` applies the configuration when (and if)
the first of them is imported, so a command that never logs does not pay for loading it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import structlog

__all__ = ["configure", "configure_when_loaded"]


def configure(*, fmt: str = "auto", level: str = "info", stream: TextIO | None = None) -> None:
    """Configure structlog for the process; ``fmt`` is ``auto``, ``json`` or ``console``."""
    import structlog  # here, not at the top: see the module docstring

    out = stream or sys.stderr
    use_json = fmt == "json" or (fmt == "auto" and not out.isatty())
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(sort_keys=True)
        if use_json
        else structlog.dev.ConsoleRenderer(colors=out.isatty())
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(out),
        cache_logger_on_first_use=False,
    )


def configure_when_loaded(*, level: str, stream: TextIO | None = None) -> None:
    """``configure(level=level, stream=stream)`` now if structlog is loaded, else right after
    it is first imported (before any module can log); the stream is the one of now."""
    out = stream or sys.stderr
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _ConfigureOnImport)]
    if "structlog" in sys.modules:
        configure(level=level, stream=out)
    else:
        sys.meta_path.insert(0, _ConfigureOnImport(lambda: configure(level=level, stream=out)))


class _ConfigureOnImport(importlib.abc.MetaPathFinder):
    """Lets the other finders find structlog, and runs ``then`` once it has been executed."""

    def __init__(self, then: Callable[[], None]) -> None:
        self._then = then

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "structlog":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenLoader(spec.loader, self._then)
        return spec


class _ThenLoader(importlib.abc.Loader):
    """``loader``, then ``then()``; the module keeps ``loader`` as its own."""

    def __init__(self, loader: importlib.abc.Loader, then: Callable[[], None]) -> None:
        self._loader = loader
        self._then = then

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        module.__loader__ = self._loader
        if module.__spec__ is not None:
            module.__spec__.loader = self._loader
        self._loader.exec_module(module)
        self._then()
