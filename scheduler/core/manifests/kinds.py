"""Which Kubernetes kinds offhours knows, by API group and kind (every version accepted).

Real fleet repositories still hold legacy Flux API versions (HelmRelease ``v2beta1`` and
``v2beta2``, Kustomization ``v1beta2``, sources ``v1beta2``), so kinds are recognised by API
group and kind only, never by version. This module classifies; it does not parse YAML.
"""

from __future__ import annotations

import functools
from typing import Final

__all__ = [
    "CLUSTER_SCOPED",
    "FLUX_KUSTOMIZE_GROUP",
    "FLUX_SUSPENDABLE_KINDS",
    "KUSTOMIZE_FILE_NAMES",
    "api_group",
    "is_cronjob",
    "is_flux_kustomization",
    "is_flux_suspendable",
    "is_helm_release",
    "is_keda_scaled_object",
    "is_kustomize_file",
    "is_replicated_workload",
]

FLUX_KUSTOMIZE_GROUP: Final = "kustomize.toolkit.fluxcd.io"
_HELM_GROUP: Final = "helm.toolkit.fluxcd.io"
_SOURCE_GROUP: Final = "source.toolkit.fluxcd.io"
_IMAGE_GROUP: Final = "image.toolkit.fluxcd.io"

#: Flux kinds with a ``spec.suspend`` field that stops their controller reconciling them.
_FLUX_SUSPENDABLE: Final = frozenset(
    {
        (FLUX_KUSTOMIZE_GROUP, "Kustomization"),
        (_HELM_GROUP, "HelmRelease"),
        (_SOURCE_GROUP, "GitRepository"),
        (_SOURCE_GROUP, "OCIRepository"),
        (_SOURCE_GROUP, "HelmRepository"),
        (_SOURCE_GROUP, "HelmChart"),
        (_SOURCE_GROUP, "Bucket"),
        (_IMAGE_GROUP, "ImageUpdateAutomation"),
        (_IMAGE_GROUP, "ImageRepository"),
    }
)
#: The same kinds by name only (a ledger entry or report row names kind/namespace/name).
FLUX_SUSPENDABLE_KINDS: Final = frozenset(kind for _, kind in _FLUX_SUSPENDABLE)

_REPLICATED: Final = frozenset(
    {("apps", "Deployment"), ("apps", "StatefulSet"), ("apps", "ReplicaSet")}
)

#: File names kustomize reads as a kustomization (never Kubernetes objects themselves).
KUSTOMIZE_FILE_NAMES: Final = frozenset(
    {"kustomization.yaml", "kustomization.yml", "Kustomization"}
)

#: Kinds without a namespace: no namespace is inferred for them.
CLUSTER_SCOPED: Final = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PriorityClass",
        "PersistentVolume",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "ClusterIssuer",
        "IngressClass",
        "RuntimeClass",
        "APIService",
    }
)


@functools.lru_cache(maxsize=256)
def api_group(api_version: str) -> str:
    """The group of an ``apiVersion`` (``apps/v1`` -> ``apps``; ``v1`` -> ``""``)."""
    group, _, _version = api_version.rpartition("/")
    return group


def is_replicated_workload(api_version: str, kind: str) -> bool:
    """Deployment, StatefulSet or ReplicaSet: sleeps through ``spec.replicas``."""
    return (api_group(api_version), kind) in _REPLICATED


def is_cronjob(api_version: str, kind: str) -> bool:
    """A ``batch`` CronJob: sleeps through ``spec.suspend``, restored exactly."""
    return kind == "CronJob" and api_group(api_version) == "batch"


def is_helm_release(api_version: str, kind: str) -> bool:
    """A Flux HelmRelease (``v2``, ``v2beta2`` or ``v2beta1``)."""
    return kind == "HelmRelease" and api_group(api_version) == _HELM_GROUP


def is_flux_kustomization(api_version: str, kind: str) -> bool:
    """A Flux Kustomization (``v1``, ``v1beta2``, ``v1beta1``), not a kustomize config."""
    return kind == "Kustomization" and api_group(api_version) == FLUX_KUSTOMIZE_GROUP


def is_flux_suspendable(api_version: str, kind: str) -> bool:
    """A Flux object whose ``spec.suspend`` pauses its controller."""
    return (api_group(api_version), kind) in _FLUX_SUSPENDABLE


def is_keda_scaled_object(api_version: str, kind: str) -> bool:
    """A KEDA ScaledObject: paused with ``autoscaling.keda.sh/paused-replicas``."""
    return kind == "ScaledObject" and api_group(api_version) == "keda.sh"


def is_kustomize_file(path: str) -> bool:
    """True for ``kustomization.yaml`` (and its spellings), whatever the folder."""
    return path.rpartition("/")[2] in KUSTOMIZE_FILE_NAMES
