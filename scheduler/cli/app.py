"""The root ``offhours`` command group: lazy subcommands, error mapping, ``--debug``, logging.

Subcommands are registered by name with the module that defines them and a one-line summary
(``add_lazy_command``): a subcommand's module, and whatever it imports (GitPython, the
Kubernetes client, httpx, ...), is imported only when that subcommand runs or shows its help,
so ``offhours --help`` and ``offhours validate`` start at once.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from gettext import gettext as _
from typing import Any

import click

from scheduler import __version__, logs
from scheduler.errors import SchedulerError

__all__ = ["CommandTable", "LazyCommand", "OffhoursGroup", "main"]


@dataclass(frozen=True, slots=True)
class LazyCommand:
    """A subcommand not imported yet: ``target`` is ``module:attribute``; ``summary`` is the
    first paragraph of its help, which the group's help shows (shortened as click does)."""

    target: str
    summary: str

    def load(self) -> click.Command:
        """Import the module and return the command it defines."""
        module_name, _, attribute = self.target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.target} is not a click command")
        return command


class CommandTable(MutableMapping[str, click.Command]):
    """A group's subcommands by name; a lazy entry is imported on its first lookup.

    Iterating, ``len`` and ``in`` never import anything; ``table[name]`` (click's
    ``get_command``) imports that one command.
    """

    def __init__(self, commands: MutableMapping[str, click.Command] | None = None) -> None:
        self._loaded: dict[str, click.Command] = dict(commands or {})
        self._lazy: dict[str, LazyCommand] = {}

    def add_lazy(self, name: str, entry: LazyCommand) -> None:
        """Register ``entry`` under ``name`` without importing it."""
        self._lazy[name] = entry
        self._loaded.pop(name, None)

    def summary(self, name: str) -> str | None:
        """The summary registered with the lazy entry ``name`` (None for other commands)."""
        entry = self._lazy.get(name)
        return entry.summary if entry is not None else None

    def short_help(self, name: str, *, limit: int) -> str | None:
        """The summary of ``name`` for the group's help, at most ``limit`` characters, without
        importing it; None for a hidden command."""
        entry = self._lazy.get(name)
        if entry is not None and name not in self._loaded:
            return click.Command(name, help=entry.summary).get_short_help_str(limit)
        command = self._loaded[name]
        return None if command.hidden else command.get_short_help_str(limit)

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            self._loaded[name] = self._lazy[name].load()
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command
        self._lazy.pop(name, None)

    def __delitem__(self, name: str) -> None:
        if name not in self:
            raise KeyError(name)
        self._loaded.pop(name, None)
        self._lazy.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._lazy

    def __iter__(self) -> Iterator[str]:
        return iter({**self._lazy, **self._loaded})

    def __len__(self) -> int:
        return len(self._lazy.keys() | self._loaded.keys())


class OffhoursGroup(click.Group):
    """A click group with lazy subcommands that turns ``SchedulerError`` into one stderr line
    and its exit code."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.table = CommandTable(self.commands)
        self.commands = self.table

    def add_lazy_command(self, name: str, target: str, *, summary: str) -> None:
        """Register the command ``target`` (``module:attribute``) as ``name``; it is imported
        only when it runs or its help is shown. ``summary`` is the first paragraph of its help
        (a test checks they agree)."""
        self.table.add_lazy(name, LazyCommand(target, summary))

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The ``Commands:`` section, as click writes it, from the summaries: no import."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.table.short_help(name, limit=limit)) for name in names]
        shown = [(name, text) for name, text in rows if text is not None]
        if shown:
            with formatter.section(_("Commands")):
                formatter.write_dl(shown)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SchedulerError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"offhours: error: {exc}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=OffhoursGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="offhours")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """offhours: GitOps-native, energy-aware scale-to-zero for Kubernetes.

    Policies in Git say when workloads should be off; offhours commits surgical edits
    (replicas: 0, suspend: true, and for HelmReleases and Flux Kustomizations a Kustomize patch
    Flux applies after rendering) to the GitOps repository so Flux turns them off and later
    restores them exactly, confirms they stopped, and measures the energy saved with Kepler.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    logs.configure_when_loaded(level="debug" if debug else "warning")
