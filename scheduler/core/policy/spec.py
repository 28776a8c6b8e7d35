"""Reading ``spec``: zone, the schedule form, whole days, holidays and overrides.

Each ``read_*`` function takes the document ``Reader`` and returns the value or ``None``
after recording diagnostics; the loader assembles a ``Policy`` only if none were errors.
"""

from __future__ import annotations

from scheduler.core import calendar, zones
from scheduler.core.calendar import DayRange, HolidayCalendar
from scheduler.core.cron import CronSpec, parse_cron
from scheduler.core.instants import STAMP_EXAMPLE, format_utc, parse_stamp
from scheduler.core.policy.document import Node, YMap, YScalar, YSeq
from scheduler.core.policy.model import (
    CronSchedule,
    Override,
    Schedule,
    ScheduleForm,
    State,
    WindowSchedule,
)
from scheduler.core.policy.reader import Reader, describe
from scheduler.core.syntax import SyntaxProblem, quote
from scheduler.core.windows import WINDOW_EXAMPLE, Window, parse_window, split_windows
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "check_day_conflicts",
    "read_days",
    "read_holidays",
    "read_overrides",
    "read_schedule",
    "read_zone",
]

SCHEDULE_KEYS = ("uptime", "downtime", "sleep", "wake")
KEYWORDS = {"always": True, "never": False}
SCHEDULE_EXAMPLE = (
    'one of uptime: ["Mon-Fri 07:30-19:00"], downtime: [...] or a sleep/wake cron pair'
)
WINDOWS_EXAMPLE = f"a list of windows such as {WINDOW_EXAMPLE}, or always/never"
CRON_PAIR_EXAMPLE = 'both, e.g. sleep: "0 20 * * 1-5" and wake: "30 7 * * 1-5"'
OVERRIDE_KEYS = ("state", "from", "until", "reason", "targets")
OVERRIDE_EXAMPLE = '{state: "on", until: "2026-11-28T23:00:00+01:00", reason: "release night"}'
HOLIDAY_KEYS = ("country", "subdivision", "categories")
HOLIDAY_EXAMPLE = "{country: DE, subdivision: BE}"


def read_zone(r: Reader, spec: YMap) -> str:
    """``spec.timeZone`` (default ``UTC``); an unknown zone is reported and ``UTC`` returned."""
    node = spec.get("timeZone")
    if node is None:
        return "UTC"
    name = r.string(node, "spec.timeZone", expected=zones.ZONE_EXAMPLE)
    if name is None:
        return "UTC"
    try:
        zones.get_zone(name)
    except SyntaxProblem as exc:
        r.problem(node, "spec.timeZone", exc)
        return "UTC"
    return name


# -- schedule --------------------------------------------------------------------------------
def _form_of(key: str) -> str:
    return "sleep/wake" if key in {"sleep", "wake"} else key


def read_schedule(r: Reader, spec: YMap, zone: str) -> Schedule | None:
    """Exactly one of ``uptime``, ``downtime`` or the ``sleep``/``wake`` pair."""
    given = [key for key in SCHEDULE_KEYS if spec.get(key) is not None]
    forms = list(dict.fromkeys(_form_of(key) for key in given))
    if not forms:
        r.error(spec, "spec", "no schedule", got="none", expected=SCHEDULE_EXAMPLE)
        return None
    if len(forms) > 1:
        second = next(key for key in given if _form_of(key) == forms[1])
        r.error(
            spec.key(second) or spec,
            "spec",
            "only one schedule form is allowed",
            got=" and ".join(forms),
            expected=SCHEDULE_EXAMPLE,
        )
    schedules = [_read_form(r, spec, form, zone=zone) for form in forms]
    return schedules[0] if len(schedules) == 1 else None


def _read_form(r: Reader, spec: YMap, form: str, *, zone: str) -> Schedule | None:
    """One form, read even when another is also given, so all its errors are reported."""
    if form == "sleep/wake":
        return _read_cron_pair(r, spec, zone)
    node = spec.get(form)
    if node is None:  # pragma: no cover - only called for given forms
        return None
    return _read_windows(r, node, ScheduleForm(form), zone=zone)


def _read_windows(r: Reader, node: Node, form: ScheduleForm, *, zone: str) -> WindowSchedule | None:
    field = f"spec.{form.value}"
    entries = _window_texts(r, node, field)
    if entries is None:
        return None
    keywords = [text.lower() for text, _, _, _ in entries if text.lower() in KEYWORDS]
    if keywords:
        if len(entries) > 1:
            r.error(
                node,
                field,
                f"{keywords[0]} cannot be combined with other windows",
                got=describe(node),
                expected=f"{form.value}: {keywords[0]}, or a list of windows",
            )
            return None
        return WindowSchedule(form, (), KEYWORDS[keywords[0]])
    windows: list[Window] = []
    for text, scalar, offset, item_field in entries:
        try:
            windows.append(parse_window(text, zone=zone))
        except SyntaxProblem as exc:
            r.problem(r.mark_in(scalar, offset), item_field, exc)
    if len(windows) != len(entries):
        return None
    return WindowSchedule(form, tuple(windows))


def _window_texts(r: Reader, node: Node, field: str) -> list[tuple[str, YScalar, int, str]] | None:
    """``(window text, its scalar, offset in the scalar, field name)`` for every window."""
    if isinstance(node, YMap):
        r.error(node, field, "must be a list of windows", got="a mapping", expected=WINDOWS_EXAMPLE)
        return None
    items = node.items if isinstance(node, YSeq) else (node,)
    out: list[tuple[str, YScalar, int, str]] = []
    broken = False
    for index, item in enumerate(items):
        item_field = f"{field}[{index}]" if isinstance(node, YSeq) else field
        if not isinstance(item, YScalar) or item.is_null or not item.text.strip():
            r.error(
                item,
                item_field,
                "must be a window string",
                got=describe(item),
                expected=WINDOWS_EXAMPLE,
            )
            broken = True
            continue
        for text, offset in split_windows(item.text):
            if not text:
                r.error(
                    r.mark_in(item, offset),
                    item_field,
                    "empty window",
                    got=quote(item.text),
                    expected=WINDOWS_EXAMPLE,
                )
                broken = True
            out.append((text, item, offset, item_field))
    if not items:
        r.error(
            node, field, "needs at least one window", got="an empty list", expected=WINDOWS_EXAMPLE
        )
        broken = True
    return None if broken else out


def _read_cron_pair(r: Reader, spec: YMap, zone: str) -> CronSchedule | None:
    specs: dict[str, CronSpec] = {}
    for key, other in (("sleep", "wake"), ("wake", "sleep")):
        node = spec.get(key)
        if node is None:
            r.error(
                spec.key(other) or spec,
                f"spec.{other}",
                f"{other} needs {key}",
                got=f"{other} alone",
                expected=CRON_PAIR_EXAMPLE,
            )
            continue
        text = r.string(node, f"spec.{key}", expected='a cron expression such as "0 20 * * 1-5"')
        if text is None:
            continue
        try:
            specs[key] = parse_cron(text)
        except SyntaxProblem as exc:
            r.problem(node, f"spec.{key}", exc)
    if "sleep" not in specs or "wake" not in specs:
        return None
    return CronSchedule(specs["sleep"], specs["wake"], zone)


# -- days and holidays -----------------------------------------------------------------------
def read_days(r: Reader, node: Node | None, field: str) -> list[tuple[DayRange, YScalar]]:
    """``offDays``/``onDays``: dates and inclusive date ranges, with their nodes."""
    out: list[tuple[DayRange, YScalar]] = []
    for index, (text, scalar) in enumerate(r.strings(node, field, expected=calendar.DAY_EXAMPLE)):
        try:
            out.append((calendar.parse_day_range(text), scalar))
        except SyntaxProblem as exc:
            r.problem(scalar, f"{field}[{index}]", exc)
    return out


def check_day_conflicts(
    r: Reader, off: list[tuple[DayRange, YScalar]], on: list[tuple[DayRange, YScalar]]
) -> None:
    """A date may not be both an ``onDays`` and an ``offDays`` date."""
    for on_range, on_node in on:
        for off_range, off_node in off:
            if on_range.overlaps(off_range):
                first = max(on_range.first, off_range.first)
                r.error(
                    on_node,
                    "spec.onDays",
                    f"{first.isoformat()} is in both onDays and offDays (offDays entry "
                    f"{quote(off_range.text)} at line {off_node.mark.line})",
                    got=quote(on_range.text),
                    expected="each date in at most one of onDays and offDays",
                )


def read_holidays(r: Reader, node: Node | None) -> HolidayCalendar | None:
    """``holidays: {country, subdivision?, categories?}``."""
    if node is None:
        return None
    spec = r.mapping(node, "spec.holidays", allowed=HOLIDAY_KEYS, expected=HOLIDAY_EXAMPLE)
    if spec is None:
        return None
    country_node = spec.get("country")
    if country_node is None:
        r.error(
            spec,
            "spec.holidays.country",
            "is required",
            got="nothing",
            expected="an ISO 3166 code such as DE",
        )
        return None
    code = r.string(country_node, "spec.holidays.country", expected="an ISO 3166 code such as DE")
    if code is None:
        return None
    try:
        country = calendar.check_country(code)
    except SyntaxProblem as exc:
        r.problem(country_node, "spec.holidays.country", exc)
        return None
    ok, subdivision = _read_subdivision(r, spec.get("subdivision"), country)
    categories = _read_categories(r, spec.get("categories"), country)
    if not ok or categories is None:
        return None
    return HolidayCalendar(country, subdivision, categories)


def _read_subdivision(r: Reader, node: Node | None, country: str) -> tuple[bool, str | None]:
    """``(valid, canonical code or None when absent)``."""
    if node is None:
        return True, None
    field = "spec.holidays.subdivision"
    text = r.string(node, field, expected=f"a subdivision code of {country}")
    if text is None:
        return False, None
    try:
        return True, calendar.check_subdivision(country, text)
    except SyntaxProblem as exc:
        r.problem(node, field, exc)
        return False, None


def _read_categories(r: Reader, node: Node | None, country: str) -> tuple[str, ...] | None:
    field = "spec.holidays.categories"
    out: list[str] = []
    for index, (text, scalar) in enumerate(
        r.strings(node, field, expected="a list such as [public]")
    ):
        try:
            out.extend(calendar.check_categories(country, [text]))
        except SyntaxProblem as exc:
            r.problem(scalar, f"{field}[{index}]", exc)
            return None
    return tuple(out)


# -- overrides -------------------------------------------------------------------------------
def read_overrides(r: Reader, node: Node | None, *, zone: str, now: float) -> list[Override]:
    """``overrides``; an expired one (``until`` at or before ``now``) is a warning."""
    out: list[Override] = []
    for index, item in enumerate(
        r.items(node, "spec.overrides", expected=f"a list of {OVERRIDE_EXAMPLE}")
    ):
        override = _read_override(r, item, f"spec.overrides[{index}]", zone=zone, now=now)
        if override is not None:
            out.append(override)
    return out


def _read_override(r: Reader, node: Node, field: str, *, zone: str, now: float) -> Override | None:
    entry = r.mapping(node, field, allowed=OVERRIDE_KEYS, expected=OVERRIDE_EXAMPLE)
    if entry is None:
        return None
    state = _read_state(r, entry, f"{field}.state")
    until_node = entry.get("until")
    if until_node is None:
        r.error(entry, f"{field}.until", "is required", got="nothing", expected=STAMP_EXAMPLE)
    until = _read_instant(r, until_node, f"{field}.until", zone=zone)
    start = _read_instant(r, entry.get("from"), f"{field}.from", zone=zone)
    reason = _read_reason(r, entry.get("reason"), f"{field}.reason")
    targets = _read_override_targets(r, entry.get("targets"), f"{field}.targets")
    if state is None or until is None or (entry.get("from") is not None and start is None):
        return None
    if targets is None or not _check_span(r, entry, field, span=(start, until), now=now):
        return None
    return Override(state, start, until, reason, r.location(entry), targets)


def _read_override_targets(
    r: Reader, node: Node | None, field: str
) -> tuple[WorkloadRef, ...] | None:
    """``targets: [kind/namespace/name, ...]``; ``None`` when an entry is invalid."""
    found: list[WorkloadRef] = []
    ok = True
    for text, scalar in r.strings(node, field, expected='["Deployment/dev/web"]'):
        try:
            found.append(WorkloadRef.parse(text))
        except ValueError:
            r.error(scalar, field, "is not a target", got=text, expected="Deployment/dev/web")
            ok = False
    return tuple(found) if ok else None


def _read_reason(r: Reader, node: Node | None, field: str) -> str:
    if node is None:
        return ""
    return r.string(node, field, expected='a short text, e.g. "release night"') or ""


def _check_span(
    r: Reader, entry: YMap, field: str, *, span: tuple[int | None, int], now: float
) -> bool:
    """Warn about an expired override; refuse one that ends before it starts."""
    start, until = span
    if until <= now:
        r.warning(
            entry.get("until") or entry,
            field,
            f"override expired at {format_utc(until)}; it is ignored and can be removed",
        )
        return True
    if start is not None and start >= until:
        r.error(
            entry.get("from") or entry,
            f"{field}.from",
            "must be before until",
            got=f"from {format_utc(start)}, until {format_utc(until)}",
            expected="from < until",
        )
        return False
    return True


def _read_state(r: Reader, entry: YMap, field: str) -> State | None:
    node = entry.get("state")
    if node is None:
        r.error(entry, field, "is required", got="nothing", expected='"on" or "off"')
        return None
    if isinstance(node, YScalar) and node.text.strip().lower() in {"on", "off"}:
        return State(node.text.strip().lower())
    r.error(node, field, "must be on or off", got=describe(node), expected='"on" or "off"')
    return None


def _read_instant(r: Reader, node: Node | None, field: str, *, zone: str) -> int | None:
    if node is None:
        return None
    text = r.string(node, field, expected=STAMP_EXAMPLE)
    if text is None:
        return None
    try:
        stamp = parse_stamp(text)
    except SyntaxProblem as exc:
        r.problem(node, field, exc)
        return None
    if stamp.aware:
        return stamp.seconds
    return zones.first_instant_at_or_after(zones.get_zone(zone), stamp.seconds)
