"""The validated policy: frozen values the planner, daemon, preview and reports read.

A ``Policy`` is only built from a document that had no errors (see ``loader``). Instants are
Unix seconds; local dates and wall-clock windows stay local and are turned into instants by
``scheduler.core.schedule`` for each range asked about.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from scheduler.core.calendar import DayRange, HolidayCalendar
from scheduler.core.changes import Scalar
from scheduler.core.cron import CronSpec
from scheduler.core.windows import Window
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "API_VERSION",
    "DEFAULT_KINDS",
    "KIND",
    "CronSchedule",
    "FieldPath",
    "Location",
    "Override",
    "Policy",
    "RenderedRule",
    "Schedule",
    "ScheduleForm",
    "Selector",
    "State",
    "TargetAction",
    "WindowSchedule",
]

API_VERSION = "offhours.dev/v1alpha1"
KIND = "OffHoursPolicy"
DEFAULT_KINDS = ("Deployment", "StatefulSet", "CronJob")


class State(enum.StrEnum):
    """Whether a policy's targets are running (``on``) or asleep (``off``)."""

    ON = "on"
    OFF = "off"


class ScheduleForm(enum.StrEnum):
    """Which of the three schedule forms a policy uses."""

    UPTIME = "uptime"
    DOWNTIME = "downtime"
    CRON = "cron"


class TargetAction(enum.StrEnum):
    """How a selected object is put to sleep (the default depends on its kind)."""

    SCALE = "scale"
    SUSPEND = "suspend"
    VALUES = "values"
    PAUSE = "pause"
    FIELD = "field"


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """Where something was written: 1-based line and column in ``path``."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class WindowSchedule:
    """``uptime`` (targets on inside the windows) or ``downtime`` (off inside them).

    ``constant`` is set for the keywords: ``True`` for ``always``, ``False`` for ``never``
    (then ``windows`` is empty).
    """

    form: ScheduleForm
    windows: tuple[Window, ...]
    constant: bool | None = None


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """Off from each ``sleep`` fire until the next ``wake`` fire, in ``zone``."""

    sleep: CronSpec
    wake: CronSpec
    zone: str

    @property
    def form(self) -> ScheduleForm:
        """Always ``ScheduleForm.CRON``."""
        return ScheduleForm.CRON


Schedule = WindowSchedule | CronSchedule


@dataclass(frozen=True, slots=True)
class Override:
    """Force ``state`` on ``[start, until)`` (``start`` ``None``: since the beginning of time).

    With ``targets`` the override applies to those objects only (``offhours wake TARGET``);
    without, to every target of the policy.
    """

    state: State
    start: int | None
    until: int
    reason: str
    location: Location
    targets: tuple[WorkloadRef, ...] = ()

    def active(self, at: float) -> bool:
        """Whether the override is in force at ``at``."""
        return (self.start is None or self.start <= at) and at < self.until


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A dot path into an object (``spec.minRunners``); ``["a.b"]`` quotes a dotted key."""

    text: str
    segments: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class RenderedRule:
    """One ``renderedFields`` entry: while asleep, set ``field`` to ``sleep_value`` on every
    object of ``kind`` (and API ``group``) that a HelmRelease renders or a Kustomization
    applies."""

    kind: str
    field: FieldPath
    sleep_value: Scalar
    group: str = ""


@dataclass(frozen=True, slots=True)
class Selector:
    """One ``targets`` or ``exclude`` entry. Empty tuples mean "any"."""

    location: Location
    kinds: tuple[str, ...] = DEFAULT_KINDS
    namespaces: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    paths: tuple[str, ...] = ()
    action: TargetAction | None = None
    values_path: FieldPath | None = None
    field: FieldPath | None = None
    sleep_value: Scalar = None
    sleep_replicas: int | None = None
    #: ``renderedKinds``: the rendered kinds ``scale`` turns off on a HelmRelease or
    #: Kustomization (None: all it knows)
    rendered_kinds: tuple[str, ...] | None = None
    rendered_fields: tuple[RenderedRule, ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """One valid ``OffHoursPolicy``."""

    name: str
    location: Location
    zone: str
    schedule: Schedule
    targets: tuple[Selector, ...]
    exclude: tuple[Selector, ...] = ()
    off_days: tuple[DayRange, ...] = ()
    on_days: tuple[DayRange, ...] = ()
    holidays: HolidayCalendar | None = None
    overrides: tuple[Override, ...] = ()
    enabled: bool = True
    sleep_replicas: int = 0

    @property
    def file(self) -> str:
        """The file the policy was read from."""
        return self.location.path

    def sleep_replicas_for(self, selector: Selector) -> int:
        """Replicas while asleep for objects of ``selector`` (its own value, else the policy's)."""
        return self.sleep_replicas if selector.sleep_replicas is None else selector.sleep_replicas
