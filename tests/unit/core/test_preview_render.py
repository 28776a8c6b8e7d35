"""Preview data and its JSON, text-calendar and markdown renderings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from scheduler.core import preview
from scheduler.core.policy import Policy, load_policies
from scheduler.core.preview.text import FULL, NONE, ON, PARTLY

NOW = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def make(name: str = "p", **spec: Any) -> Policy:
    spec.setdefault("targets", [{"namespaces": ["dev"]}])
    doc = {
        "apiVersion": "offhours.dev/v1alpha1",
        "kind": "OffHoursPolicy",
        "metadata": {"name": name},
        "spec": spec,
    }
    result = load_policies([(f"policies/{name}.yaml", json.dumps(doc))], now=NOW)
    assert not result.errors, [str(d) for d in result.errors]
    return result.policies[0]


def test_json_contract() -> None:
    """Maximal off intervals clipped to the range, Z instants to the second, transitions, totals."""
    policy = make(timeZone="Europe/Berlin", uptime=["Mon-Fri 08:00-18:00"], offDays=["2026-12-02"])
    # 2026-11-30 is a Monday; the range starts and ends at night
    result = preview.build([policy], start=utc(2026, 11, 30, 3, 30, 15), end=utc(2026, 12, 3, 21))
    assert json.loads(preview.render_json(result)) == {
        "from": "2026-11-30T03:30:15Z",
        "to": "2026-12-03T21:00:00Z",
        "policies": [
            {
                "name": "p",
                "file": "policies/p.yaml",
                "timeZone": "Europe/Berlin",
                "enabled": True,
                "initial": "off",
                "off": [
                    {"start": "2026-11-30T03:30:15Z", "end": "2026-11-30T07:00:00Z"},
                    {"start": "2026-11-30T17:00:00Z", "end": "2026-12-01T07:00:00Z"},
                    {"start": "2026-12-01T17:00:00Z", "end": "2026-12-03T07:00:00Z"},
                    {"start": "2026-12-03T17:00:00Z", "end": "2026-12-03T21:00:00Z"},
                ],
                "offSeconds": (3 * 3600 + 29 * 60 + 45) + 14 * 3600 + 38 * 3600 + 4 * 3600,
                "transitions": [
                    {"at": "2026-11-30T07:00:00Z", "to": "on"},
                    {"at": "2026-11-30T17:00:00Z", "to": "off"},
                    {"at": "2026-12-01T07:00:00Z", "to": "on"},
                    {"at": "2026-12-01T17:00:00Z", "to": "off"},
                    {"at": "2026-12-03T07:00:00Z", "to": "on"},
                    {"at": "2026-12-03T17:00:00Z", "to": "off"},
                ],
            }
        ],
    }


def test_empty_range_is_refused() -> None:
    """A preview needs to end after it starts."""
    with pytest.raises(ValueError, match="empty"):
        preview.build([], start=utc(2026, 12, 1), end=utc(2026, 12, 1))


def grid_rows(text: str) -> dict[str, str]:
    """Day label -> the 48 cells of that row."""
    rows = {}
    for line in text.splitlines():
        if (
            len(line) > 16
            and line[:3] in {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
            and line[4:6] == "20"
        ):
            rows[line[:14]] = line[16:64]
    return rows


def test_grid_leaves_the_skipped_hour_blank_and_counts_a_23_hour_day() -> None:
    """On Berlin's spring-forward day 02:00-03:00 has no cells; the day has 23 h off."""
    policy = make(timeZone="Europe/Berlin", uptime="never")
    text = preview.render_text(
        preview.build([policy], start=utc(2026, 3, 28, 23), end=utc(2026, 3, 29, 22))
    )
    row = grid_rows(text)["Sun 2026-03-29"]
    assert row == FULL * 4 + NONE * 2 + FULL * 42
    assert "Sun 2026-03-29  " + row + "  23.0 h" in text


def test_grid_marks_partly_off_cells_and_the_range_edges() -> None:
    """A half hour that is partly off is drawn differently; hours outside the range are blank."""
    policy = make(uptime=["Mon 08:15-17:00"])
    text = preview.render_text(
        preview.build([policy], start=utc(2026, 11, 30, 6), end=utc(2026, 11, 30, 20))
    )
    row = grid_rows(text)["Mon 2026-11-30"]
    assert row == NONE * 12 + FULL * 4 + PARTLY + ON * 17 + FULL * 6 + NONE * 8


def test_text_preview_is_readable_in_a_terminal() -> None:
    """Header, notes, totals and transitions fit in 120 columns."""
    policy = make(
        "dev",
        timeZone="Europe/Berlin",
        uptime=["Mon-Fri 07:30-19:00"],
        holidays={"country": "DE", "subdivision": "BE"},
        onDays=["2026-12-21"],
    )
    text = preview.render_text(
        preview.build([policy], start=utc(2026, 12, 20, 23), end=utc(2026, 12, 27, 23))
    )
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "                00  02  04  06  08  10  12  14  16  18  20  22" in text
    assert f"Fri 2026-12-25  {FULL * 48}  24.0 h  holiday: Christmas Day" in text
    assert f"Mon 2026-12-21  {ON * 48}   0.0 h  onDays" in text
    assert "off 109.5 h of 168.0 h (65.2 %); on at the start" in text
    assert "  Tue 2026-12-22 07:30 CET  (2026-12-22T06:30:00Z)  -> on" in text


def test_markdown_has_a_summary_and_day_tables() -> None:
    """A PR comment: one summary row per policy and folded per-day details in local time."""
    policy = make("dev", timeZone="Europe/Berlin", uptime=["Mon-Fri 07:30-19:00"])
    text = preview.render_markdown(
        preview.build([policy], start=utc(2026, 11, 29, 23), end=utc(2026, 11, 30, 23))
    )
    assert (
        "| `dev` | Europe/Berlin | 12.5 h | 52.1 % | off | Mon 2026-11-30 07:30 CET → on |" in text
    )
    assert "| Mon 2026-11-30 | 00:00–07:30, 19:00–24:00 | 12.5 h |  |" in text
    assert "<details>" in text


def test_long_notes_and_summaries_stay_within_120_columns() -> None:
    """A long override reason is cut and a long window list wraps."""
    policy = make(
        uptime=[f"{day} 0{h}:00-1{h}:00" for day in ("Mon", "Tue", "Wed") for h in range(6)],
        overrides=[{"state": "on", "until": "2026-12-02T00:00:00Z", "reason": "x" * 200}],
    )
    text = preview.render_text(
        preview.build([policy], start=utc(2026, 12, 1), end=utc(2026, 12, 2))
    )
    assert max(len(line) for line in text.splitlines()) <= 120
    assert "override on (xxx" in text
