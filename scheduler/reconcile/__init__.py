"""The reconcile step shared by the CLI and the daemon: observe, plan, apply, report.

- ``workspace``: read a checkout (policies and manifests) and plan it at an instant;
- ``apply``: plan, edit, commit and push once, re-planning on top of a moved remote;
- ``cycle``: one daemon cycle (apply at now) and what the loop needs to know afterwards.

This is the only glue between the pure core and the adapters.
"""

from __future__ import annotations

from scheduler.reconcile.applier import ApplyOutcome, apply
from scheduler.reconcile.cycle import CycleReport, FluxView, Reconciler
from scheduler.reconcile.workspace import (
    Workspace,
    load_workspace,
    plan_workspace,
    read_policies,
    write_plan,
)

__all__ = [
    "ApplyOutcome",
    "CycleReport",
    "FluxView",
    "Reconciler",
    "Workspace",
    "apply",
    "load_workspace",
    "plan_workspace",
    "read_policies",
    "write_plan",
]
