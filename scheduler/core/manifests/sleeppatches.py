"""The Kustomize patches offhours appends to put everything a Flux object deploys to sleep.

A HelmRelease's ``spec.postRenderers[].kustomize.patches`` and a Flux Kustomization's
``spec.patches`` are applied by Flux *after* rendering, to every object the chart renders or
the Kustomization builds, whatever the chart's values look like. ``ScaleRendered`` becomes:

- Deployment/StatefulSet/ReplicaSet (``target.kind`` is a regular expression): JSON6902
  ``add /spec/replicas`` (works whether or not the chart writes ``replicas``);
- CronJob: JSON6902 ``add /spec/suspend true``;
- KEDA ScaledObject: a strategic-merge patch adding ``autoscaling.keda.sh/paused-replicas``
  (a JSON6902 ``add`` under ``/metadata/annotations`` fails on objects without annotations);
- each ``RenderedField``: a strategic-merge patch setting the field (parents created).

Every patch text starts with ``MARKER``, a YAML comment kustomize ignores, so the entry is
recognisably offhours' own: wake removes exactly the entries carrying it. The ``summary`` of a
method is what the plan and the commit ledger show; ``parse_summary`` reads it back for the
live check. Pure: builds values, reads composed nodes.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from scheduler.core.changes import Scalar
from scheduler.core.manifests import annotation_keys as keys
from scheduler.core.manifests.documents import MappingNode, Node, ScalarNode, SequenceNode
from scheduler.core.manifests.emit import Literal, Map, Value
from scheduler.core.manifests.methods import RENDERED_KINDS, RenderedField, ScaleRendered
from scheduler.core.manifests.nodes import find_entry
from scheduler.core.manifests.render import text_of

__all__ = [
    "MARKER",
    "Placement",
    "Sleeping",
    "entries",
    "holds_marker",
    "is_ours",
    "parse_summary",
    "placement",
    "summary",
]

#: First line of every patch offhours writes (a YAML comment inside the patch text).
MARKER: Final = "# offhours.dev: sleep patch, removed on wake"
_REPLICATED: Final = ("Deployment", "StatefulSet", "ReplicaSet")
_SUMMARY_PREFIX: Final = "offhours sleep patch: "
_REPLICAS: Final = re.compile(r"replicas (\d+) \(([A-Za-z|, ]+)\)")


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the patches go on one kind: the list's path, and the state annotation."""

    path: tuple[str, str]
    state_key: str
    #: True when each list entry is a post-renderer wrapping the patches (HelmRelease)
    wrapped: bool

    @property
    def field(self) -> str:
        """The dot path shown in plans and commits (``spec.postRenderers``)."""
        return ".".join(self.path)


_HELM: Final = Placement(("spec", "postRenderers"), keys.ORIGINAL_POST_RENDERERS, wrapped=True)
_KUSTOMIZATION: Final = Placement(("spec", "patches"), keys.ORIGINAL_PATCHES, wrapped=False)


def placement(*, helm_release: bool) -> Placement:
    """The placement on a HelmRelease (``True``) or a Flux Kustomization (``False``)."""
    return _HELM if helm_release else _KUSTOMIZATION


def placement_of(state_key: str) -> Placement | None:
    """The placement a state annotation records, or None for other annotations."""
    return {p.state_key: p for p in (_HELM, _KUSTOMIZATION)}.get(state_key)


def _patch(target: dict[str, Value], body: str) -> Map:
    return Map.of({"target": Map.of(target), "patch": Literal(f"{MARKER}\n{body}")})


def _json6902(path: str, value: int | bool) -> str:
    return f"- op: add\n  path: {path}\n  value: {text_of(value)}\n"


def _merge(kind: str, path: tuple[str, ...], value: str) -> str:
    """A strategic-merge patch setting ``path`` to the YAML text ``value``; with a ``target``
    kustomize ignores the patch's name and version, and creates missing parents."""
    lines = [f"kind: {kind}", "metadata:", "  name: any"]
    chain, depth = (path[1:], 1) if path[0] == "metadata" else (path, 0)
    for offset, key in enumerate(chain):
        pad = "  " * (depth + offset)
        last = offset == len(chain) - 1
        lines.append(f"{pad}{_key(key)}: {value}" if last else f"{pad}{_key(key)}:")
    return "\n".join(lines) + "\n"


def _key(key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_./-]*", key):
        return key
    return json.dumps(key)


def _text(value: Scalar) -> str:
    """A scalar as YAML text; strings as JSON strings, which YAML reads back exactly."""
    if isinstance(value, str):
        return json.dumps(value)
    return text_of(value)


def _field_patch(rule: RenderedField) -> Map:
    target: dict[str, Value] = {"kind": rule.kind}
    if rule.group:
        target = {"group": rule.group, "kind": rule.kind}
    return _patch(target, _merge(rule.kind, rule.keys, _text(rule.value)))


@functools.lru_cache(maxsize=64)
def entries(method: ScaleRendered) -> tuple[Map, ...]:
    """The Kustomize patches (``{target, patch}``) that put ``method``'s kinds to sleep."""
    out: list[Map] = []
    replicated = [k for k in _REPLICATED if k in method.kinds]
    if replicated:
        target: dict[str, Value] = {"group": "apps", "kind": "|".join(replicated)}
        out.append(_patch(target, _json6902("/spec/replicas", method.replicas)))
    if "CronJob" in method.kinds:
        out.append(_patch({"group": "batch", "kind": "CronJob"}, _json6902("/spec/suspend", True)))
    if "ScaledObject" in method.kinds:
        paused = ("metadata", "annotations", keys.KEDA_PAUSED_REPLICAS)
        body = _merge("ScaledObject", paused, f'"{method.replicas}"')
        out.append(_patch({"group": "keda.sh", "kind": "ScaledObject"}, body))
    out.extend(_field_patch(rule) for rule in method.fields)
    return tuple(out)


def list_items(method: ScaleRendered, where: Placement) -> tuple[Value, ...]:
    """What is appended to the list: one post-renderer, or the patches themselves."""
    patches = entries(method)
    if where.wrapped:
        return (Map.of({"kustomize": Map.of({"patches": patches})}),)
    return patches


def summary(method: ScaleRendered) -> str:
    """One line saying what the patches do (plans, commit trailers, the live check)."""
    parts = []
    replicated = [k for k in _REPLICATED if k in method.kinds]
    if replicated:
        parts.append(f"replicas {method.replicas} ({'|'.join(replicated)})")
    if "CronJob" in method.kinds:
        parts.append("suspend (CronJob)")
    if "ScaledObject" in method.kinds:
        parts.append(f"paused at {method.replicas} (ScaledObject)")
    parts.extend(f"{r.path} {text_of(r.value)} ({r.kind})" for r in method.fields)
    return _SUMMARY_PREFIX + "; ".join(parts)


@dataclass(frozen=True, slots=True)
class Sleeping:
    """What a summary says the live objects must show: replicas, and which kinds."""

    replicas: int | None
    kinds: tuple[str, ...]


def parse_summary(text: str) -> Sleeping | None:
    """Read back a ``summary``; None when ``text`` is not one."""
    if not text.startswith(_SUMMARY_PREFIX):
        return None
    found = _REPLICAS.search(text)
    kinds = [k for k in RENDERED_KINDS if f"({k})" in text or (found and k in found.group(2))]
    return Sleeping(int(found.group(1)) if found else None, tuple(kinds))


# -- recognising offhours' entries -----------------------------------------------------------
def _patch_texts(node: Node) -> list[str | None]:
    """The ``patch`` texts of a patch list (None for an entry that is not a patch)."""
    if not isinstance(node, SequenceNode):
        return []
    out: list[str | None] = []
    for item in node.value:
        found = find_entry(item, "patch") if isinstance(item, MappingNode) else None
        value = found[1] if found else None
        out.append(str(value.value) if isinstance(value, ScalarNode) else None)
    return out


def _patches_of(item: Node, where: Placement) -> list[str | None]:
    if not where.wrapped:
        found = find_entry(item, "patch") if isinstance(item, MappingNode) else None
        value = found[1] if found else None
        return [str(value.value) if isinstance(value, ScalarNode) else None]
    kustomize = find_entry(item, "kustomize") if isinstance(item, MappingNode) else None
    if kustomize is None or not isinstance(kustomize[1], MappingNode):
        return [None]
    patches = find_entry(kustomize[1], "patches")
    return _patch_texts(patches[1]) if patches else [None]


def holds_marker(item: Node, where: Placement) -> bool:
    """True when some patch of the list entry ``item`` carries offhours' marker."""
    return any(t is not None and t.startswith(MARKER) for t in _patches_of(item, where))


def is_ours(item: Node, where: Placement) -> bool:
    """True when the entry holds offhours' patches and nothing else."""
    if not holds_marker(item, where):
        return False
    texts = _patches_of(item, where)
    if not all(t is not None and t.startswith(MARKER) for t in texts):
        return False
    if where.wrapped:
        assert isinstance(item, MappingNode)
        kustomize = find_entry(item, "kustomize")
        assert kustomize is not None
        assert isinstance(kustomize[1], MappingNode)
        return len(item.value) == 1 and [k.value for k, _ in kustomize[1].value] == ["patches"]
    assert isinstance(item, MappingNode)
    return {k.value for k, _ in item.value} <= {"patch", "target"}


def ours_in(items: Sequence[Node], where: Placement) -> list[int]:
    """Indices of the entries carrying offhours' marker."""
    return [i for i, item in enumerate(items) if holds_marker(item, where)]
