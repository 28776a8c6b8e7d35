"""The manifest index over a realistic fleet layout: objects, namespaces, owners, problems."""

from __future__ import annotations

import pytest

from scheduler.adapters import workspace
from scheduler.core.diagnostics import Severity
from scheduler.core.manifests import ManifestIndex, build_index
from scheduler.core.workloads import WorkloadRef
from tests.unit.core.manifests.golden import DATA

FLEET = DATA / "index-fleet"

FLUX_SYSTEM = "clusters/staging/flux-system/gotk-sync.yaml#1"
APPS = "clusters/staging/apps.yaml#0"
INFRA = "clusters/staging/infrastructure.yaml#0"
MEDIA = "clusters/staging/media.yaml#0"

#: kind/namespace/name -> (namespace source, owners by ObjectId text)
EXPECTED = {
    "Namespace/-/flux-system": ("cluster-scoped", [FLUX_SYSTEM]),
    "GitRepository/flux-system/flux-system": ("metadata.namespace", [FLUX_SYSTEM]),
    "Kustomization/flux-system/flux-system": ("metadata.namespace", [FLUX_SYSTEM]),
    "Kustomization/flux-system/apps": ("metadata.namespace", [FLUX_SYSTEM]),
    "Kustomization/flux-system/infrastructure": ("metadata.namespace", [FLUX_SYSTEM]),
    "Kustomization/flux-system/radarr": ("metadata.namespace", [FLUX_SYSTEM]),
    "Kustomization/flux-system/from-oci": ("metadata.namespace", [FLUX_SYSTEM]),
    "Namespace/-/podinfo": ("cluster-scoped", [APPS]),
    "HelmRepository/podinfo/podinfo": ("metadata.namespace", [APPS]),
    "HelmRelease/podinfo/podinfo": ("metadata.namespace", [APPS]),
    "Namespace/-/ingress-nginx": ("cluster-scoped", [INFRA]),
    "HelmRepository/ingress-nginx/ingress-nginx": ("metadata.namespace", [INFRA]),
    "HelmRelease/ingress-nginx/ingress-nginx": ("metadata.namespace", [INFRA]),
    "Deployment/ingress-nginx/leftover": ("metadata.namespace", []),
    "ClusterIssuer/-/letsencrypt": ("cluster-scoped", [INFRA]),
    "HelmRelease/media/radarr": ("targetNamespace", [MEDIA]),
    "OCIRepository/media/app-template": ("targetNamespace", [MEDIA]),
    "Secret/media/radarr-secret": ("targetNamespace", [MEDIA]),
    "CronJob/-/cleanup": ("unknown", []),
    "Deployment/team-x/web": ("kustomization.yaml", []),
}


@pytest.fixture(scope="module")
def index() -> ManifestIndex:
    files, unreadable = workspace.read_yaml_files(FLEET)
    assert not unreadable
    return build_index((f.rel, f.text) for f in files)


def test_every_object_has_its_namespace_and_owners(index: ManifestIndex) -> None:
    """Namespaces come from metadata, kustomization.yaml, targetNamespace, else unknown;
    owners are the Flux Kustomizations whose spec.path reaches the file."""
    got = {
        str(obj.ref): (str(obj.namespace_source), [str(o) for o in obj.owners])
        for obj in index.objects
    }
    assert got == EXPECTED


def test_legacy_flux_api_versions_are_indexed(index: ManifestIndex) -> None:
    """HelmRelease v2beta1/v2beta2/v2, Kustomization v1beta2, sources v1beta2 are objects."""
    versions = {(o.kind, o.api_version) for o in index.objects}
    assert ("HelmRelease", "helm.toolkit.fluxcd.io/v2beta1") in versions
    assert ("HelmRelease", "helm.toolkit.fluxcd.io/v2beta2") in versions
    assert ("HelmRelease", "helm.toolkit.fluxcd.io/v2") in versions
    assert ("Kustomization", "kustomize.toolkit.fluxcd.io/v1beta2") in versions
    assert ("HelmRepository", "source.toolkit.fluxcd.io/v1beta2") in versions


def test_only_the_root_kustomization_manages_itself(index: ManifestIndex) -> None:
    """flux-system applies its own gotk-sync.yaml; the Kustomizations it applies do not."""
    managing = {ks.object.name: ks.self_managing for ks in index.kustomizations}
    assert managing == {
        "flux-system": True,
        "apps": False,
        "infrastructure": False,
        "radarr": False,
        "from-oci": False,
    }
    assert [o.name for o in index.objects if o.self_managing] == ["flux-system"]


def test_kustomization_from_another_source_owns_no_file(index: ManifestIndex) -> None:
    """A Kustomization reading an OCIRepository applies no file of this repository."""
    (oci,) = [ks for ks in index.kustomizations if ks.object.name == "from-oci"]
    assert oci.source_kind == "OCIRepository"
    assert oci.files == frozenset()


def test_owners_of_files_follow_kustomize_includes(index: ManifestIndex) -> None:
    """Files reached through resources, patches and generator inputs are owned; others not."""

    def owners(path: str) -> list[str]:
        return [ks.object.name for ks in index.owners_of(path)]

    assert owners("apps/base/podinfo/release.yaml") == ["apps"]
    assert owners("apps/staging/podinfo-values.yaml") == ["apps"]
    assert owners("kubernetes/apps/media/radarr/app/values.yaml") == ["radarr"]
    assert owners("infrastructure/controllers/unused.yaml") == []
    assert owners("clusters/staging/flux-system/gotk-sync.yaml") == ["flux-system"]


def test_patch_documents_are_not_objects(index: ManifestIndex) -> None:
    """A partial HelmRelease used as a kustomize patch is listed as a patch of its target."""
    (release,) = index.find(WorkloadRef("HelmRelease", "podinfo", "podinfo"))
    assert release.file == "apps/base/podinfo/release.yaml"
    assert [p.file for p in index.patches_for(release)] == ["apps/staging/podinfo-values.yaml"]
    assert not release.conflict


def test_broken_file_is_reported_and_others_indexed(index: ManifestIndex) -> None:
    """A file that does not compose is one warning with its position; nothing else fails."""
    assert [str(p) for p in index.problems] == [
        "tools/broken.yaml:6:10: warning: skipped: duplicate anchor "
        "(PyYAML refuses an anchor name defined twice in one document)"
    ]
    assert all(p.severity is Severity.WARNING for p in index.problems)


def test_non_kubernetes_yaml_and_templates_are_not_objects(index: ManifestIndex) -> None:
    """Workflows, Taskfiles and values files are not objects; templates are not even read."""
    files = {o.file for o in index.objects}
    assert ".github/workflows/ci.yaml" not in files
    assert "Taskfile.yaml" not in files
    assert "kubernetes/apps/media/radarr/app/values.yaml.j2" not in index.texts
    assert ".github/workflows/ci.yaml" in index.texts


def test_lookups_by_reference_file_and_id(index: ManifestIndex) -> None:
    """find, in_file, get and kustomization answer from the same records."""
    (radarr,) = index.find(WorkloadRef("HelmRelease", "media", "radarr"))
    assert index.get(radarr.id) is radarr
    assert index.in_file(radarr.file) == (radarr,)
    assert radarr.where == "kubernetes/apps/media/radarr/app/helmrelease.yaml:2:1"
    assert (radarr.line, radarr.column, radarr.offset) == (2, 1, 4)
    (ks,) = index.find(WorkloadRef("Kustomization", "flux-system", "radarr"))
    record = index.kustomization(ks)
    assert record is not None
    assert (record.path, record.target_namespace) == ("kubernetes/apps/media/radarr/app", "media")
    assert index.kustomization(radarr) is None


def test_templates_of_a_local_helm_chart_are_not_manifests() -> None:
    """charts/x/templates/* next to a Chart.yaml is Helm's to render: not read, not reported."""
    deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: dev}\n"
    template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    index = build_index(
        [
            ("charts/web/Chart.yaml", "apiVersion: v2\nname: web\nversion: 1.0.0\n"),
            ("charts/web/templates/deployment.yaml", template),
            ("charts/web/templates/sub/web.yaml", deployment),
            ("apps/templates/web.yaml", deployment),
        ]
    )
    assert [o.file for o in index.objects] == ["apps/templates/web.yaml"]
    assert not index.problems
