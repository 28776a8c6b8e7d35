"""Read the example fleet under ``clusters/`` the way Flux and kustomize would, for the tests.

Owns: locating the deployment assets, loading their YAML documents with their file paths,
and a small kustomize resolver (``resources`` files and directories, ``namespace``,
``configMapGenerator``) that is enough for this repository and tells which objects each Flux
Kustomization applies. It is a test helper: no network, no kustomize binary, no cluster.
It must not grow into a general kustomize implementation: anything it does not understand
(patches, components, remote bases, other generators) raises ``Unsupported``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
CLUSTERS = REPO / "clusters"

KUSTOMIZE_FILE = "kustomization.yaml"
KUSTOMIZE_API = "kustomize.config.k8s.io/v1beta1"
FLUX_KUSTOMIZATION = ("kustomize.toolkit.fluxcd.io/v1", "Kustomization")

# Kinds without a namespace among those this fleet uses.
CLUSTER_SCOPED = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}
)
# kustomization.yaml keys the resolver implements; any other key is an error.
SUPPORTED_KEYS = frozenset(
    {
        "apiVersion",
        "kind",
        "resources",
        "namespace",
        "labels",
        "images",
        "configMapGenerator",
        "configurations",
    }
)


class Unsupported(Exception):
    """A kustomization feature this resolver does not implement."""


@dataclass(frozen=True)
class Document:
    """One YAML document of one file (``index`` counts from 0)."""

    path: Path
    index: int
    body: dict[str, Any]

    @property
    def where(self) -> str:
        """``clusters/…/file.yaml#2``: where a failing assertion should send the reader."""
        return f"{self.path.relative_to(REPO)}#{self.index}"


@dataclass(frozen=True)
class Resource:
    """A Kubernetes object as a kustomize build emits it, with the file it came from."""

    body: dict[str, Any]
    source: Path
    generated: bool = False

    @property
    def api_version(self) -> str:
        return str(self.body.get("apiVersion", ""))

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        return str(self.body.get("metadata", {}).get("name", ""))

    @property
    def namespace(self) -> str:
        return str(self.body.get("metadata", {}).get("namespace", ""))

    @property
    def key(self) -> tuple[str, str, str, str]:
        """(apiVersion, kind, namespace, name): what identifies an applied object."""
        return (self.api_version, self.kind, self.namespace, self.name)

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.body.get("spec", {})
        return spec if isinstance(spec, dict) else {}


@dataclass
class Build:
    """The result of building one directory: objects plus the files it read."""

    resources: list[Resource] = field(default_factory=list)
    files: set[Path] = field(default_factory=set)

    def find(self, kind: str, name: str, namespace: str | None = None) -> Resource:
        """The one object of this kind and name (and namespace, when given)."""
        hits = [
            r
            for r in self.resources
            if r.kind == kind and r.name == name and namespace in (None, r.namespace)
        ]
        assert len(hits) == 1, f"expected one {kind} {namespace}/{name}, found {len(hits)}"
        return hits[0]

    def of_kind(self, kind: str) -> list[Resource]:
        return [r for r in self.resources if r.kind == kind]


def yaml_files(root: Path = CLUSTERS) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` file under ``root``, sorted."""
    return sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())


def documents(path: Path) -> list[Document]:
    """The non-empty YAML documents of one file."""
    with path.open(encoding="utf-8") as handle:
        loaded = list(yaml.safe_load_all(handle))
    return [Document(path, i, body) for i, body in enumerate(loaded) if body is not None]


def is_object(body: dict[str, Any]) -> bool:
    """A Kubernetes object (has apiVersion and kind), not a kustomize or Helm config file."""
    api = str(body.get("apiVersion", ""))
    return bool(api and body.get("kind")) and not api.startswith("kustomize.config.k8s.io/")


def objects(root: Path = CLUSTERS) -> Iterator[Document]:
    """Every Kubernetes object written in a file under ``root`` (generated ones excluded)."""
    for path in yaml_files(root):
        for doc in documents(path):
            if is_object(doc.body):
                yield doc


def kustomization(directory: Path) -> dict[str, Any] | None:
    """The parsed ``kustomization.yaml`` of a directory, if it has one."""
    path = directory / KUSTOMIZE_FILE
    if not path.is_file():
        return None
    body = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(body, dict), f"{path}: not a mapping"
    return body


def build(directory: Path) -> Build:
    """What ``kustomize build`` (or Flux's generated kustomization) yields for a directory."""
    spec = kustomization(directory)
    if spec is None:
        return _build_plain(directory)
    unknown = set(spec) - SUPPORTED_KEYS
    if unknown:
        raise Unsupported(f"{directory / KUSTOMIZE_FILE}: {sorted(unknown)}")
    result = Build(files={directory / KUSTOMIZE_FILE})
    for entry in spec.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            child = build(target)
            result.resources.extend(child.resources)
            result.files |= child.files
        else:
            result.files.add(target)
            result.resources.extend(
                Resource(doc.body, target) for doc in documents(target) if is_object(doc.body)
            )
    for generator in spec.get("configMapGenerator", []):
        configmap, sources = _generate_configmap(directory, generator)
        result.resources.append(configmap)
        result.files |= sources
    namespace = spec.get("namespace")
    if namespace:
        result.resources = [_with_namespace(r, namespace) for r in result.resources]
    return result


def _build_plain(directory: Path) -> Build:
    """Flux's behaviour for a path without kustomization.yaml: every YAML file, recursively."""
    result = Build()
    for path in yaml_files(directory):
        result.files.add(path)
        result.resources.extend(
            Resource(doc.body, path) for doc in documents(path) if is_object(doc.body)
        )
    return result


def _with_namespace(resource: Resource, namespace: str) -> Resource:
    if resource.kind in CLUSTER_SCOPED:
        return resource
    body = {**resource.body, "metadata": {**resource.body["metadata"], "namespace": namespace}}
    return Resource(body, resource.source, resource.generated)


def _generate_configmap(directory: Path, generator: dict[str, Any]) -> tuple[Resource, set[Path]]:
    data: dict[str, str] = {}
    sources: set[Path] = set()
    for item in generator.get("files", []):
        key, _, rel = item.partition("=") if "=" in item else (Path(item).name, "", item)
        path = directory / rel
        sources.add(path)
        data[key] = path.read_text(encoding="utf-8")
    for rel in generator.get("envs", []):
        path = directory / rel
        sources.add(path)
        data.update(env_file(path))
    for literal in generator.get("literals", []):
        key, _, value = literal.partition("=")
        data[key] = value
    metadata: dict[str, Any] = {"name": generator["name"]}
    if "namespace" in generator:
        metadata["namespace"] = generator["namespace"]
    options = generator.get("options", {})
    for meta_key in ("labels", "annotations"):
        if meta_key in options:
            metadata[meta_key] = options[meta_key]
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data}
    return Resource(body, directory / KUSTOMIZE_FILE, generated=True), sources


def env_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a kustomize env file (blank lines and ``#`` comments skipped)."""
    pairs: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"{path}:{number}: expected KEY=value (got {raw!r})"
        pairs[key] = value
    return pairs


def flux_kustomizations(root: Path = CLUSTERS) -> list[Document]:
    """Every Flux Kustomization written under ``root``."""
    return [
        doc
        for doc in objects(root)
        if (doc.body["apiVersion"], doc.body["kind"]) == FLUX_KUSTOMIZATION
    ]


def flux_path(doc: Document) -> Path:
    """The directory a Flux Kustomization applies (``spec.path`` is relative to the repo)."""
    return (REPO / doc.body["spec"]["path"]).resolve()


def applied_by(doc: Document) -> Build:
    """What one Flux Kustomization applies."""
    return build(flux_path(doc))
