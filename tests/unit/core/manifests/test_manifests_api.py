"""The package's public surface and its annotation vocabulary."""

from __future__ import annotations

import pytest

import scheduler.core.manifests as manifests
from scheduler.core.manifests import (
    HelmValues,
    KedaPause,
    ScaleRendered,
    ScaleReplicas,
    SetField,
    Suspend,
    annotation_keys,
    default_method,
)


def test_exports_match_all() -> None:
    """__all__ lists exactly the public names the package defines."""
    public = {name for name in dir(manifests) if not name.startswith("_")}
    modules = {
        "annotations",
        "annotation_keys",
        "collector",
        "documents",
        "editor",
        "index",
        "kinds",
    }
    internal = {
        "emit",
        "listedit",
        "kustomize",
        "lines",
        "locate",
        "lookup",
        "mapedit",
        "methods",
        "namespaces",
        "nodes",
        "objects",
        "outlinedsleeps",
        "outlines",
        "ownership",
        "patchsleep",
        "recipes",
        "records",
        "refusals",
        "render",
        "seqtext",
        "slices",
        "sleeppatches",
        "splice",
        "transitions",
        "verify",
    }
    exported_modules = {"annotation_keys", "kinds"}
    assert set(manifests.__all__) == public - (modules | internal) | exported_modules


def test_annotation_keys_share_one_prefix() -> None:
    """Every key offhours writes is under offhours.dev/, and the state keys are distinct."""
    keys = [*annotation_keys.STATE_KEYS, annotation_keys.EXCLUDE]
    assert all(k.startswith(annotation_keys.PREFIX) for k in keys)
    assert len(set(keys)) == len(keys)
    assert annotation_keys.is_excluded({annotation_keys.EXCLUDE: "True"})
    assert not annotation_keys.is_excluded({annotation_keys.EXCLUDE: "false"})


@pytest.mark.parametrize(
    ("api_version", "kind", "method"),
    [
        ("apps/v1", "Deployment", ScaleReplicas()),
        ("apps/v1", "StatefulSet", ScaleReplicas()),
        ("apps/v1", "ReplicaSet", ScaleReplicas()),
        ("batch/v1", "CronJob", Suspend()),
        ("helm.toolkit.fluxcd.io/v2beta1", "HelmRelease", ScaleRendered()),
        ("keda.sh/v1alpha1", "ScaledObject", KedaPause()),
        ("kustomize.toolkit.fluxcd.io/v1", "Kustomization", None),
        ("actions.summerwind.dev/v1alpha1", "RunnerDeployment", None),
    ],
)
def test_default_methods_per_kind(api_version: str, kind: str, method: object) -> None:
    """Workload kinds have a default; Flux objects and other kinds need the policy's."""
    assert default_method(api_version, kind) == method


@pytest.mark.parametrize(
    "build",
    [
        lambda: ScaleReplicas(-1),
        lambda: ScaleReplicas(True),
        lambda: HelmValues(paths=()),
        lambda: HelmValues(paths=("a..b",)),
        lambda: SetField("metadata.name", "x"),
        lambda: SetField("", 0),
    ],
)
def test_invalid_methods_are_rejected(build: object) -> None:
    """Methods validate their arguments with a message naming the bad value."""
    with pytest.raises(ValueError, match=r"."):
        build()  # type: ignore[operator]
