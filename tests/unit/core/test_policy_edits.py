"""Override edits of policy files: splices that keep every other byte, verified, and the
per-target overrides they write (the planner honours them, the schedule does not)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler.core import planner
from scheduler.core.changes import Action
from scheduler.core.manifests import build_index
from scheduler.core.policy import load_policies
from scheduler.core.policy.edits import NewOverride, add_override, drop_expired
from scheduler.core.schedule import state_at
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import EditRefused

NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=UTC).timestamp()
WEB = WorkloadRef("Deployment", "dev", "web")

POLICY = """\
# Dev runs in office hours only.
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata:
  name: dev
spec:
  timeZone: Europe/Berlin   # the team's zone
  uptime: ["Mon-Fri 08:00-19:00"]
  targets:
    - namespaces: [dev]
"""
WITH_LIST = (
    POLICY
    + """\
  overrides:
    - state: "off"
      until: "2026-11-01T00:00:00Z"
      reason: old
    # keep this comment
    - {state: "on", until: "2027-01-01T00:00:00Z", reason: later}
"""
)


def wake_web(hours: float = 2) -> NewOverride:
    return NewOverride("on", NIGHT, NIGHT + hours * 3600, "demo for a customer", (WEB,))


def loaded(text: str) -> list[object]:
    load = load_policies([("p.yaml", text)], now=NIGHT)
    assert not load.errors, load.errors
    return list(load.policies)


def test_adds_the_overrides_key_when_absent() -> None:
    """Without overrides, two lines are appended to spec; the rest is byte-identical."""
    new = add_override(POLICY, policy="dev", override=wake_web())
    assert new.startswith(POLICY)
    assert new[len(POLICY) :] == (
        "  overrides:\n"
        '    - {state: "on", from: "2026-12-01T22:00:00Z", until: "2026-12-02T00:00:00Z", '
        'reason: "demo for a customer", targets: ["Deployment/dev/web"]}\n'
    )
    (policy,) = loaded(new)
    assert policy.overrides[0].targets == (WEB,)


def test_appends_to_an_existing_block_list_keeping_comments() -> None:
    """A new item goes after the last one, at the list's indentation; comments stay."""
    new = add_override(WITH_LIST, policy="dev", override=wake_web())
    assert new.startswith(WITH_LIST)
    assert new.count("\n") == WITH_LIST.count("\n") + 1
    assert "# keep this comment" in new


def test_replaces_an_empty_flow_list() -> None:
    """`overrides: []` becomes a one-item flow list."""
    text = POLICY + "  overrides: []\n"
    new = add_override(text, policy="dev", override=wake_web())
    assert new.endswith('targets: ["Deployment/dev/web"]}]\n')
    assert len(loaded(new)[0].overrides) == 1


def test_refuses_a_non_empty_flow_list() -> None:
    """A flow list with items is not rewritten; the error says what to do."""
    text = POLICY + '  overrides: [{state: "on", until: "2027-01-01T00:00:00Z"}]\n'
    with pytest.raises(EditRefused, match="block list"):
        add_override(text, policy="dev", override=wake_web())


def test_picks_the_named_policy_in_a_multi_document_file() -> None:
    """Only the named policy's document changes."""
    other = POLICY.replace("name: dev", "name: other")
    text = POLICY + "---\n" + other
    new = add_override(text, policy="other", override=wake_web())
    assert new.startswith(POLICY + "---\n")
    with pytest.raises(EditRefused, match="no policy named ghost"):
        add_override(text, policy="ghost", override=wake_web())


def test_file_without_final_newline() -> None:
    """A missing final newline does not glue the new key to the last line."""
    new = add_override(POLICY.rstrip("\n"), policy="dev", override=wake_web())
    assert "[dev]\n  overrides:\n" in new


def test_drop_expired_removes_only_those_items() -> None:
    """Dropping the expired first item keeps the comment and the later override."""
    (policy,) = loaded(WITH_LIST)
    first = policy.overrides[0].location.line
    new = drop_expired(WITH_LIST, policy="dev", lines_of={first})
    assert "reason: old" not in new
    assert "# keep this comment" in new
    assert "reason: later}" in new
    assert new == WITH_LIST.replace(
        '    - state: "off"\n      until: "2026-11-01T00:00:00Z"\n      reason: old\n', ""
    )


def test_drop_all_removes_the_key() -> None:
    """When every override goes, the overrides key goes too: the file is as before."""
    with_one = add_override(POLICY, policy="dev", override=wake_web())
    (policy,) = loaded(with_one)
    new = drop_expired(with_one, policy="dev", lines_of={policy.overrides[0].location.line})
    assert new == POLICY


def test_drop_all_removes_an_expired_flow_list() -> None:
    """The one-item flow list `offhours wake` writes into `overrides: []` can be dropped."""
    with_one = add_override(POLICY + "  overrides: []\n", policy="dev", override=wake_web())
    (policy,) = loaded(with_one)
    new = drop_expired(with_one, policy="dev", lines_of={policy.overrides[0].location.line})
    assert new == POLICY


def test_drop_refuses_a_flow_list_it_cannot_split() -> None:
    """Two overrides on one line, one still active: nothing is removed, the error says why."""
    text = POLICY + (
        '  overrides: [{state: "on", until: "2026-11-01T00:00:00Z"}, '
        '{state: "on", until: "2027-01-01T00:00:00Z"}]\n'
    )
    (policy,) = loaded(text)
    with pytest.raises(EditRefused, match="block list"):
        drop_expired(text, policy="dev", lines_of={policy.overrides[0].location.line})


def test_targeted_override_wakes_one_object_only() -> None:
    """A per-target override wakes that object; the policy state and other objects stay."""
    (policy,) = loaded(add_override(POLICY, policy="dev", override=wake_web()))
    assert str(state_at(policy, NIGHT + 60)) == "off"
    web = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: dev\n"
        "spec:\n  replicas: 2\n"
    )
    api = web.replace("name: web", "name: api")
    index = build_index([("web.yaml", web), ("api.yaml", api)])
    plan = planner.plan([policy], index, at=NIGHT + 60)
    assert [(c.target.name, c.action) for c in plan.changes] == [("api", Action.SLEEP)]
    later = planner.plan([policy], index, at=NIGHT + 3 * 3600)
    assert {c.target.name for c in later.changes} == {"api", "web"}


def test_invalid_override_target_is_a_located_error() -> None:
    """A target that is not kind/namespace/name is reported at its position."""
    text = POLICY + '  overrides: [{state: "on", until: "2027-01-01T00:00:00Z", targets: [web]}]\n'
    load = load_policies([("p.yaml", text)], now=NIGHT)
    (error,) = load.errors
    assert error.line == 11
    assert "is not a target" in error.message
