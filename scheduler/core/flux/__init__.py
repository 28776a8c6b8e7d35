"""Flux awareness, pure: revisions, "has Flux applied commit X?", ownership, delivery warnings.

The Kubernetes adapter supplies ``FluxObject``/``LiveWorkload`` observations
(``scheduler.core.observations``); these modules judge them. Nothing here does I/O or reads
the clock.

- ``revision``: RFC-0005 revision strings (the digest follows the last ``@``).
- ``applied``: ``check_applied`` / ``check_reconciled``; the ``requestedAt`` annotation value.
- ``inventory``: inventory ids and the Kustomization(s) that own a target.
- ``delivery``: ``delivery_warnings`` (with ``sources``, ``paths``, ``selectors``, ``findings``).
"""

from __future__ import annotations

from scheduler.core.flux.applied import (
    REQUESTED_AT_ANNOTATION,
    ApplyCheck,
    ApplyStatus,
    check_applied,
    check_reconciled,
    reconcile_patch,
    requested_at,
)
from scheduler.core.flux.delivery import DeliveryContext, delivery_warnings
from scheduler.core.flux.findings import DeliveryWarning, Severity, WarningCode
from scheduler.core.flux.inventory import owners, parse_inventory_id
from scheduler.core.flux.revision import Revision, parse_revision
from scheduler.core.flux.sources import PushTarget

__all__ = [
    "REQUESTED_AT_ANNOTATION",
    "ApplyCheck",
    "ApplyStatus",
    "DeliveryContext",
    "DeliveryWarning",
    "PushTarget",
    "Revision",
    "Severity",
    "WarningCode",
    "check_applied",
    "check_reconciled",
    "delivery_warnings",
    "owners",
    "parse_inventory_id",
    "parse_revision",
    "reconcile_patch",
    "requested_at",
]
