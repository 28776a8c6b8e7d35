"""What Flux's controllers apply for a HelmRelease or a Kustomization, reproduced with the real
``helm`` and ``kubectl kustomize`` of ``tests/engines.py``.

- helm-controller (``internal/postrender``): ``helm template`` with the release's values, then
  one Kustomize pass per ``spec.postRenderers[].kustomize`` entry, in order, each a
  kustomization whose only resource is the previous output and whose ``patches`` and
  ``images`` are the entry's; last, origin labels (not reproduced: no assertion needs them).
- kustomize-controller (fluxcd/pkg's kustomize generator): the ``kustomization.yaml`` of
  ``spec.path`` (generated, listing every manifest, when the folder has none) gets
  ``spec.targetNamespace`` and ``spec.patches`` appended, then ``kustomize build``.

``objects(text)`` reads a render back as ``{(kind, name): object}`` for the assertions.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.engines import Engines

__all__ = ["CHARTS", "Key", "helm_release_render", "kustomization_build", "objects"]

#: The charts a HelmRelease's ``spec.chart.spec.chart`` names.
CHARTS = Path(__file__).resolve().parents[2] / "data" / "charts"
Key = tuple[str, str]
_KUSTOMIZATION = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
_POST_RENDERER_KEYS = {"patches", "images"}


def helm_release_render(engines: Engines, release: Mapping[str, Any], *, work: Path) -> str:
    """The manifests helm-controller applies for the HelmRelease ``release`` (a parsed
    manifest), origin labels aside; ``work`` is an empty scratch folder."""
    meta, spec = release["metadata"], release["spec"]
    if "valuesFrom" in spec or "chart" not in spec:
        raise ValueError("only spec.chart with inline spec.values is reproduced")
    namespace = spec.get("targetNamespace") or meta["namespace"]
    default_name = f"{namespace}-{meta['name']}" if "targetNamespace" in spec else meta["name"]
    values = work / "values.yaml"
    values.write_text(json.dumps(spec.get("values") or {}))
    chart = CHARTS / spec["chart"]["spec"]["chart"]
    name = spec.get("releaseName") or default_name
    text = engines.helm_template(name, chart, namespace=namespace, values=values)
    for number, renderer in enumerate(spec.get("postRenderers") or ()):
        text = _post_render(engines, text, renderer["kustomize"], work=work / f"pass-{number}")
    return text


def _post_render(engines: Engines, text: str, entry: Mapping[str, Any], *, work: Path) -> str:
    unknown = set(entry) - _POST_RENDERER_KEYS
    if unknown:
        raise ValueError(f"post-renderer fields not reproduced: {sorted(unknown)}")
    work.mkdir()
    (work / "helm-output.yaml").write_text(text)
    config = {**_KUSTOMIZATION, "resources": ["helm-output.yaml"]}
    config.update({key: entry[key] for key in ("images", "patches") if entry.get(key)})
    (work / "kustomization.yaml").write_text(json.dumps(config))
    return engines.kustomize(work)


def kustomization_build(
    engines: Engines, kustomization: Mapping[str, Any], *, folder: Path, work: Path
) -> str:
    """The manifests kustomize-controller applies for the Flux ``kustomization`` (a parsed
    manifest) whose ``spec.path`` is ``folder``; ``work`` is an empty scratch folder."""
    spec = kustomization["spec"]
    tree = work / "source"
    shutil.copytree(folder, tree)
    existing = tree / "kustomization.yaml"
    if existing.exists():
        config = yaml.safe_load(existing.read_text())
    else:
        manifests = sorted(p for p in tree.rglob("*") if p.suffix in (".yaml", ".yml"))
        config = {
            **_KUSTOMIZATION,
            "resources": [p.relative_to(tree).as_posix() for p in manifests],
        }
    if spec.get("targetNamespace"):
        config["namespace"] = spec["targetNamespace"]
    config["patches"] = [*(config.get("patches") or ()), *(spec.get("patches") or ())]
    existing.write_text(json.dumps(config))
    return engines.kustomize(tree)


def objects(text: str) -> dict[Key, dict[str, Any]]:
    """Every object of a render by ``(kind, name)`` (names are unique in these tests)."""
    found: dict[Key, dict[str, Any]] = {}
    for document in yaml.safe_load_all(text):
        if document:
            key = (document["kind"], document["metadata"]["name"])
            assert key not in found, f"two rendered objects are {key}"
            found[key] = document
    return found
