"""Reading policy documents: the model they produce and the exact text of every diagnostic."""

from __future__ import annotations

from datetime import UTC, date, datetime
from textwrap import dedent

import pytest

from scheduler.core.calendar import HolidayCalendar
from scheduler.core.policy import (
    CronSchedule,
    FieldPath,
    Location,
    PolicyLoad,
    ScheduleForm,
    Selector,
    State,
    TargetAction,
    WindowSchedule,
    load_policies,
    matches,
    parse_field_path,
    select,
)

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC).timestamp()
HEAD = "apiVersion: offhours.dev/v1alpha1\nkind: OffHoursPolicy\nmetadata: {name: p}\n"

ISSUE_EXAMPLE = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: dev-nights}
spec:
  timeZone: Europe/Berlin
  uptime:   ["Mon-Fri 07:30-19:00"]
  offDays: ["2026-12-24", "2026-12-27..2027-01-01"]
  onDays:  ["2026-12-21"]
  holidays: {country: DE, subdivision: BE}
  overrides:
    - {state: "on", until: "2026-11-28T23:00:00+01:00", reason: "release night"}
  targets:
    - {namespaces: [dev], names: ["web*"], sleepReplicas: 1}
    - kinds: [HelmRelease]
      names: [shop]
      action: values
      valuesPath: replicaCount
  exclude:
    - {labels: {tier: db}}
"""


def load(text: str, *, now: float = NOW, path: str = "p.yaml") -> PolicyLoad:
    return load_policies([(path, text)], now=now)


def messages(text: str, *, now: float = NOW) -> list[str]:
    return [str(d) for d in load(text, now=now).diagnostics]


def test_reads_the_issue_example_into_the_model() -> None:
    """Every field of the documented example lands in the model."""
    result = load(ISSUE_EXAMPLE)
    assert result.diagnostics == ()
    (policy,) = result.policies
    assert (policy.name, policy.zone, policy.location) == (
        "dev-nights",
        "Europe/Berlin",
        Location("p.yaml", 1, 1),
    )
    assert isinstance(policy.schedule, WindowSchedule)
    assert policy.schedule.form is ScheduleForm.UPTIME
    assert [w.text for w in policy.schedule.windows] == ["Mon-Fri 07:30-19:00"]
    assert [(d.first, d.last) for d in policy.off_days] == [
        (date(2026, 12, 24), date(2026, 12, 24)),
        (date(2026, 12, 27), date(2027, 1, 1)),
    ]
    assert policy.holidays == HolidayCalendar("DE", "BE", ())
    (override,) = policy.overrides
    assert (override.state, override.start, override.until, override.reason) == (
        State.ON,
        None,
        int(datetime(2026, 11, 28, 22, tzinfo=UTC).timestamp()),
        "release night",
    )
    assert policy.targets == (
        Selector(Location("p.yaml", 13, 7), namespaces=("dev",), names=("web*",), sleep_replicas=1),
        Selector(
            Location("p.yaml", 14, 7),
            kinds=("HelmRelease",),
            names=("shop",),
            action=TargetAction.VALUES,
            values_path=FieldPath("replicaCount", ("replicaCount",)),
        ),
    )
    assert policy.exclude == (Selector(Location("p.yaml", 19, 7), labels=(("tier", "db"),)),)
    assert (policy.enabled, policy.sleep_replicas) == (True, 0)


def test_expired_override_is_a_warning_not_an_error() -> None:
    """Once until has passed, validation warns and keeps the policy."""
    later = datetime(2026, 12, 1, tzinfo=UTC).timestamp()
    result = load(ISSUE_EXAMPLE, now=later)
    assert [str(d) for d in result.diagnostics] == [
        "p.yaml:11:28: warning: spec.overrides[0]: override expired at 2026-11-28T22:00:00Z; "
        "it is ignored and can be removed"
    ]
    assert len(result.policies) == 1


def test_unquoted_yaml_1_1_words_keep_their_text() -> None:
    """``state: on`` stays "on" and unquoted dates stay dates, not YAML 1.1 booleans/timestamps."""
    text = HEAD + dedent("""\
        spec:
          uptime: always
          offDays: [2026-12-24]
          overrides: [{state: off, until: 2026-12-01T00:00:00Z}]
          targets: [{names: [on], labels: {enabled: true}}]
        """)
    (policy,) = load(text).policies
    assert policy.overrides[0].state is State.OFF
    assert policy.off_days[0].first == date(2026, 12, 24)
    assert policy.targets[0].names == ("on",)
    assert policy.targets[0].labels == (("enabled", "true"),)


def test_comma_separated_windows_and_cron_pair() -> None:
    """One string may hold several windows; sleep/wake make a cron schedule."""
    text = (
        HEAD
        + 'spec: {downtime: "Sat 00:00-24:00, Sun 00:00-24:00", targets: [{namespaces: [a]}]}\n'
    )
    (policy,) = load(text).policies
    assert isinstance(policy.schedule, WindowSchedule)
    assert len(policy.schedule.windows) == 2
    cron_text = (
        HEAD
        + 'spec: {timeZone: UTC, sleep: "0 20 * * 1-5", wake: "@daily", '
        + "targets: [{kinds: [CronJob]}]}\n"
    )
    (cron_policy,) = load(cron_text).policies
    assert isinstance(cron_policy.schedule, CronSchedule)
    assert cron_policy.schedule.wake.text == "@daily"


def test_anchors_and_merge_keys_are_resolved() -> None:
    """Shared selectors through anchors and ``<<`` work like written-out ones."""
    text = HEAD + dedent("""\
        spec:
          uptime: always
          targets:
            - &dev {namespaces: [dev], sleepReplicas: 1}
            - {<<: *dev, names: [api]}
        """)
    (policy,) = load(text).policies
    assert policy.targets[1].namespaces == ("dev",)
    assert policy.targets[1].names == ("api",)


CASES = [
    pytest.param(
        "spec: {targets: [{namespaces: [a]}]}\n",
        [
            'p.yaml:4:7: spec: no schedule (got none; expected one of uptime: ["Mon-Fri '
            '07:30-19:00"], '
            "downtime: [...] or a sleep/wake cron pair)"
        ],
        id="neither-form",
    ),
    pytest.param(
        'spec:\n  uptime: always\n  downtime: ["Sat 00:00-24:00"]\n  targets: [{namespaces: '
        "[a]}]\n",
        [
            "p.yaml:6:3: spec: only one schedule form is allowed (got uptime and downtime; "
            "expected one of "
            'uptime: ["Mon-Fri 07:30-19:00"], downtime: [...] or a sleep/wake cron pair)'
        ],
        id="both-forms",
    ),
    pytest.param(
        'spec:\n  uptime: ["Mon-Fri 07:30-19:00, Mox 08:00-09:00"]\n  targets: [{namespaces: '
        "[a]}]\n",
        [
            'p.yaml:5:34: spec.uptime[0]: unknown day "Mox" (got "Mox 08:00-09:00"; expected one '
            "of Mon, "
            "Tue, Wed, Thu, Fri, Sat, Sun, or a range such as Mon-Fri)"
        ],
        id="window-column-inside-string",
    ),
    pytest.param(
        "spec:\n  timeZone: Europe/Berlim\n  uptime: always\n  targets: [{namespaces: [a]}]\n",
        [
            'p.yaml:5:13: spec.timeZone: unknown time zone (got "Europe/Berlim"; expected an IANA '
            "zone such "
            'as Europe/Berlin, America/New_York or UTC; did you mean "Europe/Berlin"?)'
        ],
        id="bad-zone",
    ),
    pytest.param(
        'spec:\n  sleep: "0 20 * * 1-5 *"\n  wake: "0 7 L * *"\n  targets: [{namespaces: [a]}]\n',
        [
            'p.yaml:5:10: spec.sleep: a cron expression has 5 fields, this one has 6 (got "0 20 * '
            '* 1-5 *"; '
            'expected 5 fields "minute hour day-of-month month day-of-week", e.g. "0 20 * * 1-5")',
            'p.yaml:6:9: spec.wake: L, W, # and H are not supported in cron expressions (got "0 7 '
            'L * *"; '
            'expected 5 fields "minute hour day-of-month month day-of-week", e.g. "0 20 * * 1-5")',
        ],
        id="bad-cron",
    ),
    pytest.param(
        'spec:\n  sleep: "0 20 * * 1-5"\n  targets: [{namespaces: [a]}]\n',
        [
            "p.yaml:5:3: spec.sleep: sleep needs wake (got sleep alone; expected both, e.g. sleep: "
            '"0 20 * * 1-5" and wake: "30 7 * * 1-5")'
        ],
        id="half-cron-pair",
    ),
    pytest.param(
        'spec:\n  uptime: always\n  offDays: ["2026-12-27..2027-01-01"]\n  onDays: ["2026-12-28"]\n'
        "  targets: [{namespaces: [a]}]\n",
        [
            "p.yaml:7:12: spec.onDays: 2026-12-28 is in both onDays and offDays (offDays entry "
            '"2026-12-27..2027-01-01" at line 6) (got "2026-12-28"; expected each date in at most '
            "one of "
            "onDays and offDays)"
        ],
        id="onDays-offDays-conflict",
    ),
    pytest.param(
        "spec:\n  uptime: always\n  holidays: {country: DE, subdivision: XX}\n  targets: "
        "[{namespaces: [a]}]\n",
        [
            'p.yaml:6:40: spec.holidays.subdivision: unknown subdivision for DE (got "XX"; '
            "expected one of "
            "BB, BE, BW, BY, HB, HE, HH, MV, NI, NW, RP, SH, SL, SN, ST, TH, Augsburg)"
        ],
        id="bad-subdivision",
    ),
    pytest.param(
        "spec:\n  uptime: always\n  overrides:\n    - {state: maybe, reason: x}\n"
        '    - {state: "off", from: "2026-12-02T00:00Z", until: "2026-12-01T00:00Z"}\n'
        "  targets: [{namespaces: [a]}]\n",
        [
            "p.yaml:7:7: spec.overrides[0].until: is required (got nothing; expected "
            "2026-11-28T23:00:00+01:00, 2026-11-28T22:00:00Z or 2026-11-28T23:00)",
            'p.yaml:7:15: spec.overrides[0].state: must be on or off (got "maybe"; expected "on" '
            'or "off")',
            "p.yaml:8:28: spec.overrides[1].from: must be before until (got from "
            "2026-12-02T00:00:00Z, "
            "until 2026-12-01T00:00:00Z; expected from < until)",
        ],
        id="bad-overrides",
    ),
    pytest.param(
        "spec:\n  uptime: always\n  enabled: yes\n  sleepReplicas: -1\n  exlude: []\n  targets: "
        "[{namespaces: [a]}]\n",
        [
            'p.yaml:6:12: spec.enabled: must be true or false (got "yes"; expected true or false)',
            "p.yaml:7:18: spec.sleepReplicas: must be at least 0 (got -1; expected an integer >= "
            "0, e.g. 0)",
            'p.yaml:8:3: spec.exlude: unknown field (got "exlude"; expected one of timeZone, '
            "uptime, downtime, "
            "sleep, wake, offDays, onDays, holidays, overrides, enabled, sleepReplicas, targets, "
            "exclude; "
            'did you mean "exclude"?)',
        ],
        id="bad-scalars-and-unknown-field",
    ),
    pytest.param(
        "spec:\n  uptime: always\n  targets:\n"
        "    - {kinds: [deployment], action: suspend, sleepReplicas: 1}\n"
        "    - {action: scale}\n"
        "    - {kinds: [AutoscalingRunnerSet], field: spec.minRunners}\n"
        "    - {kinds: [HelmRelease], action: suspend, valuesPath: replicaCount}\n"
        "  exclude:\n    - {names: [x], action: scale}\n",
        [
            'p.yaml:7:16: spec.targets[0].kinds[0]: not a Kubernetes kind (got "deployment"; '
            "expected "
            "Deployment (kinds are case-sensitive))",
            "p.yaml:7:61: spec.targets[0].sleepReplicas: has no effect with action suspend (got "
            '"1"; '
            "expected sleepReplicas with action scale or values)",
            "p.yaml:8:7: spec.targets[1]: selects nothing (got action; expected at least one of "
            "kinds, "
            "namespaces, names, labels, paths)",
            "p.yaml:9:39: spec.targets[2].sleepValue: is required with field (got nothing; "
            "expected "
            "sleepValue: 0)",
            "p.yaml:10:59: spec.targets[3].valuesPath: only applies to action values (got action "
            "suspend; "
            "expected action: values, or no action)",
            'p.yaml:12:20: spec.exclude[0].action: unknown field (got "action"; expected one of '
            "kinds, "
            "namespaces, names, labels, paths)",
        ],
        id="bad-selectors",
    ),
    pytest.param(
        "spec:\n  uptime: always\n  targets: []\n",
        [
            "p.yaml:6:3: spec.targets: needs at least one entry (got an empty list; expected a "
            "list of {kinds: [Deployment], namespaces: [dev], names: [web]})"
        ],
        id="no-targets",
    ),
]


@pytest.mark.parametrize(("spec", "expected"), CASES)
def test_diagnostic_texts(spec: str, expected: list[str]) -> None:
    """Each mistake is reported at its line and column, saying what was got and expected."""
    result = load(HEAD + spec)
    assert [str(d) for d in result.diagnostics] == expected
    assert result.policies == ()
    assert [r.name for r in result.rejected] == ["p"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "apiVersion: offhours.dev/v1\nkind: OffHoursPolicy\nmetadata: {name: p}\nspec: {}\n",
            [
                'p.yaml:1:13: apiVersion: is not an offhours policy (got "offhours.dev/v1"; '
                "expected offhours.dev/v1alpha1)"
            ],
            id="wrong-apiVersion",
        ),
        pytest.param(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n",
            [
                'p.yaml:1:13: apiVersion: is not an offhours policy (got "apps/v1"; expected '
                "offhours.dev/v1alpha1)",
                'p.yaml:2:7: kind: is not an offhours policy (got "Deployment"; expected '
                "OffHoursPolicy)",
            ],
            id="not-a-policy",
        ),
        pytest.param(
            "apiVersion: offhours.dev/v1alpha1\nkind: OffHoursPolicy\nmetadata: {name: "
            "Bad_Name}\nspec:\n  uptime: always\n"
            "  targets: [{namespaces: [a]}]\n",
            [
                "p.yaml:3:18: metadata.name: must be lower-case letters, digits, '-' or '.' (got "
                '"Bad_Name"; '
                "expected a name such as dev-nights)"
            ],
            id="bad-name",
        ),
        pytest.param(
            "- a list\n",
            [
                "p.yaml:1:1: must be a mapping (got a list; expected apiVersion: "
                "offhours.dev/v1alpha1, "
                "kind: OffHoursPolicy, metadata: {name: ...}, spec: {...})"
            ],
            id="not-a-mapping",
        ),
        pytest.param(
            "apiVersion: offhours.dev/v1alpha1\n  kind: x\n",
            ["p.yaml:2:7: invalid YAML: mapping values are not allowed in this context"],
            id="yaml-syntax",
        ),
        pytest.param(
            "apiVersion: offhours.dev/v1alpha1\nkind: OffHoursPolicy\nkind: "
            "OffHoursPolicy\nmetadata: {name: p}\n"
            "spec: {uptime: always, targets: [{namespaces: [a]}]}\n",
            ["p.yaml:3:1: duplicate key 'kind' (first at line 2)"],
            id="duplicate-key",
        ),
    ],
)
def test_document_level_diagnostics(text: str, expected: list[str]) -> None:
    """Wrong apiVersion/kind, bad names, non-mappings and YAML errors are located."""
    assert messages(text) == expected


def test_documents_before_a_yaml_error_are_kept() -> None:
    """A syntax error in the second document does not lose the first."""
    text = HEAD + "spec: {uptime: always, targets: [{namespaces: [a]}]}\n---\nkey: [unclosed\n"
    result = load(text)
    assert [p.name for p in result.policies] == ["p"]
    assert [str(d) for d in result.diagnostics] == [
        "p.yaml:7:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence "
        "started at line 6, column 6)"
    ]


def test_duplicate_names_reject_every_copy() -> None:
    """Two policies with one name are both rejected, each pointing at the other's
    ``metadata.name``."""
    doc = HEAD + "spec: {uptime: always, targets: [{namespaces: [a]}]}\n"
    result = load_policies([("a.yaml", doc), ("b.yaml", doc)], now=NOW)
    assert result.policies == ()
    assert [str(d) for d in result.diagnostics] == [
        'a.yaml:3:18: metadata.name: duplicate policy name (got "p"; expected a name unique '
        "across the folder, also used at b.yaml:3:18)",
        'b.yaml:3:18: metadata.name: duplicate policy name (got "p"; expected a name unique '
        "across the folder, also used at a.yaml:3:18)",
    ]
    assert result.documents == 2


def test_duplicate_names_are_reported_at_each_metadata_name() -> None:
    """In a multi-document file, each copy's error is at its own ``metadata.name`` line, also
    for a copy rejected for another error; other documents are kept."""
    spec = "spec: {uptime: always, targets: [{namespaces: [a]}]}\n"
    text = (
        f"{HEAD}{spec}---\n"
        "apiVersion: offhours.dev/v1alpha1\nkind: OffHoursPolicy\nmetadata:\n  name: q\n"
        f"{spec}---\n# the same name again, broken as well\n"
        "apiVersion: offhours.dev/v1alpha1\nkind: OffHoursPolicy\nmetadata:\n  name: p\n"
        "spec: {uptime: always, targets: []}\n"
    )
    result = load(text)
    assert [p.name for p in result.policies] == ["q"]
    duplicates = [str(d) for d in result.diagnostics if "duplicate policy name" in d.message]
    assert [d.split(": ")[0] for d in duplicates] == ["p.yaml:3:18", "p.yaml:16:9"]
    assert duplicates[0].endswith("also used at p.yaml:16:9)")
    assert duplicates[1].endswith("also used at p.yaml:3:18)")


def test_field_paths() -> None:
    """Dot paths, indexes and quoted dotted keys parse into segments."""
    assert parse_field_path(
        'metadata.annotations["autoscaling.keda.sh/paused-replicas"]'
    ).segments == (
        "metadata",
        "annotations",
        "autoscaling.keda.sh/paused-replicas",
    )
    assert parse_field_path("spec.template.spec.containers[0].image").segments == (
        "spec",
        "template",
        "spec",
        "containers",
        0,
        "image",
    )


@pytest.mark.parametrize("bad", ["", ".a", "a.", "a..b", "[0].a", 'a["b'])
def test_bad_field_paths(bad: str) -> None:
    """Malformed paths are refused."""
    with pytest.raises(ValueError, match="not a field path"):
        parse_field_path(bad)


def test_selector_matching() -> None:
    """Kinds, globs, labels and path globs all have to match."""
    selector = Selector(
        Location("p.yaml", 1, 1),
        namespaces=("dev-*",),
        labels=(("tier", "web"),),
        paths=("apps/**/dev/*.yaml",),
    )

    def hit(path: str, *, kind: str = "Deployment", labels: dict[str, str] | None = None) -> bool:
        found = {"tier": "web"} if labels is None else labels
        return matches(selector, kind=kind, namespace="dev-1", name="web", labels=found, path=path)

    assert hit("apps/team/dev/web.yaml")
    assert hit("apps/dev/web.yaml")
    assert not hit("apps/team/dev/sub/web.yaml")
    assert not hit("apps/dev/web.yaml", kind="HelmRelease")
    assert not hit("apps/dev/web.yaml", labels={})


def test_select_honours_exclude_and_entry_order() -> None:
    """The first matching targets entry decides how; any matching exclude entry opts out."""
    (policy,) = load(ISSUE_EXAMPLE).policies

    def pick(kind: str, name: str, labels: dict[str, str]) -> Selector | None:
        return select(policy, kind=kind, namespace="dev", name=name, labels=labels, path="a.yaml")

    web = pick("Deployment", "web-1", {})
    assert web is policy.targets[0]
    assert policy.sleep_replicas_for(web) == 1
    shop = pick("HelmRelease", "shop", {})
    assert shop is policy.targets[1]
    assert policy.sleep_replicas_for(shop) == 0
    assert pick("Deployment", "web-db", {"tier": "db"}) is None
    assert pick("Deployment", "api", {}) is None
