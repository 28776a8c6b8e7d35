"""Sleeps planned from the index's outlines: the same results as composing, or no result."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from scheduler.core.changes import Action
from scheduler.core.manifests import (
    EditRequest,
    FileEdit,
    ManifestIndex,
    ScaleRendered,
    ScaleReplicas,
    SleepMethod,
    Suspend,
    build_index,
    default_method,
    edit_file,
    outlinedsleeps,
    plan_edits,
    slices,
)
from tests.unit.core.manifests import golden
from tests.unit.core.manifests.test_manifests_roundtrip import files

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web # the app
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: web
          image: web:1
"""
CRONJOB = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  annotations:
    team: data
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec: {}
"""
HELMRELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: app
spec:
  interval: 30m
  values:
    replicaCount: 2
"""


def _requests(index: ManifestIndex, action: Action = Action.SLEEP) -> list[EditRequest]:
    requests = []
    for obj in index.objects:
        method = default_method(obj.api_version, obj.kind)
        if method is not None or action is Action.WAKE:
            requests.append(EditRequest(obj, action, method, "p"))
    return requests


def _composed(index: ManifestIndex, requests: list[EditRequest]) -> list[FileEdit]:
    """The edits of the general path: every edited document composed (no outlines)."""
    by_file: dict[str, list[EditRequest]] = {}
    for request in requests:
        by_file.setdefault(request.target.file, []).append(request)
    return [edit_file(path, index.text(path), reqs) for path, reqs in by_file.items()]


def _same_as_composed(files: dict[str, str], action: Action = Action.SLEEP) -> None:
    index = build_index(sorted(files.items()))
    requests = _requests(index, action)
    assert list(plan_edits(index, requests)) == _composed(index, requests)


def _slept(text: str, method: SleepMethod | None = None) -> outlinedsleeps.Slept | None:
    """The outline's sleep of the first object of ``text`` (None: not settled there)."""
    index = build_index([("app.yaml", text)])
    obj = index.objects[0]
    kept = index.outline(obj.id)
    assert kept is not None
    start, end = slices.bounds(text, obj.offset)
    chosen = method or default_method(obj.api_version, obj.kind)
    assert chosen is not None
    document = outlinedsleeps.Document(text, kept, start, end)
    return outlinedsleeps.sleep(obj, chosen, document, quote='"', newline="\n")


@pytest.mark.parametrize("name", golden.case_names())
@pytest.mark.parametrize("tree", ["input", "expected"])
def test_golden_repositories_sleep_as_when_composed(name: str, tree: str) -> None:
    """Every object of every golden repository sleeps (or is refused) as the general path
    does, asleep or awake."""
    files = golden.read_tree(golden.DATA / name / tree)
    _same_as_composed(files)
    _same_as_composed(files, Action.WAKE)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_generated_files_sleep_as_when_composed(
    generated: tuple[str, list[SleepMethod | None]],
) -> None:
    """Generated files (indentation, quotes, comments, flow and block annotations, lists,
    CRLF, no final newline) sleep with the same text, facts and outcomes."""
    text, methods = generated
    index = build_index([("app.yaml", text)])
    requests = [
        EditRequest(obj, Action.SLEEP, method or default_method(obj.api_version, obj.kind))
        for obj, method in zip(index.objects, methods, strict=True)
    ]
    assert list(plan_edits(index, requests)) == _composed(index, requests)


@pytest.mark.parametrize(
    ("text", "method"),
    [
        pytest.param(DEPLOYMENT, ScaleReplicas(), id="replicas-replaced"),
        pytest.param(DEPLOYMENT, ScaleReplicas(1), id="replicas-to-one"),
        pytest.param(
            DEPLOYMENT.replace("  replicas: 3\n", ""), ScaleReplicas(), id="replicas-inserted"
        ),
        pytest.param(CRONJOB, Suspend(), id="suspend-and-existing-annotations"),
        pytest.param(HELMRELEASE, ScaleRendered(), id="post-renderer-appended"),
        pytest.param(HELMRELEASE, Suspend(), id="flux-suspend"),
    ],
)
def test_usual_sleeps_are_settled_by_the_outline(text: str, method: SleepMethod) -> None:
    """The usual sleeps need no compose of the original document, and give its text."""
    slept = _slept(text, method)
    assert slept is not None
    index = build_index([("app.yaml", text)])
    (edit,) = _composed(index, [EditRequest(index.objects[0], Action.SLEEP, method)])
    assert slept.text == edit.new_text


ANNOTATED = DEPLOYMENT.replace("  name: web\n", '  name: web\n  annotations:\n    a: "1"\n')


@pytest.mark.parametrize(
    ("text", "method"),
    [
        pytest.param(DEPLOYMENT.replace("replicas: 3", "replicas: &n 3"), None, id="anchor"),
        pytest.param(DEPLOYMENT.replace("replicas: 3", "replicas: ${N}"), None, id="variable"),
        pytest.param(DEPLOYMENT.replace("replicas: 3", "replicas: |\n    3"), None, id="block"),
        pytest.param(
            DEPLOYMENT.replace("spec:\n  replicas", "spec: &s\n  replicas"),
            None,
            id="anchored-spec",
        ),
        pytest.param(DEPLOYMENT.replace("  labels:", "  <<: {}\n  labels:"), None, id="merge"),
        pytest.param(
            ANNOTATED.replace('annotations:\n    a: "1"', "annotations: {a: b}"),
            None,
            id="flow-annotations",
        ),
        pytest.param(
            ANNOTATED.replace('a: "1"', 'offhours.dev/exclude: "true"'), None, id="excluded"
        ),
        pytest.param(
            HELMRELEASE.replace("  interval: 30m\n", "  interval: 30m\n  postRenderers: []\n"),
            ScaleRendered(),
            id="existing-list",
        ),
        pytest.param(CRONJOB, ScaleReplicas(), id="method-misfit"),
    ],
)
def test_other_shapes_are_left_to_the_general_path(text: str, method: SleepMethod | None) -> None:
    """Anchors, variables, block scalars, merge keys, flow mappings, objects excluded,
    existing lists and misfit methods are not settled by the outline: the general
    path edits or refuses them (with the same results, as the tests above check)."""
    assert _slept(text, method) is None
    files = {"app.yaml": text}
    _same_as_composed(files)


def test_an_object_asleep_keeps_no_outline() -> None:
    """An object with a state annotation is woken (or left asleep) by the general path, so
    the index keeps no outline of it; it still sleeps, wakes or stays as when composed."""
    text = ANNOTATED.replace('a: "1"', 'offhours.dev/original-replicas: "3"')
    index = build_index([("app.yaml", text)])
    assert index.outline(index.objects[0].id) is None
    assert build_index([("app.yaml", ANNOTATED)]).outline(index.objects[0].id) is not None
    _same_as_composed({"app.yaml": text})
    _same_as_composed({"app.yaml": text}, Action.WAKE)


def test_a_sleep_that_does_not_verify_is_left_to_the_general_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A splice that changes more than it should (standing in for a bug) makes the outline's
    check fail; the general path then plans and verifies the edit itself."""
    lines = outlinedsleeps._Splicer._lines

    def widened(self: outlinedsleeps._Splicer, *args: object, **kwargs: object) -> list[str]:
        return [*lines(self, *args, **kwargs), "  sneaky: true"]  # type: ignore[arg-type]

    monkeypatch.setattr(outlinedsleeps._Splicer, "_lines", widened)
    assert _slept(DEPLOYMENT.replace("  replicas: 3\n", "")) is None
    index = build_index([("app.yaml", DEPLOYMENT.replace("  replicas: 3\n", ""))])
    (edit,) = plan_edits(index, _requests(index))
    assert "sneaky" not in edit.new_text
    assert "replicas: 0" in edit.new_text
