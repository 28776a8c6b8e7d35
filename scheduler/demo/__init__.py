"""``offhours demo``: the whole loop on the bundled example, offline, in under a minute.

1. ``week``: the bundled ``clusters/`` and ``policies/`` go into a Git repository with a local
   bare remote, and the real scheduler runs over one simulated week in virtual time: real
   plans, real commits and pushes, dated at the simulated transition instants;
2. ``measure``: Kepler and kube-state-metrics series consistent with those commits are
   generated (labelled simulated), loaded into a real Prometheus when the binary is present,
   and the real report reads them;
3. the caller prints the savings and the week's Git log and writes ``report.html``.
Nothing is left running; the scratch folder is removed unless asked to keep it.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.core import ledger
from scheduler.core.energy.render.document import ReportDocument
from scheduler.core.intervals import IntervalSet
from scheduler.demo import measure, week
from scheduler.errors import ConfigError
from scheduler.reconcile import reporting
from scheduler.testing import promserver

__all__ = ["DemoResult", "demo_week", "find_example", "run_demo"]

ZONE = ZoneInfo("Europe/Berlin")
#: the source tree this package runs from (a wheel install has no example next to it)
_PROJECT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class DemoResult:
    """What the demo did and found."""

    start: datetime
    end: datetime
    cycles: int
    commits: tuple[tuple[datetime, str], ...]
    entries: int
    document: ReportDocument
    source: str
    truth_joules: float
    scratch: Path | None


def find_example(start: Path, *, project: Path = _PROJECT) -> Path:
    """The folder holding ``clusters/`` and ``policies/``: ``start`` or one of its parents,
    else ``project``, the one this package was installed from (editable installs)."""
    for folder in (start, *start.parents, project):
        if (folder / "clusters").is_dir() and (folder / "policies").is_dir():
            return folder
    raise ConfigError(
        f"no clusters/ and policies/ folders in {start} or its parents; run the demo from "
        "the offhours repository, or pass --example DIR"
    )


def demo_week(now: datetime) -> tuple[datetime, datetime]:
    """The last complete Monday-to-Monday week (Europe/Berlin) ending at least 3 h ago."""
    local = (now - timedelta(hours=3)).astimezone(ZONE)
    monday = datetime(local.year, local.month, local.day, tzinfo=ZONE) - timedelta(
        days=local.weekday() + 7
    )
    return monday.astimezone(UTC), (monday + timedelta(days=7)).astimezone(UTC)


def run_demo(
    *,
    project: Path,
    now: datetime,
    keep: Path | None = None,
    use_prometheus: bool = True,
    progress: Callable[[datetime], None] = lambda moment: None,
) -> DemoResult:
    """Run the demo; scratch files go to ``keep`` (kept) or a temporary folder (removed)."""
    start, end = demo_week(now)
    with tempfile.TemporaryDirectory(prefix="offhours-demo-") as tmp:
        scratch = keep or Path(tmp)
        scratch.mkdir(parents=True, exist_ok=True)
        ran = week.run_week(
            project=project, scratch=scratch, start=start, end=end, progress=progress
        )
        request = reporting.ReportRequest(start=start, end=end, repo=ran.remote.url)
        window = reporting.ReportWindow.aligned(
            start=start,
            end=end,
            step=request.step,
            history_seconds=reporting.default_history_seconds(ran.settings.energy),
        )
        intended = reporting.read_intended(
            ran.settings, window=window, now=now, repo=ran.remote.url
        )
        sim = measure.build_simulation(intended, start=start, end=end, seed=7)
        binaries = promserver.find_binaries() if use_prometheus else None
        if binaries is not None:
            document = measure.report_with_prometheus(
                sim,
                settings=ran.settings,
                request=request,
                scratch=scratch / "prometheus",
                binaries=binaries,
                now=now,
            )
            source = f"Prometheus {binaries.version()} on 127.0.0.1 (backfilled with promtool)"
        else:
            document = measure.report_offline(
                sim, settings=ran.settings, request=request, intended=intended
            )
            source = "the generated series directly (no prometheus binary found)"
        week_span = IntervalSet.of(start.timestamp(), end.timestamp())
        truth = math.fsum(sim.truth.avoided(ref, within=week_span) for ref in sim.intended)
        history = _messages(ran.remote.git, ran.remote.ref)
        records = ledger.parse_ledger(
            ledger.CommitRecord("", t.timestamp(), t.timestamp(), m) for t, m in history
        )
        return DemoResult(
            start=start,
            end=end,
            cycles=ran.cycles,
            commits=tuple((t, m.split("\n", 1)[0]) for t, m in history),
            entries=len(records.entries),
            document=document,
            source=source,
            truth_joules=truth,
            scratch=keep,
        )


def _messages(remote_git: Callable[..., str], ref: str) -> list[tuple[datetime, str]]:
    """Every commit of ``ref``, oldest first: committer time and message."""
    out = remote_git("log", "-z", "--reverse", "--format=%ct%x1f%B", ref)
    pairs = (chunk.split("\x1f", 1) for chunk in out.split("\0") if chunk.strip())
    return [(datetime.fromtimestamp(int(t.strip()), UTC), m) for t, m in pairs]
