"""The reconcile step shared by the CLI and the daemon: observe, plan, apply, report.

- ``workspace``: read a checkout (policies and manifests) and plan it at an instant;
- ``apply``: plan, edit, commit and push once, re-planning on top of a moved remote;
- ``cycle``: one daemon cycle (apply at now) and what the loop needs to know afterwards.

This is the only glue between the pure core and the adapters. The names below are imported
from their modules on first use, so importing one module of the package (``offhours
validate`` reads policies through ``workspace``) does not load git and the rest.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scheduler.reconcile.applier import ApplyOutcome, apply
    from scheduler.reconcile.cycle import CycleReport, FluxView, Reconciler
    from scheduler.reconcile.workspace import (
        Workspace,
        load_and_plan,
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
    "load_and_plan",
    "load_workspace",
    "plan_workspace",
    "read_policies",
    "write_plan",
]

_MODULE_OF = {
    "ApplyOutcome": "applier",
    "apply": "applier",
    "CycleReport": "cycle",
    "FluxView": "cycle",
    "Reconciler": "cycle",
    "Workspace": "workspace",
    "load_and_plan": "workspace",
    "load_workspace": "workspace",
    "plan_workspace": "workspace",
    "read_policies": "workspace",
    "write_plan": "workspace",
}


def __getattr__(name: str) -> object:
    """``scheduler.reconcile.<name>``, imported from its module on first use."""
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
