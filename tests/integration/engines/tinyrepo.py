"""A tiny fleet repository on disk that offhours' planner puts to sleep and wakes.

The files are read and written with the workspace adapter, the policies under ``policies/``
loaded and the rest indexed, then ``planner.plan`` decides: the path ``offhours apply
--no-push`` takes, without Git. The policy is off at ``NIGHT`` and on at ``DAY``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from textwrap import indent
from typing import Any

import yaml

from scheduler.adapters import workspace as files
from scheduler.core import planner
from scheduler.core.manifests import build_index
from scheduler.core.policy import load_policies

__all__ = ["DATA", "DAY", "NIGHT", "TinyRepo", "policy"]

DATA = Path(__file__).resolve().parents[2] / "data" / "engines"
# Tuesday 2026-12-01: 23:00 in Berlin (outside the uptime window), then 12:00 (inside it).
NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=UTC).timestamp()
DAY = datetime(2026, 12, 1, 11, 0, tzinfo=UTC).timestamp()
_POLICY = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {{name: dev-nights}}
spec:
  timeZone: Europe/Berlin
  uptime: "Mon-Fri 08:00-19:00"
  sleepReplicas: {replicas}
  targets:
    - kinds: [{kind}]
{extra}"""


def policy(*, kind: str, replicas: int, target: str = "") -> str:
    """A policy off at ``NIGHT`` selecting every object of ``kind``; ``target`` adds keys
    (YAML lines) to its target entry."""
    extra = indent(target.rstrip("\n") + "\n", " " * 6) if target else ""
    return _POLICY.format(kind=kind, replicas=replicas, extra=extra)


@dataclass(frozen=True, slots=True)
class TinyRepo:
    """A repository folder: manifests anywhere, policies under ``policies/``."""

    root: Path

    def write(self, rel: str, text: str) -> None:
        """Write ``text`` to the file ``rel`` (folders created)."""
        (self.root / rel).parent.mkdir(parents=True, exist_ok=True)
        files.write_text(self.root / rel, text)

    def text(self, rel: str) -> str:
        """The file ``rel`` exactly as on disk."""
        return (self.root / rel).read_bytes().decode("utf-8")

    def manifest(self, rel: str, kind: str) -> dict[str, Any]:
        """The object of ``kind`` in the file ``rel``, parsed."""
        (found,) = [d for d in yaml.safe_load_all(self.text(rel)) if d and d["kind"] == kind]
        return dict(found)

    def plan(self, at: float) -> planner.Plan:
        """What offhours plans at ``at``."""
        found, unreadable = files.read_yaml_files(self.root)
        assert not unreadable, unreadable
        policies = [(f.rel, f.text) for f in found if f.rel.startswith("policies/")]
        load = load_policies(policies, now=at)
        assert not load.errors, load.errors
        index = build_index((f.rel, f.text) for f in found if not f.rel.startswith("policies/"))
        return planner.plan(load.policies, index, at=at)

    def apply(self, at: float) -> planner.Plan:
        """Plan at ``at`` and write every changed file, as ``offhours apply`` does."""
        plan = self.plan(at)
        assert not plan.refused, plan.refused
        for edit in plan.changed_files:
            files.write_text(self.root / edit.path, edit.new_text)
        return plan
