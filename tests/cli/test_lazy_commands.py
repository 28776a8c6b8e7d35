"""Subcommands are imported only when used: ``offhours --help`` and ``offhours validate`` start
without the Kubernetes client, GitPython, httpx or prometheus-client (the start-up goals of
``bench/bench_cli.py``; this checks what is imported, not how long it takes)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.cli.app import CommandTable, LazyCommand

PROJECT = Path(__file__).resolve().parents[2]
HEAVY = ("kubernetes", "git", "httpx", "prometheus_client")
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: dev}
spec:
  uptime: ["Mon-Fri 08:00-18:00"]
  targets: [{namespaces: [dev]}]
"""
#: Runs ``offhours ARGS`` in a fresh interpreter and prints the modules it imported as JSON.
PROBE = """\
import json, sys
from scheduler.cli import main
try:
    main(sys.argv[1:], prog_name="offhours")
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""


def imported_by(*args: str, cwd: Path) -> set[str]:
    """The modules a fresh ``offhours ARGS`` process has imported when it exits."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OFFHOURS_")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        env={**env, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def top_level(modules: set[str]) -> set[str]:
    return {name.partition(".")[0] for name in modules}


def test_a_bare_validate_imports_no_cluster_git_or_http_library(tmp_path: Path) -> None:
    """``offhours validate`` in a folder with ``policies/`` loads neither kubernetes, git,
    httpx nor prometheus_client, nor another command; with no OFFHOURS_* variable set, not
    even pydantic-settings or structlog."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "dev.yaml").write_text(POLICY)
    modules = imported_by("validate", cwd=tmp_path)
    assert "scheduler.cli.validate" in modules
    assert not top_level(modules) & {*HEAVY, "pydantic_settings", "structlog"}
    assert not {m for m in modules if m.startswith("scheduler.cli.")} - {
        "scheduler.cli.app",
        "scheduler.cli.common",
        "scheduler.cli.validate",
    }


def test_help_imports_no_subcommand(tmp_path: Path) -> None:
    """``offhours --help`` lists the commands from their summaries: no command module, no
    structlog, no pydantic."""
    modules = imported_by("--help", cwd=tmp_path)
    assert not {m for m in modules if m.startswith("scheduler.cli.")} - {"scheduler.cli.app"}
    assert not top_level(modules) & {*HEAVY, "structlog", "pydantic", "yaml"}


def test_a_plain_preview_imports_no_cluster_git_or_http_library(tmp_path: Path) -> None:
    """``offhours preview`` without --repo, --compare or a Prometheus loads none of them, nor
    the report renderers."""
    (tmp_path / "dev.yaml").write_text(POLICY)
    modules = imported_by("preview", "--policies", str(tmp_path / "dev.yaml"), cwd=tmp_path)
    assert "scheduler.cli.preview" in modules
    assert not top_level(modules) & set(HEAVY)
    assert not {m for m in modules if m.startswith("scheduler.core.energy.render")}


@pytest.mark.parametrize("limit", [45, 63, 1000])
def test_summaries_are_the_first_paragraph_of_each_commands_help(limit: int) -> None:
    """The summary kept in the group shortens as the imported command's own help does."""
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        summary = main.table.summary(name)
        command = main.get_command(ctx, name)
        assert summary is not None, name
        assert command is not None, name
        kept = click.Command(name, help=summary).get_short_help_str(limit)
        assert kept == command.get_short_help_str(limit), name


def test_help_lists_every_command_with_its_summary() -> None:
    """``offhours --help`` shows each command and the start of its one-line summary."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    listed = result.stdout.split("Commands:\n", 1)[1].splitlines()
    names = [line.split()[0] for line in listed]
    assert names == [
        "apply",
        "demo",
        "energy",
        "plan",
        "preview",
        "report",
        "run",
        "sleep",
        "status",
        "suggest",
        "validate",
        "wake",
    ]
    assert "validate  Check every policy; print each problem as path:line:col" in result.stdout


def test_a_mistyped_command_still_gets_a_suggestion() -> None:
    """Unknown commands are usage errors naming the closest command (exit 2)."""
    result = CliRunner().invoke(main, ["valdate"])
    assert result.exit_code == 2
    assert "No such command 'valdate'" in result.stderr
    assert "validate" in result.stderr.split("No such command", 1)[1]


def test_the_table_imports_a_command_on_lookup_only() -> None:
    """Iterating, ``len`` and ``in`` import nothing; a lookup imports that one command."""
    table = CommandTable()
    table.add_lazy("broken", LazyCommand("scheduler.cli.no_such_module:command", "Never."))
    table["eager"] = click.Command("eager", help="Here.")
    assert list(table) == ["broken", "eager"]
    assert len(table) == 2
    assert "broken" in table
    assert table.short_help("broken", limit=45) == "Never."
    with pytest.raises(ModuleNotFoundError):
        table["broken"]
    del table["broken"]
    assert list(table) == ["eager"]


def test_the_reconcile_package_imports_its_names_on_first_use() -> None:
    """``from scheduler.reconcile import Reconciler`` still works; unknown names fail."""
    from scheduler import reconcile
    from scheduler.reconcile import Reconciler, cycle

    assert Reconciler is cycle.Reconciler
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = reconcile.no_such_name  # type: ignore[attr-defined]


def test_validating_a_holiday_calendar_loads_no_country(tmp_path: Path) -> None:
    """A policy's holiday country is checked against the package's registry: the country
    modules (all load together, about 0.05 s) wait until a holiday is looked up."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "dev.yaml").write_text(
        POLICY.replace("spec:\n", "spec:\n  holidays: {country: DE}\n")
    )
    modules = imported_by("validate", cwd=tmp_path)
    assert "holidays" in modules
    assert not {m for m in modules if m.startswith("holidays.countries")}
