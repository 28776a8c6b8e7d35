"""Manifests: the index of a fleet repository and surgical, reversible, verified edits.

The planner's whole interface (everything else in the package is internal):

- ``build_index(files)`` -> ``ManifestIndex``: every object of ``(path, text)`` pairs with its
  namespace, labels, annotations, owning Flux Kustomizations, and the problems found;
- ``EditRequest(target, action, method, policy)`` and the sleep methods ``ScaleReplicas``,
  ``ScaleRendered`` (with ``RenderedField`` rules), ``Suspend``, ``HelmValues``,
  ``KedaPause``, ``SetField`` (``default_method`` per kind);
- ``plan_edits(index, requests)`` / ``edit_file(path, text, requests)`` -> ``FileEdit``s: the
  new text of each file and, per object, its ``Change`` facts or why it was refused;
- ``annotation_keys``: every ``offhours.dev/`` annotation key.

Pure core: files arrive as text and leave as text.
"""

from __future__ import annotations

from scheduler.core.manifests import annotation_keys, kinds
from scheduler.core.manifests.editor import (
    EditRequest,
    FileEdit,
    ObjectEdit,
    Outcome,
    edit_file,
    plan_edits,
)
from scheduler.core.manifests.index import ManifestIndex, build_index, is_indexed_path
from scheduler.core.manifests.lookup import values_set
from scheduler.core.manifests.methods import (
    RENDERED_KINDS,
    HelmValues,
    KedaPause,
    RenderedField,
    ScaleRendered,
    ScaleReplicas,
    SetField,
    SleepMethod,
    Suspend,
    default_method,
)
from scheduler.core.manifests.objects import (
    FluxKustomization,
    ManifestObject,
    NamespaceSource,
    ObjectId,
    PatchDocument,
)

__all__ = [
    "RENDERED_KINDS",
    "EditRequest",
    "FileEdit",
    "FluxKustomization",
    "HelmValues",
    "KedaPause",
    "ManifestIndex",
    "ManifestObject",
    "NamespaceSource",
    "ObjectEdit",
    "ObjectId",
    "Outcome",
    "PatchDocument",
    "RenderedField",
    "ScaleRendered",
    "ScaleReplicas",
    "SetField",
    "SleepMethod",
    "Suspend",
    "annotation_keys",
    "build_index",
    "default_method",
    "edit_file",
    "is_indexed_path",
    "kinds",
    "plan_edits",
    "values_set",
]
