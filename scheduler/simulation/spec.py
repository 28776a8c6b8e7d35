"""What to simulate: workloads, their load pattern and power, policies, nodes, Prometheus.

All values are plain frozen dataclasses with documented units; ``SimulationSpec.demo()``
returns a ready-made fleet. Nothing here generates data (``engine`` does).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.core.intervals import IntervalSet
from scheduler.core.kepler.releases import FLUX_LABELS
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "FLUX_CONTROLLERS",
    "CronSpec",
    "LoadShape",
    "PolicySpec",
    "SimulationSpec",
    "WorkloadSpec",
]

FLUX_CONTROLLERS = (
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
)
KINDS = ("Deployment", "StatefulSet", "CronJob")


@dataclass(frozen=True)
class LoadShape:
    """Fraction (0..1) of a pod's ``peak_watts`` in use, by local time.

    Office ``days`` (0 = Monday; default Monday to Friday): ``night`` outside office hours,
    rising to ``office`` between ``office_start`` and ``office_end`` (local hours) with cosine
    ramps of ``ramp_hours`` on either side. Other days: ``weekend`` all day. The workload is
    *active* (ground truth of ``offhours suggest``) wherever the ramp has begun
    (``active_hours``), and all of the other days when ``weekend`` is above ``night``.
    """

    night: float = 0.05
    office: float = 0.6
    weekend: float = 0.05
    office_start: float = 8.0
    office_end: float = 18.0
    ramp_hours: float = 1.5
    days: tuple[int, ...] = (0, 1, 2, 3, 4)

    def __post_init__(self) -> None:
        for name in ("night", "office", "weekend"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"load {name} must be within [0, 1], got {value}")
        if not 0 <= self.office_start - self.ramp_hours < self.office_end + self.ramp_hours <= 24:
            raise ValueError("office hours and ramps must fit within one day")

    def at(self, hour_of_week: float) -> float:
        """The load at a local hour of the week (0.0 = Monday 00:00)."""
        if int(hour_of_week // 24.0) not in self.days:
            return self.weekend
        hod = hour_of_week % 24.0
        up, down = self.active_hours
        if hod <= up or hod >= down:
            bump = 0.0
        elif self.office_start <= hod <= self.office_end:
            bump = 1.0
        elif hod < self.office_start:
            bump = 0.5 - 0.5 * math.cos(math.pi * (hod - up) / self.ramp_hours)
        else:
            bump = 0.5 - 0.5 * math.cos(math.pi * (down - hod) / self.ramp_hours)
        return self.night + (self.office - self.night) * bump

    @property
    def active_hours(self) -> tuple[float, float]:
        """Local hours of an office day from the first rise of the load to its return."""
        return self.office_start - self.ramp_hours, self.office_end + self.ramp_hours


FLAT = LoadShape(night=0.1, office=0.1, weekend=0.1)


@dataclass(frozen=True)
class CronSpec:
    """A CronJob: a Job every ``period_seconds`` (at Unix multiples of it plus
    ``offset_seconds``; a weekly job at 03:00 UTC on Sundays is ``period_seconds=604800,
    offset_seconds=3*86400+3*3600``: the epoch is a Thursday), running ``job_seconds``."""

    period_seconds: float = 3600.0
    job_seconds: float = 600.0
    job_load: float = 0.8
    offset_seconds: float = 0.0

    def __post_init__(self) -> None:
        if not 0 < self.job_seconds < self.period_seconds:
            raise ValueError("a CronJob's job must be shorter than its period")


@dataclass(frozen=True)
class WorkloadSpec:
    """One workload and its power model (per pod, CPU package zone; DRAM is a ratio of it).

    ``flux_owner``: the HelmRelease or Kustomization that renders it; kube-state-metrics then
    exports its Flux labels (``kube_<kind>_labels``). ``pod_seconds``: ephemeral pods (CI
    runners): each pod lives a uniform random time in ``(low, high)`` seconds and a new pod
    replaces it at once (instead of ``restarts_per_day``); Deployments only.

    Activity (cAdvisor series, ``SimulationSpec.cadvisor``): a pod uses ``idle_cores`` plus
    ``cpu_cores`` x load, and receives ``probe_bytes`` per second (kubelet probes, scrapes)
    plus ``peak_bytes`` x load (above the night level: ``scheduler.simulation.activity``).
    ``holidays`` (``DE`` or ``DE-BE``): on those public holidays the load is the ``weekend``
    level all day. Requests (an ingress counter): ``peak_requests_per_second`` x busy, plus
    ``requests_per_second`` at every hour (such a workload is never idle), each
    ``request_bytes`` received and ``request_cpu_seconds`` of CPU.
    """

    kind: str
    namespace: str
    name: str
    policy: str | None = None
    replicas: int = 1
    base_watts: float = 0.8
    peak_watts: float = 4.0
    dram_ratio: float = 0.12
    load: LoadShape = field(default_factory=LoadShape)
    noise: float = 0.15
    daily_sd: float = 0.05
    restarts_per_day: float = 0.5
    missed_sleep: float = 0.0
    cron: CronSpec | None = None
    flux_owner: WorkloadRef | None = None
    pod_seconds: tuple[float, float] | None = None
    holidays: str | None = None
    cpu_cores: float = 0.5
    idle_cores: float = 0.004
    probe_bytes: float = 150.0
    peak_bytes: float = 20000.0
    requests_per_second: float = 0.0
    peak_requests_per_second: float = 0.0
    request_bytes: float = 4000.0
    request_cpu_seconds: float = 0.02

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"workload kind {self.kind!r} not simulated; expected one of {KINDS}")
        if (self.kind == "CronJob") != (self.cron is not None):
            raise ValueError(
                f"{self.ref}: a CronJob needs a CronSpec, other kinds must not have one"
            )
        if not 0.0 <= self.noise <= 0.3 or not 0.0 <= self.daily_sd <= 0.3:
            raise ValueError(f"{self.ref}: noise and daily_sd must be within [0, 0.3]")
        if self.replicas < 1 or self.base_watts < 0 or self.peak_watts < 0:
            raise ValueError(f"{self.ref}: replicas >= 1 and non-negative watts expected")
        if self.flux_owner is not None and self.flux_owner.kind not in FLUX_LABELS:
            raise ValueError(f"{self.ref}: a flux_owner is a {' or '.join(FLUX_LABELS)}")
        if self.pod_seconds is not None and (
            self.kind != "Deployment" or not 0 < self.pod_seconds[0] <= self.pod_seconds[1]
        ):
            raise ValueError(
                f"{self.ref}: pod_seconds must be (low, high) with 0 < low <= high, "
                "for a Deployment"
            )

    @property
    def ref(self) -> WorkloadRef:
        """The workload's identity."""
        return WorkloadRef(self.kind, self.namespace, self.name)


@dataclass(frozen=True)
class PolicySpec:
    """Off every weekday night from ``sleep`` to ``wake`` (local), and all weekend if asked."""

    name: str
    sleep: time = time(20, 0)
    wake: time = time(7, 0)
    weekends: bool = True


def _quiet(namespace: str, name: str) -> WorkloadSpec:
    return WorkloadSpec(
        "Deployment",
        namespace,
        name,
        base_watts=0.03,
        peak_watts=0.2,
        load=FLAT,
        restarts_per_day=0.02,
    )


def _flux() -> tuple[WorkloadSpec, ...]:
    flux = tuple(_quiet("flux-system", name) for name in FLUX_CONTROLLERS)
    return (*flux, _quiet("offhours", "offhours"))


@dataclass(frozen=True)
class SimulationSpec:
    """A whole simulated cluster over ``days`` from ``start``.

    Before ``adoption`` (default: the start) every workload is always on: that is the history
    an hour-of-week baseline needs. From it on, each workload with a policy is scaled to zero in
    the policy's off windows: Flux applies the commit after ``flux_delay`` seconds, pods keep
    running for ``shutdown_tail`` seconds more, and after the wake they draw full power for
    ``startup_seconds``. Prometheus misses all scrapes in ``gaps_per_day`` outages of
    ``gap_minutes`` each, and Kepler restarts ``kepler_restarts`` times (counters reset).
    When every policy is off, ``removable_nodes`` extra nodes are removed after
    ``node_scale_down_delay`` seconds and replaced (new names) at the next wake.
    """

    start: datetime
    days: float
    workloads: tuple[WorkloadSpec, ...]
    policies: tuple[PolicySpec, ...]
    tz: str = "Europe/Berlin"
    adoption: datetime | None = None
    scrape_interval: float = 30.0
    seed: int = 0
    flux_delay: float = 60.0
    shutdown_tail: float = 45.0
    pod_start_delay: float = 15.0
    startup_seconds: float = 120.0
    gaps_per_day: float = 0.5
    gap_minutes: tuple[float, float] = (2.0, 40.0)
    kepler_restarts: int = 1
    nodes: int = 3
    removable_nodes: int = 0
    node_scale_down_delay: float = 600.0
    node_idle_watts: float = 40.0
    node_dram_idle_watts: float = 6.0
    node_system_watts: float = 2.0
    flux: bool = True
    #: also generate cAdvisor CPU and network counters per pod (``offhours suggest``'s input)
    cadvisor: bool = False
    #: intended off windows per workload (e.g. read from offhours' commit ledger); when set,
    #: they replace the windows of the workloads' ``policies`` (which then only name them)
    intended: Mapping[WorkloadRef, IntervalSet] | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is None:
            raise ValueError("simulation start must be timezone-aware")
        if self.days <= 0 or self.scrape_interval <= 0 or self.nodes < 1:
            raise ValueError("days, scrape_interval and nodes must be positive")
        names = {p.name for p in self.policies}
        for w in self.workloads:
            if w.policy is not None and w.policy not in names:
                raise ValueError(f"{w.ref}: unknown policy {w.policy!r}")
        ZoneInfo(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        """The policies' (and office hours') time zone."""
        return ZoneInfo(self.tz)

    @property
    def start_ts(self) -> float:
        """Start as Unix seconds."""
        return self.start.timestamp()

    @property
    def end_ts(self) -> float:
        """End as Unix seconds."""
        return self.start_ts + self.days * 86400.0

    @property
    def adoption_ts(self) -> float:
        """When offhours starts switching workloads off (Unix seconds)."""
        return self.start_ts if self.adoption is None else self.adoption.timestamp()

    def all_workloads(self) -> tuple[WorkloadSpec, ...]:
        """The workloads plus, if ``flux``, the Flux controllers and the offhours Deployment."""
        return (*self.workloads, *(_flux() if self.flux else ()))

    @classmethod
    def demo(cls, *, start: datetime, days: float = 30.0, workloads: int = 12) -> SimulationSpec:
        """A mixed dev/staging fleet: two policies, Deployments, StatefulSets and a CronJob."""
        specs: list[WorkloadSpec] = []
        for i in range(workloads):
            ns = ("dev", "staging")[i % 2]
            if i % 6 == 5:
                specs.append(
                    WorkloadSpec(
                        "CronJob", ns, f"batch-{i}", policy=f"{ns}-nights", cron=CronSpec()
                    )
                )
                continue
            kind = "StatefulSet" if i % 4 == 3 else "Deployment"
            specs.append(
                WorkloadSpec(
                    kind,
                    ns,
                    f"app-{i}",
                    policy=f"{ns}-nights",
                    replicas=1 + i % 3,
                    base_watts=0.5 + 0.1 * (i % 5),
                    peak_watts=2.0 + 0.5 * (i % 7),
                )
            )
        policies = (PolicySpec("dev-nights"), PolicySpec("staging-nights", sleep=time(21, 0)))
        adoption = start + timedelta(days=min(14.0, days / 2))
        return cls(
            start=start,
            days=days,
            workloads=tuple(specs),
            policies=policies,
            adoption=adoption,
            removable_nodes=1,
        )
