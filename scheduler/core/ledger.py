"""The commit ledger: offhours' commit messages, and reading them back from history.

Every offhours commit says what it changed twice: in a body for people, and in
machine-readable trailers (``git interpret-trailers`` compatible) so that the history of the
fleet repository is the ledger of when each target was put to sleep and woken. The message is
rendered from ``Change`` records only, sorted, so the same changes give the same bytes, with
no timestamps or host names. Format (version 1)::

    offhours: sleep 1, wake 1 (dev-nights, qa-weekends)

    - sleep Deployment/dev/web spec.replicas: 2 -> 0 in apps/dev/web.yaml (policy dev-nights)
    - wake CronJob/qa/report spec.suspend: true -> false in apps/qa/cron.yaml (policy qa-weekends)

    Offhours-Ledger: 1
    Offhours-Change: sleep dev-nights Deployment/dev/web spec.replicas 2 -> 0
    Offhours-Change: wake qa-weekends CronJob/qa/report spec.suspend true -> false

The subject counts distinct targets per action. Each ``Offhours-Change`` trailer holds one
change as seven space-separated tokens: ``action policy target field before -> after``.
``policy``, ``target`` and ``field`` are bare words of printable ASCII without ``"`` or
``\\``, else a JSON string; ``before`` and ``after`` are always JSON scalars, so ``2``,
``"2"``, ``true``, ``null`` (absent) and ``"a b"`` stay distinct and unambiguous.

This module owns rendering, parsing and turning entries into off intervals. It must not read
Git, the clock or the environment: commit records are handed in by the Git adapter.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scheduler.core.changes import Action, Change, Scalar
from scheduler.core.intervals import IntervalSet
from scheduler.core.workloads import WorkloadRef

__all__ = [
    "CHANGE_TRAILER",
    "LEDGER_TRAILER",
    "LEDGER_VERSION",
    "CommitRecord",
    "Ledger",
    "LedgerEntry",
    "LedgerProblem",
    "off_intervals",
    "parse_ledger",
    "render_commit_message",
]

LEDGER_TRAILER = "Offhours-Ledger"
CHANGE_TRAILER = "Offhours-Change"
LEDGER_VERSION = "1"
SUBJECT_WIDTH = 72
_WORD = re.compile(r"[!#-\[\]-~]+")  # printable ASCII except space, '"' and '\'
_TRAILER_LINE = re.compile(r"([A-Za-z0-9][A-Za-z0-9-]*)\s*:\s?(.*)")
_LITERAL = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")
_PREFIX = "offhours-"
_DECODER = json.JSONDecoder()


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One commit as read from history: times are Unix seconds."""

    sha: str
    authored: float
    committed: float
    message: str


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One change read back from an offhours commit; ``time`` is its committer time."""

    time: float
    commit: str
    action: Action
    policy: str
    target: WorkloadRef
    field: str
    before: Scalar
    after: Scalar


@dataclass(frozen=True, slots=True)
class LedgerProblem:
    """A trailer that could not be read; ``line`` is 1-based within the commit message."""

    commit: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"commit {self.commit[:12]}: message line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Ledger:
    """Entries in commit-time order, and the trailers that could not be read."""

    entries: tuple[LedgerEntry, ...]
    problems: tuple[LedgerProblem, ...]


# -- rendering -----------------------------------------------------------------------------


def render_commit_message(changes: Iterable[Change]) -> str:
    """The commit message for ``changes``: subject, body, trailers, ending in one newline."""
    ordered = sorted(changes, key=_sort_key)
    if not ordered:
        raise ValueError("no changes to describe: an empty plan makes no commit")
    body = "\n".join(_body_line(change) for change in ordered)
    trailers = [f"{LEDGER_TRAILER}: {LEDGER_VERSION}"]
    trailers += [f"{CHANGE_TRAILER}: {_format_change(change)}" for change in ordered]
    return f"{_subject(ordered)}\n\n{body}\n\n" + "\n".join(trailers) + "\n"


def _format_change(change: Change) -> str:
    """The value of the ``Offhours-Change`` trailer for one change."""
    words = [str(change.action), _word(change.policy), _word(str(change.target))]
    words += [_word(change.field), _json(change.before), "->", _json(change.after)]
    return " ".join(words)


def _sort_key(change: Change) -> tuple[str, ...]:
    return (
        str(change.target),
        change.field,
        str(change.action),
        change.policy,
        change.file,
        _json(change.before),
        _json(change.after),
        change.note,
    )


def _subject(changes: Sequence[Change]) -> str:
    counts = {action: len({c.target for c in changes if c.action is action}) for action in Action}
    head = f"offhours: sleep {counts[Action.SLEEP]}, wake {counts[Action.WAKE]}"
    policies = sorted({_oneline(c.policy) for c in changes})
    return f"{head} ({_policy_list(policies, SUBJECT_WIDTH - len(head) - 3)})"


def _policy_list(names: list[str], room: int) -> str:
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = ", ".join(names[:shown]) + (f", +{rest} more" if rest else "")
        if len(text) <= room:
            return text
    return f"{len(names)} policies"


def _body_line(change: Change) -> str:
    text = (
        f"- {change.action} {change.target} {_oneline(change.field)}: "
        f"{_human(change.before)} -> {_human(change.after)} "
        f"in {_oneline(change.file)} (policy {_oneline(change.policy)}"
    )
    note = _oneline(change.note)
    return text + (f"; {note})" if note else ")")


def _oneline(text: str) -> str:
    return " ".join(text.split())


def _human(value: Scalar) -> str:
    return "(absent)" if value is None else _json(value)


def _json(value: Scalar) -> str:
    return json.dumps(value, ensure_ascii=True)


def _word(text: str) -> str:
    return text if _WORD.fullmatch(text) else json.dumps(text, ensure_ascii=True)


# -- parsing -------------------------------------------------------------------------------


def _parse_change(record: CommitRecord, value: str) -> LedgerEntry:
    """One ``Offhours-Change`` value as an entry; ``ValueError`` says what is wrong."""
    tokens = _tokens(value)
    if len(tokens) != 7 or tokens[5] != ("->", False):
        raise ValueError(
            f"expected 'action policy kind/namespace/name field before -> after' "
            f"(e.g. 'sleep dev-nights Deployment/dev/web spec.replicas 2 -> 0'); got {value!r}"
        )
    try:
        action = Action(tokens[0][0])
    except ValueError:
        raise ValueError(f"unknown action {tokens[0][0]!r}; expected sleep or wake") from None
    return LedgerEntry(
        time=record.committed,
        commit=record.sha,
        action=action,
        policy=tokens[1][0],
        target=WorkloadRef.parse(tokens[2][0]),
        field=tokens[3][0],
        before=_scalar(tokens[4]),
        after=_scalar(tokens[6]),
    )


def _tokens(value: str) -> list[tuple[str, bool]]:
    """Space-separated tokens as (text, was_quoted); quoted tokens are JSON strings."""
    if '"' not in value:
        return [(word, False) for word in value.split(" ") if word]
    tokens: list[tuple[str, bool]] = []
    i, n = 0, len(value)
    while i < n:
        if value[i] == " ":
            i += 1
        elif value[i] == '"':
            text, i = _quoted(value, i)
            tokens.append((text, True))
        else:
            end = value.find(" ", i)
            end = n if end < 0 else end
            tokens.append((value[i:end], False))
            i = end
    return tokens


def _quoted(value: str, start: int) -> tuple[str, int]:
    """The JSON string starting at ``start`` and the index just after it."""
    try:
        text, end = _DECODER.raw_decode(value, start)
    except json.JSONDecodeError as exc:
        raise ValueError(f"bad quoted string at column {start + 1}: {exc.msg}") from None
    if not isinstance(text, str) or (end < len(value) and value[end] != " "):
        raise ValueError(f"expected a space after the string ending at column {end}")
    return text, end


def _scalar(token: tuple[str, bool]) -> Scalar:
    text, quoted = token
    if quoted:
        return text
    if text.isascii() and text.isdigit() and (text == "0" or text[0] != "0"):
        return int(text)  # the common case (replica counts), without the JSON parser
    if not _LITERAL.fullmatch(text):
        raise ValueError(f'not a JSON scalar: {text!r}; expected e.g. 0, true, null or "text"')
    try:
        value: Scalar = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"not a JSON scalar: {text!r}") from None
    return value


def _trailer_block(message: str) -> list[tuple[int, str, str]]:
    """The last paragraph's ``(line, key, value)`` trailers, folding continuation lines."""
    lines = message.split("\n")
    last = len(lines)
    while last > 0 and not lines[last - 1].strip():
        last -= 1
    first = last
    while first > 0 and lines[first - 1].strip():
        first -= 1
    if first == 0:  # the subject paragraph is never a trailer block
        return []
    trailers: list[tuple[int, str, str]] = []
    for number in range(first + 1, last + 1):
        line = lines[number - 1]
        if line[:1].isspace() and trailers:
            lineno, key, value = trailers[-1]
            trailers[-1] = (lineno, key, f"{value} {line.strip()}")
        elif match := _TRAILER_LINE.fullmatch(line):
            trailers.append((number, match[1], match[2].strip()))
    return trailers


def _parse_commit(record: CommitRecord) -> tuple[list[LedgerEntry], list[LedgerProblem]]:
    ours = [t for t in _trailer_block(record.message) if t[1].lower().startswith(_PREFIX)]
    entries: list[LedgerEntry] = []
    problems: list[LedgerProblem] = []
    for line, key, value in ours:
        if key.lower() == LEDGER_TRAILER.lower() and value != LEDGER_VERSION:
            problem = f"unknown ledger version {value!r}; this offhours reads version 1"
            return [], [LedgerProblem(record.sha, line, problem)]
    for line, key, value in ours:
        if key.lower() != CHANGE_TRAILER.lower():
            continue
        try:
            entries.append(_parse_change(record, value))
        except ValueError as exc:
            problems.append(LedgerProblem(record.sha, line, f"{CHANGE_TRAILER}: {exc}"))
    return entries, problems


def parse_ledger(commits: Iterable[CommitRecord]) -> Ledger:
    """Ledger entries from commit records given oldest first (as ``commits_between`` returns
    them). Commits without ``Offhours-`` trailers are skipped; unreadable trailers become
    problems and never stop the others. Entries are stably sorted by commit time."""
    entries: list[LedgerEntry] = []
    problems: list[LedgerProblem] = []
    for record in commits:
        found, bad = _parse_commit(record)
        entries += found
        problems += bad
    entries.sort(key=lambda entry: entry.time)
    return Ledger(tuple(entries), tuple(problems))


# -- intervals -----------------------------------------------------------------------------


def off_intervals(
    entries: Iterable[LedgerEntry], *, start: float, end: float
) -> dict[WorkloadRef, IntervalSet]:
    """When each target was intended to be off within ``[start, end)``, from its ledger.

    A target is off from a ``sleep`` entry until the next ``wake`` entry for it (any field,
    any policy). Pass entries from before ``start`` too: a target whose last entry before
    ``start`` is a sleep is off from ``start``. Entries at or after ``end`` are ignored.
    Only targets with a non-empty set are returned, in target order.
    """
    timeline: dict[WorkloadRef, list[LedgerEntry]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: e.time):
        if entry.time < end:
            timeline[entry.target].append(entry)
    result: dict[WorkloadRef, IntervalSet] = {}
    for target in sorted(timeline):
        spans = _off_spans(timeline[target], end=end)
        clipped = IntervalSet(spans).clip(start, end)
        if clipped:
            result[target] = clipped
    return result


def _off_spans(entries: list[LedgerEntry], *, end: float) -> list[tuple[float, float]]:
    spans: list[tuple[float, float]] = []
    asleep_since: float | None = None
    for entry in entries:
        if entry.action is Action.SLEEP and asleep_since is None:
            asleep_since = entry.time
        elif entry.action is Action.WAKE and asleep_since is not None:
            spans.append((asleep_since, entry.time))
            asleep_since = None
    if asleep_since is not None:
        spans.append((asleep_since, end))
    return spans
