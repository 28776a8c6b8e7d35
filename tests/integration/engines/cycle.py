"""One night and the next day of a Flux object in a tiny repository, rendered at each step.

``run_cycle`` renders the object as its controller would, lets offhours' planner put it to
sleep (``NIGHT``), renders again, lets it wake it (``DAY``) and renders a third time.
``asleep_form`` is what the sleep patches must make of an awake object; ``assert_asleep``
checks a whole render against it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scheduler.core import planner
from tests.integration.engines.flux import Key, objects
from tests.integration.engines.tinyrepo import DAY, NIGHT, TinyRepo

__all__ = ["Cycle", "Render", "Rule", "asleep_form", "assert_asleep", "run_cycle"]

PAUSED = "autoscaling.keda.sh/paused-replicas"
REPLICATED = ("Deployment", "StatefulSet", "ReplicaSet")
#: ``(kind, keys, value)``: a ``renderedFields`` rule as the render must show it
Rule = tuple[str, tuple[str, ...], object]
#: Renders a parsed Flux object in an empty scratch folder
Render = Callable[[Mapping[str, Any], Path], str]


@dataclass(slots=True)
class Cycle:
    """File texts, plans and renders of one night and day."""

    original: str
    awake: str
    night: planner.Plan
    asleep_file: str
    asleep: str
    day: planner.Plan
    woken_file: str
    woken: str
    parsed: dict[str, dict[Key, dict[str, Any]]] = field(default_factory=dict)

    def objects(self, which: str) -> dict[Key, dict[str, Any]]:
        """The objects of the ``awake``, ``asleep`` or ``woken`` render."""
        if which not in self.parsed:
            self.parsed[which] = objects(getattr(self, which))
        return self.parsed[which]


def run_cycle(repo: TinyRepo, rel: str, kind: str, *, render: Render, work: Path) -> Cycle:
    """The cycle of the object of ``kind`` in the file ``rel`` of ``repo``."""

    def rendered(step: str) -> str:
        (work / step).mkdir()
        return render(repo.manifest(rel, kind), work / step)

    original, awake = repo.text(rel), rendered("awake")
    night = repo.apply(NIGHT)
    asleep_file, asleep = repo.text(rel), rendered("asleep")
    day = repo.apply(DAY)
    woken_file, woken = repo.text(rel), rendered("woken")
    return Cycle(original, awake, night, asleep_file, asleep, day, woken_file, woken)


def asleep_form(obj: Mapping[str, Any], replicas: int, rules: tuple[Rule, ...]) -> dict[str, Any]:
    """The awake object ``obj`` as the sleep patches leave it."""
    out = copy.deepcopy(dict(obj))
    kind = obj["kind"]
    if kind in REPLICATED:
        out["spec"]["replicas"] = replicas
    elif kind == "CronJob":
        out["spec"]["suspend"] = True
    elif kind == "ScaledObject":
        out["metadata"].setdefault("annotations", {})[PAUSED] = str(replicas)
    for rule_kind, keys, value in rules:
        if kind == rule_kind:
            parent = out
            for key in keys[:-1]:
                parent = parent.setdefault(key, {})
            parent[keys[-1]] = value
    return out


def assert_asleep(
    run: Cycle, *, changed: frozenset[Key], replicas: int, rules: tuple[Rule, ...] = ()
) -> None:
    """The asleep render is the awake one with exactly the objects ``changed`` put to sleep."""
    awake, asleep = run.objects("awake"), run.objects("asleep")
    assert changed <= set(awake), f"nothing rendered {sorted(changed - set(awake))}"
    assert set(asleep) == set(awake)
    for key, obj in awake.items():
        expected = asleep_form(obj, replicas, rules) if key in changed else obj
        assert asleep[key] == expected, key
