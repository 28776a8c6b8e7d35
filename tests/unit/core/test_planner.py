"""The planner: target resolution, desired state (on wins), orphan wakes, holds, Flux ordering."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from textwrap import dedent

import pytest

from scheduler.core import planner, planview
from scheduler.core.changes import Action
from scheduler.core.manifests import ManifestIndex, build_index
from scheduler.core.policy import Policy, load_policies

# Tuesday 2026-12-01: 23:00 in Berlin (off for office hours), 12:00 (on).
NIGHT = datetime(2026, 12, 1, 22, 0, tzinfo=UTC).timestamp()
DAY = datetime(2026, 12, 1, 11, 0, tzinfo=UTC).timestamp()

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: dev
  labels: {tier: front}
spec:
  replicas: 2 # two for the demo
"""
JOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: report
  namespace: dev
spec:
  schedule: "0 3 * * *"
"""
PREVIEWS_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: previews
  namespace: flux-system
spec:
  interval: 10m
  path: ./apps/previews
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""
ROOT_KS = PREVIEWS_KS.replace("name: previews", "name: flux-system").replace(
    "path: ./apps/previews", "path: ./clusters"
)
PREVIEW_APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: pr-1
  namespace: previews
spec:
  replicas: 1
"""


def policy_text(name: str, *, uptime: str = "Mon-Fri 08:00-19:00", targets: str) -> str:
    return (
        dedent(
            f"""\
        apiVersion: offhours.dev/v1alpha1
        kind: OffHoursPolicy
        metadata: {{name: {name}}}
        spec:
          timeZone: Europe/Berlin
          uptime: "{uptime}"
          targets:
        """
        )
        + targets
    )


def policies(*texts: str) -> tuple[Policy, ...]:
    load = load_policies(((f"policies/p{i}.yaml", t) for i, t in enumerate(texts)), now=NIGHT)
    assert not load.errors, load.errors
    return load.policies


def index(**files: str) -> ManifestIndex:
    return build_index(
        (path.replace("__", "/").replace("_yaml", ".yaml"), text) for path, text in files.items()
    )


def apply_plan(idx: ManifestIndex, plan: planner.Plan) -> ManifestIndex:
    texts = dict(idx.texts)
    for edit in plan.changed_files:
        texts[edit.path] = edit.new_text
    return build_index(texts.items())


DEV = policy_text("dev", targets="    - namespaces: [dev]\n")


def test_sleeps_selected_objects_when_the_policy_is_off() -> None:
    """At night every selected Deployment and CronJob gets its sleep edit."""
    plan = planner.plan(policies(DEV), index(apps__web_yaml=WEB, apps__job_yaml=JOB), at=NIGHT)
    got = {(c.target.name, c.field, c.before, c.after, c.action) for c in plan.changes}
    assert got == {
        ("web", "spec.replicas", 2, 0, Action.SLEEP),
        ("report", "spec.suspend", None, True, Action.SLEEP),
    }
    assert all(c.policy == "dev" for c in plan.changes)


def test_nothing_changes_while_the_policy_is_on() -> None:
    """During office hours an awake object is left alone."""
    plan = planner.plan(policies(DEV), index(apps__web_yaml=WEB), at=DAY)
    assert plan.is_empty
    assert plan.changes == ()


def test_plan_is_level_based_and_wake_restores_bytes() -> None:
    """Apply the night plan, plan again (empty), then the day plan restores the file exactly."""
    pols = policies(DEV)
    idx = index(apps__web_yaml=WEB)
    night = apply_plan(idx, planner.plan(pols, idx, at=NIGHT))
    assert planner.plan(pols, night, at=NIGHT).is_empty
    day_plan = planner.plan(pols, night, at=DAY)
    assert [c.action for c in day_plan.changes] == [Action.WAKE]
    assert apply_plan(night, day_plan).text("apps/web.yaml") == WEB


def test_on_wins_when_several_policies_select_an_object() -> None:
    """An object selected by a policy that is on stays on, with a warning naming both."""
    always_on = policy_text("always", uptime="always", targets="    - names: [web]\n")
    plan = planner.plan(policies(DEV, always_on), index(apps__web_yaml=WEB), at=NIGHT)
    assert plan.is_empty
    shared = [str(d) for d in plan.diagnostics if "several policies" in str(d)]
    assert len(shared) == 1
    assert "always, dev" in shared[0]


def test_selector_that_matches_nothing_is_a_located_warning() -> None:
    """A target entry selecting nothing is reported at its line in the policy file."""
    text = policy_text("ghost", targets="    - namespaces: [nowhere]\n")
    plan = planner.plan(policies(text), index(apps__web_yaml=WEB), at=NIGHT)
    (warning,) = [d for d in plan.diagnostics if "selects no object" in d.message]
    assert (warning.path, warning.line) == ("policies/p0.yaml", 8)
    assert not warning.is_error


def test_excluded_objects_are_never_touched() -> None:
    """offhours.dev/exclude: "true" keeps an object out of every plan."""
    excluded = WEB.replace(
        "  labels:", '  annotations:\n    offhours.dev/exclude: "true"\n  labels:'
    )
    plan = planner.plan(policies(DEV), index(apps__web_yaml=excluded), at=NIGHT)
    assert plan.files == ()


def test_an_asleep_object_no_policy_selects_is_woken() -> None:
    """Removing a policy wakes what it had put to sleep (no policy selects it any more)."""
    pols = policies(DEV)
    idx = index(apps__web_yaml=WEB)
    night = apply_plan(idx, planner.plan(pols, idx, at=NIGHT))
    plan = planner.plan((), night, at=NIGHT)
    (change,) = plan.changes
    assert (change.action, change.policy, change.after) == (Action.WAKE, "", 2)
    assert apply_plan(night, plan).text("apps/web.yaml") == WEB


def test_orphans_are_held_while_a_policy_is_broken() -> None:
    """If any policy failed to load, asleep objects nobody selects stay asleep (held)."""
    idx = index(apps__web_yaml=WEB)
    night = apply_plan(idx, planner.plan(policies(DEV), idx, at=NIGHT))
    plan = planner.plan((), night, at=DAY, broken_policies={"dev"})
    assert plan.is_empty
    assert "until the policies that failed to load are fixed" in plan.held[0]


def test_flux_suspend_waits_for_the_scale_down_of_the_same_policy() -> None:
    """A policy that scales and suspends commits the scale-down first, the suspend next."""
    text = policy_text(
        "previews",
        targets="""\
    - namespaces: [previews]
    - kinds: [Kustomization]
      names: [previews]
      action: suspend
""",
    )
    pols = policies(text)
    idx = index(
        clusters__root_yaml=ROOT_KS,
        clusters__previews_yaml=PREVIEWS_KS,
        apps__previews__pr_yaml=PREVIEW_APP,
    )
    first = planner.plan(pols, idx, at=NIGHT)
    assert [c.target.kind for c in first.changes] == ["Deployment"]
    assert "waits: the scale-down of the same policy is committed first" in first.held[0]
    after = apply_plan(idx, first)
    assert planner.plan(pols, after, at=NIGHT, hold_suspends={"previews"}).is_empty
    second = planner.plan(pols, after, at=NIGHT)
    assert [(c.target.kind, c.field, c.after) for c in second.changes] == [
        ("Kustomization", "spec.suspend", True)
    ]
    slept = apply_plan(after, second)
    morning = planner.plan(pols, slept, at=DAY)
    assert {c.target.kind for c in morning.changes} == {"Deployment", "Kustomization"}


def test_a_kind_without_a_default_action_is_refused_with_a_reason() -> None:
    """Selecting a Flux Kustomization without an action is refused, not guessed: scale and
    suspend do very different things there."""
    text = policy_text("p", targets="    - kinds: [Kustomization]\n")
    plan = planner.plan(policies(text), index(clusters__previews_yaml=PREVIEWS_KS), at=NIGHT)
    assert plan.is_empty
    assert "has no default way to sleep; set `action: scale`" in plan.refused[0]
    assert "or `action: suspend`" in plan.refused[0]


@pytest.mark.parametrize("sleep_replicas", [0, 1])
def test_sleep_replicas_come_from_the_policy(sleep_replicas: int) -> None:
    """spec.sleepReplicas sets the replica count while asleep."""
    text = DEV.replace("  timeZone:", f"  sleepReplicas: {sleep_replicas}\n  timeZone:")
    plan = planner.plan(policies(text), index(apps__web_yaml=WEB), at=NIGHT)
    assert [c.after for c in plan.changes] == [sleep_replicas]


def test_json_contract() -> None:
    """plan --format json carries the documented keys for every change."""
    plan = planner.plan(policies(DEV), index(apps__web_yaml=WEB), at=NIGHT)
    doc = json.loads(json.dumps(planview.to_document(plan)))
    assert doc["at"] == "2026-12-01T22:00:00Z"
    assert doc["changes"] == [
        {
            "file": "apps/web.yaml",
            "kind": "Deployment",
            "namespace": "dev",
            "name": "web",
            "policy": "dev",
            "action": "sleep",
            "field": "spec.replicas",
            "from": 2,
            "to": 0,
            "note": "",
        }
    ]
    assert set(doc) == {"at", "changes", "warnings", "skipped", "held"}


def test_diff_output_applies_with_git_semantics() -> None:
    """The diff names a/ and b/ paths and shows the replica change."""
    plan = planner.plan(policies(DEV), index(apps__web_yaml=WEB), at=NIGHT)
    diff = planview.render_diff(plan)
    assert diff.startswith("--- a/apps/web.yaml\n+++ b/apps/web.yaml\n")
    assert "-  replicas: 2 # two for the demo\n+  replicas: 0 # two for the demo\n" in diff


def test_objects_outside_every_flux_kustomization_are_left_alone() -> None:
    """With Flux Kustomizations in the repo, an object none of them applies (a stale copy
    under .archive/) is not edited, and the policy gets one warning naming it."""
    idx = index(
        clusters__root_yaml=ROOT_KS,
        clusters__previews_yaml=PREVIEWS_KS,
        apps__previews__pr_yaml=PREVIEW_APP,
        archive__pr_yaml=PREVIEW_APP.replace("name: pr-1", "name: pr-old"),
    )
    text = policy_text("previews", targets="    - namespaces: [previews]\n")
    plan = planner.plan(policies(text), idx, at=NIGHT)
    assert [c.target.name for c in plan.changes] == ["pr-1"]
    (warning,) = [d for d in plan.diagnostics if "outside every Flux" in d.message]
    assert "archive/pr.yaml" in warning.message


@pytest.mark.parametrize(
    ("entry", "selected"),
    [
        ("    - names: [w*]\n", {"web"}),
        ("    - labels: {tier: front}\n", {"web"}),
        ("    - paths: [apps/jobs/**]\n", {"report"}),
        ("    - namespaces: [dev]\n      names: [nope]\n", set()),
        ('    - kinds: [Deployment]\n      paths: ["apps/*.yaml"]\n', {"web"}),
    ],
    ids=["name glob", "labels", "path glob", "names and namespace", "kind and path"],
)
def test_selectors_by_name_label_and_path(entry: str, selected: set[str]) -> None:
    """Each selecting key narrows the objects a target entry claims."""
    text = policy_text("p", targets=entry)
    plan = planner.plan(
        policies(text), index(apps__web_yaml=WEB, apps__jobs__job_yaml=JOB), at=NIGHT
    )
    assert {c.target.name for c in plan.changes} == selected


def test_exclude_entries_win_over_targets() -> None:
    """An object an exclude entry selects is not claimed."""
    text = (
        policy_text("p", targets="    - namespaces: [dev]\n") + "  exclude:\n    - names: [web]\n"
    )
    plan = planner.plan(policies(text), index(apps__web_yaml=WEB, apps__job_yaml=JOB), at=NIGHT)
    assert {c.target.name for c in plan.changes} == {"report"}


def test_an_overlay_patch_of_an_edited_object_is_a_warning() -> None:
    """A kustomize patch document naming the edited object is reported with its location."""
    kustomization = (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources: [web.yaml]\npatches:\n  - path: webpatch.yaml\n"
    )
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n"
    idx = index(
        apps__kustomization_yaml=kustomization, apps__web_yaml=WEB, apps__webpatch_yaml=patch
    )
    plan = planner.plan(policies(DEV), idx, at=NIGHT)
    assert [c.target.name for c in plan.changes] == ["web"]
    (warning,) = [d for d in plan.diagnostics if "kustomize patch" in d.message]
    assert "apps/webpatch.yaml:1" in warning.message
