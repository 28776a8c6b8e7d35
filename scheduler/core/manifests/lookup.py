"""Reading one field of an indexed object back from its file.

The index keeps no node trees (memory), so a question about a field the index did not record,
such as "does this HelmRelease set ``values.replicaCount``?", composes the object's file again.
Used for warnings, never for edits. Pure.
"""

from __future__ import annotations

from scheduler.core.manifests.documents import BOM, ParseProblem, compose
from scheduler.core.manifests.index import ManifestIndex
from scheduler.core.manifests.locate import locate
from scheduler.core.manifests.methods import split_path
from scheduler.core.manifests.objects import ManifestObject
from scheduler.core.manifests.refusals import Refusal

__all__ = ["values_set"]


def values_set(index: ManifestIndex, obj: ManifestObject, path: str) -> bool:
    """Whether the HelmRelease ``obj`` sets ``spec.values.<path>`` (True when it cannot be
    told, e.g. the path crosses an anchor: no warning is better than a false one)."""
    text = index.text(obj.file)
    body = text[len(BOM) :] if text.startswith(BOM) else text
    docs = compose(body)
    if isinstance(docs, ParseProblem) or obj.document >= len(docs):
        return True
    try:
        found = locate(body, docs[obj.document], ("spec", "values", *split_path(path)))
    except (Refusal, ValueError):
        return True
    return found.key is not None
