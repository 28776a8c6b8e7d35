"""The terminal preview: a calendar grid per policy, totals and the next transitions.

One row per local day in the policy zone, one column per half hour (48 columns), so a policy
fits an 80-column terminal; notes (holidays, onDays/offDays, overrides) go to the right.
"""

from __future__ import annotations

import textwrap

from scheduler.core import zones
from scheduler.core.instants import format_utc
from scheduler.core.policy.model import CronSchedule, Policy
from scheduler.core.preview.days import DayRow, day_rows, local_label
from scheduler.core.preview.model import PolicyPreview, Preview
from scheduler.core.preview.savings import PolicySavings
from scheduler.core.workloads import WorkloadRef

__all__ = ["FULL", "NONE", "ON", "PARTLY", "render_text", "schedule_summary"]

FULL = "█"
PARTLY = "▒"
ON = "·"
NONE = " "
HEADER = "".join(f"{hour:02d}  " for hour in range(0, 24, 2)).rstrip()
LEGEND = f"{FULL} off  {PARTLY} partly off  {ON} on  (blank: outside the range, or skipped by DST)"
MAX_TRANSITIONS = 8
WIDTH = 120
_LABEL = 16  # "Mon 2026-12-21  "


def _cell(fraction: float | None) -> str:
    if fraction is None:
        return NONE
    if fraction >= 1:
        return FULL
    return PARTLY if fraction > 0 else ON


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.1f} h"


def schedule_summary(policy: Policy) -> str:
    """A one-line description of what decides the policy's state."""
    schedule = policy.schedule
    if isinstance(schedule, CronSchedule):
        parts = [f'sleep "{schedule.sleep.text}", wake "{schedule.wake.text}"']
    elif schedule.constant is not None:
        parts = [f"{schedule.form}: {'always' if schedule.constant else 'never'}"]
    else:
        parts = [f"{schedule.form}: {', '.join(w.text for w in schedule.windows)}"]
    if policy.holidays is not None:
        parts.append(f"holidays {policy.holidays.label}")
    if policy.off_days:
        parts.append(f"offDays {len(policy.off_days)}")
    if policy.on_days:
        parts.append(f"onDays {len(policy.on_days)}")
    if policy.overrides:
        parts.append(f"overrides {len(policy.overrides)}")
    if not policy.enabled:
        parts.append("DISABLED (always on)")
    return " · ".join(parts)


def _row(row: DayRow) -> str:
    label = row.day.strftime("%a %Y-%m-%d")
    cells = "".join(_cell(c) for c in row.cells)
    notes = "  " + "; ".join(row.notes) if row.notes else ""
    line = f"{label:<{_LABEL}}{cells} {row.off_seconds / 3600:5.1f} h{notes}"
    return line if len(line) <= WIDTH else line[: WIDTH - 1] + "…"


def _transitions(item: PolicyPreview) -> list[str]:
    zone = zones.get_zone(item.policy.zone)
    shown = item.transitions[:MAX_TRANSITIONS]
    lines = [f"  {local_label(zone, t.at)}  ({format_utc(t.at)})  -> {t.to}" for t in shown]
    if len(item.transitions) > len(shown):
        lines.append(f"  ... and {len(item.transitions) - len(shown)} more in the range")
    return lines or ["  none in the range"]


def _targets_line(targets: tuple[WorkloadRef, ...] | None) -> list[str]:
    if targets is None:
        return []
    if not targets:
        return ["  targets: none selected in the repository"]
    shown = ", ".join(str(t) for t in targets[:12])
    more = f", ... ({len(targets)} in all)" if len(targets) > 12 else ""
    return textwrap.wrap(
        f"targets ({len(targets)}): {shown}{more}",
        WIDTH,
        initial_indent="  ",
        subsequent_indent="    ",
    )


def render_policy(
    item: PolicyPreview,
    *,
    start: int,
    end: int,
    savings: PolicySavings | None = None,
    targets: tuple[WorkloadRef, ...] | None = None,
) -> str:
    """The calendar of one policy (its resolved targets and savings estimate, when known)."""
    policy = item.policy
    total = end - start
    percent = 100 * item.off_seconds / total if total else 0.0
    lines = [
        f"{policy.name}  ({policy.file})  {policy.zone}",
        *textwrap.wrap(
            schedule_summary(policy), WIDTH, initial_indent="  ", subsequent_indent="    "
        ),
        *_targets_line(targets),
        "",
        f"{'':<{_LABEL}}{HEADER}",
        *(_row(row) for row in day_rows(item, start=start, end=end)),
        "",
        f"off {_hours(item.off_seconds)} of {_hours(total)} ({percent:.1f} %); "
        f"{item.initial} at the start",
        f"transitions ({policy.zone}):",
        *_transitions(item),
    ]
    if savings is not None:
        lines += textwrap.wrap(savings.describe(), WIDTH, subsequent_indent="  ")
    return "\n".join(lines)


def render_text(preview: Preview) -> str:
    """Every policy's calendar, separated by blank lines, with a legend."""
    head = f"offhours preview {format_utc(preview.start)} .. {format_utc(preview.end)}"
    blocks = [
        render_policy(
            p,
            start=preview.start,
            end=preview.end,
            savings=preview.savings_of(p.policy.name),
            targets=preview.targets_of(p.policy.name),
        )
        for p in preview.policies
    ]
    if not blocks:
        blocks = ["no policies to preview"]
    return "\n\n".join([head + "\n" + LEGEND, *blocks]) + "\n"
