"""Ledger speed and memory over a year of offhours history.

Builds a fleet repository with one sleep and one wake commit per day (``--targets`` changes
each) using ``git fast-import``, clones it through the Git adapter, then measures:
rendering the messages, reading the history with one ``git log`` (all commits, and only
offhours commits), parsing the ledger (with peak memory) and computing off intervals.

    python bench/bench_ledger.py            # 365 days x 50 targets
    python bench/bench_ledger.py --quick    # 30 days x 10 targets, a few seconds
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scheduler.adapters import gitrepo
from scheduler.core import ledger
from scheduler.core.changes import Action, Change
from scheduler.core.workloads import WorkloadRef
from scheduler.settings import GitSettings
from scheduler.testing import gitremote

START = datetime(2025, 1, 1, tzinfo=UTC)


def day_changes(targets: int, action: Action) -> list[Change]:
    before, after = (2, 0) if action is Action.SLEEP else (0, 2)
    return [
        Change(
            WorkloadRef("Deployment", f"team-{i % 7}", f"service-{i}"),
            f"apps/team-{i % 7}/service-{i}.yaml",
            "dev-nights",
            action,
            "spec.replicas",
            before,
            after,
        )
        for i in range(targets)
    ]


def history(days: int, targets: int) -> list[tuple[int, str]]:
    """(committer time, message) pairs: wake at 07:00 and sleep at 19:00 every day."""
    sleep = ledger.render_commit_message(day_changes(targets, Action.SLEEP))
    wake = ledger.render_commit_message(day_changes(targets, Action.WAKE))
    out = []
    for day in range(days):
        midnight = START + timedelta(days=day)
        out.append((int((midnight + timedelta(hours=7)).timestamp()), wake))
        out.append((int((midnight + timedelta(hours=19)).timestamp()), sleep))
    return out


def fast_import(bare: Path, commits: list[tuple[int, str]]) -> None:
    chunks: list[bytes] = []
    for number, (stamp, message) in enumerate(commits, start=1):
        body = message.encode()
        content = f"run {number}\n".encode()
        chunks += [
            b"commit refs/heads/main\n",
            f"mark :{number}\n".encode(),
            f"committer offhours <bot@example.com> {stamp} +0000\n".encode(),
            f"data {len(body)}\n".encode(),
            body,
            f"from :{number - 1}\n".encode() if number > 1 else b"",
            f"M 100644 inline state.txt\ndata {len(content)}\n".encode(),
            content,
            b"\n",
        ]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=bare, input=b"".join(chunks), check=True)


def parse_peak_memory(records: list[ledger.CommitRecord]) -> int:
    """Peak bytes allocated while parsing (a separate pass: tracing slows the clock)."""
    tracemalloc.start()
    ledger.parse_ledger(records)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def timed(label: str, seconds: float, detail: str) -> None:
    print(f"{label:<14} {detail} in {seconds:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 days x 10 targets")
    args = parser.parse_args()
    days, targets = (30, 10) if args.quick else (365, 50)
    with tempfile.TemporaryDirectory(prefix="offhours-bench-") as scratch:
        root = Path(scratch)
        os.environ.update(gitremote.isolate_git(root / "home"))
        commits = history(days, targets)
        renders = [day_changes(targets, Action.SLEEP) for _ in range(200)]
        begin = time.perf_counter()
        for changes in renders:
            ledger.render_commit_message(changes)
        render_s = time.perf_counter() - begin
        bare = root / "fleet.git"
        gitremote.run_git(root, "init", "--quiet", "--bare", "--initial-branch=main", str(bare))
        fast_import(bare, commits)
        settings = GitSettings(cache_dir=root / "cache")
        with gitrepo.open_checkout(settings, repo=bare.as_uri()) as checkout:
            begin = time.perf_counter()
            records = gitrepo.commits_between(checkout, None, None)
            log_s = time.perf_counter() - begin
            begin = time.perf_counter()
            ours = gitrepo.commits_between(checkout, None, None, offhours_only=True)
            log_ours_s = time.perf_counter() - begin
        begin = time.perf_counter()
        parsed = ledger.parse_ledger(records)
        parse_s = time.perf_counter() - begin
        peak = parse_peak_memory(records)
        end = (START + timedelta(days=days)).timestamp()
        begin = time.perf_counter()
        off = ledger.off_intervals(parsed.entries, start=START.timestamp(), end=end)
        off_s = time.perf_counter() - begin
    entries = len(parsed.entries)
    print(f"history        {days} days, {len(records)} commits, {targets} changes per commit")
    timed("render", render_s, f"200 messages ({200 / render_s:,.0f} messages/s)")
    timed("git log", log_s, f"{len(records)} commits ({len(records) / log_s:,.0f} commits/s)")
    timed("git log --grep", log_ours_s, f"{len(ours)} offhours commits")
    timed("parse", parse_s, f"{entries:,} entries ({entries / parse_s:,.0f} entries/s)")
    print(f"parse memory   peak {peak / 2**20:.1f} MiB ({peak / max(entries, 1):,.0f} B/entry)")
    timed("off_intervals", off_s, f"{len(off)} targets, {sum(len(s) for s in off.values())} spans")


if __name__ == "__main__":
    main()
