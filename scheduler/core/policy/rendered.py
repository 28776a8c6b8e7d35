"""``renderedKinds`` and ``renderedFields``: what ``scale`` turns off inside a HelmRelease or
a Flux Kustomization.

``scale`` on a HelmRelease or Kustomization patches everything the release renders (or the
Kustomization applies): by default replicas of Deployments, StatefulSets and ReplicaSets,
CronJobs and KEDA ScaledObjects. ``renderedKinds`` narrows that list; ``renderedFields`` adds
``{kind, group?, field, sleepValue}`` rules for other kinds (an actions-runner-controller
scale set's ``spec.minRunners``). Both need ``action: scale`` or no action. Reading only.
"""

from __future__ import annotations

from typing import Final

from scheduler.core.policy.document import Node, YMap
from scheduler.core.policy.fieldpaths import FIELD_EXAMPLE, parse_field_path
from scheduler.core.policy.model import FieldPath, RenderedRule, TargetAction
from scheduler.core.policy.reader import Reader, describe
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = ["RENDERED_KINDS", "RULE_EXAMPLE", "read_rendered"]

#: Kinds the ``scale`` patches know (mirrors ``scheduler.core.manifests.RENDERED_KINDS``).
RENDERED_KINDS: Final = ("Deployment", "StatefulSet", "ReplicaSet", "CronJob", "ScaledObject")
RULE_KEYS: Final = ("kind", "group", "field", "sleepValue")
RULE_EXAMPLE: Final = "{kind: AutoscalingRunnerSet, field: spec.minRunners, sleepValue: 0}"
_OWN_ACTIONS: Final = (None, TargetAction.SCALE)


def read_rendered(
    r: Reader, entry: YMap, field: str, *, action: TargetAction | None
) -> tuple[tuple[str, ...] | None, tuple[RenderedRule, ...]]:
    """``(renderedKinds or None, renderedFields)`` of one target entry."""
    kinds_node, fields_node = entry.get("renderedKinds"), entry.get("renderedFields")
    for key, node in (("renderedKinds", kinds_node), ("renderedFields", fields_node)):
        if node is not None and action is None and entry.get("valuesPath") is not None:
            r.error(
                node,
                f"{field}.{key}",
                "cannot be combined with valuesPath (valuesPath means action values)",
                got=describe(node),
                expected="either valuesPath (action values) or renderedKinds/renderedFields",
            )
            return None, ()
        if node is not None and action not in _OWN_ACTIONS:
            r.error(
                node,
                f"{field}.{key}",
                f"only applies to action scale (got action {action})",
                got=describe(node),
                expected="action: scale on a HelmRelease or Kustomization, or no action",
            )
            return None, ()
    kinds = None if kinds_node is None else _read_kinds(r, kinds_node, f"{field}.renderedKinds")
    rules = _read_rules(r, fields_node, f"{field}.renderedFields")
    empty = kinds_node is not None and not r.items(kinds_node, field, expected="")
    if empty and not rules:
        r.error(
            kinds_node or entry,
            f"{field}.renderedKinds",
            "turns nothing off",
            got="an empty list",
            expected=f"some of {', '.join(RENDERED_KINDS)}, or renderedFields",
        )
    return kinds, rules


def _read_kinds(r: Reader, node: Node, field: str) -> tuple[str, ...]:
    out: list[str] = []
    expected = f"some of {', '.join(RENDERED_KINDS)}"
    for index, (text, scalar) in enumerate(r.strings(node, field, expected=expected)):
        if text in RENDERED_KINDS:
            out.append(text)
            continue
        close = [k for k in RENDERED_KINDS if k.lower() == text.lower()]
        hint = (
            f"{close[0]} (kinds are case-sensitive)"
            if close
            else f"one of {', '.join(RENDERED_KINDS)}; for other kinds use renderedFields "
            f"such as {RULE_EXAMPLE}"
        )
        r.error(
            scalar,
            f"{field}[{index}]",
            "not a kind scale can patch",
            got=quote(text),
            expected=hint,
        )
    return tuple(out)


def _read_rules(r: Reader, node: Node | None, field: str) -> tuple[RenderedRule, ...]:
    out: list[RenderedRule] = []
    for index, item in enumerate(r.items(node, field, expected=f"a list of {RULE_EXAMPLE}")):
        rule = _read_rule(r, item, f"{field}[{index}]")
        if rule is not None:
            out.append(rule)
    return tuple(out)


def _read_rule(r: Reader, node: Node, field: str) -> RenderedRule | None:
    entry = r.mapping(node, field, allowed=RULE_KEYS, expected=RULE_EXAMPLE)
    if entry is None:
        return None
    before = len(r.diagnostics)
    for key in ("kind", "field", "sleepValue"):
        if entry.get(key) is None:
            r.error(entry, f"{field}.{key}", "is required", got="nothing", expected=RULE_EXAMPLE)
    kind = r.string(
        entry.get("kind"), f"{field}.kind", expected="a kind such as AutoscalingRunnerSet"
    )
    group = r.string(entry.get("group"), f"{field}.group", expected="an API group such as keda.sh")
    path = _read_path(r, entry.get("field"), f"{field}.field")
    ok, value = r.scalar(entry.get("sleepValue"), f"{field}.sleepValue")
    if any(d.is_error for d in r.diagnostics[before:]) or not ok:
        return None
    assert kind is not None
    assert path is not None
    return RenderedRule(kind, path, value, group or "")


def _read_path(r: Reader, node: Node | None, field: str) -> FieldPath | None:
    text = r.string(node, field, expected=FIELD_EXAMPLE)
    if text is None:
        return None
    try:
        path = parse_field_path(text)
    except SyntaxProblem as exc:
        assert node is not None
        r.problem(node, field, exc)
        return None
    first = path.segments[0]
    if (
        any(isinstance(s, int) for s in path.segments)
        or first in ("apiVersion", "kind", "status")
        or (first == "metadata" and path.segments[1:2] != ("annotations",))
    ):
        assert node is not None
        r.error(
            node,
            field,
            "must be a path of mapping keys under spec (or metadata.annotations)",
            got=quote(text),
            expected="spec.minRunners",
        )
        return None
    return path
