"""Which HelmRelease/Kustomization targets scale what they render, and where that lives."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from textwrap import dedent

from scheduler.core import rendered, targets
from scheduler.core.changes import Action
from scheduler.core.kepler.releases import Placement
from scheduler.core.ledger import LedgerEntry
from scheduler.core.manifests import ManifestIndex, build_index
from scheduler.core.policy import Policy, load_policies
from scheduler.core.workloads import WorkloadRef

NOW = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
RELEASE = """\
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: shop, namespace: flux-system}
spec:
  interval: 30m
  targetNamespace: staging
  chart: {spec: {chart: podinfo, sourceRef: {kind: HelmRepository, name: podinfo}}}
"""
LEGACY = RELEASE.replace("name: shop,", "name: legacy,").replace("staging", "legacy")
APPS_KS = """\
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
"""
ROOT_KS = APPS_KS.replace("name: apps,", "name: root,").replace("./apps", "./clusters")
API = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: prod}
spec: {replicas: 2}
"""


def _policies(entries: str) -> tuple[Policy, ...]:
    text = dedent(
        """\
        apiVersion: offhours.dev/v1alpha1
        kind: OffHoursPolicy
        metadata: {name: nights}
        spec:
          uptime: "Mon-Fri 08:00-19:00"
          targets:
        """
    )
    load = load_policies([("policies/nights.yaml", text + entries)], now=NOW.timestamp())
    assert not load.errors, load.errors
    return load.policies


def _index() -> ManifestIndex:
    return build_index(
        [
            ("clusters/root.yaml", ROOT_KS),
            ("clusters/apps.yaml", APPS_KS),
            ("clusters/shop.yaml", RELEASE),
            ("clusters/legacy.yaml", LEGACY),
            ("apps/api.yaml", API),
        ]
    )


def _placements(entries: str, *ledger: LedgerEntry) -> tuple[Placement, ...]:
    index = _index()
    resolution = targets.resolve(_policies(entries), index)
    return rendered.placements(index, resolution=resolution, entries=ledger)


def test_scaled_release_and_kustomization_are_placed() -> None:
    """The default HelmRelease action (scale) and a Kustomization's scale are placed: the
    release in its targetNamespace, the Kustomization where its files put workloads."""
    found = _placements(
        "    - {kinds: [HelmRelease], names: [shop, legacy]}\n"
        "    - {kinds: [Kustomization], names: [apps], action: scale}\n"
    )
    api = WorkloadRef("Deployment", "prod", "api")
    assert found == (
        Placement(WorkloadRef("HelmRelease", "flux-system", "legacy"), ("legacy",)),
        Placement(WorkloadRef("HelmRelease", "flux-system", "shop"), ("staging",)),
        Placement(WorkloadRef("Kustomization", "flux-system", "apps"), ("prod",), (api,)),
    )


def test_suspend_is_not_placed_unless_the_ledger_scaled_it() -> None:
    """A suspended Flux object keeps running what it renders; a ledger post-renderer entry
    (an earlier scale) still places it."""
    suspend = "    - {kinds: [HelmRelease, Kustomization], action: suspend}\n"
    assert _placements(suspend) == ()
    entry = LedgerEntry(
        time=0.0,
        commit="c0ffee",
        action=Action.SLEEP,
        policy="nights",
        target=WorkloadRef("HelmRelease", "flux-system", "shop"),
        field="spec.postRenderers",
        before=None,
        after="offhours",
    )
    gone = replace(
        entry, target=WorkloadRef("HelmRelease", "old", "gone"), field="spec.values.replicaCount"
    )
    assert _placements(suspend, entry, gone) == (
        Placement(WorkloadRef("HelmRelease", "flux-system", "shop"), ("staging",)),
        Placement(WorkloadRef("HelmRelease", "old", "gone"), ("old",)),
    )


def test_ledger_fields_that_scale_what_is_rendered() -> None:
    """Post-renderers, Kustomization patches and values scale; suspend does not."""
    assert rendered.scales_rendered("spec.postRenderers")
    assert rendered.scales_rendered("spec.patches")
    assert rendered.scales_rendered("spec.values.replicaCount")
    assert not rendered.scales_rendered("spec.suspend")
