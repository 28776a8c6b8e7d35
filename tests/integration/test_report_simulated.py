"""``offhours report`` end to end against ground truth: a seeded simulation backfilled into a
real Prometheus, and a real Git repository whose ledger commits (made with the real Git adapter
and planner, dated at the simulated transitions) describe the same off windows.

Three weeks of a Europe/Berlin dev namespace (a Deployment with restarts, a StatefulSet, an
hourly CronJob, Flux controllers and offhours itself), diurnal load, noise, scrape gaps and a
Kepler restart; off every weeknight and weekend from the adoption on; one removable node. The
report week contains the spring DST change. A shorter run (ten days) exercises the trailing
baseline.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from scheduler.core.intervals import IntervalSet
from scheduler.core.workloads import WorkloadRef
from scheduler.simulation import (
    CronSpec,
    PolicySpec,
    SimulationSpec,
    WorkloadSpec,
)
from scheduler.testing import gitremote, promserver
from tests.integration import reportworld

START = datetime(2025, 3, 10, tzinfo=UTC)  # a Monday; DST in Berlin on Sunday 30 March
WEB = WorkloadRef("Deployment", "dev", "web")
DB = WorkloadRef("StatefulSet", "dev", "db")
BATCH = WorkloadRef("CronJob", "dev", "batch")
GHOST = WorkloadRef("Deployment", "dev", "ghost")
NEW = WorkloadRef("Deployment", "qa", "api")
POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: nights}
spec:
  timeZone: Europe/Berlin
  uptime: ["Mon-Fri 07:00-20:00"]
  targets: [{namespaces: [dev]}]
"""
LATER_POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: qa-weekends}
spec:
  timeZone: Europe/Berlin
  downtime: ["Sat-Sun 00:00-24:00"]
  targets: [{namespaces: [qa]}]
"""
MANIFESTS = {
    "apps/dev/web.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: dev\n"
        "spec:\n  replicas: 2\n"
    ),
    "apps/dev/db.yaml": (
        "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: dev\n"
        "spec:\n  replicas: 1\n"
    ),
    "apps/dev/batch.yaml": (
        "apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: batch\n  namespace: dev\n"
        'spec:\n  schedule: "0 * * * *"\n  suspend: false\n'
    ),
    "apps/dev/ghost.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ghost\n  namespace: dev\n"
        "spec:\n  replicas: 1\n"
    ),
    "policies/nights.yaml": POLICY,
}
# A policy added after the period's commits: its target has no ledger entry yet.
LATER = {
    "apps/qa/api.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: qa\n"
        "spec:\n  replicas: 1\n"
    ),
    "policies/qa.yaml": LATER_POLICY,
}


def spec_for(days: float, history: float, *, seed: int = 1) -> SimulationSpec:
    """The simulated dev namespace over ``days``, adopted after ``history`` days."""
    return SimulationSpec(
        start=START,
        days=days,
        adoption=START + timedelta(days=history),
        seed=seed,
        scrape_interval=60.0,
        workloads=(
            WorkloadSpec(
                "Deployment",
                "dev",
                "web",
                policy="nights",
                replicas=2,
                daily_sd=0.03,
                restarts_per_day=2,
            ),
            WorkloadSpec(
                "StatefulSet",
                "dev",
                "db",
                policy="nights",
                base_watts=1.5,
                peak_watts=2.0,
                daily_sd=0.03,
                restarts_per_day=1,
            ),
            WorkloadSpec(
                "CronJob", "dev", "batch", policy="nights", cron=CronSpec(), daily_sd=0.03
            ),
        ),
        policies=(PolicySpec("nights"),),
        gaps_per_day=1.0,
        kepler_restarts=1,
        removable_nodes=1,
    )


@pytest.fixture(scope="module")
def git_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Keep the user's git configuration out of these tests."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in gitremote.isolate_git(tmp_path_factory.mktemp("home")).items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="module")
def world(
    git_env: None, prom_binaries: promserver.PromBinaries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[reportworld.World]:
    """Three weeks: two of always-on history, then one adopted week across the DST change."""
    yield from reportworld.make_world(
        "report-sim",
        spec_for(22.0, 14.0),
        files=MANIFESTS,
        later=LATER,
        factory=tmp_path_factory,
        binaries=prom_binaries,
    )


@pytest.fixture(scope="module")
def document(world: reportworld.World) -> dict[str, Any]:
    """The JSON report of the adopted week."""
    code, out, err = world.run("--format", "json")
    assert code == 0, err
    return dict(json.loads(out))


def rows(doc: dict[str, Any]) -> dict[WorkloadRef, dict[str, Any]]:
    return {WorkloadRef(r["kind"], r["namespace"], r["name"]): r for r in doc["targets"]}


CONTRACT_TARGET = {
    "kind",
    "namespace",
    "name",
    "policy",
    "offSeconds",
    "baselineWatts",
    "baselineWattsP10",
    "baselineWattsP90",
    "savedJoules",
    "savedJoulesLow",
    "savedJoulesHigh",
    "residualJoules",
    "coverage",
}


def test_json_contract_keys(document: dict[str, Any]) -> None:
    """Every key of the JSON contract is there, extended with the report's facts."""
    assert {
        "from",
        "until",
        "keplerSchema",
        "baselineMethod",
        "targets",
        "totals",
        "overheadJoules",
        "netSavedJoules",
        "nodes",
    } <= set(document)
    assert {"savedJoules", "savedKWh", "co2eGrams", "cost"} <= set(document["totals"])
    for row in document["targets"]:
        assert set(row) >= CONTRACT_TARGET
    assert document["keplerSchema"] == "0.10"
    assert document["from"] == "2025-03-24T00:00:00Z"
    assert document["until"] == "2025-04-01T00:00:00Z"
    assert document["estimatedWithoutKepler"] is False
    assert document["ledger"]["changes"] > 0


def test_estimates_within_five_percent_and_range_contains_truth(
    world: reportworld.World, document: dict[str, Any]
) -> None:
    """Per target and in total the avoided energy is within ±5 % of the truth; p10–p90
    contains it; the baseline is hour-of-week in the policy zone."""
    covered = world.covered()
    found = rows(document)
    total = truth_total = 0.0
    for ref in (WEB, DB, BATCH):
        row = found[ref]
        truth = world.sim.truth.avoided(ref, covered)
        assert row["method"] == "hour-of-week", ref
        assert row["savedJoules"] == pytest.approx(truth, rel=0.05), ref
        assert row["savedJoulesLow"] <= truth <= row["savedJoulesHigh"], ref
        assert row["coverage"] > 0.9
        assert row["timeZone"] == "Europe/Berlin"
        total += row["savedJoules"]
        truth_total += truth
    assert document["totals"]["savedJoules"] == pytest.approx(truth_total, rel=0.05)
    assert document["totals"]["savedJoules"] == pytest.approx(total)


def test_target_without_data_is_not_estimated_and_new_policy_target_is_listed(
    document: dict[str, Any],
) -> None:
    """A target with off windows but no pods: coverage 0, no baseline, never 0 J; a target of
    a policy added later appears with no off time."""
    found = rows(document)
    ghost = found[GHOST]
    assert ghost["savedJoules"] is None
    assert ghost["coverage"] == 0
    assert ghost["baselineWatts"] is None
    assert ghost["offSeconds"] > 0
    assert document["totals"]["targetsNotEstimated"] == 1
    new = found[NEW]
    assert (new["policy"], new["offSeconds"], new["savedJoules"]) == ("qa-weekends", 0, 0)
    assert new["intendedOff"] == []


def test_intended_windows_follow_local_time_across_dst_and_actual_lag(
    world: reportworld.World, document: dict[str, Any]
) -> None:
    """Intended windows come from the ledger at local 20:00/07:00 across the DST change;
    actual ones from kube-state-metrics follow them by Flux's 60 s."""
    web = rows(document)[WEB]
    starts = [w["start"] for w in web["intendedOff"]]
    assert "2025-03-27T19:00:00Z" in starts  # Thursday 20:00 CET
    assert "2025-03-31T18:00:00Z" in starts  # Monday 20:00 CEST, after the change
    assert {"start": "2025-03-28T19:00:00Z", "end": "2025-03-31T05:00:00Z"} in web["intendedOff"]
    expected = world.sim.intended[WEB].clip(world.sim.adoption, world.sim.end).total()
    assert web["actuation"]["intendedOffSeconds"] == pytest.approx(expected)
    acted = web["actuation"]
    assert acted["sleepLagMedianSeconds"] == pytest.approx(60, abs=31)
    assert acted["wakeLagMedianSeconds"] == pytest.approx(60, abs=31)
    assert acted["missedWindows"] == 0
    seen = world.sim.off[WEB].difference(world.sim.truth.timeline.gaps)  # gaps: unobserved
    assert acted["actualOffSeconds"] == pytest.approx(
        seen.clip(world.sim.adoption, world.sim.end).total(), rel=0.01
    )


def test_overhead_nodes_totals_and_conversions(
    world: reportworld.World, document: dict[str, Any]
) -> None:
    """Overhead is the flux-system and offhours pods' energy; the net subtracts it; the node
    figures stay apart; kWh and CO2e follow the factors."""
    period = IntervalSet.of(world.sim.adoption, world.sim.end)
    truth = world.sim.truth
    flux = sum(
        truth.expected_joules(ref, period)
        for ref in truth.workloads
        if ref.namespace in ("flux-system", "offhours")
    )
    assert {p["name"] for p in document["overhead"]["parts"]} == {"flux-system", "offhours"}
    assert document["overheadJoules"] == pytest.approx(flux, rel=0.05)
    totals = document["totals"]
    assert document["netSavedJoules"] == pytest.approx(
        totals["savedJoules"] - document["overheadJoules"]
    )
    assert totals["savedKWh"] == pytest.approx(totals["savedJoules"] / 3.6e6)
    assert totals["co2eGrams"] == pytest.approx(totals["savedKWh"] * 480.0)
    assert totals["cost"] == pytest.approx(totals["savedKWh"] * 0.30)
    comparison = document["nodes"]["comparison"]
    assert comparison["differenceJoules"] == pytest.approx(totals["savedJoules"], rel=0.15)
    removed = document["nodes"]["removed"]
    assert removed is not None
    windows = world.sim.intended[WEB].intersection(period).intersection(world.covered())
    expected = truth.nodes.removed_node_seconds(windows) * truth.nodes.empty_node_watts
    assert removed["savedJoules"] == pytest.approx(expected, rel=0.1)


def test_every_format_renders(world: reportworld.World, tmp_path: Path) -> None:
    """text, markdown, csv and html render the same report (html self-contained)."""
    code, text, _ = world.run("--format", "text")
    assert code == 0
    for heading in (
        "(1) Estimated avoided workload energy",
        "(2) Measured node energy",
        "(3) Node energy of nodes actually removed",
        "Overhead (Flux + offhours, upper bound)",
        "Net saved = (1) - overhead",
        "How the numbers were made",
    ):
        assert heading in text
    assert re.search(r"^\s+1\s+Deployment/dev/web", text, re.M) or "Deployment/dev/" in text
    code, md, _ = world.run("--format", "markdown")
    assert code == 0
    assert "| **(1) Estimated avoided workload energy** |" in md
    out = tmp_path / "report.csv"
    code, _, _ = world.run("--format", "csv", "--output", str(out))
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {r["name"] for r in table} == {"web", "db", "batch", "ghost", "api"}
    assert table[-1]["savedJoules"] == "" or table[-1]["name"] in ("ghost", "api")
    page = tmp_path / "report.html"
    code, _, _ = world.run("--format", "html", "--output", str(page))
    assert code == 0
    body = page.read_text()
    checker = _Tags()
    checker.feed(body)
    assert checker.svgs >= 3
    assert not checker.external, checker.external
    assert "Deployment/dev/web" in body


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.svgs = 0
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.svgs += tag == "svg"
        for key, value in attrs:
            if key in ("src", "href") and value:
                self.external.append(value)
        if tag in ("script", "link"):
            self.external.append(tag)


@pytest.fixture(scope="module")
def short_world(
    git_env: None, prom_binaries: promserver.PromBinaries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[reportworld.World]:
    """Ten days: one week of history, then three adopted days (too short for hour-of-week)."""
    yield from reportworld.make_world(
        "report-short",
        spec_for(10.0, 7.0, seed=2),
        files=MANIFESTS,
        later=LATER,
        factory=tmp_path_factory,
        binaries=prom_binaries,
    )


def test_trailing_baseline_within_five_percent(short_world: reportworld.World) -> None:
    """With less than two weeks of history the trailing baseline is used, still within 5 %."""
    code, out, err = short_world.run("--format", "json")
    assert code == 0, err
    found = rows(json.loads(out))
    covered = short_world.covered()
    for ref in (WEB, DB, BATCH):
        truth = short_world.sim.truth.avoided(ref, covered)
        assert found[ref]["method"] == "trailing", ref
        assert found[ref]["savedJoules"] == pytest.approx(truth, rel=0.05), ref
        assert found[ref]["savedJoulesLow"] <= truth <= found[ref]["savedJoulesHigh"], ref
