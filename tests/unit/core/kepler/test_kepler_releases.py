"""Workload -> the HelmRelease/Kustomization target that renders it: Flux labels, Git, name."""

from __future__ import annotations

from scheduler.core.kepler.owners import Attributed, Attribution, OwnerIndex, attribute_pod
from scheduler.core.kepler.releases import FluxLabels, Lift, Placement, Placements, Via
from scheduler.core.workloads import WorkloadRef

SHOP = WorkloadRef("HelmRelease", "staging", "shop")
SHOP_UI = WorkloadRef("HelmRelease", "staging", "shop-ui")
APPS = WorkloadRef("Kustomization", "flux-system", "apps")
FAR = WorkloadRef("HelmRelease", "flux-system", "far")


def _deployment(namespace: str, name: str) -> WorkloadRef:
    return WorkloadRef("Deployment", namespace, name)


def _labels(**flux: str) -> FluxLabels:
    """``kube_deployment_labels`` of staging/web with the given Flux labels."""
    labels = FluxLabels()
    labels.add(
        {
            "__name__": "kube_deployment_labels",
            "namespace": "staging",
            "deployment": "web",
            **{f"label_{k}": v for k, v in flux.items()},
        }
    )
    return labels


def _placed(*extra: WorkloadRef) -> Placements:
    return Placements(
        (
            Placement(SHOP, ("staging",)),
            Placement(SHOP_UI, ("staging",)),
            Placement(APPS, ("prod",), (_deployment("prod", "api"),)),
            Placement(FAR, ("team-a",)),
        ),
        targets=(SHOP, SHOP_UI, APPS, FAR, *extra),
    )


def test_flux_labels_are_read_from_kube_state_metrics_label_sets() -> None:
    """helm and kustomize labels name their Flux objects; other series are ignored."""
    labels = _labels(
        helm_toolkit_fluxcd_io_name="shop",
        helm_toolkit_fluxcd_io_namespace="staging",
        kustomize_toolkit_fluxcd_io_name="apps",
        kustomize_toolkit_fluxcd_io_namespace="flux-system",
    )
    labels.add({"__name__": "kube_deployment_labels", "namespace": "staging", "deployment": "x"})
    labels.add({"__name__": "kube_pod_labels", "namespace": "staging", "pod": "y"})
    assert labels.owners_of(_deployment("staging", "web")) == {SHOP, APPS}
    assert labels.owners_of(_deployment("staging", "x")) is None
    assert len(labels) == 1


def test_labels_name_the_placed_release() -> None:
    """A Deployment labelled with a placed release belongs to it, whatever its name."""
    labels = _labels(helm_toolkit_fluxcd_io_name="shop", helm_toolkit_fluxcd_io_namespace="staging")
    assert _placed().lift(_deployment("staging", "web"), labels=labels) == Lift(SHOP, Via.LABELS)


def test_labels_of_an_unplaced_owner_keep_the_workload_its_own() -> None:
    """Labels are evidence: naming another release means no name-prefix guess either."""
    labels = _labels(helm_toolkit_fluxcd_io_name="web", helm_toolkit_fluxcd_io_namespace="staging")
    placed = Placements(
        [Placement(WorkloadRef("HelmRelease", "staging", "we"), ("staging",))], targets=()
    )
    assert placed.lift(_deployment("staging", "web"), labels=labels) is None


def test_a_target_workload_keeps_its_pods() -> None:
    """A Deployment that is itself a target is never handed to the release rendering it."""
    labels = _labels(helm_toolkit_fluxcd_io_name="shop", helm_toolkit_fluxcd_io_namespace="staging")
    web = _deployment("staging", "web")
    assert _placed(web).lift(web, labels=labels) is None


def test_name_prefix_fallback_without_flux_labels() -> None:
    """No labels: <release> or <release>-... in the release's namespaces, longest name first."""
    placed, none = _placed(), FluxLabels()
    assert placed.lift(_deployment("staging", "shop"), labels=none) == Lift(SHOP, Via.PREFIX)
    assert placed.lift(_deployment("staging", "shop-podinfo"), labels=none) == Lift(
        SHOP, Via.PREFIX
    )
    assert placed.lift(WorkloadRef("StatefulSet", "staging", "shop-ui-cache"), labels=none) == (
        Lift(SHOP_UI, Via.PREFIX)
    )
    assert placed.lift(_deployment("staging", "shopping"), labels=none) is None
    assert placed.lift(_deployment("dev", "shop-podinfo"), labels=none) is None
    assert placed.lift(WorkloadRef("Job", "staging", "shop-migrate"), labels=none) is None


def test_name_prefix_uses_the_target_namespace() -> None:
    """A release in flux-system rendering into team-a matches workloads in team-a only."""
    placed, none = _placed(), FluxLabels()
    assert placed.lift(_deployment("team-a", "far-web"), labels=none) == Lift(FAR, Via.PREFIX)
    assert placed.lift(_deployment("flux-system", "far-web"), labels=none) is None


def test_kustomization_files_in_git_without_labels() -> None:
    """A workload the placed Kustomization's files define is its, by Git."""
    lift = _placed().lift(_deployment("prod", "api"), labels=FluxLabels())
    assert lift == Lift(APPS, Via.GIT)


def test_attribute_pod_walks_ksm_owners_then_flux_labels() -> None:
    """Pod -> ReplicaSet -> Deployment (KSM) -> HelmRelease (labels), with the rendered name."""
    owners = OwnerIndex()
    owners.add(
        [
            {
                "__name__": "kube_pod_owner",
                "namespace": "staging",
                "pod": "web-6d5f7c9b8d-k2x4z",
                "owner_kind": "ReplicaSet",
                "owner_name": "web-6d5f7c9b8d",
            },
            {
                "__name__": "kube_replicaset_owner",
                "namespace": "staging",
                "replicaset": "web-6d5f7c9b8d",
                "owner_kind": "Deployment",
                "owner_name": "web",
            },
            {
                "__name__": "kube_deployment_labels",
                "namespace": "staging",
                "deployment": "web",
                "label_helm_toolkit_fluxcd_io_name": "shop",
                "label_helm_toolkit_fluxcd_io_namespace": "staging",
            },
        ]
    )
    found = attribute_pod("staging", "web-6d5f7c9b8d-k2x4z", owners=owners, placements=_placed())
    assert found == Attributed(SHOP, Via.LABELS.value, _deployment("staging", "web"))
    alone = attribute_pod("staging", "web-6d5f7c9b8d-k2x4z", owners=owners)
    assert alone == Attributed(_deployment("staging", "web"), Attribution.KSM.value)


def test_attribute_pod_name_pattern_then_release_prefix() -> None:
    """Without any KSM series: the pod-name pattern finds the Deployment, the prefix the release."""
    found = attribute_pod(
        "staging", "shop-podinfo-7d9f8c6b5d-q7k2m", owners=OwnerIndex(), placements=_placed()
    )
    assert found == Attributed(SHOP, Via.PREFIX.value, _deployment("staging", "shop-podinfo"))
