"""structlog set-up: console lines on a terminal, JSON lines otherwise (the daemon in a Pod).

Configured once by the entry point; modules get loggers with ``structlog.get_logger()`` and log
events with stable names (``git.pushed``) and facts as key-values.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

__all__ = ["configure"]


def configure(*, fmt: str = "auto", level: str = "info", stream: TextIO | None = None) -> None:
    """Configure structlog for the process; ``fmt`` is ``auto``, ``json`` or ``console``."""
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
