"""The API resources the stand-in serves, and its discovery documents.

Owns ``ServedResource`` (group, versions, plural, kind, scope, status subresource), the default
set (workloads, KEDA, Flux, Leases), ``with_versions`` to serve other versions of a group (e.g.
a cluster that only has ``helm.toolkit.fluxcd.io/v2beta2``), and the JSON of ``/api``, ``/apis``,
``/apis/<group>`` and ``/apis/<group>/<version>``. No HTTP here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "DEFAULT_RESOURCES",
    "ServedResource",
    "api_versions",
    "group_document",
    "group_list",
    "resource_list",
    "with_versions",
]

_VERBS = ["create", "delete", "get", "list", "patch", "update"]


@dataclass(frozen=True, slots=True)
class ServedResource:
    """One resource type: served under every version in ``versions`` (first is preferred)."""

    group: str
    versions: tuple[str, ...]
    plural: str
    kind: str
    namespaced: bool = True
    status_subresource: bool = True

    @property
    def qualified(self) -> str:
        """``plural.group`` as API error messages print it."""
        return f"{self.plural}.{self.group}" if self.group else self.plural


DEFAULT_RESOURCES: tuple[ServedResource, ...] = (
    ServedResource("apps", ("v1",), "deployments", "Deployment"),
    ServedResource("apps", ("v1",), "statefulsets", "StatefulSet"),
    ServedResource("apps", ("v1",), "replicasets", "ReplicaSet"),
    ServedResource("batch", ("v1",), "cronjobs", "CronJob"),
    ServedResource("autoscaling", ("v2",), "horizontalpodautoscalers", "HorizontalPodAutoscaler"),
    ServedResource("keda.sh", ("v1alpha1",), "scaledobjects", "ScaledObject"),
    ServedResource("kustomize.toolkit.fluxcd.io", ("v1",), "kustomizations", "Kustomization"),
    ServedResource("helm.toolkit.fluxcd.io", ("v2",), "helmreleases", "HelmRelease"),
    ServedResource("source.toolkit.fluxcd.io", ("v1",), "gitrepositories", "GitRepository"),
    ServedResource("source.toolkit.fluxcd.io", ("v1",), "ocirepositories", "OCIRepository"),
    ServedResource("source.toolkit.fluxcd.io", ("v1",), "buckets", "Bucket"),
    ServedResource("coordination.k8s.io", ("v1",), "leases", "Lease", status_subresource=False),
)


def with_versions(
    resources: Iterable[ServedResource], kind: str, versions: Sequence[str]
) -> tuple[ServedResource, ...]:
    """``resources`` with ``kind`` served under ``versions`` only (``()`` drops the kind)."""
    result = []
    for resource in resources:
        if resource.kind != kind:
            result.append(resource)
        elif versions:
            result.append(replace(resource, versions=tuple(versions)))
    return tuple(result)


def _group_versions(resources: Iterable[ServedResource]) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for resource in resources:
        versions = groups.setdefault(resource.group, [])
        versions.extend(v for v in resource.versions if v not in versions)
    return groups


def api_versions() -> dict[str, Any]:
    """``GET /api``."""
    return {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []}


def _group_entry(group: str, versions: list[str]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    return {"name": group, "versions": entries, "preferredVersion": entries[0]}


def group_list(resources: Iterable[ServedResource]) -> dict[str, Any]:
    """``GET /apis``."""
    groups = [_group_entry(g, v) for g, v in _group_versions(resources).items()]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group_document(resources: Iterable[ServedResource], group: str) -> dict[str, Any] | None:
    """``GET /apis/<group>``, or ``None`` when the group is not served."""
    versions = _group_versions(resources).get(group)
    if not versions:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_entry(group, versions)}


def resource_list(
    resources: Iterable[ServedResource], group: str, version: str
) -> dict[str, Any] | None:
    """``GET /apis/<group>/<version>``, or ``None`` when that group/version is not served."""
    served = [r for r in resources if r.group == group and version in r.versions]
    if not served:
        return None
    items: list[dict[str, Any]] = []
    for resource in served:
        common = {"namespaced": resource.namespaced, "kind": resource.kind}
        items.append(
            {"name": resource.plural, "singularName": resource.kind.lower(), "verbs": _VERBS}
            | common
        )
        if resource.status_subresource:
            items.append(
                {
                    "name": f"{resource.plural}/status",
                    "singularName": "",
                    "verbs": ["get", "patch", "update"],
                }
                | common
            )
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}",
        "resources": items,
    }
