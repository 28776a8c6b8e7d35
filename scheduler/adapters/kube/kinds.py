"""The Kubernetes kinds the adapter reads or writes, with their API group, plural and the
versions it understands, newest first.

Owns the table only; which version a cluster actually serves is discovered at run time
(``api.Discovery``), so a cluster serving only ``helm.toolkit.fluxcd.io/v2beta2`` works too.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.errors import ConfigError

__all__ = [
    "BUCKET",
    "CRONJOB",
    "DEPLOYMENT",
    "GIT_REPOSITORY",
    "HELM_RELEASE",
    "HPA",
    "KUSTOMIZATION",
    "LEASE",
    "OCI_REPOSITORY",
    "REPLICASET",
    "SCALED_OBJECT",
    "STATEFULSET",
    "ResourceKind",
    "by_kind",
]


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """A kind as the API addresses it: ``/apis/<group>/<version>/.../<plural>``."""

    kind: str
    group: str
    plural: str
    versions: tuple[str, ...]

    @property
    def qualified(self) -> str:
        """``plural.group`` (how RBAC rules and API messages name it)."""
        return f"{self.plural}.{self.group}"


DEPLOYMENT = ResourceKind("Deployment", "apps", "deployments", ("v1",))
STATEFULSET = ResourceKind("StatefulSet", "apps", "statefulsets", ("v1",))
REPLICASET = ResourceKind("ReplicaSet", "apps", "replicasets", ("v1",))
CRONJOB = ResourceKind("CronJob", "batch", "cronjobs", ("v1",))
HPA = ResourceKind("HorizontalPodAutoscaler", "autoscaling", "horizontalpodautoscalers", ("v2",))
SCALED_OBJECT = ResourceKind("ScaledObject", "keda.sh", "scaledobjects", ("v1alpha1",))
KUSTOMIZATION = ResourceKind(
    "Kustomization", "kustomize.toolkit.fluxcd.io", "kustomizations", ("v1", "v1beta2")
)
HELM_RELEASE = ResourceKind(
    "HelmRelease", "helm.toolkit.fluxcd.io", "helmreleases", ("v2", "v2beta2", "v2beta1")
)
GIT_REPOSITORY = ResourceKind(
    "GitRepository", "source.toolkit.fluxcd.io", "gitrepositories", ("v1", "v1beta2")
)
OCI_REPOSITORY = ResourceKind(
    "OCIRepository", "source.toolkit.fluxcd.io", "ocirepositories", ("v1", "v1beta2")
)
BUCKET = ResourceKind("Bucket", "source.toolkit.fluxcd.io", "buckets", ("v1", "v1beta2"))
LEASE = ResourceKind("Lease", "coordination.k8s.io", "leases", ("v1",))

WORKLOAD_KINDS = (DEPLOYMENT, STATEFULSET, REPLICASET, CRONJOB, SCALED_OBJECT, HPA)
FLUX_KINDS = (KUSTOMIZATION, HELM_RELEASE, GIT_REPOSITORY, OCI_REPOSITORY, BUCKET)
_BY_KIND = {k.kind: k for k in (*WORKLOAD_KINDS, *FLUX_KINDS, LEASE)}


def by_kind(kind: str) -> ResourceKind:
    """The resource of a kind name; ``ConfigError`` naming the supported kinds otherwise."""
    try:
        return _BY_KIND[kind]
    except KeyError:
        known = ", ".join(sorted(_BY_KIND))
        raise ConfigError(
            f"offhours cannot read kind {kind!r} from the cluster (expected one of: {known})"
        ) from None
