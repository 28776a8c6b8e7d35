"""Which namespace an object lands in, when its manifest does not say.

In order: ``metadata.namespace``; else the ``namespace:`` of the nearest ``kustomization.yaml``
in the object's folder or an ancestor folder; else the ``targetNamespace`` of the Flux
Kustomizations applying the file (when they agree); else unknown, and the object is selectable
only by path. Cluster-scoped kinds have none. Pure lookups over facts the index gathered.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping

from scheduler.core.manifests.kinds import CLUSTER_SCOPED
from scheduler.core.manifests.kustomize import KustomizeFile
from scheduler.core.manifests.objects import NamespaceSource

__all__ = ["NamespaceResolver"]


class NamespaceResolver:
    """Answers "which namespace?" for objects of one repository."""

    def __init__(self, kustomize: Mapping[str, KustomizeFile]) -> None:
        self._kustomize = kustomize
        self._memo: dict[str, str] = {}

    def resolve(
        self, *, kind: str, declared: str, file: str, target_namespaces: Iterable[str]
    ) -> tuple[str, NamespaceSource]:
        """The namespace of an object of ``kind`` declaring ``declared`` (may be empty) in
        ``file``, applied by Flux Kustomizations with ``target_namespaces``."""
        if declared:
            return declared, NamespaceSource.METADATA
        if kind in CLUSTER_SCOPED:
            return "", NamespaceSource.CLUSTER_SCOPED
        from_kustomization = self._from_folders(posixpath.dirname(file))
        if from_kustomization:
            return from_kustomization, NamespaceSource.KUSTOMIZATION
        targets = {t for t in target_namespaces if t}
        if len(targets) == 1:
            return targets.pop(), NamespaceSource.TARGET_NAMESPACE
        return "", NamespaceSource.UNKNOWN

    def _from_folders(self, folder: str) -> str:
        if folder in self._memo:
            return self._memo[folder]
        kustomization = self._kustomize.get(folder)
        if kustomization is not None and kustomization.namespace:
            found = kustomization.namespace
        elif folder:
            found = self._from_folders(posixpath.dirname(folder))
        else:
            found = ""
        self._memo[folder] = found
        return found
