"""``offhours suggest`` against ground truth: four weeks of a simulated fleet whose activity is
known exactly (``scheduler.simulation.scenarios.idleness_fleet``), backfilled into a real
Prometheus.

Checked: no proposed off time overlaps ground-truth activity; at least 90 % of the ground-truth
idle energy of the office-hours workloads is covered; nothing is proposed for the always-on
storefront or the weekly CronJob; the holiday-idle workload's policy names the holidays; the
projected savings are within 5 % of the simulation's expected energy in the proposed windows;
the written policies pass ``offhours validate`` and ``offhours preview`` of them gives exactly
the proposed windows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.cli import main
from scheduler.core.calendar import HolidayCalendar
from scheduler.core.intervals import IntervalSet
from scheduler.core.suggest.proposal import ProposedPolicy, Reason, Settings, Suggestion
from scheduler.core.suggest.weekslots import WeekSlots
from scheduler.core.suggest.windows import weekly_intervals
from scheduler.core.workloads import WorkloadRef
from scheduler.reconcile.suggesting import SuggestRequest, suggest
from scheduler.simulation import Simulation, simulate
from scheduler.simulation.load import active_intervals
from scheduler.simulation.scenarios import idleness_fleet
from scheduler.testing import promserver
from tests.integration import reportworld

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 5, 4, tzinfo=BERLIN)  # a Monday; Ascension (14th), Whit Monday (25th)
END = datetime(2026, 6, 1, tzinfo=BERLIN)
REQUESTS = "sum by (namespace, service) (rate(nginx_ingress_controller_requests[5m]))"
OFFICE = (
    WorkloadRef("Deployment", "shop", "web"),
    WorkloadRef("Deployment", "shop", "api"),
    WorkloadRef("StatefulSet", "shop", "db"),
    WorkloadRef("Deployment", "apps", "frontend"),
)
_ENV = {"OFFHOURS_PROMETHEUS__RETRIES": "0", "OFFHOURS_PROMETHEUS__URL": ""}
SETTINGS = Settings(
    slots=WeekSlots(1800, BERLIN),
    margin_slots=1,
    min_window_slots=4,
    min_weeks=2,
    min_saving_joules=0.0,
    holidays=HolidayCalendar("DE"),
)


@dataclass(frozen=True)
class Fleet:
    """The simulation, its Prometheus, and the suggestion read from it in-process."""

    sim: Simulation
    url: str
    result: Suggestion

    def spec_of(self, ref: WorkloadRef) -> object:
        return next(w for w in self.sim.spec.all_workloads() if w.ref == ref)

    def off(self, policy: ProposedPolicy) -> IntervalSet:
        """The policy's off time over the simulated period (holidays included)."""
        unit = policy.units[0]
        assert unit.uptime is not None
        weekly = weekly_intervals(
            unit.uptime.off, SETTINGS.slots, start=self.sim.start, end=self.sim.end
        )
        if policy.holidays is None:
            return weekly
        days = policy.holidays.covered(BERLIN, start=int(self.sim.start), end=int(self.sim.end))
        return weekly.union(days)

    def policy_of(self, ref: WorkloadRef) -> ProposedPolicy | None:
        for p in self.result.policies:
            if any(ref in u.unit.members or u.ref == ref for u in p.units):
                return p
        return None


@pytest.fixture(scope="module")
def fleet(
    prom_binaries: promserver.PromBinaries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    sim = simulate(idleness_fleet(start=START))
    server = reportworld.serve(sim, tmp_path_factory.mktemp("suggest"), prom_binaries)
    try:
        request = SuggestRequest(
            start=START.timestamp(), end=END.timestamp(), settings=SETTINGS, custom=REQUESTS
        )
        with PrometheusClient.from_url(server.url, retries=0) as client:
            result = suggest(client, request)
        yield Fleet(sim, server.url, result)
    finally:
        server.stop()


def test_no_proposed_off_time_overlaps_ground_truth_activity(fleet: Fleet) -> None:
    assert fleet.result.policies
    for policy in fleet.result.policies:
        off = fleet.off(policy)
        for unit in policy.units:
            for member in unit.unit.members:
                spec = next(w for w in fleet.sim.spec.all_workloads() if w.ref == member)
                overlap = off.intersection(active_intervals(fleet.sim.spec, spec)).total()
                assert overlap == 0, f"{policy.name}: {member} off during {overlap} s of activity"
            assert unit.closest.share_inside == 0
            assert unit.closest.minutes is not None
            assert unit.closest.minutes >= 30


def test_covers_the_idle_energy_of_the_office_hours_workloads(fleet: Fleet) -> None:
    sim = fleet.sim
    for ref in OFFICE:
        spec = next(w for w in sim.spec.all_workloads() if w.ref == ref)
        idle = active_intervals(sim.spec, spec).complement(sim.start, sim.end)
        policy = fleet.policy_of(ref)
        assert policy is not None, f"{ref} not proposed"
        covered = fleet.off(policy).intersection(idle)
        share = sim.truth.expected_joules(ref, covered) / sim.truth.expected_joules(ref, idle)
        assert share >= 0.90, f"{ref}: {share:.1%} of its idle energy covered"


def test_projected_savings_match_the_simulation_within_five_percent(fleet: Fleet) -> None:
    sim = fleet.sim
    weeks = (sim.end - sim.start) / (7 * 86400)
    checked = 0
    regular = (START.timestamp(), START.timestamp() + 7 * 86400)  # a week without holidays
    for policy in fleet.result.policies:
        off, span = fleet.off(policy), weeks
        if policy.holidays is not None:  # the projection is of a week without holidays
            off, span = off.clip(*regular), 1.0
        truth = math.fsum(
            sim.truth.expected_joules(member, off) / span
            for unit in policy.units
            for member in unit.unit.members
        )
        projected = policy.projection.joules
        assert projected == pytest.approx(truth, rel=0.05), policy.name
        assert policy.projection.low <= projected <= policy.projection.high
        checked += 1
    assert checked == 4


def test_proposes_nothing_for_the_always_on_service_or_the_weekly_job(fleet: Fleet) -> None:
    verdicts = {v.ref: v for v in fleet.result.verdicts}
    storefront = verdicts[WorkloadRef("Deployment", "live", "storefront")]
    assert storefront.reason is Reason.NEVER_IDLE
    job = verdicts[WorkloadRef("CronJob", "batch", "weekly-report")]
    assert job.reason is not Reason.PROPOSED
    assert fleet.policy_of(job.ref) is None


def test_shapes_of_the_proposed_policies(fleet: Fleet) -> None:
    by_name = {p.name: p for p in fleet.result.policies}
    shop = by_name["shop-offhours"]
    assert shop.namespace_wide
    assert shop.holidays is None
    assert shop.uptime == ("Mon-Fri 06:00-20:30",)
    assert by_name["batch-offhours"].uptime == ("Mon-Sun 00:30-04:30",)
    intranet = by_name["intranet-offhours"]
    assert intranet.holidays is not None
    assert intranet.holidays.country == "DE"
    apps = by_name["apps-offhours"]
    assert [u.ref for u in apps.units] == [WorkloadRef("HelmRelease", "apps", "frontend")]
    assert fleet.result.weeks_observed == 4


def _suggest(fleet: Fleet) -> list[str]:
    """``offhours suggest`` over the simulated month, with the request metric."""
    return [
        "suggest",
        "--prometheus",
        fleet.url,
        "--until",
        END.isoformat(),
        "--time-zone",
        "Europe/Berlin",
        "--activity-metric",
        REQUESTS,
    ]


def _cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), env=_ENV)
    return result.exit_code, result.stdout, result.stderr


def test_written_policies_validate_and_preview_as_proposed(fleet: Fleet, tmp_path: Path) -> None:
    out = tmp_path / "policies"
    code, stdout, stderr = _cli(
        "suggest",
        "--prometheus",
        fleet.url,
        "--until",
        END.isoformat(),
        "--time-zone",
        "Europe/Berlin",
        "--holidays",
        "DE",
        "--activity-metric",
        REQUESTS,
        "--min-saving",
        "0J/week",
        "--format",
        "json",
        "--write",
        str(out),
    )
    assert code == 0, stderr
    document = json.loads(stdout)
    assert document["kind"] == "Suggestion"
    names = sorted(p["name"] for p in document["policies"])
    assert names == sorted(p.name for p in fleet.result.policies)
    assert sorted(f.stem for f in out.glob("*.yaml")) == names
    code, _, stderr = _cli("validate", "--policies", str(out))
    assert code == 0, stderr
    week = ("2026-06-01T00:00:00+02:00", "2026-06-08T00:00:00+02:00")
    code, stdout, stderr = _cli(
        "preview", "--policies", str(out), "--from", week[0], "--to", week[1], "--format", "json"
    )
    assert code == 0, stderr
    previewed = {p["name"]: p for p in json.loads(stdout)["policies"]}
    start, end = (datetime.fromisoformat(t).timestamp() for t in week)
    for policy in fleet.result.policies:
        unit = policy.units[0]
        assert unit.uptime is not None
        expected = weekly_intervals(unit.uptime.off, SETTINGS.slots, start=start, end=end)
        if policy.holidays is not None:
            days = policy.holidays.covered(BERLIN, start=int(start), end=int(end))
            expected = expected.union(days)
        got = IntervalSet(
            (
                datetime.fromisoformat(r["start"]).timestamp(),
                datetime.fromisoformat(r["end"]).timestamp(),
            )
            for r in previewed[policy.name]["off"]
        )
        assert got == expected, policy.name
    # a second run does not overwrite what the first one wrote
    before = {f.name: f.read_text() for f in out.glob("*.yaml")}
    code, _, stderr = _cli(*_suggest(fleet), "--min-saving", "0J", "--write", str(out))
    assert code == 0
    assert "not overwritten" in stderr
    assert {f.name: f.read_text() for f in out.glob("*.yaml")} == before


def test_text_and_markdown_outputs(fleet: Fleet) -> None:
    common = [*_suggest(fleet), "--min-saving", "0.1kWh/week"]
    code, text, stderr = _cli(*common)
    assert code == 0, stderr
    assert "shop-offhours: namespace shop" in text
    assert "never idle long enough" in text
    code, markdown, _ = _cli(*common, "--format", "markdown")
    assert code == 0
    assert markdown.startswith("## Off-hours policies suggested from measured idleness")
    assert "| `shop-offhours` | namespace `shop` | `Mon-Fri 06:00-20:30`" in markdown


def test_not_enough_history_says_how_much_there_is(fleet: Fleet) -> None:
    code, _, stderr = _cli(
        "suggest", "--prometheus", fleet.url, "--until", END.isoformat(), "--since", "9d"
    )
    assert code == 2
    assert "not enough history" in stderr
    assert "9.0 days" in stderr
    assert "2 weeks" in stderr


def test_unreachable_prometheus_exits_2() -> None:
    code, _, stderr = _cli("suggest", "--prometheus", "http://127.0.0.1:9", "--since", "14d")
    assert code == 2
    assert "127.0.0.1:9" in stderr
