"""``targets`` and ``exclude`` entries: reading them, and matching them against objects.

An entry selects objects by ``kinds``, ``namespaces`` and ``names`` (globs), ``labels``
(matchLabels) and ``paths`` (repo-relative globs, ``**`` crosses directories); a ``targets``
entry may also say how to put them to sleep (``action``, ``valuesPath``, ``field`` +
``sleepValue``, ``sleepReplicas``). Which objects exist is the planner's business; this
module only validates entries and answers "does this entry select that object?".
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

from scheduler.core.changes import Scalar
from scheduler.core.policy.document import Node, YMap, YScalar
from scheduler.core.policy.fieldpaths import FIELD_EXAMPLE, parse_field_path
from scheduler.core.policy.model import (
    DEFAULT_KINDS,
    FieldPath,
    Policy,
    RenderedRule,
    Selector,
    TargetAction,
)
from scheduler.core.policy.reader import Reader, describe
from scheduler.core.policy.rendered import read_rendered
from scheduler.core.syntax import SyntaxProblem, quote

__all__ = ["matches", "parse_field_path", "read_selectors", "select"]

SELECTING_KEYS = ("kinds", "namespaces", "names", "labels", "paths")
TARGET_KEYS = (
    *SELECTING_KEYS,
    "action",
    "valuesPath",
    "field",
    "sleepValue",
    "sleepReplicas",
    "renderedKinds",
    "renderedFields",
)
TARGET_EXAMPLE = "{kinds: [Deployment], namespaces: [dev], names: [web]}"
KNOWN_KINDS = (
    *DEFAULT_KINDS,
    "HelmRelease",
    "Kustomization",
    "ScaledObject",
    "HorizontalPodAutoscaler",
    "AutoscalingRunnerSet",
    "Rollout",
)
_KIND = re.compile(r"^[A-Z][A-Za-z0-9]*$")
_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_NO_REPLICAS = (TargetAction.SUSPEND, TargetAction.PAUSE, TargetAction.FIELD)
_MAX_LABEL = 63


class _How(NamedTuple):
    """How a target entry puts its objects to sleep."""

    action: TargetAction | None = None
    values_path: FieldPath | None = None
    field: FieldPath | None = None
    sleep_value: Scalar = None
    sleep_replicas: int | None = None
    rendered_kinds: tuple[str, ...] | None = None
    rendered_fields: tuple[RenderedRule, ...] = ()


def read_selectors(r: Reader, node: Node | None, field: str, *, exclude: bool) -> list[Selector]:
    """The entries of ``targets`` (``exclude=False``) or ``exclude``."""
    out: list[Selector] = []
    for index, item in enumerate(r.items(node, field, expected=f"a list of {TARGET_EXAMPLE}")):
        selector = _read_entry(r, item, f"{field}[{index}]", exclude=exclude)
        if selector is not None:
            out.append(selector)
    return out


def _read_entry(r: Reader, node: Node, field: str, *, exclude: bool) -> Selector | None:
    allowed = SELECTING_KEYS if exclude else TARGET_KEYS
    entry = r.mapping(node, field, allowed=allowed, expected=TARGET_EXAMPLE)
    if entry is None:
        return None
    before = len(r.diagnostics)
    if not any(entry.get(key) is not None for key in SELECTING_KEYS):
        r.error(
            entry,
            field,
            "selects nothing",
            got=", ".join(k.text for k, _ in entry.entries) or "an empty entry",
            expected=f"at least one of {', '.join(SELECTING_KEYS)}",
        )
    kinds = _read_kinds(r, entry.get("kinds"), f"{field}.kinds")
    globs = {
        key: _read_globs(r, entry.get(key), f"{field}.{key}") for key in ("namespaces", "names")
    }
    paths = _read_paths(r, entry.get("paths"), f"{field}.paths")
    labels = _read_labels(r, entry.get("labels"), f"{field}.labels")
    how = _How() if exclude else _read_how(r, entry, field)
    if any(d.is_error for d in r.diagnostics[before:]):
        return None
    return Selector(
        r.location(entry),
        kinds=kinds or DEFAULT_KINDS,
        namespaces=globs["namespaces"],
        names=globs["names"],
        labels=labels,
        paths=paths,
        action=how.action,
        values_path=how.values_path,
        field=how.field,
        sleep_value=how.sleep_value,
        sleep_replicas=how.sleep_replicas,
        rendered_kinds=how.rendered_kinds,
        rendered_fields=how.rendered_fields,
    )


def _read_kinds(r: Reader, node: Node | None, field: str) -> tuple[str, ...]:
    out: list[str] = []
    for index, (text, scalar) in enumerate(
        r.strings(node, field, expected="a list such as [Deployment]")
    ):
        if _KIND.match(text):
            out.append(text)
            continue
        close = [k for k in KNOWN_KINDS if k.lower() == text.lower()]
        expected = (
            f"{close[0]} (kinds are case-sensitive)" if close else "a kind such as Deployment"
        )
        r.error(
            scalar, f"{field}[{index}]", "not a Kubernetes kind", got=quote(text), expected=expected
        )
    return tuple(out)


def _read_globs(r: Reader, node: Node | None, field: str) -> tuple[str, ...]:
    out: list[str] = []
    for index, (text, scalar) in enumerate(
        r.strings(node, field, expected='a list of globs such as ["dev-*"]')
    ):
        if any(c.isspace() for c in text):
            r.error(
                scalar,
                f"{field}[{index}]",
                "globs may not contain spaces",
                got=quote(text),
                expected='"dev-*"',
            )
            continue
        out.append(text)
    return tuple(out)


def _read_paths(r: Reader, node: Node | None, field: str) -> tuple[str, ...]:
    out: list[str] = []
    for index, (text, scalar) in enumerate(
        r.strings(node, field, expected='a list such as ["apps/dev/**"]')
    ):
        cleaned = text.removeprefix("./")
        if cleaned.startswith("/") or ".." in cleaned.split("/"):
            r.error(
                scalar,
                f"{field}[{index}]",
                "must be relative to the repository root",
                got=quote(text),
                expected='"apps/dev/**"',
            )
            continue
        out.append(cleaned)
    return tuple(out)


def _read_labels(r: Reader, node: Node | None, field: str) -> tuple[tuple[str, str], ...]:
    if node is None:
        return ()
    if not isinstance(node, YMap):
        r.error(
            node,
            field,
            "must be a mapping of label to value",
            got=describe(node),
            expected="{app: web}",
        )
        return ()
    out: list[tuple[str, str]] = []
    for key, value in node.entries:
        if not _LABEL_KEY.match(key.text) or len(key.text.rsplit("/", 1)[-1]) > _MAX_LABEL:
            r.error(
                key,
                f"{field}.{key.text}",
                "not a valid label key",
                got=quote(key.text),
                expected="app or app.kubernetes.io/name",
            )
        elif (
            not isinstance(value, YScalar)
            or not _LABEL_VALUE.match(value.text)
            or len(value.text) > _MAX_LABEL
        ):
            r.error(
                value,
                f"{field}.{key.text}",
                "not a valid label value",
                got=describe(value),
                expected="web",
            )
        else:
            out.append((key.text, value.text))
    return tuple(out)


def _read_how(r: Reader, entry: YMap, field: str) -> _How:
    action = _read_action(r, entry.get("action"), f"{field}.action")
    if action is TargetAction.FIELD and entry.get("field") is None:
        r.error(
            entry,
            f"{field}.field",
            "is required with action field",
            got="nothing",
            expected="field: spec.minRunners plus sleepValue: 0",
        )
    rendered_kinds, rendered_fields = read_rendered(r, entry, field, action=action)
    return _How(
        action=action,
        rendered_kinds=rendered_kinds,
        rendered_fields=rendered_fields,
        values_path=_read_path_field(
            r, entry, "valuesPath", field=field, owner=TargetAction.VALUES, action=action
        ),
        field=_read_path_field(
            r, entry, "field", field=field, owner=TargetAction.FIELD, action=action
        ),
        sleep_value=_read_sleep_value(r, entry, field, has_field=entry.get("field") is not None),
        sleep_replicas=_read_replicas(r, entry, field, action=action),
    )


def _read_action(r: Reader, node: Node | None, field: str) -> TargetAction | None:
    if node is None:
        return None
    text = r.string(node, field, expected=", ".join(TargetAction))
    if text is None:
        return None
    if text in {a.value for a in TargetAction}:
        return TargetAction(text)
    r.error(
        node, field, "unknown action", got=quote(text), expected=f"one of {', '.join(TargetAction)}"
    )
    return None


def _read_path_field(
    r: Reader,
    entry: YMap,
    key: str,
    *,
    field: str,
    owner: TargetAction,
    action: TargetAction | None,
) -> FieldPath | None:
    node = entry.get(key)
    if node is None:
        return None
    if action not in {None, owner}:
        r.error(
            node,
            f"{field}.{key}",
            f"only applies to action {owner}",
            got=f"action {action}",
            expected=f"action: {owner}, or no action",
        )
        return None
    text = r.string(node, f"{field}.{key}", expected=FIELD_EXAMPLE)
    if text is None:
        return None
    try:
        return parse_field_path(text)
    except SyntaxProblem as exc:
        r.problem(node, f"{field}.{key}", exc)
        return None


def _read_sleep_value(r: Reader, entry: YMap, field: str, *, has_field: bool) -> Scalar:
    node = entry.get("sleepValue")
    if node is None:
        if has_field:
            r.error(
                entry.key("field") or entry,
                f"{field}.sleepValue",
                "is required with field",
                got="nothing",
                expected="sleepValue: 0",
            )
        return None
    if not has_field:
        r.error(
            node,
            f"{field}.sleepValue",
            "needs field",
            got=describe(node),
            expected="field: spec.minRunners next to sleepValue",
        )
        return None
    ok, value = r.scalar(node, f"{field}.sleepValue")
    return value if ok else None


def _read_replicas(
    r: Reader, entry: YMap, field: str, *, action: TargetAction | None
) -> int | None:
    node = entry.get("sleepReplicas")
    if node is None:
        return None
    if action in _NO_REPLICAS:
        r.error(
            node,
            f"{field}.sleepReplicas",
            f"has no effect with action {action}",
            got=describe(node),
            expected="sleepReplicas with action scale or values",
        )
        return None
    return r.integer(node, f"{field}.sleepReplicas", minimum=0)


@lru_cache(maxsize=1024)
def _path_pattern(glob: str) -> re.Pattern[str]:
    parts: list[str] = []
    i = 0
    while i < len(glob):
        if glob.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            parts.append(".*")
            i += 2
        elif glob[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            parts.append("[^/]")
            i += 1
        else:
            parts.append(re.escape(glob[i]))
            i += 1
    return re.compile("".join(parts) + r"\Z")


def matches(
    selector: Selector,
    *,
    kind: str,
    namespace: str,
    name: str,
    labels: Mapping[str, str],
    path: str,
) -> bool:
    """Whether ``selector`` selects the object (empty criteria match anything)."""
    return (
        kind in selector.kinds
        and (
            not selector.namespaces
            or any(fnmatch.fnmatchcase(namespace, g) for g in selector.namespaces)
        )
        and (not selector.names or any(fnmatch.fnmatchcase(name, g) for g in selector.names))
        and all(labels.get(k) == v for k, v in selector.labels)
        and (not selector.paths or any(_path_pattern(g).match(path) for g in selector.paths))
    )


def select(
    policy: Policy,
    *,
    kind: str,
    namespace: str,
    name: str,
    labels: Mapping[str, str],
    path: str,
) -> Selector | None:
    """The first ``targets`` entry selecting the object, unless an ``exclude`` entry does.

    The returned entry says how to put the object to sleep (``action``, ``sleepReplicas``...);
    ``None`` means the policy does not act on the object.
    """

    def hit(entry: Selector) -> bool:
        return matches(entry, kind=kind, namespace=namespace, name=name, labels=labels, path=path)

    if any(hit(entry) for entry in policy.exclude):
        return None
    return next((entry for entry in policy.targets if hit(entry)), None)
