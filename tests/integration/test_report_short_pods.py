"""Pods shorter than the report step, end to end: a CronJob whose Jobs run 40 s every 10 minutes
and CI runners whose pods live 3-7 minutes each (replaced at once), simulated with Kepler 0.10
and kube-state-metrics, backfilled into a real Prometheus, switched off every night and weekend
by real ledger commits. ``offhours report`` (5-minute step, 30 s scrape) and ``offhours energy``
must find their energy within 1 % of the simulation's ground truth: every pod's first sample
counted from zero (it started inside), its final (terminated) sample kept.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from scheduler.core.intervals import IntervalSet
from scheduler.core.workloads import WorkloadRef
from scheduler.simulation import CronSpec, PolicySpec, SimulationSpec, WorkloadSpec
from scheduler.testing import gitremote, promserver
from tests.integration import reportworld

START = datetime(2025, 5, 5, tzinfo=UTC)  # a Monday, no DST change in the three weeks
EXPORT = WorkloadRef("CronJob", "batch", "export")
RUNNER = WorkloadRef("Deployment", "ci", "runner")
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: nights}
spec:
  timeZone: Europe/Berlin
  uptime: ["Mon-Fri 07:00-20:00"]
  targets: [{namespaces: [batch, ci]}]
"""
FILES = {
    "apps/batch/export.yaml": (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: export\n  namespace: batch\n"
        'spec:\n  schedule: "*/10 * * * *"\n  suspend: false\n'
    ),
    "apps/ci/runner.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: runner\n  namespace: ci\n"
        "spec:\n  replicas: 1\n"
    ),
    "policies/nights.yaml": POLICY,
}


def _spec() -> SimulationSpec:
    """Two weeks always on, then one adopted week; no noise, so the truth is exact."""
    return SimulationSpec(
        start=START,
        days=21.0,
        adoption=START + timedelta(days=14),
        seed=3,
        workloads=(
            WorkloadSpec(
                "CronJob",
                "batch",
                "export",
                policy="nights",
                cron=CronSpec(period_seconds=600.0, job_seconds=40.0, job_load=0.8),
                noise=0.0,
                daily_sd=0.0,
            ),
            WorkloadSpec(
                "Deployment",
                "ci",
                "runner",
                policy="nights",
                base_watts=1.0,
                peak_watts=6.0,
                pod_seconds=(180.0, 420.0),
                noise=0.0,
                daily_sd=0.0,
            ),
        ),
        policies=(PolicySpec("nights"),),
    )


@pytest.fixture(scope="module")
def world(
    prom_binaries: promserver.PromBinaries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[reportworld.World]:
    """The simulation in Prometheus and its ledger (git isolated from the user's config)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in gitremote.isolate_git(tmp_path_factory.mktemp("home")).items():
            patch.setenv(key, value)
        yield from reportworld.make_world(
            "report-short-pods",
            _spec(),
            files=FILES,
            factory=tmp_path_factory,
            binaries=prom_binaries,
        )


@pytest.fixture(scope="module")
def document(world: reportworld.World) -> dict[str, Any]:
    """The JSON report of the adopted week."""
    code, out, err = world.run("--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def test_pods_are_short_and_many(world: reportworld.World) -> None:
    """The scenario is what it claims: 40 s Jobs every 10 minutes, runner pods of 3-7 min."""
    lives = world.sim.truth.workloads
    assert lives[EXPORT].spec.cron == CronSpec(600.0, 40.0, 0.8)
    assert lives[RUNNER].spec.pod_seconds == (180.0, 420.0)
    pods = {s.label_map["pod_name"] for s in world.sim.series if s.label_map.get("pod_namespace")}
    assert sum(name.startswith("runner-") for name in pods) > 21 * 13 * 60 / 7
    assert sum(name.startswith("export-") for name in pods) > 14 * 24 * 6


def test_savings_of_short_pods_within_one_percent(
    world: reportworld.World, document: dict[str, Any]
) -> None:
    """The report's avoided energy of the CronJob and of the CI runners is within 1 % of the
    simulation's truth over the off time it covers."""
    covered = world.covered()
    rows = {WorkloadRef(r["kind"], r["namespace"], r["name"]): r for r in document["targets"]}
    for ref in (EXPORT, RUNNER):
        row = rows[ref]
        truth = world.sim.truth.avoided(ref, covered)
        assert row["coverage"] > 0.9, ref
        assert row["savedJoules"] == pytest.approx(truth, rel=0.01), ref


def _office_hours(world: reportworld.World) -> tuple[float, float]:
    """An adopted weekday from 09:00:07 to 16:43:51 local time without a scrape gap (the
    bounds cut a Job and a runner pod in two)."""
    zone = world.sim.spec.zone
    gaps = world.sim.truth.timeline.gaps
    for day in range(15, 20):
        local = (START + timedelta(days=day)).astimezone(zone).replace(hour=9, minute=0, second=7)
        start = local.timestamp()
        end = start + 7 * 3600 + 43 * 60 + 44
        if not gaps.intersection(IntervalSet.of(start, end)):
            return start, end
    raise AssertionError("every adopted weekday has a scrape gap in office hours")


def test_energy_of_short_pods_within_one_percent(world: reportworld.World) -> None:
    """``offhours energy`` over office hours (bounds not on any grid) finds the CronJob's and
    the runners' energy within 1 % of what they drew, and says the pods started inside."""
    start, end = _office_hours(world)
    code, out, err = world.energy(
        "-n",
        "batch",
        "-n",
        "ci",
        "--from",
        datetime.fromtimestamp(start, UTC).isoformat(),
        "--until",
        datetime.fromtimestamp(end, UTC).isoformat(),
        "--format",
        "json",
    )
    assert code == 0, err
    period = json.loads(out)["period"]
    assert (period["start"], period["end"]) == (start, end)
    within = IntervalSet.of(start, end)
    for ref in (EXPORT, RUNNER):
        truth = world.sim.truth.expected_joules(ref, within)
        got = period["namespaces"][ref.namespace]["joules"]
        assert got == pytest.approx(truth, rel=0.01), ref
    edges = period["kepler"]["edges"]
    assert edges["started-kube-state-metrics"] > 40
    assert edges["ended"] > 40
