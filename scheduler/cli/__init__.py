"""The ``offhours`` command line: one module per subcommand, registered here.

Registered lazily: a subcommand's module is imported only when it runs or shows its help, and
``offhours --help`` lists the summaries below (each the first paragraph of the command's own
help; a test keeps them equal).
"""

from __future__ import annotations

from scheduler.cli.app import main

__all__ = ["main"]

# Keep the list sorted: one line per command, ``module:attribute`` and its summary.
main.add_lazy_command(
    "apply",
    "scheduler.cli.apply:command",
    summary="Commit the plan to the GitOps repository (one commit) and push it.",
)
main.add_lazy_command(
    "demo",
    "scheduler.cli.demo:command",
    summary="Run offhours on the bundled example over one simulated week, offline.",
)
main.add_lazy_command(
    "energy",
    "scheduler.cli.energy:command",
    summary="Measured energy and mean power of namespaces or pods, from Kepler via Prometheus.",
)
main.add_lazy_command(
    "plan",
    "scheduler.cli.plan:command",
    summary="Show the changes that would bring the repository to every policy's state.",
)
main.add_lazy_command(
    "preview",
    "scheduler.cli.preview:command",
    summary="Show when each policy's targets are off over a range (default: the next 7 days).",
)
main.add_lazy_command(
    "report",
    "scheduler.cli.report:command",
    summary="Measured savings: Kepler energy the targets did not draw in their off windows.",
)
main.add_lazy_command(
    "run",
    "scheduler.cli.run:command",
    summary="Run the scheduler: commit each policy's transitions as they come, until stopped.",
)
main.add_lazy_command(
    "sleep",
    "scheduler.cli.override:sleep_command",
    summary="Put TARGET (or every target of --policy) to sleep for a while, whatever the schedule.",
)
main.add_lazy_command(
    "status",
    "scheduler.cli.status:command",
    summary="Show every target: wanted state and why, Git state, live state, Flux revision, "
    "drift, next transition, and warnings when a change cannot reach the cluster.",
)
main.add_lazy_command(
    "suggest",
    "scheduler.cli.suggest:command",
    summary="Propose off-hours policies from measured idleness, with the savings they would bring.",
)
main.add_lazy_command(
    "validate",
    "scheduler.cli.validate:command",
    summary="Check every policy; print each problem as path:line:col (exit 1 on any error).",
)
main.add_lazy_command(
    "wake",
    "scheduler.cli.override:wake_command",
    summary="Keep TARGET (or every target of --policy) on for a while, whatever the schedule.",
)
