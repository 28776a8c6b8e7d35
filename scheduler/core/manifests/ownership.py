"""Which files a Flux Kustomization applies, following kustomize the way Flux does.

A Flux Kustomization builds ``spec.path``. If that folder has a ``kustomization.yaml``,
kustomize applies what it includes (``resources``, ``components``, ``bases``, ``crds``, each a
file or a folder with its own kustomization), plus its patch and generator inputs. Without
one, Flux generates it from every YAML file below the folder, taking a subfolder that has its
own ``kustomization.yaml`` as a unit. ``Layout`` answers "which files does this path reach?"
over the repository's file list; it reads no file itself.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Mapping

from scheduler.core.manifests.kustomize import KustomizeFile

__all__ = ["Layout"]


class Layout:
    """The repository's YAML files and kustomization files, and what each path reaches."""

    def __init__(self, files: Iterable[str], kustomize: Mapping[str, KustomizeFile]) -> None:
        self._files = frozenset(files)
        self._kustomize = kustomize
        self._by_folder: dict[str, list[str]] = defaultdict(list)
        self._subfolders: dict[str, set[str]] = defaultdict(set)
        for file in self._files:
            folder = posixpath.dirname(file)
            self._by_folder[folder].append(file)
            while folder:
                parent = posixpath.dirname(folder)
                self._subfolders[parent].add(folder)
                folder = parent
        self._memo: dict[str, frozenset[str]] = {}
        self._active: set[str] = set()

    def kustomization_in(self, folder: str) -> KustomizeFile | None:
        """The kustomization file of ``folder``, if it has one."""
        return self._kustomize.get(folder)

    def reach(self, path: str) -> frozenset[str]:
        """Every file applied when kustomize builds ``path`` (a folder or a single file)."""
        if path in self._files:
            return frozenset({path})
        if path in self._memo:
            return self._memo[path]
        if path in self._active:
            return frozenset()
        self._active.add(path)
        try:
            reached = self._reach_folder(path)
        finally:
            self._active.discard(path)
        self._memo[path] = reached
        return reached

    def _reach_folder(self, folder: str) -> frozenset[str]:
        kustomization = self._kustomize.get(folder)
        if kustomization is not None:
            reached = {kustomization.file}
            for include in kustomization.includes:
                reached |= self.reach(include)
            reached.update(f for f in (*kustomization.patches, *kustomization.inputs))
            return frozenset(f for f in reached if f in self._files)
        reached = set(self._by_folder.get(folder, ()))
        for sub in self._subfolders.get(folder, ()):
            reached |= self.reach(sub)
        return frozenset(reached)
