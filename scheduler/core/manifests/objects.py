"""The records the manifest index holds: objects, Flux Kustomizations and patch documents.

A ``ManifestObject`` is one Kubernetes object found in one document of one file, with the
facts the planner selects on (kind, namespace, name, labels, annotations, path) and the facts
the editor needs (where it is, who applies it, whether it is asleep, excluded or ambiguous).
Values only; the index builds them and the editor reads them.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from scheduler.core.manifests import annotation_keys
from scheduler.core.manifests.kinds import api_group
from scheduler.core.workloads import WorkloadRef

__all__ = ["FluxKustomization", "ManifestObject", "NamespaceSource", "ObjectId", "PatchDocument"]


@dataclass(frozen=True, slots=True, order=True)
class ObjectId:
    """Where an object lives: its file (repository-relative) and document index (from 0)."""

    file: str
    document: int

    def __str__(self) -> str:
        return f"{self.file}#{self.document}"


class NamespaceSource(enum.StrEnum):
    """Where an object's namespace came from."""

    METADATA = "metadata.namespace"
    KUSTOMIZATION = "kustomization.yaml"
    TARGET_NAMESPACE = "targetNamespace"
    CLUSTER_SCOPED = "cluster-scoped"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ManifestObject:
    """One Kubernetes object in the repository.

    ``namespace`` is ``""`` when unknown (the object is then selectable only by path);
    ``line``/``column`` (1-based) and ``offset`` (characters) locate the document's first
    node. ``owners`` are the Flux Kustomizations that apply the file; ``self_managing`` is set
    on a Flux Kustomization that applies its own file; ``conflict`` says why the object is
    ambiguous (defined twice for the same owners) and then offhours never edits it.
    """

    api_version: str
    kind: str
    name: str
    namespace: str
    namespace_source: NamespaceSource
    file: str
    document: int
    line: int
    column: int
    offset: int
    labels: Mapping[str, str] = field(default_factory=dict, hash=False)
    annotations: Mapping[str, str] = field(default_factory=dict, hash=False)
    owners: tuple[ObjectId, ...] = ()
    self_managing: bool = False
    conflict: str = ""

    @property
    def id(self) -> ObjectId:
        """The file and document of this object."""
        return ObjectId(self.file, self.document)

    @property
    def ref(self) -> WorkloadRef:
        """``kind/namespace/name``, as plans, ledgers and reports name it."""
        return WorkloadRef(self.kind, self.namespace, self.name)

    @property
    def group(self) -> str:
        """The API group (``apps``, ``helm.toolkit.fluxcd.io``; ``""`` for core)."""
        return api_group(self.api_version)

    @property
    def asleep(self) -> bool:
        """True when offhours put it to sleep (an ``offhours.dev/original-*`` annotation)."""
        return annotation_keys.holds_state(self.annotations)

    @property
    def excluded(self) -> bool:
        """True when the object opts out with ``offhours.dev/exclude: "true"``."""
        return annotation_keys.is_excluded(self.annotations)

    @property
    def where(self) -> str:
        """``file:line:column`` of the object."""
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class FluxKustomization:
    """A Flux Kustomization found in the repository and the files it applies.

    ``path`` is ``spec.path`` normalised to the repository (``""`` is the root).
    ``files`` is empty when the source is not a GitRepository (an OCIRepository, Bucket or
    ExternalArtifact does not deliver this repository's files directly).
    """

    object: ManifestObject
    path: str
    target_namespace: str
    source_kind: str
    source_name: str
    files: frozenset[str] = field(hash=False)

    @property
    def self_managing(self) -> bool:
        """True when it applies its own manifest (suspending it could never be undone)."""
        return self.object.file in self.files


@dataclass(frozen=True, slots=True)
class PatchDocument:
    """A document of a file used as a kustomize patch: partial, never an object itself."""

    api_version: str
    kind: str
    name: str
    namespace: str
    file: str
    document: int
    line: int
