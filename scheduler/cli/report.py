"""``offhours report``: measured savings of the off windows offhours committed, from Kepler.

Reads offhours' own commits (intended off windows), Kepler energy and kube-state-metrics off
states from any PromQL endpoint, and prints the three figures (estimated avoided workload
energy, measured node energy off vs on, energy of removed nodes), the overhead of Flux and
offhours, the net, and per target the baseline, range, coverage and lag. Formats: text,
json, csv, markdown, html. ``--output`` is written atomically at the very end: a failure
(Prometheus unreachable, a query rejected: exit 2) leaves no partial file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from scheduler.cli import common
from scheduler.cli.energy import parse_duration
from scheduler.core.energy import render
from scheduler.core.energy.render import html, markdown, table
from scheduler.core.kepler.schema import KeplerSchema
from scheduler.errors import ConfigError
from scheduler.reconcile import reporting

__all__ = ["command", "write_atomically"]

_RENDER: dict[str, Callable[[render.ReportDocument], str]] = {
    "text": render.render_text,
    "json": render.render_json,
    "csv": table.render_csv,
    "markdown": markdown.render_markdown,
    "html": html.render_html,
}
_SECONDS = re.compile(r"\d+(\.\d+)?")


class DurationType(click.ParamType[float]):
    """Seconds, or a Prometheus-style duration (``300``, ``5m``, ``7d``, ``2h30m``)."""

    name = "DURATION"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        if isinstance(value, int | float):
            return float(value)
        text = str(value).strip()
        if _SECONDS.fullmatch(text):
            return float(text)
        try:
            return parse_duration(text)
        except click.BadParameter:
            self.fail(
                f"{value!r} is not a duration; expected e.g. 300, 5m, 7d or 2h30m", param, ctx
            )


def _default_mode() -> int:
    """The mode a new file gets from the process umask (mkstemp makes it 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and a rename."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ConfigError(f"--output {path}: folder {folder} does not exist")
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        temporary = Path(name)
        temporary.chmod(path.stat().st_mode & 0o7777 if path.exists() else _default_mode())
        temporary.replace(path)
    except OSError as exc:
        Path(name).unlink(missing_ok=True)
        raise ConfigError(f"cannot write --output {path}: {exc.strerror or exc}") from exc


def _period(
    *, since: float | None, start: datetime | None, until: datetime | None
) -> tuple[datetime, datetime]:
    if since is not None and start is not None:
        raise click.UsageError("give either --since or --from, not both")
    end = until or common.now_utc()
    begin = start or datetime.fromtimestamp(end.timestamp() - (since or 7 * 86400.0), end.tzinfo)
    if begin >= end:
        raise click.UsageError("--from must be before --until")
    return begin, end


@click.command("report")
@click.option(
    "--prometheus",
    "url",
    metavar="URL",
    help="PromQL endpoint [default: $OFFHOURS_PROMETHEUS__URL].",
)
@click.option(
    "--since",
    type=DurationType(),
    default=None,
    help="Period length ending at --until [default: 7d].",
)
@click.option(
    "--from",
    "start",
    type=common.InstantType(),
    default=None,
    help="Start of the period (ISO-8601).",
)
@click.option(
    "--until", type=common.InstantType(), default=None, help="End of the period [default: now]."
)
@common.repo_option
@common.policies_option
@common.format_option("text", "json", "csv", "markdown", "html")
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write to FILE (atomically) instead of stdout.",
)
@click.option(
    "--kepler-schema",
    type=click.Choice(["auto", *(s.value for s in KeplerSchema)]),
    default="auto",
    show_default=True,
    help="Kepler metric generation: 0.10 (0.10+), 0.7 (0.4-0.9), 0.3 (<=0.3).",
)
@click.option(
    "--step",
    type=DurationType(),
    default=300.0,
    show_default=True,
    help="Grid step (seconds or 5m).",
)
@click.option(
    "--history",
    type=DurationType(),
    default=None,
    help="On-time history read before the period [default: 14d, from the baseline settings].",
)
@click.option(
    "--overhead-namespace",
    default="offhours",
    show_default=True,
    help="Namespace of offhours itself (counted as overhead with Flux).",
)
@click.option(
    "--detail",
    "detail_targets",
    type=click.IntRange(0, 200),
    default=12,
    show_default=True,
    help="Targets with a power chart (html).",
)
def command(**options: Any) -> None:
    """Measured savings: Kepler energy the targets did not draw in their off windows.

    The intended off windows come from offhours' own commits in the repository (--repo),
    the energy from Kepler and the actual off time from kube-state-metrics (--prometheus).
    Every figure states its method, range and coverage.
    """
    _run(_Options(**options))


@dataclass(frozen=True)
class _Options:
    """The command line, typed."""

    url: str | None
    since: float | None
    start: datetime | None
    until: datetime | None
    repo: str | None
    policies_dir: Path | None
    fmt: str
    output: Path | None
    kepler_schema: str
    step: float
    history: float | None
    overhead_namespace: str
    detail_targets: int


def _run(o: _Options) -> None:
    begin, end = _period(since=o.since, start=o.start, until=o.until)
    settings = common.with_overrides(common.load_settings(), repo=o.repo, policies=o.policies_dir)
    if o.url:
        settings = settings.model_copy(
            update={"prometheus": settings.prometheus.model_copy(update={"url": o.url})}
        )
    request = reporting.ReportRequest(
        start=begin,
        end=end,
        step=o.step,
        history_seconds=o.history,
        schema=None if o.kepler_schema == "auto" else KeplerSchema(o.kepler_schema),
        overhead_namespace=o.overhead_namespace,
        detail_targets=o.detail_targets,
    )
    document = reporting.build_report(settings, request, now=common.now_utc())
    text = _RENDER[o.fmt](document)
    if o.output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(o.output, text)
