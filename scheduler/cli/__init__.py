"""The ``offhours`` command line: one module per subcommand, registered here."""

from __future__ import annotations

from scheduler.cli import (
    apply,
    demo,
    energy,
    override,
    plan,
    preview,
    report,
    run,
    status,
    validate,
)
from scheduler.cli.app import main

__all__ = ["main"]

# Each subcommand module exposes its click command(s). Keep the list sorted: import the
# module above and add one ``main.add_command(...)`` line per command below.
main.add_command(apply.command)
main.add_command(demo.command)
main.add_command(energy.command)
main.add_command(plan.command)
main.add_command(preview.command)
main.add_command(report.command)
main.add_command(run.command)
main.add_command(override.sleep_command)
main.add_command(status.command)
main.add_command(validate.command)
main.add_command(override.wake_command)
