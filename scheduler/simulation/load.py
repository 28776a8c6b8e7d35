"""A workload's load (0..1 of its peak) in every interval of the timeline, and when it is active.

The load is the workload's ``LoadShape`` at the interval's local midpoint; on the public
holidays of ``WorkloadSpec.holidays`` it is the shape's ``weekend`` level all day. A CronJob's
Jobs run at ``job_load``. *Active* (the ground truth of ``offhours suggest``) is every instant
the workload does real work: its office-day hours from the first rise of the load (holidays
excepted), whole other days when their level is above the night's, every Job, and all of the
time for a workload with Poisson requests.
"""

from __future__ import annotations

from array import array
from datetime import date, datetime, time, timedelta

from scheduler.core.calendar import HolidayCalendar
from scheduler.core.intervals import IntervalSet
from scheduler.simulation import lives
from scheduler.simulation.spec import SimulationSpec, WorkloadSpec
from scheduler.simulation.timeline import Timeline

__all__ = ["active_intervals", "holiday_dates", "load_per_interval"]


def holiday_dates(w: WorkloadSpec, *, first: date, last: date) -> frozenset[date]:
    """The workload's public holidays in ``first..last`` (none without ``holidays``)."""
    if not w.holidays:
        return frozenset()
    country, _, subdivision = w.holidays.partition("-")
    return frozenset(HolidayCalendar(country, subdivision or None).names(first, last))


def load_per_interval(w: WorkloadSpec, tl: Timeline) -> array[float]:
    """Load of one pod (or running Job) in every interval."""
    if w.cron is not None:
        return array("d", [w.cron.job_load]) * tl.count
    shape = w.load
    first, last = date.fromordinal(tl.local_day[0]), date.fromordinal(tl.local_day[-1])
    off = {d.toordinal() for d in holiday_dates(w, first=first, last=last)}
    return array(
        "d",
        (
            shape.weekend if day in off else shape.at(h)
            for h, day in zip(tl.hour_of_week, tl.local_day, strict=True)
        ),
    )


def _days(spec: SimulationSpec) -> list[date]:
    zone = spec.zone
    first = datetime.fromtimestamp(spec.start_ts, zone).date() - timedelta(days=1)
    last = datetime.fromtimestamp(spec.end_ts, zone).date() + timedelta(days=1)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _at(day: date, hours: float, spec: SimulationSpec) -> float:
    midnight = datetime.combine(day, time(0), tzinfo=spec.zone)
    return (midnight + timedelta(hours=hours)).timestamp()


def active_intervals(spec: SimulationSpec, w: WorkloadSpec) -> IntervalSet:
    """When the workload did real work within the simulation (see the module docstring)."""
    if w.requests_per_second > 0:
        return IntervalSet.of(spec.start_ts, spec.end_ts)
    if w.cron is not None:
        return lives.counterfactual_lives(spec, w)
    shape, days = w.load, _days(spec)
    off = holiday_dates(w, first=days[0], last=days[-1])
    up, down = shape.active_hours
    pieces = []
    for day in days:
        if day in off or day.weekday() not in shape.days:
            if shape.weekend > shape.night and day not in off:
                pieces.append((_at(day, 0.0, spec), _at(day, 24.0, spec)))
            continue
        pieces.append((_at(day, up, spec), _at(day, down, spec)))
    return IntervalSet(pieces).clip(spec.start_ts, spec.end_ts)
