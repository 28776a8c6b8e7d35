"""The ``offhours`` command line: one module per subcommand, registered here."""

from __future__ import annotations

from scheduler.cli import apply, energy, plan, preview, validate
from scheduler.cli.app import main

__all__ = ["main"]

# Each subcommand module exposes ``command`` (a click.Command). Keep the list sorted:
# import the module above and add one ``main.add_command(module.command)`` line below.
main.add_command(apply.command)
main.add_command(energy.command)
main.add_command(plan.command)
main.add_command(preview.command)
main.add_command(validate.command)
