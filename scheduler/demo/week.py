"""The real scheduler over one simulated week, in accelerated virtual time.

The example fleet (``clusters/`` + ``policies/``) is pushed to a bare Git remote in a scratch
folder; then the daemon's own cycle (``Reconciler``: pull, plan, commit, push) runs at every
instant the daemon would wake at: each transition of any policy, each held Flux suspend's
retry, and a poll every few hours. Commits are dated at those virtual instants, so the Git
history is exactly the ledger a week of ``offhours run`` would have written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scheduler.reconcile import Reconciler
from scheduler.settings import GitSettings, Settings
from scheduler.testing import gitremote

__all__ = ["Week", "example_files", "run_week"]

#: the daemon's poll interval in the simulated week (transitions are exact regardless)
POLL = timedelta(hours=6)
#: without a cluster, a Flux suspend waits this long after the scale-down it follows
SETTLE_SECONDS = 300.0


@dataclass(frozen=True)
class Week:
    """The week's Git remote, the settings the scheduler ran with, and its cycles."""

    remote: gitremote.GitRemote
    settings: Settings
    start: datetime
    end: datetime
    cycles: int
    commits: int


def example_files(project: Path) -> dict[str, str]:
    """The bundled example: every file under ``clusters/`` and ``policies/``."""
    files: dict[str, str] = {}
    for folder in ("clusters", "policies"):
        for path in sorted((project / folder).rglob("*")):
            if path.is_file():
                files[path.relative_to(project).as_posix()] = path.read_text(encoding="utf-8")
    return files


def run_week(
    *,
    project: Path,
    scratch: Path,
    start: datetime,
    end: datetime,
    progress: Callable[[datetime], None] = lambda moment: None,
) -> Week:
    """Push the example to a bare remote under ``scratch`` and run the scheduler from
    ``start`` to ``end`` in virtual time; ``progress`` is told each cycle's instant."""
    remote = gitremote.make_remote(
        scratch / "remote", seed=example_files(project), date=start - timedelta(days=30)
    )
    git = GitSettings(repo=remote.url, cache_dir=scratch / "cache", retry_backoff_seconds=0)
    settings = Settings(git=git, policies=Path("policies"))
    cycle = Reconciler(settings, settle_seconds=SETTLE_SECONDS, stamp_commits=True)
    before, now, cycles = remote.count(), start, 0
    while now < end:
        report = cycle(now)
        cycles += 1
        progress(now)
        upcoming = now + POLL
        if report.next_transition is not None:
            upcoming = min(upcoming, report.next_transition)
        now = max(upcoming, now + timedelta(seconds=1))
    progress(end)
    return Week(remote, settings, start, end, cycles, remote.count() - before)
