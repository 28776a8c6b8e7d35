"""The manifest index: every Kubernetes object of a fleet repository, and who applies it.

``build_index`` takes the repository's YAML files as ``(path, text)`` pairs, composes every
file once with the C loader and keeps only what selection and editing need (identity,
namespace, labels, annotations, position, owning Flux Kustomizations), never whole node
trees: the objects a policy usually puts to sleep keep an outline of their document
(``outlines``), from which the editor plans such a sleep without composing it again.
A file that does not parse is reported (``path:line:col: skipped: reason``) and the run goes
on; non-Kubernetes YAML (workflows, Taskfiles, values files) is simply not an object. The same
object defined twice for the same owners is an error for that object only.
"""

from __future__ import annotations

import functools
import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from scheduler.core.diagnostics import Diagnostic, Severity
from scheduler.core.manifests import annotation_keys, collector, kinds, outlines, slices
from scheduler.core.manifests.documents import (
    BOM,
    MappingNode,
    Node,
    ParseProblem,
    ScalarNode,
    compose,
)
from scheduler.core.manifests.kinds import is_flux_kustomization, is_kustomize_file
from scheduler.core.manifests.kustomize import KustomizeFile, join_repo_path, read_kustomize_file
from scheduler.core.manifests.namespaces import NamespaceResolver
from scheduler.core.manifests.nodes import str_at, string_map
from scheduler.core.manifests.objects import (
    FluxKustomization,
    ManifestObject,
    ObjectId,
    PatchDocument,
)
from scheduler.core.manifests.outlines import Outline
from scheduler.core.manifests.ownership import Layout
from scheduler.core.workloads import WorkloadRef

__all__ = ["ManifestIndex", "build_index", "is_indexed_path"]

_TEMPLATE_MARKERS = (".j2", ".tmpl", ".jinja", ".jinja2", ".gotmpl")


def is_indexed_path(path: str) -> bool:
    """True for ``*.yaml``/``*.yml`` (and kustomize's ``Kustomization``) outside ``.git``,
    except templates (``*.j2``, ``*.tmpl``, ...), which are opaque."""
    parts = path.split("/")
    name = parts[-1]
    if ".git" in parts[:-1] or any(marker in name for marker in _TEMPLATE_MARKERS):
        return False
    return name.endswith((".yaml", ".yml")) or name == "Kustomization"


@dataclass(frozen=True, slots=True)
class _FluxSpec:
    path: str | None
    target_namespace: str
    source_kind: str
    source_name: str


@dataclass(slots=True)
class _Found:
    """An object as read from its document, before namespaces and owners are known."""

    api_version: str
    kind: str
    name: str
    namespace: str
    labels: dict[str, str]
    annotations: dict[str, str]
    id: ObjectId
    line: int
    column: int
    offset: int
    flux: _FluxSpec | None


class ManifestIndex:
    """Objects, Flux Kustomizations, patches and problems of one repository, with lookups."""

    def __init__(
        self,
        *,
        objects: Iterable[ManifestObject],
        kustomizations: Iterable[FluxKustomization],
        patches: Iterable[PatchDocument],
        problems: Iterable[Diagnostic],
        texts: Mapping[str, str],
        outlines: Mapping[tuple[str, int], Outline] | None = None,
    ) -> None:
        self.objects: tuple[ManifestObject, ...] = tuple(objects)
        self.kustomizations: tuple[FluxKustomization, ...] = tuple(kustomizations)
        self.patches: tuple[PatchDocument, ...] = tuple(patches)
        self.problems: tuple[Diagnostic, ...] = tuple(problems)
        self.texts: Mapping[str, str] = texts
        self.outlines = outlines or {}
        self._owners: dict[str, list[FluxKustomization]] = defaultdict(list)
        self._ks_by_id = {ks.object.id: ks for ks in self.kustomizations}
        for ks in self.kustomizations:
            for file in ks.files:
                self._owners[file].append(ks)

    # The lookups by id, name and file are built on first use: a plan needs few of them, and
    # a fleet's worth of keys and lists would only be more objects for the garbage collector.

    @functools.cached_property
    def _by_id(self) -> dict[ObjectId, ManifestObject]:
        return {obj.id: obj for obj in self.objects}

    @functools.cached_property
    def _by_ref(self) -> dict[WorkloadRef, list[ManifestObject]]:
        found: dict[WorkloadRef, list[ManifestObject]] = defaultdict(list)
        for obj in self.objects:
            found[obj.ref].append(obj)
        return found

    @functools.cached_property
    def _by_file(self) -> dict[str, list[ManifestObject]]:
        found: dict[str, list[ManifestObject]] = defaultdict(list)
        for obj in self.objects:
            found[obj.file].append(obj)
        return found

    def get(self, object_id: ObjectId) -> ManifestObject | None:
        """The object at a file and document, or None."""
        return self._by_id.get(object_id)

    def find(self, ref: WorkloadRef) -> tuple[ManifestObject, ...]:
        """Objects named ``kind/namespace/name`` (several when clusters share a name)."""
        return tuple(self._by_ref.get(ref, ()))

    def in_file(self, path: str) -> tuple[ManifestObject, ...]:
        """The objects of one file, in document order."""
        return tuple(self._by_file.get(path, ()))

    def owners_of(self, path: str) -> tuple[FluxKustomization, ...]:
        """The Flux Kustomizations that apply ``path``."""
        return tuple(self._owners.get(path, ()))

    def kustomization(self, obj: ManifestObject) -> FluxKustomization | None:
        """The Flux Kustomization record of ``obj``, when it is one."""
        return self._ks_by_id.get(obj.id)

    def patches_for(self, obj: ManifestObject) -> tuple[PatchDocument, ...]:
        """kustomize patch documents naming ``obj`` (same kind and name): the field offhours
        edits may be overridden there."""
        return tuple(
            p
            for p in self.patches
            if p.kind == obj.kind and p.name == obj.name and p.namespace in ("", obj.namespace)
        )

    def text(self, path: str) -> str:
        """The text of an indexed file, exactly as given."""
        return self.texts[path]

    def outline(self, object_id: ObjectId) -> Outline | None:
        """The outline of the object's document (see ``outlines``; positions in the
        file's text after any byte-order mark), or None when the index kept none."""
        return self.outlines.get((object_id.file, object_id.document))


def build_index(files: Iterable[tuple[str, str]]) -> ManifestIndex:
    """Index ``(repository-relative path, text)`` pairs; never raises on bad input.

    The templates of a Helm chart kept in the repository (``<chart>/templates/**`` next to a
    ``Chart.yaml``) are not manifests: helm-controller renders them. They are left out, like
    ``*.j2`` files.
    """
    pairs = [(path, text) for path, text in files if is_indexed_path(path)]
    charts = {
        path[: -len("Chart.yaml")] for path, _ in pairs if path.rpartition("/")[2] == "Chart.yaml"
    }
    with collector.paused():
        scan = _Scan()
        for path, text in pairs:
            if not (charts and _in_chart_templates(path, charts)):
                scan.add(path, text)
        return scan.finish()


def _in_chart_templates(path: str, charts: set[str]) -> bool:
    """True for a file under ``templates/`` of a folder holding a ``Chart.yaml``."""
    parts = path.split("/")
    for depth in range(len(parts) - 1):
        if (
            parts[depth] == "templates"
            and "/".join(parts[:depth]) + ("/" if depth else "") in charts
        ):
            return True
    return False


class _Scan:
    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.problems: list[Diagnostic] = []
        self.kustomize: dict[str, KustomizeFile] = {}
        self.found: list[_Found] = []
        self.outlines: dict[tuple[str, int], Outline] = {}

    def add(self, path: str, text: str) -> None:
        self.texts[path] = text
        offset = 1 if text.startswith(BOM) else 0
        body = text[offset:]
        docs = compose(body)
        if isinstance(docs, ParseProblem):
            self.problems.append(
                Diagnostic(path, docs.line, docs.column, f"skipped: {docs}", Severity.WARNING)
            )
            return
        if is_kustomize_file(path):
            for doc in docs[:1]:
                facts = read_kustomize_file(path, doc)
                self.kustomize[facts.folder] = facts
            return
        outlined = slices.sliceable(body)
        for number, doc in enumerate(docs):
            found = _read_object(doc, ObjectId(path, number), offset)
            if found is None:
                continue
            self.found.append(found)
            if (
                outlined
                and outlines.is_outlined(found.api_version, found.kind)
                and not _asleep(found.annotations)
            ):
                assert isinstance(doc, MappingNode)
                spec_end = kinds.is_helm_release(found.api_version, found.kind)
                kept = outlines.outline(doc, body, spec_end=spec_end)
                if kept is not None:
                    self.outlines[(path, number)] = kept

    def finish(self) -> ManifestIndex:
        patch_files = {p for k in self.kustomize.values() for p in k.patches}
        objects = [f for f in self.found if f.id.file not in patch_files]
        patches = [_patch(f) for f in self.found if f.id.file in patch_files]
        layout = Layout(self.texts, self.kustomize)
        reach = {f.id: _reach(layout, f) for f in objects if f.flux is not None}
        owners: dict[str, list[ObjectId]] = defaultdict(list)
        for ks_id, files in sorted(reach.items()):
            for file in files:
                owners[file].append(ks_id)
        built = _Builder(self.kustomize, objects, owners).build(reach)
        conflicts = _conflicts(built)
        final = built
        if conflicts:
            final = [_with_conflict(obj, conflicts.get(obj.id, "")) for obj in built]
        kustomizations = [
            _flux(obj, f.flux, reach[f.id]) for f, obj in zip(objects, final, strict=True) if f.flux
        ]
        clashes = [o for o in final if o.conflict] if conflicts else []
        problems = self.problems + [
            Diagnostic(o.file, o.line, o.column, o.conflict) for o in clashes
        ]
        return ManifestIndex(
            objects=final,
            kustomizations=kustomizations,
            patches=patches,
            problems=problems,
            texts=self.texts,
            outlines={k: v for k, v in self.outlines.items() if k[0] not in patch_files},
        )


def _asleep(annotations: Mapping[str, str]) -> bool:
    """True when the object carries a state annotation: a wake, which the outline does not
    serve (``outlinedsleeps`` plans sleeps only), so none is kept."""
    return annotation_keys.holds_state(annotations)


def _read_object(doc: Node, object_id: ObjectId, offset: int) -> _Found | None:
    if type(doc) is not MappingNode:
        return None
    root = _entries(doc)
    api_version, kind = _text(root.get("apiVersion")), _text(root.get("kind"))
    metadata = root.get("metadata")
    meta = _entries(metadata) if type(metadata) is MappingNode else {}
    name = _text(meta.get("name"))
    if not api_version or not kind or not name or api_version.startswith("kustomize.config."):
        return None
    flux = None
    if is_flux_kustomization(api_version, kind):
        flux = _FluxSpec(
            path=str_at(doc, "spec", "path"),
            target_namespace=str_at(doc, "spec", "targetNamespace") or "",
            source_kind=str_at(doc, "spec", "sourceRef", "kind") or "GitRepository",
            source_name=str_at(doc, "spec", "sourceRef", "name") or "",
        )
    mark = doc.start_mark
    return _Found(
        api_version=api_version,
        kind=kind,
        name=name,
        namespace=_text(meta.get("namespace")) or "",
        labels=string_map(meta.get("labels")),
        annotations=string_map(meta.get("annotations")),
        id=object_id,
        line=mark.line + 1,
        column=mark.column + 1,
        offset=mark.index + offset,
        flux=flux,
    )


def _entries(mapping: MappingNode) -> dict[str, Node]:
    """A mapping's values by scalar key, the last one winning (``nodes.find_entry``)."""
    return {key.value: value for key, value in mapping.value if type(key) is ScalarNode}


def _text(node: Node | None) -> str | None:
    """``nodes.str_at`` of a node found: its non-empty, non-null scalar text, else None."""
    if type(node) is ScalarNode and node.value != "" and not node.tag.endswith("null"):
        return str(node.value)
    return None


def _patch(found: _Found) -> PatchDocument:
    return PatchDocument(
        api_version=found.api_version,
        kind=found.kind,
        name=found.name,
        namespace=found.namespace,
        file=found.id.file,
        document=found.id.document,
        line=found.line,
    )


def _reach(layout: Layout, found: _Found) -> frozenset[str]:
    assert found.flux is not None
    if found.flux.source_kind != "GitRepository":
        return frozenset()
    path = join_repo_path("", found.flux.path or "")
    return frozenset() if path is None else layout.reach(path)


class _Builder:
    def __init__(
        self,
        kustomize: Mapping[str, KustomizeFile],
        found: list[_Found],
        owners: Mapping[str, list[ObjectId]],
    ) -> None:
        self.found = found
        self.owners = owners
        self.namespaces = NamespaceResolver(kustomize)
        self.targets = {f.id: f.flux.target_namespace for f in found if f.flux is not None}

    def build(self, reach: Mapping[ObjectId, frozenset[str]]) -> list[ManifestObject]:
        return [self._object(f, reach) for f in self.found]

    def _object(self, found: _Found, reach: Mapping[ObjectId, frozenset[str]]) -> ManifestObject:
        owners = tuple(self.owners.get(found.id.file, ()))
        namespace, source = self.namespaces.resolve(
            kind=found.kind,
            declared=found.namespace,
            file=found.id.file,
            target_namespaces=(self.targets[o] for o in owners),
        )
        return ManifestObject(
            api_version=found.api_version,
            kind=found.kind,
            name=found.name,
            namespace=namespace,
            namespace_source=source,
            file=found.id.file,
            document=found.id.document,
            line=found.line,
            column=found.column,
            offset=found.offset,
            labels=found.labels,
            annotations=found.annotations,
            owners=owners,
            self_managing=found.flux is not None and found.id.file in reach[found.id],
        )


def _conflicts(objects: list[ManifestObject]) -> dict[ObjectId, str]:
    """Objects defined more than once for overlapping (or no) owners, with the message."""
    groups: dict[tuple[str, str, str, str], list[ManifestObject]] = defaultdict(list)
    for obj in objects:
        if obj.namespace or obj.namespace_source == "cluster-scoped":
            groups[(obj.group, obj.kind, obj.namespace, obj.name)].append(obj)
    messages: dict[ObjectId, str] = {}
    for members in groups.values():
        for obj in members:
            clashes = [o for o in members if o is not obj and _same_owners(o, obj)]
            if clashes:
                others = ", ".join(o.where for o in clashes)
                messages[obj.id] = (
                    f"{obj.ref} is defined more than once (also at {others}); "
                    "offhours will not edit it until only one definition is applied"
                )
    return messages


def _same_owners(a: ManifestObject, b: ManifestObject) -> bool:
    """Applied together: by a common Flux Kustomization, or, when no Kustomization in the
    repository applies either, by one over a folder holding both (one folder contains the
    other; copies in sibling folders, such as per-cluster trees, are separate objects)."""
    if a.owners or b.owners:
        return bool(set(a.owners) & set(b.owners))
    fa, fb = posixpath.dirname(a.file), posixpath.dirname(b.file)
    return fa == fb or _inside(fa, fb) or _inside(fb, fa)


def _inside(folder: str, ancestor: str) -> bool:
    return ancestor == "" or folder.startswith(ancestor + "/")


def _with_conflict(obj: ManifestObject, conflict: str) -> ManifestObject:
    return replace(obj, conflict=conflict) if conflict else obj


def _flux(obj: ManifestObject, spec: _FluxSpec, files: frozenset[str]) -> FluxKustomization:
    return FluxKustomization(
        object=obj,
        path=join_repo_path("", spec.path or "") or (spec.path or ""),
        target_namespace=spec.target_namespace,
        source_kind=spec.source_kind,
        source_name=spec.source_name,
        files=files,
    )
