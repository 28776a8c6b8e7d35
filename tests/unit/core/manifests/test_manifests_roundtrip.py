"""Property: sleep then wake gives back the byte-identical file, on generated manifests."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.core.changes import Action
from scheduler.core.manifests import (
    EditRequest,
    HelmValues,
    ObjectEdit,
    Outcome,
    RenderedField,
    ScaleRendered,
    SetField,
    SleepMethod,
    Suspend,
    build_index,
    default_method,
    plan_edits,
)

# A generated document is a tree of (key, value) pairs; a value is scalar source text, a
# nested tree, or a sequence of trees.
Tree = list[tuple[str, "str | Tree | list[Tree]"]]

API = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "CronJob": "batch/v1",
    "HelmRelease": "helm.toolkit.fluxcd.io/v2beta2",
    "ScaledObject": "keda.sh/v1alpha1",
    "Kustomization": "kustomize.toolkit.fluxcd.io/v1",
    "RunnerDeployment": "actions.summerwind.dev/v1alpha1",
}
BLOCK_NOTE = "|\n{pad}first line\n{pad}second line"


@dataclass(frozen=True)
class Style:
    """How one document is written."""

    indent: int
    indentless: bool
    comments: bool
    blank_lines: bool
    quote: str


styles = st.builds(
    Style,
    indent=st.sampled_from([2, 4]),
    indentless=st.booleans(),
    comments=st.booleans(),
    blank_lines=st.booleans(),
    quote=st.sampled_from(['"', "'"]),
)


def _quoted(draw: st.DrawFn, text: str, style: Style) -> str:
    return f"{style.quote}{text}{style.quote}" if draw(st.booleans()) else text


def _trailing(draw: st.DrawFn, style: Style) -> str:
    if style.comments and draw(st.integers(0, 3)) == 0:
        return draw(st.sampled_from([" # note", "  # keep: this", ' # {"$imagepolicy": "a:b"}']))
    return ""


def _sequence(draw: st.DrawFn, items: list[Tree], style: Style, pad: str) -> list[str]:
    dash = pad if style.indentless else pad + " " * style.indent
    lines: list[str] = []
    for item in items:
        inner = [line for chunk in emit(draw, item, style, 0) for line in chunk.split("\n")]
        lines.append(f"{dash}- {inner[0].lstrip()}")
        lines.extend(dash + "  " + line for line in inner[1:])
    return lines


def emit(draw: st.DrawFn, tree: Tree, style: Style, depth: int = 0) -> list[str]:
    """Block-style lines for ``tree`` at ``depth`` levels of indentation."""
    pad = " " * (style.indent * depth)
    lines: list[str] = []
    for key, value in tree:
        if style.blank_lines and draw(st.integers(0, 6)) == 0:
            lines.append("")
        if style.comments and draw(st.integers(0, 5)) == 0:
            lines.append(f"{pad}# about {key}")
        if isinstance(value, str):
            text = value.replace("{pad}", pad + " " * style.indent)
            comment = "" if "\n" in text else _trailing(draw, style)
            lines.append(f"{pad}{key}: {text}{comment}")
        elif value and isinstance(value[0], list):
            lines.append(f"{pad}{key}:")
            lines.extend(_sequence(draw, value, style, pad))  # type: ignore[arg-type]
        else:
            lines.append(f"{pad}{key}:{_trailing(draw, style)}")
            lines.extend(emit(draw, value, style, depth + 1))  # type: ignore[arg-type]
    return lines


def _metadata(draw: st.DrawFn, kind: str, number: int, style: Style) -> Tree:
    metadata: Tree = [("name", f"app{number}"), ("namespace", _quoted(draw, "team", style))]
    if draw(st.booleans()):
        metadata.insert(1, ("labels", [("app", f"app{number}")]))
    annotations: Tree = [("team/owner", _quoted(draw, "a-team", style))]
    if kind == "ScaledObject" and draw(st.booleans()):
        annotations.append(("autoscaling.keda.sh/paused-replicas", '"1"'))
    if draw(st.booleans()):
        annotations.append(("description", BLOCK_NOTE))
    shape = draw(st.sampled_from(["absent", "block", "flow-empty", "flow"]))
    if shape == "block":
        metadata.append(("annotations", annotations))
    elif shape == "flow-empty":
        metadata.append(("annotations", "{}"))
    elif shape == "flow":
        metadata.append(("annotations", "{ team/owner: a }"))
    return metadata


def _pod(draw: st.DrawFn, style: Style) -> Tree:
    containers = [[("name", "main"), ("image", _quoted(draw, "ghcr.io/x/app:1.0", style))]]
    return [("containers", containers)]


def _rendered(draw: st.DrawFn) -> ScaleRendered:
    kinds = draw(st.sampled_from([ScaleRendered().kinds, ("Deployment",), ("CronJob",)]))
    fields = ()
    if draw(st.booleans()):
        fields = (RenderedField("AutoscalingRunnerSet", ("spec", "minRunners"), 0, "actions"),)
    return ScaleRendered(draw(st.integers(0, 2)), kinds, fields)


def _patch_list(draw: st.DrawFn, *, wrapped: bool) -> str | list[Tree] | None:
    """An existing post-renderer / patch list: absent, flow, or block with a user entry."""
    shape = draw(st.sampled_from(["absent", "flow-empty", "flow", "block"]))
    if shape == "absent":
        return None
    if shape == "flow-empty":
        return "[]"
    if shape == "flow":
        entry = "{kustomize: {images: [{name: a, newTag: b}]}}" if wrapped else "{patch: x}"
        return f"[{entry}]"
    patch = [
        ("patch", "|\n{pad}- op: add\n{pad}  path: /spec/x\n{pad}  value: 1"),
        ("target", [("kind", "Service")]),
    ]
    if wrapped:
        return [[("kustomize", [("patches", [patch])])]]
    return [patch]


def _helm_spec(draw: st.DrawFn) -> tuple[Tree, SleepMethod]:
    spec: Tree = [("interval", "1h")]
    values = draw(st.sampled_from(["absent", "flow-empty", "replicaCount", "controllers"]))
    path = draw(st.sampled_from(["replicaCount", "controllers.main.replicas"]))
    if values == "flow-empty":
        spec.append(("values", "{}"))
        path = "replicaCount"
    elif values == "replicaCount":
        spec.append(("values", [("replicaCount", "2"), ("image", [("tag", "1.0")])]))
    elif values == "controllers":
        main: Tree = [("containers", [("app", [("image", [("tag", "1.0")])])])]
        if draw(st.booleans()):
            main.insert(0, ("replicas", draw(st.sampled_from(["1", "0", "null"]))))
        spec.append(("values", [("controllers", [("main", main)])]))
    if draw(st.booleans()):
        return spec, HelmValues(paths=(path,))
    existing = _patch_list(draw, wrapped=True)
    if existing is not None:
        spec.insert(draw(st.integers(0, len(spec))), ("postRenderers", existing))
    return spec, _rendered(draw)


def _spec(draw: st.DrawFn, kind: str, number: int, style: Style) -> tuple[Tree, SleepMethod | None]:
    replicas = draw(st.sampled_from(["absent", "3", "0", '"2"', "'1'", "0x2"]))
    if kind in ("Deployment", "StatefulSet", "RunnerDeployment"):
        spec: Tree = [("template", [("spec", _pod(draw, style))])]
        if replicas != "absent":
            spec.insert(draw(st.integers(0, 1)), ("replicas", replicas))
        method = SetField("spec.replicas", 0) if kind == "RunnerDeployment" else None
        return spec, method
    if kind == "CronJob":
        spec = [("schedule", '"0 1 * * *"')]
        suspend = draw(st.sampled_from(["absent", "false", "true"]))
        if suspend != "absent":
            spec.append(("suspend", suspend))
        spec.append(("jobTemplate", [("spec", [("template", [("spec", _pod(draw, style))])])]))
        return spec, None
    if kind == "HelmRelease":
        return _helm_spec(draw)
    if kind == "Kustomization":
        suspend = draw(st.sampled_from(["false", "true"]))
        spec = [("interval", "10m"), ("suspend", suspend), ("path", "./apps")]
        if draw(st.booleans()):
            return spec, Suspend()
        existing = _patch_list(draw, wrapped=False)
        if existing is not None:
            spec.insert(draw(st.integers(0, len(spec))), ("patches", existing))
        return spec, _rendered(draw)
    return [("scaleTargetRef", [("name", f"app{number}")]), ("minReplicaCount", "1")], None


@st.composite
def documents(draw: st.DrawFn, number: int) -> tuple[str, SleepMethod | None]:
    """One document's text and the method its object sleeps with."""
    kind = draw(st.sampled_from(sorted(API)))
    style = draw(styles)
    spec, method = _spec(draw, kind, number, style)
    root: Tree = [
        ("apiVersion", API[kind]),
        ("kind", kind),
        ("metadata", _metadata(draw, kind, number, style)),
        ("spec", spec),
    ]
    if draw(st.booleans()):
        root = [root[1], root[0], root[3], root[2]]
    header = draw(st.sampled_from(["", "---\n", "# yaml-language-server: $schema=x.json\n---\n"]))
    return header + "\n".join(emit(draw, root, style)), method


@st.composite
def files(draw: st.DrawFn) -> tuple[str, list[SleepMethod | None]]:
    """A multi-document file, its newline style, final newline or not, and sleep methods."""
    docs = [draw(documents(n)) for n in range(draw(st.integers(1, 3)))]
    bodies = [body.removeprefix("---\n") if n else body for n, (body, _) in enumerate(docs)]
    text = "\n---\n".join(bodies)
    if draw(st.booleans()):
        text += "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, [method for _, method in docs]


def _run(
    text: str, action: Action, methods: list[SleepMethod | None]
) -> tuple[str, list[ObjectEdit]]:
    index = build_index([("app.yaml", text)])
    requests = []
    for obj, method in zip(index.objects, methods, strict=True):
        chosen = method or default_method(obj.api_version, obj.kind)
        requests.append(EditRequest(obj, action, chosen))
    (edit,) = plan_edits(index, requests)
    return edit.new_text, list(edit.objects)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_sleep_then_wake_is_byte_identical(
    generated: tuple[str, list[SleepMethod | None]],
) -> None:
    """Generated files sleep without failures, sleep again as a no-op, and wake exactly."""
    text, methods = generated
    asleep, slept = _run(text, Action.SLEEP, methods)
    assert [o.outcome for o in slept] == [Outcome.CHANGED] * len(slept), [o.message for o in slept]
    again, repeated = _run(asleep, Action.SLEEP, methods)
    assert again == asleep
    assert all(o.outcome is Outcome.UNCHANGED for o in repeated)
    awake, woken = _run(asleep, Action.WAKE, methods)
    assert [o.outcome for o in woken] == [Outcome.CHANGED] * len(woken), [o.message for o in woken]
    assert awake == text
