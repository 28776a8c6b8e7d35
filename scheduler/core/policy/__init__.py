"""Off-hours policies: the ``OffHoursPolicy`` document, read and validated with positions.

``load_policies(sources, now=...)`` turns ``(path, text)`` pairs into valid ``Policy`` values
plus ``Diagnostic``s; ``scheduler.core.schedule`` evaluates a ``Policy`` over time.
"""

from __future__ import annotations

from scheduler.core.policy.loader import PolicyLoad, Rejected, load_policies
from scheduler.core.policy.model import (
    API_VERSION,
    DEFAULT_KINDS,
    KIND,
    CronSchedule,
    FieldPath,
    Location,
    Override,
    Policy,
    RenderedRule,
    Schedule,
    ScheduleForm,
    Selector,
    State,
    TargetAction,
    WindowSchedule,
)
from scheduler.core.policy.selectors import matches, parse_field_path, select

__all__ = [
    "API_VERSION",
    "DEFAULT_KINDS",
    "KIND",
    "CronSchedule",
    "FieldPath",
    "Location",
    "Override",
    "Policy",
    "PolicyLoad",
    "Rejected",
    "RenderedRule",
    "Schedule",
    "ScheduleForm",
    "Selector",
    "State",
    "TargetAction",
    "WindowSchedule",
    "load_policies",
    "matches",
    "parse_field_path",
    "select",
]
