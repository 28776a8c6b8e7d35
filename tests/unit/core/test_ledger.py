"""The commit ledger: rendering messages, parsing them back, and off intervals per target."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduler.core import ledger
from scheduler.core.changes import Action, Change, Scalar
from scheduler.core.intervals import IntervalSet
from scheduler.core.workloads import WorkloadRef

WEB = WorkloadRef("Deployment", "dev", "web")
CRON = WorkloadRef("CronJob", "qa", "report")
API = WorkloadRef("Deployment", "dev", "api")
T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z


def change(
    target: WorkloadRef = WEB,
    *,
    action: Action = Action.SLEEP,
    policy: str = "dev-nights",
    field: str = "spec.replicas",
    before: Scalar = 2,
    after: Scalar = 0,
    file: str = "apps/dev/web.yaml",
    note: str = "",
) -> Change:
    return Change(target, file, policy, action, field, before, after, note)


EXAMPLE = [
    change(),
    change(
        CRON,
        action=Action.WAKE,
        policy="qa-weekends",
        field="spec.suspend",
        before=True,
        after=False,
        file="apps/qa/cron.yaml",
        note="changed while asleep",
    ),
]

EXPECTED = """\
offhours: sleep 1, wake 1 (dev-nights, qa-weekends)

- wake CronJob/qa/report spec.suspend: true -> false in apps/qa/cron.yaml \
(policy qa-weekends; changed while asleep)
- sleep Deployment/dev/web spec.replicas: 2 -> 0 in apps/dev/web.yaml (policy dev-nights)

Offhours-Ledger: 1
Offhours-Change: wake qa-weekends CronJob/qa/report spec.suspend true -> false
Offhours-Change: sleep dev-nights Deployment/dev/web spec.replicas 2 -> 0
"""


def record(message: str, *, sha: str = "a" * 40, at: float = T0) -> ledger.CommitRecord:
    return ledger.CommitRecord(sha=sha, authored=at, committed=at, message=message)


def entry(target: WorkloadRef, action: Action, at: float) -> ledger.LedgerEntry:
    return ledger.LedgerEntry(at, "c" * 40, action, "p", target, "spec.replicas", 1, 0)


# -- rendering -----------------------------------------------------------------------------


def test_renders_subject_body_and_trailers_exactly() -> None:
    """The message has a counting subject, one body line per change and one trailer each."""
    assert ledger.render_commit_message(EXAMPLE) == EXPECTED


def test_rendering_is_deterministic_whatever_the_input_order() -> None:
    """The same changes in any order give the same bytes."""
    many = [change(WorkloadRef("Deployment", "dev", f"w{i}"), before=i) for i in range(20)]
    shuffled = many[:]
    random.Random(7).shuffle(shuffled)
    assert ledger.render_commit_message(shuffled) == ledger.render_commit_message(many)


def test_subject_counts_targets_not_fields() -> None:
    """Two fields of one target count once in the subject."""
    annotation = change(field="metadata.annotations.offhours.dev/replicas", before=None, after="2")
    message = ledger.render_commit_message([change(), annotation])
    assert message.splitlines()[0] == "offhours: sleep 1, wake 0 (dev-nights)"


def test_subject_shortens_a_long_policy_list() -> None:
    """Many policies are listed while they fit in 72 characters, then counted."""
    changes = [
        change(WorkloadRef("Deployment", "dev", f"w{i}"), policy=f"team-{i:02d}-nights")
        for i in range(9)
    ]
    subject = ledger.render_commit_message(changes).splitlines()[0]
    assert subject == "offhours: sleep 9, wake 0 (team-00-nights, team-01-nights, +7 more)"
    assert len(subject) <= ledger.SUBJECT_WIDTH


def test_subject_falls_back_to_a_policy_count() -> None:
    """A single policy name too long for the subject becomes a count."""
    subject = ledger.render_commit_message([change(policy="p" * 80)]).splitlines()[0]
    assert subject == "offhours: sleep 1, wake 0 (1 policies)"


def test_message_has_no_clock_or_host_facts() -> None:
    """Nothing but the changes shapes the message: it is the same on any machine, any day."""
    assert ledger.render_commit_message(list(EXAMPLE)) == EXPECTED


def test_empty_plan_has_no_message() -> None:
    """Rendering nothing is a programming error: an empty plan makes no commit."""
    with pytest.raises(ValueError, match="empty plan"):
        ledger.render_commit_message([])


def test_odd_values_are_quoted_unambiguously() -> None:
    """Strings, spaces, quotes and absent values are JSON in trailers, readable in the body."""
    odd = change(
        WorkloadRef("HelmRelease", "", "big app"),
        policy='night "owls"',
        field="spec.values.a b",
        before="2",
        after=None,
        note="multi\nline   note",
    )
    message = ledger.render_commit_message([odd])
    assert (
        'Offhours-Change: sleep "night \\"owls\\"" "HelmRelease/-/big app" '
        '"spec.values.a b" "2" -> null'
    ) in message
    assert '"2" -> (absent)' in message
    assert "; multi line note)" in message


# -- parsing -------------------------------------------------------------------------------


def test_round_trip_gives_back_every_change() -> None:
    """Parsing a rendered message yields one entry per change with the same facts."""
    parsed = ledger.parse_ledger([record(EXPECTED)])
    assert parsed.problems == ()
    got = {(e.action, e.policy, e.target, e.field, e.before, e.after) for e in parsed.entries}
    want = {(c.action, c.policy, c.target, c.field, c.before, c.after) for c in EXAMPLE}
    assert got == want
    assert {e.time for e in parsed.entries} == {T0}
    assert {e.commit for e in parsed.entries} == {"a" * 40}


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
words = st.text(min_size=1, max_size=16).filter(lambda s: s.strip() == s and "\n" not in s)
names = st.from_regex(r"[a-z0-9][a-z0-9.-]{0,20}", fullmatch=True)
changes_strategy = st.builds(
    Change,
    target=st.builds(WorkloadRef, st.sampled_from(["Deployment", "CronJob"]), names, names),
    file=words,
    policy=words,
    action=st.sampled_from(list(Action)),
    field=words,
    before=scalars,
    after=scalars,
    note=st.text(max_size=20),
)


@given(st.lists(changes_strategy, min_size=1, max_size=6))
def test_any_changes_round_trip(changes: list[Change]) -> None:
    """Whatever the values (types, quotes, unicode), parse(render(x)) gives x's facts back."""
    parsed = ledger.parse_ledger([record(ledger.render_commit_message(changes))])
    assert parsed.problems == ()
    got = sorted(
        repr((e.action, e.policy, e.target, e.field, e.before, e.after)) for e in parsed.entries
    )
    want = sorted(repr((c.action, c.policy, c.target, c.field, c.before, c.after)) for c in changes)
    assert got == want


def test_commits_without_trailers_are_ignored() -> None:
    """Other people's commits, even mentioning offhours in the body, add no entries."""
    messages = [
        "fix typo\n",
        "offhours: sleep 1\n\nOffhours-Change: sleep p Deployment/a/b spec.replicas 1 -> 0\n\nok\n",
        "Offhours-Change: sleep p Deployment/a/b spec.replicas 1 -> 0\n",  # subject only
        "chore\n\nSigned-off-by: A <a@example.com>\n",
    ]
    parsed = ledger.parse_ledger([record(m) for m in messages])
    assert parsed == ledger.Ledger((), ())


def test_malformed_trailers_are_reported_and_others_kept() -> None:
    """A bad trailer becomes a problem naming commit and line; good ones in it still count."""
    message = (
        "offhours: sleep 2\n\nbody\n\n"
        "Offhours-Ledger: 1\n"
        "Offhours-Change: sleep p Deployment/dev/web spec.replicas 2 -> 0\n"
        "Offhours-Change: nap p Deployment/dev/api spec.replicas 2 -> 0\n"
        "Offhours-Change: sleep p Deployment/dev/api spec.replicas two -> 0\n"
        "Offhours-Change: sleep p Deployment/dev/api spec.replicas 2 0\n"
        'Offhours-Change: sleep "p Deployment/dev/api spec.replicas 2 -> 0\n'
        "Offhours-Change: sleep p Deployment/api spec.replicas 2 -> 0\n"
    )
    parsed = ledger.parse_ledger([record(message, sha="b" * 40)])
    assert [e.target for e in parsed.entries] == [WEB]
    assert [p.line for p in parsed.problems] == [7, 8, 9, 10, 11]
    texts = [str(p) for p in parsed.problems]
    assert texts[0] == (
        f"commit {'b' * 12}: message line 7: Offhours-Change: unknown action 'nap'; "
        "expected sleep or wake"
    )
    assert "not a JSON scalar: 'two'" in texts[1]
    assert "expected 'action policy kind/namespace/name field before -> after'" in texts[2]
    assert "bad quoted string" in texts[3]
    assert "not a target reference" in texts[4]


def test_unknown_ledger_version_is_reported_not_guessed() -> None:
    """A newer ledger format is one problem and no entries, rather than wrong entries."""
    message = (
        "offhours: x\n\nOffhours-Ledger: 2\n"
        "Offhours-Change: sleep p Deployment/dev/web spec.replicas 2 -> 0\n"
    )
    parsed = ledger.parse_ledger([record(message)])
    assert parsed.entries == ()
    assert [str(p) for p in parsed.problems] == [
        f"commit {'a' * 12}: message line 3: unknown ledger version '2'; "
        "this offhours reads version 1"
    ]


def test_trailer_keys_are_case_insensitive_and_may_fold() -> None:
    """Like git, trailer keys ignore case and a value may continue on an indented line."""
    message = "offhours\n\noffhours-change: sleep p Deployment/dev/web\n  spec.replicas 2 -> 0\n"
    parsed = ledger.parse_ledger([record(message)])
    assert [(e.target, e.field, e.before, e.after) for e in parsed.entries] == [
        (WEB, "spec.replicas", 2, 0)
    ]


def test_entries_are_in_commit_time_order() -> None:
    """Entries come out sorted by committer time; ties keep the order commits were given."""
    sleep = "s\n\nOffhours-Change: sleep p Deployment/dev/web spec.replicas 2 -> 0\n"
    wake = "w\n\nOffhours-Change: wake p Deployment/dev/web spec.replicas 0 -> 2\n"
    parsed = ledger.parse_ledger(
        [
            record(wake, sha="2" * 40, at=T0 + 60),
            record(sleep, sha="1" * 40, at=T0),
            record(wake, sha="3" * 40, at=T0 + 60),
        ]
    )
    assert [e.commit[0] for e in parsed.entries] == ["1", "2", "3"]


# -- off intervals -------------------------------------------------------------------------


def test_sleep_then_wake_is_one_off_interval() -> None:
    """A sleep at t1 and a wake at t2 make the target off over [t1, t2)."""
    entries = [entry(WEB, Action.SLEEP, T0 + 10), entry(WEB, Action.WAKE, T0 + 50)]
    assert ledger.off_intervals(entries, start=T0, end=T0 + 100) == {
        WEB: IntervalSet.of(T0 + 10, T0 + 50)
    }


def test_target_already_asleep_at_start_is_off_from_start() -> None:
    """A sleep before the range with no wake in between makes the target off from start."""
    entries = [entry(WEB, Action.SLEEP, T0 - 3600), entry(WEB, Action.WAKE, T0 + 30)]
    assert ledger.off_intervals(entries, start=T0, end=T0 + 100) == {
        WEB: IntervalSet.of(T0, T0 + 30)
    }


def test_target_woken_before_start_is_not_off() -> None:
    """A target whose last entry before the range was a wake is on at start."""
    entries = [entry(WEB, Action.SLEEP, T0 - 90), entry(WEB, Action.WAKE, T0 - 30)]
    assert ledger.off_intervals(entries, start=T0, end=T0 + 100) == {}


def test_target_still_asleep_at_end_is_off_until_end() -> None:
    """No wake before the end keeps the interval open until the end; later entries are ignored."""
    entries = [entry(WEB, Action.SLEEP, T0 + 40), entry(WEB, Action.WAKE, T0 + 500)]
    assert ledger.off_intervals(entries, start=T0, end=T0 + 100) == {
        WEB: IntervalSet.of(T0 + 40, T0 + 100)
    }


def test_repeated_sleeps_and_wakes_and_several_targets() -> None:
    """Repeated sleeps keep the first start, stray wakes are ignored, targets are separate."""
    entries = [
        entry(WEB, Action.WAKE, T0 + 1),
        entry(WEB, Action.SLEEP, T0 + 10),
        entry(WEB, Action.SLEEP, T0 + 20),
        entry(API, Action.SLEEP, T0 + 25),
        entry(WEB, Action.WAKE, T0 + 30),
        entry(WEB, Action.SLEEP, T0 + 60),
        entry(API, Action.WAKE, T0 + 70),
        entry(WEB, Action.WAKE, T0 + 80),
    ]
    random.Random(3).shuffle(entries)
    result = ledger.off_intervals(entries, start=T0, end=T0 + 100)
    assert list(result) == [API, WEB]
    assert result[WEB] == IntervalSet([(T0 + 10, T0 + 30), (T0 + 60, T0 + 80)])
    assert result[API] == IntervalSet.of(T0 + 25, T0 + 70)


def test_intervals_from_parsed_history() -> None:
    """Rendered, parsed commits give the off intervals a savings report needs."""
    sleep_msg = ledger.render_commit_message([change()])
    wake_msg = ledger.render_commit_message([change(action=Action.WAKE, before=0, after=2)])
    history = [
        record(sleep_msg, sha="1" * 40, at=T0 - 7200),
        record(wake_msg, sha="2" * 40, at=T0 + 3600),
        record(sleep_msg, sha="3" * 40, at=T0 + 7200),
    ]
    parsed = ledger.parse_ledger(history)
    off = ledger.off_intervals(parsed.entries, start=T0, end=T0 + 10_800)
    assert off == {WEB: IntervalSet([(T0, T0 + 3600), (T0 + 7200, T0 + 10_800)])}
