"""Raw Flux JSON → ``FluxObject``: Kustomizations, HelmReleases, GitRepositories,
OCIRepositories and Buckets, across their served API versions.

Owns which fields offhours reads: ``spec.suspend``, ``spec.sourceRef`` / ``chartRef`` / chart
source, ``spec.path``, ``spec.ignore`` (Kustomization), ``spec.patches`` and HelmRelease
post-renderer patches (plus the v1beta2/v2beta1 ``patchesStrategicMerge``/``patchesJson6902``),
``spec.valuesFrom``, ``spec.driftDetection.ignore``, the revisions, conditions,
``observedGeneration``, ``status.inventory.entries``, the source URL, Git ref and artifact
revision, and the reconcile annotation. Pure functions over dicts; no requests here.
"""

from __future__ import annotations

import json
from typing import Any

from scheduler.adapters.kube import fields
from scheduler.core.flux import applied, inventory
from scheduler.core.observations import (
    FluxObject,
    GitReference,
    IgnoreRule,
    InventoryEntry,
    PatchRule,
    Selector,
    ValuesReference,
)
from scheduler.core.workloads import WorkloadRef

__all__ = ["flux_object"]


def _selector(obj: Any) -> Selector | None:
    if not isinstance(obj, dict) or not obj:
        return None
    return Selector(
        group=fields.text(obj, "group"),
        version=fields.text(obj, "version"),
        kind=fields.text(obj, "kind"),
        name=fields.text(obj, "name"),
        namespace=fields.text(obj, "namespace"),
        label_selector=fields.text(obj, "labelSelector"),
        annotation_selector=fields.text(obj, "annotationSelector"),
    )


def _reference(ref: Any, namespace: str) -> WorkloadRef | None:
    name = fields.text(ref, "name")
    if not name:
        return None
    return WorkloadRef(fields.text(ref, "kind"), fields.text(ref, "namespace") or namespace, name)


def _ignore_rules(entries: list[dict[str, Any]]) -> tuple[IgnoreRule, ...]:
    rules = []
    for entry in entries:
        paths = tuple(p for p in entry.get("paths") or [] if isinstance(p, str))
        if paths:
            rules.append(IgnoreRule(paths, _selector(entry.get("target"))))
    return tuple(rules)


def _patch_rules(spec: Any) -> tuple[PatchRule, ...]:
    """``patches[]`` plus the legacy ``patchesStrategicMerge`` / ``patchesJson6902`` forms."""
    rules = [
        PatchRule(fields.text(entry, "patch"), _selector(entry.get("target")))
        for entry in fields.items(spec, "patches")
        if fields.text(entry, "patch")
    ]
    rules.extend(PatchRule(json.dumps(p)) for p in fields.items(spec, "patchesStrategicMerge"))
    rules.extend(
        PatchRule(json.dumps(entry.get("patch") or []), _selector(entry.get("target")))
        for entry in fields.items(spec, "patchesJson6902")
    )
    return tuple(rules)


def _inventory(obj: Any) -> tuple[InventoryEntry, ...]:
    entries = []
    for entry in fields.items(obj, "status", "inventory", "entries"):
        try:
            entries.append(
                inventory.parse_inventory_id(fields.text(entry, "id"), fields.text(entry, "v"))
            )
        except ValueError:
            continue
    return tuple(entries)


def _kustomization(obj: Any, namespace: str) -> dict[str, Any]:
    spec = fields.mapping(obj, "spec")
    return {
        "source": _reference(spec.get("sourceRef"), namespace),
        "path": fields.text(spec, "path"),
        "ignore": _ignore_rules(fields.items(spec, "ignore")),
        "patches": _patch_rules(spec),
        "inventory": _inventory(obj),
    }


def _helm_release(obj: Any, namespace: str) -> dict[str, Any]:
    spec = fields.mapping(obj, "spec")
    source = _reference(spec.get("chartRef"), namespace) or _reference(
        fields.mapping(spec, "chart", "spec", "sourceRef"), namespace
    )
    values_from = tuple(
        ValuesReference(
            kind=fields.text(entry, "kind"),
            name=fields.text(entry, "name"),
            values_key=fields.text(entry, "valuesKey") or "values.yaml",
            target_path=fields.text(entry, "targetPath"),
            optional=fields.flag(entry, "optional") or False,
        )
        for entry in fields.items(spec, "valuesFrom")
    )
    patches = tuple(
        rule
        for renderer in fields.items(spec, "postRenderers")
        for rule in _patch_rules(fields.mapping(renderer, "kustomize"))
    )
    return {
        "source": source,
        "values_from": values_from,
        "drift_ignore": _ignore_rules(fields.items(spec, "driftDetection", "ignore")),
        "patches": patches,
    }


def _source(obj: Any, kind: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "url": fields.text(obj, "spec", "url"),
        "artifact_revision": fields.text(obj, "status", "artifact", "revision"),
    }
    if kind == "GitRepository":
        ref = fields.mapping(obj, "spec", "ref")
        result["git_ref"] = GitReference(
            branch=fields.text(ref, "branch"),
            tag=fields.text(ref, "tag"),
            semver=fields.text(ref, "semver"),
            name=fields.text(ref, "name"),
            commit=fields.text(ref, "commit"),
        )
    return result


def flux_object(kind: str, obj: Any) -> FluxObject:
    """The observation of one Flux object of ``kind``."""
    ref = fields.object_ref(obj, kind)
    status = fields.mapping(obj, "status")
    common: dict[str, Any] = {
        "ref": ref,
        "api_version": fields.text(obj, "apiVersion"),
        "generation": fields.integer(obj, "metadata", "generation") or 0,
        "observed_generation": fields.integer(status, "observedGeneration"),
        "suspended": fields.flag(obj, "spec", "suspend") or False,
        "conditions": fields.conditions(obj),
        "last_applied_revision": fields.text(status, "lastAppliedRevision"),
        "last_attempted_revision": fields.text(status, "lastAttemptedRevision"),
        "last_handled_reconcile_at": fields.text(status, "lastHandledReconcileAt"),
        "requested_reconcile_at": fields.text(
            obj, "metadata", "annotations", applied.REQUESTED_AT_ANNOTATION
        ),
        "resource_version": fields.text(obj, "metadata", "resourceVersion"),
    }
    if kind == "Kustomization":
        common |= _kustomization(obj, ref.namespace)
    elif kind == "HelmRelease":
        common |= _helm_release(obj, ref.namespace)
    else:
        common |= _source(obj, kind)
    return FluxObject(**common)
