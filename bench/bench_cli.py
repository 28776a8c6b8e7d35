"""Command start-up: whole-process wall time of ``offhours`` commands, as a user runs them.

Runs each command as a fresh process (the installed ``offhours`` script next to this Python,
else ``python -m scheduler``) several times and prints the median, the spread and the ratio to
its goal (2-core machine, warm disk cache):

  - ``offhours --help``                                  goal <= 0.25 s
  - ``offhours validate`` of one policy                  goal <= 0.25 s
    (without holidays; and the bundled ``policies/dev-nights-and-weekends.yaml``, whose
    ``holidays`` make the holidays package import all its ~250 countries, for reference)
  - ``offhours preview --format json`` of 1,000 policies goal <= 1.0 s
    over 31 days (generated as ``bench_preview`` does)

``--baseline DIR`` also times the ``offhours`` of another source tree (e.g. ``git archive``
of an older commit, unpacked), alternating run by run so both see the same machine load, and
prints the ratio of the medians. Each line also gives the median CPU time (user + system) of
the process.

Python's bytecode caches are kept (in a temporary ``PYTHONPYCACHEPREFIX``, written by the
untimed first run), as an installed package has them, even where ``PYTHONDONTWRITEBYTECODE``
is set; ``--no-bytecode-cache`` times the environment as it is (with that variable, every run
compiles offhours' modules from source again). ``--quick`` runs each command twice and
previews 100 policies over 7 days (the CI smoke test).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from bench_preview import START, generate  # noqa: E402

EXAMPLE_POLICY = HERE.parent / "policies" / "dev-nights-and-weekends.yaml"
ONE_POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata:
  name: dev-nights
spec:
  timeZone: Europe/Berlin
  uptime: ["Mon-Fri 07:30-19:00"]
  targets:
    - namespaces: [dev]
"""
FROM_TREE = "import sys; from scheduler.cli import main; sys.argv[0] = 'offhours'; main()"


@dataclass(frozen=True)
class Case:
    """One command line to time and its goal in seconds (None: for reference only)."""

    label: str
    args: tuple[str, ...]
    goal: float | None


@dataclass(frozen=True)
class Launcher:
    """How to start ``offhours``: the installed script, or the package of a source tree."""

    command: tuple[str, ...]
    env: dict[str, str]

    @classmethod
    def installed(cls, env: dict[str, str]) -> Launcher:
        """The ``offhours`` script of this Python, else ``python -m scheduler``."""
        script = Path(sys.executable).with_name("offhours")
        command = (str(script),) if script.exists() else (sys.executable, "-m", "scheduler")
        return cls(command, env)

    @classmethod
    def tree(cls, root: Path, env: dict[str, str]) -> Launcher:
        """``scheduler.cli.main`` imported from the source tree ``root``."""
        return cls((sys.executable, "-c", FROM_TREE), {**env, "PYTHONPATH": str(root.resolve())})


def environment(folder: Path, *, bytecode_cache: bool) -> dict[str, str]:
    """The children's environment: this one, with bytecode caches under ``folder`` if asked."""
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
    return env


def time_once(launcher: Launcher, args: tuple[str, ...], *, cwd: Path) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run (output discarded; a failure stops the
    bench)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [*launcher.command, *args],
        cwd=cwd,
        env=launcher.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"offhours {' '.join(args)} exited {process.returncode}")
    return seconds, usage.ru_utime + usage.ru_stime


def measure(
    case: Case, launchers: list[Launcher], *, runs: int, cwd: Path
) -> list[list[tuple[float, float]]]:
    """``runs`` (wall, CPU) timings of ``case`` per launcher, alternating, after one untimed
    run each."""
    for launcher in launchers:
        time_once(launcher, case.args, cwd=cwd)
    timings: list[list[tuple[float, float]]] = [[] for _ in launchers]
    for _ in range(runs):
        for launcher, seconds in zip(launchers, timings, strict=True):
            seconds.append(time_once(launcher, case.args, cwd=cwd))
    return timings


def cases(folder: Path, *, policies: int, days: int) -> list[Case]:
    """The command lines, with their policy files written under ``folder``."""
    fleet = folder / "fleet.yaml"
    fleet.write_text(generate(policies), encoding="utf-8")
    one = folder / "one.yaml"
    one.write_text(ONE_POLICY, encoding="utf-8")
    preview = ("preview", "--policies", str(fleet), "--format", "json")
    preview_range = ("--from", START.isoformat(), "--days", str(days))
    return [
        Case("offhours --help", ("--help",), 0.25),
        Case("offhours validate (1 policy)", ("validate", "--policies", str(one)), 0.25),
        Case(
            "  the same, with holidays: DE-BE",
            ("validate", "--policies", str(EXAMPLE_POLICY)),
            None,
        ),
        Case(f"offhours preview ({policies} x {days} d)", (*preview, *preview_range), 1.0),
    ]


def line(case: Case, timings: list[list[tuple[float, float]]]) -> str:
    """Median wall and CPU time, the ratio to the goal and, with a baseline, the ratio of the
    medians."""
    wall = statistics.median(w for w, _ in timings[0])
    cpu = statistics.median(c for _, c in timings[0])
    text = f"  {case.label:<34} wall {wall:6.3f} s  cpu {cpu:6.3f} s"
    if case.goal is not None:
        verdict = "OK" if wall <= case.goal else "OVER"
        text += f"  goal <= {case.goal:.2f} s: {verdict} ({wall / case.goal:.2f}x)"
    if len(timings) > 1:
        before = statistics.median(w for w, _ in timings[1])
        text += f"  baseline wall {before:6.3f} s: {wall / before:.2f}x"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2 runs; 100 policies x 7 days")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command")
    parser.add_argument("--baseline", type=Path, help="also time the offhours of this tree")
    parser.add_argument(
        "--no-bytecode-cache", action="store_true", help="keep PYTHONDONTWRITEBYTECODE if set"
    )
    args = parser.parse_args()
    runs, policies, days = (2, 100, 7) if args.quick else (args.runs, 1000, 31)
    with tempfile.TemporaryDirectory(prefix="offhours-bench-cli-") as tmp:
        folder = Path(tmp)
        env = environment(folder, bytecode_cache=not args.no_bytecode_cache)
        launchers = [Launcher.installed(env)]
        if args.baseline is not None:
            launchers.append(Launcher.tree(args.baseline, env))
        caches = "without" if env.get("PYTHONDONTWRITEBYTECODE") else "with"
        print(
            f"cli bench: whole-process times, median of {runs} runs, {caches} bytecode caches "
            f"({launchers[0].command[0]})"
        )
        for case in cases(folder, policies=policies, days=days):
            print(line(case, measure(case, launchers, runs=runs, cwd=folder)), flush=True)


if __name__ == "__main__":
    main()
