"""The root ``offhours`` command group: error mapping, ``--debug`` and logging set-up."""

from __future__ import annotations

import sys
from typing import Any

import click

from scheduler import __version__, logs
from scheduler.errors import SchedulerError

__all__ = ["OffhoursGroup", "main"]


class OffhoursGroup(click.Group):
    """A click group that turns ``SchedulerError`` into one stderr line and its exit code."""

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
    (replicas: 0, suspend: true, Helm values) to the GitOps repository so Flux turns them off
    and later restores them exactly, and measures the energy saved with Kepler.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    logs.configure(level="debug" if debug else "warning")
