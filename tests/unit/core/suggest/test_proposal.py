"""Proposals: units with nearly the same windows share one namespace-wide policy, HelmReleases
are targeted by name with ``action: scale``, ``--min-saving`` applies per policy, a workload
never active is listed and not scheduled; the written YAML passes ``offhours validate``."""

from __future__ import annotations

import random
from array import array
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner

from scheduler.cli import main
from scheduler.core.energy.conversions import ConversionFactors
from scheduler.core.energy.grid import EnergyGrid
from scheduler.core.suggest.idleness import Signal, UnitActivity
from scheduler.core.suggest.policyfile import policy_yaml
from scheduler.core.suggest.proposal import Reason, Settings, Suggestion, propose
from scheduler.core.suggest.weekslots import WeekSlots, cell_map
from scheduler.core.workloads import WorkloadRef

UTC = ZoneInfo("UTC")
SLOTS = WeekSlots(3600, UTC)
MONDAY = datetime(2026, 5, 4, tzinfo=UTC).timestamp()
WEEKS = 3


def _values(busy: set[int], *, idle: float, active: float, seed: int) -> array[float]:
    rng = random.Random(seed)
    return array(
        "d",
        (
            (active if i % 168 in busy else idle) * (1 + 0.03 * rng.gauss(0, 1))
            for i in range(WEEKS * 168)
        ),
    )


def _office(first: int, last: int) -> set[int]:
    return {d * 24 + h for d in range(5) for h in range(first, last)}


def _unit(ref: WorkloadRef, busy: set[int], *, home: str | None = None) -> UnitActivity:
    members = (
        (ref,) if ref.kind != "HelmRelease" else (WorkloadRef("Deployment", home or "", ref.name),)
    )
    cpu = _values(busy, idle=0.01, active=0.3, seed=len(ref.name))
    return UnitActivity(ref, home or ref.namespace, members, (Signal("cpu", cpu),))


def _power(busy: set[int], watts: float) -> EnergyGrid:
    joules = _values(busy, idle=watts * 3600, active=5 * watts * 3600, seed=3)
    return EnergyGrid(MONDAY, 3600.0, joules)


def _propose(units: list[UnitActivity], *, min_saving: float = 0.0) -> Suggestion:
    settings = Settings(
        SLOTS, margin_slots=1, min_window_slots=2, min_weeks=2, min_saving_joules=min_saving
    )
    cells = cell_map(SLOTS, start=MONDAY, step=3600, steps=WEEKS * 168)
    power = {u.unit: _power(_office(8, 18), 2.0) for u in units}
    verdicts, policies = propose(units, power, settings=settings, cells=cells, power_cells=cells)
    return Suggestion(
        settings, MONDAY, MONDAY + WEEKS * 7 * 86400, verdicts, policies, signals=("cpu",)
    )


WEB = WorkloadRef("Deployment", "shop", "web")
DB = WorkloadRef("StatefulSet", "shop", "db")
FRONT = WorkloadRef("HelmRelease", "flux-apps", "front")


def test_nearly_equal_windows_share_one_namespace_wide_policy() -> None:
    result = _propose([_unit(WEB, _office(8, 18)), _unit(DB, _office(8, 19))])
    assert len(result.policies) == 1
    policy = result.policies[0]
    assert policy.name == "shop-offhours"
    assert policy.namespace_wide
    assert policy.uptime == ("Mon-Fri 07:00-20:00",)
    assert {u.ref for u in policy.units} == {WEB, DB}


def test_a_helmrelease_is_targeted_by_name_with_scale(tmp_path: Path) -> None:
    result = _propose([_unit(FRONT, _office(8, 18), home="apps")])
    policy = result.policies[0]
    assert policy.name == "apps-offhours"
    assert not policy.namespace_wide
    text = policy_yaml(policy, result, ConversionFactors())
    assert "      names: [front]\n      action: scale\n" in text
    (tmp_path / "p.yaml").write_text(text)
    outcome = CliRunner().invoke(main, ["validate", "--policies", str(tmp_path)])
    assert outcome.exit_code == 0, outcome.output


def test_min_saving_applies_per_policy() -> None:
    units = [_unit(WEB, _office(8, 18)), _unit(DB, _office(8, 18))]
    together = _propose(units).policies[0].projection.joules
    assert _propose(units, min_saving=together * 0.9).policies
    small = _propose(units, min_saving=together * 1.1)
    assert not small.policies
    assert {v.reason for v in small.verdicts} == {Reason.BELOW_MIN_SAVING}


def test_a_workload_never_active_is_listed_not_scheduled() -> None:
    result = _propose([_unit(WEB, set())])
    assert not result.policies
    assert result.verdicts[0].reason is Reason.NEVER_ACTIVE


def test_a_workload_never_idle_gets_nothing() -> None:
    result = _propose([_unit(WEB, set(range(168)))])
    assert not result.policies
    assert result.verdicts[0].reason in {Reason.NEVER_ACTIVE, Reason.NEVER_IDLE}
