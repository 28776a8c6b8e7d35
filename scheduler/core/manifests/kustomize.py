"""What a kustomize ``kustomization.yaml`` tells offhours: its namespace and which files it uses.

kustomize files are configuration, not Kubernetes objects. offhours reads three things from
them: ``namespace:`` (the namespace of the objects they include), the files and folders they
include (``resources``, ``components``, legacy ``bases``, ``crds``) and the files they use as
patches or generator inputs. Those decide which Flux Kustomization applies which file. Remote
resources (URLs, ``github.com/...``) are outside the repository and ignored.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass

from scheduler.core.manifests.documents import MappingNode, Node, ScalarNode, SequenceNode
from scheduler.core.manifests.nodes import find_entry, str_at, string_list

__all__ = ["KustomizeFile", "join_repo_path", "read_kustomize_file"]

_INCLUDES = ("resources", "components", "bases", "crds")


@dataclass(frozen=True, slots=True)
class KustomizeFile:
    """One kustomization file: its folder, namespace, includes and patch/generator inputs
    (all paths repository-relative and normalised; unresolvable ones dropped)."""

    file: str
    folder: str
    namespace: str
    includes: tuple[str, ...]
    patches: tuple[str, ...]
    inputs: tuple[str, ...]


def join_repo_path(folder: str, relative: str) -> str | None:
    """``relative`` resolved against ``folder`` inside the repository ("" is the root);
    None for remote references and paths leaving the repository."""
    if "://" in relative or relative.startswith(("github.com/", "git@", "ssh:")):
        return None
    joined = posixpath.normpath(posixpath.join(folder, relative.lstrip("/")))
    if joined in (".", ""):
        return ""
    if joined.startswith("../") or joined == "..":
        return None
    return joined


def read_kustomize_file(file: str, doc: Node) -> KustomizeFile:
    """The facts of the kustomization document ``doc`` found at ``file``."""
    folder = posixpath.dirname(file)
    includes: list[str] = []
    for field in _INCLUDES:
        includes.extend(_resolved(folder, string_list(_field(doc, field))))
    patches = list(_resolved(folder, _patch_paths(doc)))
    inputs = list(_resolved(folder, _generator_inputs(doc)))
    return KustomizeFile(
        file=file,
        folder=folder,
        namespace=str_at(doc, "namespace") or "",
        includes=tuple(includes),
        patches=tuple(patches),
        inputs=tuple(inputs),
    )


def _field(doc: Node, name: str) -> Node | None:
    if not isinstance(doc, MappingNode):
        return None
    entry = find_entry(doc, name)
    return entry[1] if entry else None


def _resolved(folder: str, paths: Iterator[str]) -> Iterator[str]:
    for path in paths:
        joined = join_repo_path(folder, path)
        if joined is not None:
            yield joined


def _patch_paths(doc: Node) -> Iterator[str]:
    """``patches[].path``, ``patchesJson6902[].path`` and file entries of
    ``patchesStrategicMerge`` (inline patches hold a newline or a colon)."""
    for field in ("patches", "patchesJson6902"):
        for item in _items(_field(doc, field)):
            path = str_at(item, "path")
            if path:
                yield path
    for name in string_list(_field(doc, "patchesStrategicMerge")):
        if "\n" not in name and ": " not in name:
            yield name


def _generator_inputs(doc: Node) -> Iterator[str]:
    """Files read by ``configMapGenerator``/``secretGenerator`` (``files``, ``envs``)."""
    for field in ("configMapGenerator", "secretGenerator"):
        for item in _items(_field(doc, field)):
            for source in ("files", "envs"):
                for entry in string_list(_field(item, source)):
                    yield entry.rpartition("=")[2]


def _items(node: Node | None) -> Iterator[Node]:
    if isinstance(node, SequenceNode):
        yield from (item for item in node.value if not isinstance(item, ScalarNode))
