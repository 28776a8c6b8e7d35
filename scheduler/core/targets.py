"""Target resolution: which manifest objects each policy acts on, and how.

For every object of the manifest index, every policy whose ``targets`` select it (and whose
``exclude`` entries do not) makes a *claim*. Objects annotated ``offhours.dev/exclude: "true"``
are never claimed. The findings people need are diagnostics located at the policy entry:
a selector that matches nothing, and an object claimed by several policies (on wins).
Pure: reads the index and the policies, returns values.
"""

from __future__ import annotations

import fnmatch
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from scheduler.core.diagnostics import Diagnostic, Severity
from scheduler.core.manifests import (
    RENDERED_KINDS,
    HelmValues,
    KedaPause,
    ManifestIndex,
    ManifestObject,
    ObjectId,
    RenderedField,
    ScaleRendered,
    ScaleReplicas,
    SetField,
    SleepMethod,
    Suspend,
    default_method,
    kinds,
)
from scheduler.core.policy import Policy, Selector, TargetAction, matches
from scheduler.core.workloads import WorkloadRef

__all__ = ["Claim", "Resolution", "resolve", "sleep_method", "targets_by_policy"]


@dataclass(frozen=True, slots=True)
class Claim:
    """``policy`` acts on an object because of its ``selector`` entry."""

    policy: Policy
    selector: Selector


@dataclass(frozen=True)
class Resolution:
    """Claims per object (objects no policy selects are absent) and the findings."""

    claims: Mapping[ObjectId, tuple[Claim, ...]]
    diagnostics: tuple[Diagnostic, ...]
    excluded: tuple[ManifestObject, ...]
    #: objects outside every Flux Kustomization's path (only when the repository has some)
    unreachable: frozenset[ObjectId] = frozenset()

    def reachable(self, obj: ManifestObject) -> bool:
        """Whether Flux applies ``obj`` from this repository (always true without Flux
        Kustomizations in the repository)."""
        return obj.id not in self.unreachable

    def claims_on(self, obj: ManifestObject) -> tuple[Claim, ...]:
        """The claims on ``obj`` (empty when no policy selects it)."""
        return self.claims.get(obj.id, ())


class _Matcher:
    """One policy's selectors, with the cheap tests first: kind, then namespace (cached per
    namespace, since fleets have few), then names and labels; globs on paths go through the
    policy language's own matcher."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.kinds = frozenset(k for entry in policy.targets for k in entry.kinds)
        self._entries = [(i, e) for i, e in enumerate(policy.targets)]
        self._excludes = [(-1 - i, e) for i, e in enumerate(policy.exclude)]
        self._namespaces: dict[tuple[int, str], bool] = {}
        #: One claim per target entry, shared by every object it selects.
        self._claims = [Claim(policy, e) for e in policy.targets]

    def _namespace_ok(self, index: int, entry: Selector, namespace: str) -> bool:
        key = (index, namespace)
        found = self._namespaces.get(key)
        if found is None:
            found = not entry.namespaces or any(
                fnmatch.fnmatchcase(namespace, glob) for glob in entry.namespaces
            )
            self._namespaces[key] = found
        return found

    def _hit(self, index: int, entry: Selector, obj: ManifestObject) -> bool:
        if obj.kind not in entry.kinds or not self._namespace_ok(index, entry, obj.namespace):
            return False
        if entry.names and not any(fnmatch.fnmatchcase(obj.name, g) for g in entry.names):
            return False
        if entry.labels and any(obj.labels.get(k) != v for k, v in entry.labels):
            return False
        return not entry.paths or _hit(entry, obj)

    def may_select(self, namespace: str) -> bool:
        """Whether any target entry can select an object in ``namespace``."""
        return any(self._namespace_ok(i, e, namespace) for i, e in self._entries)

    def claim(self, obj: ManifestObject) -> Claim | None:
        if obj.kind not in self.kinds:
            return None
        for i, e in self._entries:
            if self._hit(i, e, obj):
                break
        else:
            return None
        if any(self._hit(j, x, obj) for j, x in self._excludes):
            return None
        return self._claims[i]


def _hit(entry: Selector, obj: ManifestObject) -> bool:
    """The policy language's full match (paths included)."""
    return matches(
        entry,
        kind=obj.kind,
        namespace=obj.namespace,
        name=obj.name,
        labels=obj.labels,
        path=obj.file,
    )


def unreachable_objects(index: ManifestIndex) -> frozenset[ObjectId]:
    """Objects no Flux Kustomization of the repository applies, when the repository has Flux
    Kustomizations sourced from it (stale ``.archive/`` trees, test fixtures, templates for
    other tools): editing them would change nothing in any cluster. Without such
    Kustomizations (bootstrapped elsewhere, Argo CD) every object counts as reachable."""
    if not any(ks.files for ks in index.kustomizations):
        return frozenset()
    return frozenset(obj.id for obj in index.objects if not obj.owners)


def resolve(policies: Sequence[Policy], index: ManifestIndex) -> Resolution:
    """Every policy's claims on the objects of ``index`` that Flux applies from it."""
    unreachable = unreachable_objects(index)
    matchers = [_Matcher(p) for p in policies]
    outside: dict[str, list[ManifestObject]] = defaultdict(list)
    by_namespace: dict[str, list[_Matcher]] = {}
    claims: dict[ObjectId, list[Claim]] = {}
    used: dict[int, Selector] = {}  # by identity: selectors hash all their fields
    excluded: list[ManifestObject] = []
    for obj in index.objects:
        candidates = by_namespace.get(obj.namespace)
        if candidates is None:
            candidates = [m for m in matchers if m.may_select(obj.namespace)]
            by_namespace[obj.namespace] = candidates
        found = [c for c in (m.claim(obj) for m in candidates) if c is not None]
        if found and obj.id in unreachable:
            for claim in found:
                outside[claim.policy.name].append(obj)
            continue
        if found and obj.excluded:
            excluded.append(obj)
            continue
        if found:
            claims[obj.id] = found
            for claim in found:
                used[id(claim.selector)] = claim.selector
    frozen = {
        oid: (cs[0],) if len(cs) == 1 else tuple(sorted(cs, key=_by_policy))
        for oid, cs in claims.items()
    }
    diagnostics = (
        *_unmatched(policies, {_key(s) for s in used.values()}),
        *_shared(index, frozen),
        *_outside(policies, outside),
    )
    return Resolution(frozen, tuple(diagnostics), tuple(excluded), unreachable)


def _outside(
    policies: Sequence[Policy], outside: Mapping[str, list[ManifestObject]]
) -> list[Diagnostic]:
    found = []
    for policy in policies:
        objects = outside.get(policy.name)
        if not objects:
            continue
        loc = policy.location
        example = ", ".join(o.where for o in objects[:3])
        found.append(
            Diagnostic(
                loc.path,
                loc.line,
                loc.column,
                f"policy {policy.name}: {len(objects)} selected object(s) are outside every "
                f"Flux Kustomization's path and are left alone (e.g. {example})",
                Severity.WARNING,
            )
        )
    return found


def _by_policy(claim: Claim) -> str:
    return claim.policy.name


def _key(selector: Selector) -> tuple[str, int, int]:
    loc = selector.location
    return (loc.path, loc.line, loc.column)


def _unmatched(policies: Iterable[Policy], used: set[tuple[str, int, int]]) -> list[Diagnostic]:
    found = []
    for policy in policies:
        for entry in policy.targets:
            if _key(entry) not in used:
                loc = entry.location
                found.append(
                    Diagnostic(
                        loc.path,
                        loc.line,
                        loc.column,
                        f"policy {policy.name}: this target selects no object in the repository "
                        f"(kinds {', '.join(entry.kinds)})",
                        Severity.WARNING,
                    )
                )
    return found


def _shared(index: ManifestIndex, claims: Mapping[ObjectId, tuple[Claim, ...]]) -> list[Diagnostic]:
    found = []
    for oid, cs in claims.items():
        if len(cs) < 2:
            continue
        obj = index.get(oid)
        assert obj is not None
        names = ", ".join(c.policy.name for c in cs)
        loc = cs[-1].selector.location
        found.append(
            Diagnostic(
                loc.path,
                loc.line,
                loc.column,
                f"{obj.ref} ({obj.where}) is selected by several policies ({names}); "
                "it sleeps only while all of them are off (on wins)",
                Severity.WARNING,
            )
        )
    return found


def sleep_method(obj: ManifestObject, claim: Claim) -> SleepMethod:
    """How ``claim`` puts ``obj`` to sleep; raises ``ValueError`` with a reason if it cannot."""
    entry = claim.selector
    replicas = claim.policy.sleep_replicas_for(entry)
    action = entry.action
    if action is None and entry.field is not None:
        action = TargetAction.FIELD
    if action is None and entry.values_path is not None and _renders(obj):
        action = TargetAction.VALUES
    if action is None:
        return _default(obj, entry, replicas)
    if action is TargetAction.FIELD:
        if entry.field is None:
            raise ValueError("action: field needs `field` and `sleepValue` in the target entry")
        return SetField(entry.field.text, entry.sleep_value)
    if action is TargetAction.SCALE:
        return _scaled(obj, entry, replicas) if _renders(obj) else ScaleReplicas(replicas)
    if action is TargetAction.SUSPEND:
        return Suspend()
    if action is TargetAction.VALUES:
        return HelmValues(_values_paths(entry), replicas)
    return KedaPause(replicas)


def _renders(obj: ManifestObject) -> bool:
    """A HelmRelease or Flux Kustomization: ``scale`` patches what it renders or applies."""
    return kinds.is_helm_release(obj.api_version, obj.kind) or kinds.is_flux_kustomization(
        obj.api_version, obj.kind
    )


def _scaled(obj: ManifestObject, entry: Selector, replicas: int) -> ScaleRendered:
    fields = tuple(
        RenderedField(
            rule.kind,
            tuple(str(s) for s in rule.field.segments),
            rule.sleep_value,
            rule.group,
        )
        for rule in entry.rendered_fields
    )
    chosen = RENDERED_KINDS if entry.rendered_kinds is None else entry.rendered_kinds
    return ScaleRendered(replicas, chosen, fields)


def _values_paths(entry: Selector) -> tuple[str, ...]:
    return ("replicaCount",) if entry.values_path is None else (entry.values_path.text,)


def _default(obj: ManifestObject, entry: Selector, replicas: int) -> SleepMethod:
    method = default_method(obj.api_version, obj.kind)
    if isinstance(method, ScaleReplicas):
        return ScaleReplicas(replicas)
    if isinstance(method, ScaleRendered):
        return _scaled(obj, entry, replicas)
    if isinstance(method, KedaPause):
        return KedaPause(replicas)
    if method is None:
        if _renders(obj):
            raise ValueError(
                f"{obj.kind} has no default way to sleep; set `action: scale` (turns off "
                "everything it applies) or `action: suspend` (Flux stops applying it; "
                "nothing is scaled)"
            )
        raise ValueError(
            f"{obj.kind} has no default way to sleep; set `action: suspend` (Flux objects) "
            "or `field:` and `sleepValue:` in the target entry"
        )
    return method


def targets_by_policy(
    policies: Sequence[Policy], index: ManifestIndex, *, first_only: bool = False
) -> dict[str, tuple[WorkloadRef, ...]]:
    """Each policy's targets in ``index``. With ``first_only`` an object several policies
    select counts for the first of them only (the one the planner sleeps it with), so sums
    over policies do not count it twice."""
    resolution = resolve(policies, index)
    found: dict[str, list[WorkloadRef]] = {p.name: [] for p in policies}
    for obj in index.objects:
        claims = resolution.claims_on(obj)
        for claim in claims[:1] if first_only else claims:
            found[claim.policy.name].append(obj.ref)
    return {name: tuple(sorted(refs)) for name, refs in found.items()}
