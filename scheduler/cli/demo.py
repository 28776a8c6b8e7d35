"""``offhours demo``: the main job on a fresh machine, offline and self-contained."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from scheduler.cli import common
from scheduler.cli.report import write_atomically
from scheduler.core.energy import render
from scheduler.core.energy.render import html
from scheduler.demo import ZONE, DemoResult, find_example, run_demo

__all__ = ["command"]


def _local(moment: datetime) -> str:
    return moment.astimezone(ZONE).strftime("%a %Y-%m-%d %H:%M")


def _summary(result: DemoResult) -> list[str]:
    estimate = result.document.savings.totals.saved_joules
    lines = [
        "",
        f"The week's Git log ({len(result.commits)} commits, {result.entries} ledger entries; "
        "times Europe/Berlin):",
    ]
    lines += [f"  {_local(when)}  {subject}" for when, subject in result.commits]
    lines.append("")
    lines.append(
        "Measurements: simulated Kepler 0.10 and kube-state-metrics series, read from "
        f"{result.source}."
    )
    if estimate is not None and result.truth_joules > 0:
        error = 100.0 * (estimate - result.truth_joules) / result.truth_joules
        lines.append(
            f"Simulation ground truth: {result.truth_joules / 1000:.1f} kJ avoided; the report "
            f"estimates {estimate / 1000:.1f} kJ ({error:+.1f} %)."
        )
    return lines


@click.command("demo")
@click.option(
    "--example",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    default=None,
    help="Folder with clusters/ and policies/ [default: this repository].",
)
@click.option(
    "--output",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("demo-output"),
    show_default=True,
    help="Where report.html and report.json are written.",
)
@click.option("--keep", is_flag=True, help="Keep the scratch Git repositories in --output.")
@click.option("--no-prometheus", is_flag=True, help="Read the generated series directly.")
def command(*, example: Path | None, output: Path, keep: bool, no_prometheus: bool) -> None:
    """Run offhours on the bundled example over one simulated week, offline.

    The example fleet is pushed to a local bare Git remote; the real scheduler commits every
    transition of the week in accelerated virtual time; Kepler and kube-state-metrics series
    consistent with those commits are generated (clearly simulated), loaded into a real
    Prometheus when the binary is present, and the real report is printed and written to
    OUTPUT/report.html. Nothing is left running.
    """
    project = find_example(example or Path.cwd())
    now = common.now_utc()
    click.echo(f"offhours demo: the example in {project}, one simulated week, offline")
    with click.progressbar(length=7 * 86400, label="scheduling the week", width=30) as bar:
        first: list[datetime] = []

        def progress(moment: datetime) -> None:
            if not first:
                first.append(moment)
            bar.update(int((moment - first[0]).total_seconds()) - bar.pos)

        result = run_demo(
            project=project,
            now=now,
            keep=output / "scratch" if keep else None,
            use_prometheus=not no_prometheus,
            progress=progress,
        )
    for line in _summary(result):
        click.echo(line)
    click.echo("")
    click.echo(render.render_text(result.document), nl=False)
    output.mkdir(parents=True, exist_ok=True)
    write_atomically(output / "report.html", html.render_html(result.document))
    write_atomically(output / "report.json", render.render_json(result.document))
    click.echo(f"\nWrote {output / 'report.html'} and {output / 'report.json'}.")
