"""Does a kustomize-style target selector pick a given object?

Owns matching ``Selector`` (group, kind, name/namespace regular expressions, label and
annotation selectors) against a ``WorkloadRef``. The answer is three-valued: a label selector
cannot be decided without the object's labels, and offhours then says "may" rather than
guessing. Pure: no I/O.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping

from scheduler.core.observations import Selector
from scheduler.core.workloads import WorkloadRef

__all__ = ["KIND_GROUPS", "Match", "group_of", "label_selector_matches", "selector_matches"]

#: API group of the kinds offhours acts on ("" is the core group).
KIND_GROUPS: Mapping[str, str] = {
    "Deployment": "apps",
    "StatefulSet": "apps",
    "ReplicaSet": "apps",
    "DaemonSet": "apps",
    "CronJob": "batch",
    "Job": "batch",
    "HorizontalPodAutoscaler": "autoscaling",
    "ScaledObject": "keda.sh",
    "Kustomization": "kustomize.toolkit.fluxcd.io",
    "HelmRelease": "helm.toolkit.fluxcd.io",
    "GitRepository": "source.toolkit.fluxcd.io",
    "OCIRepository": "source.toolkit.fluxcd.io",
    "Bucket": "source.toolkit.fluxcd.io",
}

_REQUIREMENT = re.compile(
    r"\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9._/-]+)\s*"
    r"(?:(?P<op>==|!=|=|\s+in\s+|\s+notin\s+)\s*(?P<value>\([^)]*\)|[A-Za-z0-9._-]*))?\s*"
)


class Match(enum.Enum):
    """Three-valued answer of a selector match."""

    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


def group_of(kind: str) -> str | None:
    """The API group of a known kind, ``None`` when offhours does not know it."""
    return KIND_GROUPS.get(kind)


def selector_matches(
    selector: Selector | None,
    ref: WorkloadRef,
    *,
    labels: Mapping[str, str] | None = None,
) -> Match:
    """Whether ``selector`` picks ``ref``; ``None`` picks everything."""
    if selector is None:
        return Match.YES
    if not _identity_matches(selector, ref):
        return Match.NO
    result = Match.YES
    if selector.label_selector:
        if labels is None:
            result = Match.MAYBE
        elif not label_selector_matches(selector.label_selector, labels):
            return Match.NO
    if selector.annotation_selector:
        result = Match.MAYBE
    return result


def _identity_matches(selector: Selector, ref: WorkloadRef) -> bool:
    if selector.kind and selector.kind != ref.kind:
        return False
    group = group_of(ref.kind)
    if selector.group and group is not None and selector.group != group:
        return False
    if selector.name and not _regex_matches(selector.name, ref.name):
        return False
    return not (
        selector.namespace
        and ref.namespace
        and not _regex_matches(selector.namespace, ref.namespace)
    )


def _regex_matches(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return pattern == value


def label_selector_matches(selector: str, labels: Mapping[str, str]) -> bool:
    """Kubernetes label-selector semantics: ``a=b``, ``a!=b``, ``a in (x,y)``, ``a``, ``!a``."""
    return all(_requirement_holds(req, labels) for req in _split(selector))


def _split(selector: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in selector:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def _requirement_holds(requirement: str, labels: Mapping[str, str]) -> bool:
    found = _REQUIREMENT.fullmatch(requirement)
    if found is None:
        return False
    key, op = found["key"], (found["op"] or "").strip()
    if not op:
        return (key in labels) != bool(found["neg"])
    value = found["value"] or ""
    if op in ("=", "=="):
        return labels.get(key) == value
    if op == "!=":
        return labels.get(key) != value
    values = {v.strip() for v in value.strip("()").split(",")}
    if op == "in":
        return labels.get(key) in values
    return labels.get(key) not in values
