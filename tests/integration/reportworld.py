"""A simulated cluster served by a real Prometheus, with the Git ledger that switched it off.

``serve`` backfills a ``Simulation`` with promtool and starts Prometheus on loopback;
``ledger_repo`` makes a repository of manifests and policies whose offhours commits (the real
planner and Git adapter, dated at each transition of the first policy) sleep and wake the
targets; ``World`` runs ``offhours report`` and ``offhours energy`` against both.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.adapters import gitrepo
from scheduler.adapters.prometheus import kepler
from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.cli import main
from scheduler.core import schedule
from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.reading import EnergyRequest
from scheduler.reconcile import workspace
from scheduler.settings import GitSettings
from scheduler.simulation import Simulation, SimulationSpec, simulate
from scheduler.testing import gitremote, promserver, recordings

__all__ = ["World", "commit_all", "ledger_repo", "make_world", "serve"]

_ENV = {"OFFHOURS_PROMETHEUS__RETRIES": "0", "OFFHOURS_PROMETHEUS__URL": ""}


def serve(sim: Simulation, root: Path, binaries: promserver.PromBinaries) -> promserver.PromServer:
    """Backfill the simulation in big blocks (fast) and start Prometheus on it."""
    source = root / "sim.om"
    promserver.write_openmetrics(recordings.merge_series(sim.series), source)
    promserver.create_blocks(
        source, root / "tsdb", promtool=binaries.promtool, max_block_duration="486h"
    )
    source.unlink()
    return promserver.PromServer(root / "tsdb", binaries=binaries, work_dir=root).start()


def commit_all(repo: Path, message: str, *, stamp: str) -> None:
    """Commit every file of ``repo`` with author and committer date ``stamp``."""
    gitremote.run_git(repo, "add", "-A")
    gitremote.run_git(
        repo,
        "-c",
        "user.name=me",
        "-c",
        "user.email=me@example.com",
        "commit",
        "-q",
        "-m",
        message,
        env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp},
    )


def ledger_repo(
    root: Path,
    *,
    files: Mapping[str, str],
    start: float,
    end: float,
    later: Mapping[str, str] | None = None,
) -> Path:
    """A Git repository of ``files`` whose offhours commits (planner + Git adapter, dated at
    each transition of its first policy) sleep and wake the targets from ``start`` on;
    ``later`` files are committed an hour after ``end`` (a policy added after the period)."""
    repo = root / "fleet"
    repo.mkdir()
    gitremote.run_git(repo, "init", "-q", "-b", "main")
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    commit_all(repo, "fleet", stamp="@1700000000 +0000")
    settings = GitSettings(repo=str(repo))
    load = workspace.read_policies(repo / "policies", now=datetime.fromtimestamp(start, UTC))
    instants = [start, *(t.at for t in schedule.transitions(load.policies[0], start, end))]
    for at in instants:
        when = datetime.fromtimestamp(at, UTC)

        def produce(tree: Path, when: datetime = when) -> gitrepo.CommitRequest | None:
            ws = workspace.load_workspace(tree, policies=Path("policies"), now=when)
            plan = workspace.plan_workspace(ws, at=when)
            workspace.write_plan(tree, plan)
            return gitrepo.CommitRequest.for_changes(plan.changes, date=when)

        with gitrepo.open_checkout(settings) as checkout:
            gitrepo.publish(checkout, produce, push=False)
    if later:
        for name, text in later.items():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_text(text)
        commit_all(repo, "later", stamp=f"@{int(end) + 3600} +0000")
    return repo


@dataclass(frozen=True)
class World:
    """A simulation served by Prometheus, with its ledger repository."""

    sim: Simulation
    url: str
    repo: Path

    def run(self, *args: str) -> tuple[int, str, str]:
        """``offhours report`` over the adopted period."""
        base = [
            "report",
            "--prometheus",
            self.url,
            "--repo",
            str(self.repo),
            "--from",
            datetime.fromtimestamp(self.sim.adoption, UTC).isoformat(),
            "--until",
            datetime.fromtimestamp(self.sim.end, UTC).isoformat(),
        ]
        result = CliRunner().invoke(main, [*base, *args], env=_ENV)
        return result.exit_code, result.stdout, result.stderr

    def energy(self, *args: str) -> tuple[int, str, str]:
        """``offhours energy`` against the simulation's Prometheus."""
        result = CliRunner().invoke(main, ["energy", "--prometheus", self.url, *args], env=_ENV)
        return result.exit_code, result.stdout, result.stderr

    def covered(self) -> IntervalSet:
        """The instants the report had Kepler data for (read with the adapter itself)."""
        start = self.sim.adoption - 14 * 86400
        with PrometheusClient.from_url(self.url) as client:
            reading = kepler.read_energy(
                client, EnergyRequest(start=start, end=self.sim.end, step=300.0)
            )
        return reading.covered.clip(self.sim.adoption, self.sim.end)


def make_world(
    name: str,
    spec: SimulationSpec,
    *,
    files: Mapping[str, str],
    factory: pytest.TempPathFactory,
    binaries: promserver.PromBinaries,
    later: Mapping[str, str] | None = None,
) -> Iterator[World]:
    """Simulate ``spec``, serve it, and build its ledger from ``files`` (and ``later``); stop
    the server on exit."""
    sim = simulate(spec)
    root = factory.mktemp(name)
    server = serve(sim, root, binaries)
    try:
        repo = ledger_repo(root, files=files, start=sim.adoption, end=sim.end, later=later)
        yield World(sim, server.url, repo)
    finally:
        server.stop()
