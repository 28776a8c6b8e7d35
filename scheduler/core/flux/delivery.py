"""Will a Git change to a target ever reach the cluster? Warnings per target, with reasons.

Owns the checks offhours runs before trusting that a commit takes effect: the target is applied
by a Kustomization (inventory, else labels) that is not suspended, whose source is the
GitRepository offhours pushes to (not an OCIRepository/Bucket/ExternalArtifact, not another
repository, not pinned to a tag), whose ``spec.ignore`` and ``spec.patches`` leave the edited
field alone; for HelmRelease values, no ``valuesFrom`` ``targetPath`` or post-renderer
overrides it and the release is not suspended; a HelmRelease or Kustomization target does not
report Ready=False (a failed upgrade, install or build); no autoscaler fights the edit. Every
message names the objects involved and what to do. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from scheduler.core.flux import inventory, paths, sources
from scheduler.core.flux.findings import DeliveryWarning, Severity, WarningCode
from scheduler.core.flux.selectors import Match, selector_matches
from scheduler.core.observations import (
    FluxKind,
    FluxObject,
    FluxSnapshot,
    IgnoreRule,
    LiveWorkload,
    PatchRule,
    Selector,
)
from scheduler.core.workloads import WorkloadRef

__all__ = ["DeliveryContext", "delivery_warnings"]


@dataclass(frozen=True, slots=True)
class DeliveryContext:
    """What the checks compare against: the Flux objects read from the cluster, where offhours
    pushes (``sources.PushTarget``), and the HPAs/ScaledObjects read from the cluster.

    Build one per snapshot and reuse it for every target: it indexes the inventories once.
    """

    snapshot: FluxSnapshot
    push: sources.PushTarget
    autoscalers: tuple[LiveWorkload, ...] = ()
    owner_index: inventory.OwnerIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "owner_index", inventory.OwnerIndex(self.snapshot.kustomizations))


def _name(obj: FluxObject | WorkloadRef) -> str:
    ref = obj.ref if isinstance(obj, FluxObject) else obj
    return f"{ref.kind} {ref.namespace}/{ref.name}" if ref.namespace else f"{ref.kind} {ref.name}"


def delivery_warnings(
    target: WorkloadRef,
    *,
    field: str,
    context: DeliveryContext,
    labels: Mapping[str, str] | None = None,
) -> tuple[DeliveryWarning, ...]:
    """Every reason a Git change to ``field`` of ``target`` may not reach the cluster.

    ``labels`` are the live object's labels when known (label selectors, ownership fallback).
    """
    snapshot = context.snapshot
    if FluxKind.KUSTOMIZATION.value in snapshot.unavailable:
        message = (
            "the cluster serves no Flux Kustomization API (is Flux installed?); offhours "
            "cannot confirm that Git changes are applied"
        )
        return (DeliveryWarning(target, WarningCode.FLUX_NOT_SERVED, Severity.WARNING, message),)
    owners = context.owner_index.owners(target, labels=labels)
    check = _Check(target, field, labels)
    found = list(check.ownership(owners))
    for owner in owners:
        found.extend(check.owner(owner))
        found.extend(sources.source_warnings(owner, context.push, snapshot=snapshot, target=target))
    release = snapshot.find(target) if target.kind == FluxKind.HELM_RELEASE else None
    if release is not None:
        found.extend(check.release(release))
    own = snapshot.find(target) if target.kind in _DEPLOYERS else None
    if own is not None and own not in owners:
        found.extend(check.failing(own))
    found.extend(check.autoscalers(context.autoscalers))
    return tuple(dict.fromkeys(found))


#: Flux kinds that deploy workloads of their own (a failure leaves the old ones running).
_DEPLOYERS = (FluxKind.HELM_RELEASE.value, FluxKind.KUSTOMIZATION.value)
_CONTROLLERS = {
    FluxKind.HELM_RELEASE.value: ("helm-controller did not release", "helmreleases"),
    FluxKind.KUSTOMIZATION.value: ("kustomize-controller did not apply", "kustomizations"),
}


@dataclass(frozen=True, slots=True)
class _Check:
    target: WorkloadRef
    field: str
    labels: Mapping[str, str] | None

    def warn(
        self, code: WarningCode, severity: Severity, message: str, *objects: WorkloadRef
    ) -> DeliveryWarning:
        return DeliveryWarning(self.target, code, severity, message, tuple(objects))

    def ownership(self, owners: tuple[FluxObject, ...]) -> Iterator[DeliveryWarning]:
        if owners:
            return
        release = inventory.helm_release_from_labels(self.labels or {})
        if release is not None:
            yield self.warn(
                WarningCode.RENDERED_BY_HELM,
                Severity.ERROR,
                f"it is rendered by {_name(release)}; helm-controller overwrites edits to its "
                "manifest, so select the HelmRelease instead (action scale turns off what it "
                "renders)",
                release,
            )
            return
        yield self.warn(
            WarningCode.NOT_MANAGED,
            Severity.WARNING,
            "no Flux Kustomization lists it in status.inventory; a Git change reaches the "
            "cluster only if Flux applies this object (check the Kustomization that should "
            "own it, or wait for its first reconciliation)",
        )

    def owner(self, owner: FluxObject) -> Iterator[DeliveryWarning]:
        if owner.suspended:
            yield self.warn(
                WarningCode.OWNER_SUSPENDED,
                Severity.ERROR,
                f"{_name(owner)}, which applies it, is suspended: Git changes are not applied "
                f"until it is resumed (flux resume kustomization {owner.ref.name} "
                f"-n {owner.ref.namespace})",
                owner.ref,
            )
        elif not owner.ready and owner.conditions:
            yield self.warn(
                WarningCode.OWNER_NOT_READY,
                Severity.WARNING,
                f"{_name(owner)}, which applies it, is not Ready ({owner.ready_message}); new "
                "commits may not be applied until it recovers",
                owner.ref,
            )
        if owner.ref == self.target and self.field == "spec.suspend":
            yield self.warn(
                WarningCode.SELF_MANAGED,
                Severity.ERROR,
                f"{_name(owner)} applies its own manifest: committing suspend: true suspends "
                "it with no way back through Git; suspend its children instead",
                owner.ref,
            )
        yield from self.ignored(owner.ignore, owner, code=WarningCode.FIELD_IGNORED)
        yield from self.patched(owner.patches, owner)

    def ignored(
        self, rules: Sequence[IgnoreRule], owner: FluxObject, *, code: WarningCode
    ) -> Iterator[DeliveryWarning]:
        pointer = paths.field_pointer(self.field)
        for rule in rules:
            covering = next((p for p in rule.paths if paths.pointer_covers(p, pointer)), None)
            if covering is None:
                continue
            match = selector_matches(rule.target, self.target, labels=self.labels)
            if match is Match.NO:
                continue
            yield self._ignored_warning(owner, covering, match, code=code)

    def _ignored_warning(
        self, owner: FluxObject, covering: str, match: Match, *, code: WarningCode
    ) -> DeliveryWarning:
        may = "may " if match is Match.MAYBE else ""
        if code is WarningCode.DRIFT_IGNORED:
            return self.warn(
                code,
                Severity.INFO,
                f"{_name(owner)} drift detection ignores {covering}: in-cluster changes to "
                f"{self.field} are not corrected (values changes still upgrade the release)",
                owner.ref,
            )
        severity = Severity.WARNING if match is Match.MAYBE else Severity.ERROR
        return self.warn(
            code,
            severity,
            f"{_name(owner)} spec.ignore {may}cover{'' if may else 's'} {covering} for it: a "
            f"Git change to {self.field} is not applied (the in-cluster value is kept); remove "
            "the ignore rule or let the autoscaler own the field",
            owner.ref,
        )

    def patched(self, rules: Sequence[PatchRule], owner: FluxObject) -> Iterator[DeliveryWarning]:
        pointer = paths.field_pointer(self.field)
        for rule in rules:
            reach, document = paths.patch_reach(rule.patch, pointer)
            if reach is paths.PatchReach.MISSES:
                continue
            match = selector_matches(_patch_target(rule, document), self.target, labels=self.labels)
            if match is Match.NO:
                continue
            definite = match is Match.YES and reach is paths.PatchReach.WRITES
            yield self.warn(
                WarningCode.FIELD_PATCHED,
                Severity.ERROR if definite else Severity.WARNING,
                f"{_name(owner)} spec.patches {'sets' if definite else 'may set'} {pointer} on "
                "it after the build, overriding what offhours writes in the base file",
                owner.ref,
            )

    def release(self, release: FluxObject) -> Iterator[DeliveryWarning]:
        if release.suspended and self.field != "spec.suspend":
            yield self.warn(
                WarningCode.RELEASE_SUSPENDED,
                Severity.ERROR,
                f"{_name(release)} is suspended: helm-controller makes no new release until it "
                f"is resumed (flux resume helmrelease {release.ref.name} "
                f"-n {release.ref.namespace})",
                release.ref,
            )
        values = paths.values_path(self.field)
        if values is None:
            return
        yield from self.values_overrides(release, values)
        yield from self.post_renderers(release, values)
        yield from self.ignored(release.drift_ignore, release, code=WarningCode.DRIFT_IGNORED)

    def failing(self, obj: FluxObject) -> Iterator[DeliveryWarning]:
        failure = obj.ready_failure
        if failure is None:
            return
        did_not, plural = _CONTROLLERS[obj.ref.kind]
        reason = ": ".join(p for p in (failure.reason, failure.message) if p) or "no reason given"
        yield self.warn(
            WarningCode.TARGET_NOT_READY,
            Severity.ERROR,
            f"{_name(obj)} is not Ready ({reason}); {did_not} what Git says, so the cluster may "
            f"still run the previous state (flux get {plural} {obj.ref.name} "
            f"-n {obj.ref.namespace})",
            obj.ref,
        )

    def values_overrides(
        self, release: FluxObject, values: tuple[str, ...]
    ) -> Iterator[DeliveryWarning]:
        for ref in release.values_from:
            if not ref.target_path:
                continue
            target_path = paths.helm_path(ref.target_path)
            if values[: len(target_path)] != target_path:
                continue
            exact = target_path == values
            source = f"{ref.kind} {release.ref.namespace}/{ref.name} key {ref.values_key}"
            yield self.warn(
                WarningCode.VALUES_OVERRIDDEN,
                Severity.ERROR if exact else Severity.WARNING,
                f"{_name(release)} valuesFrom {source} with targetPath {ref.target_path} "
                f"{'overrides' if exact else 'may override'} {self.field}: targetPath values "
                "win over inline spec.values",
                release.ref,
            )

    def post_renderers(
        self, release: FluxObject, values: tuple[str, ...]
    ) -> Iterator[DeliveryWarning]:
        pointer = paths.rendered_pointer(values)
        if pointer is None:
            return
        for rule in release.patches:
            reach, _ = paths.patch_reach(rule.patch, pointer)
            if reach is not paths.PatchReach.MISSES:
                yield self.warn(
                    WarningCode.FIELD_PATCHED,
                    Severity.WARNING,
                    f"{_name(release)} has a post-renderer patch that sets {pointer} on "
                    f"rendered objects; it may override {self.field}",
                    release.ref,
                )

    def autoscalers(self, scalers: Sequence[LiveWorkload]) -> Iterator[DeliveryWarning]:
        if self.field != "spec.replicas":
            return
        for scaler in scalers:
            if scaler.scale_target != self.target:
                continue
            yield self._autoscaler_warning(scaler)

    def _autoscaler_warning(self, scaler: LiveWorkload) -> DeliveryWarning:
        if scaler.ref.kind == "ScaledObject":
            advice = (
                "KEDA overrides spec.replicas; pause it with the "
                "autoscaling.keda.sh/paused-replicas annotation instead"
            )
        else:
            advice = (
                "replicas: 0 makes it stand down, but any other replica count in Git "
                "fights it; on wake remove the line or restore the HPA's minimum"
            )
        return self.warn(
            WarningCode.AUTOSCALED,
            Severity.WARNING,
            f"{_name(scaler.ref)} scales it: {advice}",
            scaler.ref,
        )


def _patch_target(rule: PatchRule, document: Mapping[str, object] | None) -> Selector | None:
    if rule.target is not None or document is None:
        return rule.target
    metadata = document.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
    kind = document.get("kind")
    return Selector(
        kind=kind if isinstance(kind, str) else "",
        name=_literal(name),
        namespace=_literal(namespace),
    )


def _literal(value: object) -> str:
    return re.escape(value) if isinstance(value, str) else ""
