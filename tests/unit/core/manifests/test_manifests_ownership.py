"""Who applies which file, and when the same object twice is (not) a conflict."""

from __future__ import annotations

from scheduler.core.manifests import NamespaceSource, build_index
from scheduler.core.manifests.kustomize import KustomizeFile, join_repo_path
from scheduler.core.manifests.ownership import Layout


def _ks(folder: str, *includes: str, patches: tuple[str, ...] = ()) -> KustomizeFile:
    return KustomizeFile(
        file=f"{folder}/kustomization.yaml",
        folder=folder,
        namespace="",
        includes=includes,
        patches=patches,
        inputs=(),
    )


def test_repository_paths_resolve_inside_the_repository_only() -> None:
    """./ and ../ resolve against the folder; URLs and escapes from the root are dropped."""
    assert join_repo_path("apps/staging", "../base/podinfo") == "apps/base/podinfo"
    assert join_repo_path("", "./clusters/prod/") == "clusters/prod"
    assert join_repo_path("", "./") == ""
    assert join_repo_path("apps", "../../outside") is None
    assert join_repo_path("apps", "https://github.com/x/y//deploy?ref=v1") is None
    assert join_repo_path("apps", "github.com/x/y/deploy") is None


def test_folders_without_kustomization_take_every_file_and_subfolder_units() -> None:
    """Like Flux's generated kustomization: all YAML below, a subfolder with its own
    kustomization.yaml contributing only what it includes."""
    files = [
        "k/a.yaml",
        "k/sub/b.yaml",
        "k/unit/kustomization.yaml",
        "k/unit/c.yaml",
        "k/unit/d.yaml",
    ]
    layout = Layout(files, {"k/unit": _ks("k/unit", "k/unit/c.yaml")})
    assert layout.reach("k") == frozenset(
        {"k/a.yaml", "k/sub/b.yaml", "k/unit/kustomization.yaml", "k/unit/c.yaml"}
    )


def test_include_cycles_terminate() -> None:
    """Two kustomizations including each other do not loop forever."""
    files = ["a/kustomization.yaml", "a/x.yaml", "b/kustomization.yaml", "b/y.yaml"]
    kustomize = {"a": _ks("a", "b", "a/x.yaml"), "b": _ks("b", "a", "b/y.yaml")}
    reached = Layout(files, kustomize).reach("a")
    assert {"a/x.yaml", "b/y.yaml"} <= reached


CLUSTER = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  path: ./{path}
  targetNamespace: {target}
  sourceRef:
    kind: GitRepository
    name: flux-system
"""

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
"""


def test_same_object_in_two_clusters_is_not_a_conflict() -> None:
    """Per-cluster copies applied by different Kustomizations are separate objects."""
    index = build_index(
        [
            ("clusters/a/apps.yaml", CLUSTER.format(path="apps/a", target="shop")),
            ("clusters/b/apps.yaml", CLUSTER.format(path="apps/b", target="shop")),
            ("apps/a/web.yaml", APP),
            ("apps/b/web.yaml", APP),
        ]
    )
    webs = [o for o in index.objects if o.kind == "Deployment"]
    assert [(o.namespace, o.conflict) for o in webs] == [("shop", ""), ("shop", "")]
    assert not any(p.is_error for p in index.problems)


def test_same_object_twice_under_one_kustomization_is_a_conflict() -> None:
    """Two definitions applied together are ambiguous: both are flagged, with locations."""
    index = build_index(
        [
            ("clusters/a/apps.yaml", CLUSTER.format(path="apps", target="shop")),
            ("apps/web.yaml", APP),
            ("apps/copy/web.yaml", APP),
        ]
    )
    webs = {o.file: o for o in index.objects if o.kind == "Deployment"}
    assert all("defined more than once" in o.conflict for o in webs.values())
    assert "also at apps/web.yaml:1:1" in webs["apps/copy/web.yaml"].conflict
    errors = sorted(p.path for p in index.problems if p.is_error)
    assert errors == ["apps/copy/web.yaml", "apps/web.yaml"]


def test_disagreeing_target_namespaces_leave_the_namespace_unknown() -> None:
    """A shared base applied into two namespaces has no single namespace."""
    index = build_index(
        [
            ("clusters/a/apps.yaml", CLUSTER.format(path="base", target="one")),
            ("clusters/b/apps.yaml", CLUSTER.format(path="base", target="two")),
            ("base/web.yaml", APP),
        ]
    )
    (web,) = [o for o in index.objects if o.kind == "Deployment"]
    assert (web.namespace, web.namespace_source) == ("", NamespaceSource.UNKNOWN)
    assert len(web.owners) == 2


def test_unowned_copies_conflict_only_when_one_folder_holds_both() -> None:
    """Without Flux owners, sibling trees (per cluster) are separate; nested ones clash."""
    app = APP.replace("  name: web\n", "  name: web\n  namespace: shop\n")
    siblings = build_index([("clusters/a/web.yaml", app), ("clusters/b/web.yaml", app)])
    assert [o.conflict for o in siblings.objects] == ["", ""]
    nested = build_index([("clusters/web.yaml", app), ("clusters/b/web.yaml", app)])
    assert all(o.conflict for o in nested.objects)


def test_unknown_namespaces_are_not_compared_for_conflicts() -> None:
    """Without a namespace two same-named objects may well be different ones."""
    index = build_index([("a/web.yaml", APP), ("b/web.yaml", APP)])
    assert [o.conflict for o in index.objects] == ["", ""]
