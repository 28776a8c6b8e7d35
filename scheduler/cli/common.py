"""Options and argument types shared by several subcommands."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

__all__ = ["InstantType", "format_option", "now_utc"]


def now_utc() -> datetime:
    """The current instant; the CLI reads the clock here and passes it down."""
    return datetime.now(UTC)


class InstantType(click.ParamType[datetime]):
    """An ISO-8601 instant (``2026-12-01T08:00:00+01:00``, ``...Z``, or a date); naive = UTC."""

    name = "ISO"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                f"{value!r} is not an ISO-8601 instant; expected e.g. 2026-12-01T08:00:00+01:00 "
                "or 2026-12-01",
                param,
                ctx,
            )
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_option(*choices: str, default: str = "text") -> Any:
    """``--format`` restricted to ``choices``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )
