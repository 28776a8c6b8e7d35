"""Checks before a sleep that would do nothing, or too much.

- ``scale`` on a Flux Kustomization patches everything it applies. Refused when that includes
  offhours itself, the Flux controllers or a self-managing Kustomization (the cluster's
  GitOps machinery would go to sleep and nothing could wake it). What the Kustomization
  applies but does not render itself (HelmReleases, which helm-controller renders; child
  Kustomizations, which build their own paths) is not reached: that is said, so a policy can
  target them directly.
- ``values`` on a HelmRelease inserts a values key the release may not use: when the key is
  not set in ``spec.values`` the chart may ignore it and the workload keep running, so a
  warning names ``scale`` as the chart-agnostic choice.

Pure: reads the index and the policies' claims, returns messages and diagnostics.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator
from typing import Final

from scheduler.core.diagnostics import Diagnostic, Severity
from scheduler.core.manifests import (
    HelmValues,
    ManifestIndex,
    ManifestObject,
    ScaleRendered,
    SleepMethod,
    kinds,
    values_set,
)
from scheduler.core.targets import Claim, Resolution, sleep_method

__all__ = ["kustomization_scale_refusal", "scale_findings"]

FLUX_NAMESPACE: Final = "flux-system"
FLUX_CONTROLLERS: Final = frozenset(
    {
        "source-controller",
        "kustomize-controller",
        "helm-controller",
        "notification-controller",
        "image-reflector-controller",
        "image-automation-controller",
        "source-watcher",
    }
)
FLUX_COMPONENT_FILES: Final = frozenset({"gotk-components.yaml", "gotk-components.yml"})
_FLUX_KINDS: Final = frozenset({"HelmRelease", "Kustomization"})
_NAME_LABEL: Final = "app.kubernetes.io/name"
_PART_OF: Final = "app.kubernetes.io/part-of"


def _applied(index: ManifestIndex, obj: ManifestObject) -> list[ManifestObject]:
    ks = index.kustomization(obj)
    if ks is None:
        return []
    return [o for file in sorted(ks.files) for o in index.in_file(file) if obj.id in o.owners]


def _machinery(index: ManifestIndex, obj: ManifestObject, found: ManifestObject) -> str | None:
    """Why ``found`` (applied by ``obj``) must not be scaled, or None."""
    if found.kind == "Deployment" and (
        found.name == "offhours" or found.labels.get(_NAME_LABEL) == "offhours"
    ):
        return f"offhours itself ({found.ref}, {found.where})"
    if found.kind == "Deployment" and (
        found.labels.get(_PART_OF) == "flux"
        or (found.namespace == FLUX_NAMESPACE and found.name in FLUX_CONTROLLERS)
    ):
        return f"the Flux controllers ({found.ref}, {found.where})"
    if (
        kinds.is_flux_kustomization(found.api_version, found.kind)
        and found.self_managing
        and found.id != obj.id
    ):
        return f"the self-managing Kustomization {found.ref} ({found.where})"
    return None


def kustomization_scale_refusal(index: ManifestIndex, obj: ManifestObject) -> str | None:
    """Why ``scale`` must not patch what the Flux Kustomization ``obj`` applies, or None."""
    ks = index.kustomization(obj)
    if ks is None:
        return None
    components = sorted(f for f in ks.files if posixpath.basename(f) in FLUX_COMPONENT_FILES)
    if components:
        return _refusal(obj, f"the Flux controllers ({components[0]})")
    for found in _applied(index, obj):
        reason = _machinery(index, obj, found)
        if reason is not None:
            return _refusal(obj, reason)
    return None


def _refusal(obj: ManifestObject, what: str) -> str:
    return (
        f"action scale on {obj.ref} would patch {what} to zero, and nothing could wake the "
        "cluster again; target the Kustomizations below it instead"
    )


def _unreached(index: ManifestIndex, obj: ManifestObject) -> str | None:
    """The note that HelmReleases and child Kustomizations are not reached by the patches."""
    applied = _applied(index, obj)
    releases = [o for o in applied if kinds.is_helm_release(o.api_version, o.kind)]
    children = [o for o in applied if kinds.is_flux_kustomization(o.api_version, o.kind)]
    parts = []
    if releases:
        parts.append(
            f"{len(releases)} HelmRelease(s) ({_names(releases)}; helm-controller "
            "renders them: select them with action scale)"
        )
    if children:
        parts.append(
            f"{len(children)} Kustomization(s) ({_names(children)}; each builds "
            "its own path: select them with action scale)"
        )
    if not parts:
        return None
    return f"the patches of {obj.ref} do not reach what it applies but does not build: " + (
        "; ".join(parts)
    )


def _names(objects: Iterable[ManifestObject]) -> str:
    shown = [f"{o.namespace}/{o.name}" if o.namespace else o.name for o in objects]
    return ", ".join(shown[:3]) + (f", and {len(shown) - 3} more" if len(shown) > 3 else "")


def _method(obj: ManifestObject, claim: Claim) -> SleepMethod | None:
    try:
        return sleep_method(obj, claim)
    except ValueError:
        return None


def scale_findings(index: ManifestIndex, resolution: Resolution) -> list[Diagnostic]:
    """Warnings for every claimed object whose sleep would do too much or maybe nothing."""
    found: list[Diagnostic] = []
    for obj in index.objects:
        if obj.kind not in _FLUX_KINDS:
            continue
        claims = resolution.claims_on(obj)
        if not claims or not resolution.reachable(obj):
            continue
        claim = claims[0]
        method = _method(obj, claim)
        found.extend(_findings(index, obj, claim=claim, method=method))
    return found


def _findings(
    index: ManifestIndex, obj: ManifestObject, *, claim: Claim, method: SleepMethod | None
) -> Iterator[Diagnostic]:
    loc = claim.selector.location
    if isinstance(method, ScaleRendered) and kinds.is_flux_kustomization(obj.api_version, obj.kind):
        for message in (kustomization_scale_refusal(index, obj), _unreached(index, obj)):
            if message is not None:
                yield Diagnostic(loc.path, loc.line, loc.column, message, Severity.WARNING)
    if isinstance(method, HelmValues) and kinds.is_helm_release(obj.api_version, obj.kind):
        missing = [p for p in method.paths if not values_set(index, obj, p)]
        for path in missing:
            yield Diagnostic(
                loc.path,
                loc.line,
                loc.column,
                f"policy {claim.policy.name}: {obj.ref} ({obj.where}): action values would "
                f"insert spec.values.{path}, which the "
                "HelmRelease does not set: the chart may ignore it and the workload keep "
                "running; action scale (the default for HelmReleases) turns off whatever "
                "the chart renders",
                Severity.WARNING,
            )
