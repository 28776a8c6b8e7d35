"""Helmfile.yaml installs the same charts, versions and values as the Flux HelmReleases."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.deploy import fleet

HELMFILE = fleet.REPO / "Helmfile.yaml"
CONTROLLERS = fleet.CLUSTERS / "infrastructure" / "controllers"


@dataclass(frozen=True)
class Pin:
    """Where a release's chart comes from, and with which values file."""

    namespace: str
    repository: str
    chart: str
    version: str
    values: tuple[Path, ...]


def _helmfile() -> dict[str, Any]:
    body = yaml.safe_load(HELMFILE.read_text(encoding="utf-8"))
    assert isinstance(body, dict)
    return body


def flux_pins() -> dict[str, Pin]:
    """Chart pins of the infrastructure HelmReleases, resolved through their sources."""
    built = fleet.build(CONTROLLERS)
    pins: dict[str, Pin] = {}
    for release in built.of_kind("HelmRelease"):
        spec = release.spec
        if "chartRef" in spec:
            source = built.find("OCIRepository", spec["chartRef"]["name"], release.namespace)
            repository, _, chart = source.spec["url"].rpartition("/")
            version = source.spec["ref"]["tag"]
        else:
            chart_spec = spec["chart"]["spec"]
            ref = chart_spec["sourceRef"]
            source = built.find(ref["kind"], ref["name"], ref.get("namespace", release.namespace))
            repository, chart, version = (
                source.spec["url"],
                chart_spec["chart"],
                chart_spec["version"],
            )
        values = tuple(
            sorted(
                (release.source.parent / "values.yaml").resolve()
                for item in spec.get("valuesFrom", [])
                if built.find("ConfigMap", item["name"], release.namespace).generated
            )
        )
        pins[release.name] = Pin(
            release.namespace, repository.rstrip("/"), chart, str(version), values
        )
    return pins


def helmfile_pins() -> dict[str, Pin]:
    """Chart pins of the Helmfile releases that install a chart from a repository."""
    body = _helmfile()
    urls = {
        r["name"]: ("oci://" + r["url"] if r.get("oci") else r["url"]).rstrip("/")
        for r in body["repositories"]
    }
    pins: dict[str, Pin] = {}
    for release in body["releases"]:
        if release["chart"].startswith("./"):
            continue
        repo, _, chart = release["chart"].partition("/")
        values = tuple(sorted((fleet.REPO / v).resolve() for v in release.get("values", [])))
        pins[release["name"]] = Pin(
            release["namespace"], urls[repo], chart, str(release["version"]), values
        )
    return pins


def test_helmfile_parses_as_one_yaml_document() -> None:
    """Helmfile.yaml is plain YAML (no Go templates to render) with environments and releases."""
    body = _helmfile()
    assert set(body) == {"environments", "repositories", "releases"}
    assert "{{" not in HELMFILE.read_text(encoding="utf-8")


def test_helmfile_pins_the_same_charts_versions_and_values_as_flux() -> None:
    """Each infrastructure HelmRelease has a Helmfile twin: same chart, version and values."""
    flux = flux_pins()
    assert set(flux) == {"kube-prometheus-stack", "kepler"}
    assert flux["kepler"].repository == "oci://quay.io/sustainable_computing_io/charts"
    assert helmfile_pins() == flux
    for pin in flux.values():
        assert len(pin.values) == 1
        assert pin.values[0].is_file()


def test_helmfile_local_charts_are_kustomize_directories_of_the_fleet() -> None:
    """Local charts point at fleet directories with a kustomization.yaml and no Namespace."""
    local = [r for r in _helmfile()["releases"] if r["chart"].startswith("./")]
    assert {r["name"] for r in local} == {"kepler-monitoring", "offhours", "offhours-flux-access"}
    for release in local:
        directory = (fleet.REPO / release["chart"]).resolve()
        assert directory.is_relative_to(fleet.CLUSTERS)
        assert fleet.kustomization(directory) is not None, release["chart"]
        built = fleet.build(directory)
        # Helm stores the release in its namespace, so the chart must not create it.
        assert not built.of_kind("Namespace"), release["name"]
        namespaced = {r.namespace for r in built.resources if r.namespace}
        assert release["namespace"] in namespaced


def test_helmfile_needs_and_conditions_resolve() -> None:
    """`needs` name releases of this file; conditions name environment values."""
    body = _helmfile()
    names = {f"{r['namespace']}/{r['name']}" for r in body["releases"]}
    defaults = body["environments"]["default"]["values"][0]
    for release in body["releases"]:
        for need in release.get("needs", []):
            assert need in names, f"{release['name']} needs unknown {need}"
        if "condition" in release:
            group, _, leaf = release["condition"].partition(".")
            assert leaf == "enabled"
            assert isinstance(defaults[group][leaf], bool)
    offhours = next(r for r in body["releases"] if r["name"] == "offhours")
    assert "monitoring/kube-prometheus-stack" in offhours["needs"]
