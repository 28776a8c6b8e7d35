"""The pull-request preview: a summary table of all policies, then per-policy day tables.

Details are folded in ``<details>`` blocks so a comment on a PR stays short.
"""

from __future__ import annotations

from scheduler.core import zones
from scheduler.core.instants import format_utc
from scheduler.core.preview.days import day_rows, local_label
from scheduler.core.preview.model import PolicyPreview, Preview
from scheduler.core.preview.text import schedule_summary

__all__ = ["render_markdown"]


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _next(item: PolicyPreview) -> str:
    if not item.transitions:
        return "none in range"
    first = item.transitions[0]
    return f"{local_label(zones.get_zone(item.policy.zone), first.at)} → {first.to}"


def _summary_row(item: PolicyPreview, seconds: int) -> str:
    percent = 100 * item.off_seconds / seconds if seconds else 0.0
    cells = (
        f"`{item.policy.name}`",
        item.policy.zone,
        f"{item.off_seconds / 3600:.1f} h",
        f"{percent:.1f} %",
        str(item.initial),
        _escape(_next(item)),
    )
    return "| " + " | ".join(cells) + " |"


def _details(item: PolicyPreview, *, start: int, end: int) -> list[str]:
    policy = item.policy
    lines = [
        "<details>",
        f"<summary><code>{policy.name}</code> ({policy.file}): off time by day</summary>",
        "",
        f"{_escape(schedule_summary(policy))}",
        "",
        f"| Day ({policy.zone}) | Off (local time) | Off | Notes |",
        "|---|---|---:|---|",
    ]
    for row in day_rows(item, start=start, end=end):
        ranges = ", ".join(f"{a}–{b}" for a, b in row.off_ranges) or "—"
        notes = _escape("; ".join(row.notes))
        day = row.day.strftime("%a %Y-%m-%d")
        lines.append(f"| {day} | {ranges} | {row.off_seconds / 3600:.1f} h | {notes} |")
    lines += ["", "</details>"]
    return lines


def render_markdown(preview: Preview) -> str:
    """Markdown for a PR comment."""
    lines = [
        f"### offhours preview: {format_utc(preview.start)} → {format_utc(preview.end)}",
        "",
        "| Policy | Zone | Off | Off % | At start | Next change |",
        "|---|---|---:|---:|---|---|",
        *(_summary_row(item, preview.seconds) for item in preview.policies),
        "",
    ]
    if preview.savings:
        lines += _savings(preview)
    if preview.targets is not None:
        lines += _target_lists(preview)
    for item in preview.policies:
        lines += [*_details(item, start=preview.start, end=preview.end), ""]
    return "\n".join(lines)


def _target_lists(preview: Preview) -> list[str]:
    lines = ["**Targets** (resolved against the repository's manifests)", ""]
    for item in preview.policies:
        targets = preview.targets_of(item.policy.name) or ()
        shown = ", ".join(f"`{t}`" for t in targets[:15]) or "none"
        more = f" and {len(targets) - 15} more" if len(targets) > 15 else ""
        lines.append(f"- `{item.policy.name}` ({len(targets)}): {shown}{more}")
    return [*lines, ""]


def _savings(preview: Preview) -> list[str]:
    from scheduler.core.energy.render import units  # the report renderers: only when shown

    lines = [
        "**Estimated savings** (estimate: baseline power of recent on-time history over the "
        "scheduled off time)",
        "",
        "| Policy | Estimate | Range | Targets | Method |",
        "|---|---:|---|---:|---|",
    ]
    for s in preview.savings:
        f = s.forecast
        lines.append(
            f"| `{s.policy}` | {units.energy(f.joules)} ({units.kwh(f.joules)}) | "
            f"{units.energy(f.joules_low)} – {units.energy(f.joules_high)} | "
            f"{s.estimated} of {s.targets} | {s.method} |"
        )
    return [*lines, ""]
