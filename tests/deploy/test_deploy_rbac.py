"""offhours' RBAC is least privilege: the exact verbs on the exact resources, nothing broader."""

from __future__ import annotations

from typing import Any

import pytest

from scheduler.adapters.kube import kinds
from scheduler.core.manifests import RENDERED_KINDS
from tests.deploy import fleet

READ = ("get", "list", "watch")

# (kind, namespace or "" for cluster-wide, apiGroup, resource, resourceNames) -> verbs.
EXPECTED: dict[tuple[str, str, str, str, tuple[str, ...]], tuple[str, ...]] = {
    ("ClusterRole", "", "apps", "deployments", ()): READ,
    ("ClusterRole", "", "apps", "statefulsets", ()): READ,
    ("ClusterRole", "", "apps", "replicasets", ()): READ,
    ("ClusterRole", "", "batch", "cronjobs", ()): READ,
    ("ClusterRole", "", "autoscaling", "horizontalpodautoscalers", ()): READ,
    ("ClusterRole", "", "keda.sh", "scaledobjects", ()): READ,
    ("ClusterRole", "", "kustomize.toolkit.fluxcd.io", "kustomizations", ()): READ,
    ("ClusterRole", "", "helm.toolkit.fluxcd.io", "helmreleases", ()): READ,
    ("ClusterRole", "", "source.toolkit.fluxcd.io", "gitrepositories", ()): READ,
    ("ClusterRole", "", "source.toolkit.fluxcd.io", "ocirepositories", ()): READ,
    ("Role", "offhours", "coordination.k8s.io", "leases", ()): ("create",),
    ("Role", "offhours", "coordination.k8s.io", "leases", ("offhours-leader",)): ("get", "update"),
    ("Role", "flux-system", "source.toolkit.fluxcd.io", "gitrepositories", ("flux-system",)): (
        "patch",
    ),
}


def _roles() -> list[fleet.Resource]:
    return [
        r
        for r in fleet.build(fleet.CLUSTERS / "offhours").resources
        if r.kind in {"Role", "ClusterRole"}
    ]


def grants(
    roles: list[fleet.Resource],
) -> dict[tuple[str, str, str, str, tuple[str, ...]], tuple[str, ...]]:
    """Flatten rules to one entry per (role kind, namespace, group, resource, names)."""
    flat: dict[tuple[str, str, str, str, tuple[str, ...]], tuple[str, ...]] = {}
    for role in roles:
        for rule in role.body["rules"]:
            assert "nonResourceURLs" not in rule, role.name
            names = tuple(rule.get("resourceNames", ()))
            for group in rule["apiGroups"]:
                for resource in rule["resources"]:
                    key = (role.kind, role.namespace, group, resource, names)
                    assert key not in flat, f"{key} granted twice"
                    flat[key] = tuple(sorted(rule["verbs"]))
    return flat


def broad(flat: dict[Any, tuple[str, ...]]) -> list[str]:
    """Wildcards, escalation verbs and secret access anywhere in the grants."""
    found = []
    for (_, _, group, resource, _), verbs in flat.items():
        if "*" in (group, resource) or "*" in verbs or resource.endswith("/*"):
            found.append(f"wildcard in {group}/{resource}: {verbs}")
        if {"escalate", "bind", "impersonate", "deletecollection", "delete"} & set(verbs):
            found.append(f"dangerous verb on {group}/{resource}: {verbs}")
        if resource in {"secrets", "pods/exec", "serviceaccounts/token"}:
            found.append(f"access to {resource}")
    return found


def test_rbac_grants_exactly_the_expected_verbs() -> None:
    """Every rule is in the table with exactly these verbs; nothing else is granted."""
    expected = {key: tuple(sorted(verbs)) for key, verbs in EXPECTED.items()}
    assert grants(_roles()) == expected


def test_rbac_has_no_wildcards_or_escalation() -> None:
    """No `*`, no delete/escalate/bind/impersonate, no Secrets or exec."""
    assert broad(grants(_roles())) == []


def test_broadness_check_catches_a_wildcard() -> None:
    """The check above fails on a rule that uses `*` (so it can fail at all)."""
    role = fleet.Resource(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": "too-much"},
            "rules": [{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["*"]}],
        },
        fleet.CLUSTERS,
    )
    assert broad(grants([role]))


def test_only_write_on_flux_is_patching_one_named_gitrepository() -> None:
    """Writes are limited to Leases and a `patch` of the one GitRepository it pushes to."""
    writes = {key: verbs for key, verbs in grants(_roles()).items() if set(verbs) - set(READ)}
    for (kind, namespace, group, resource, names), verbs in writes.items():
        if resource == "leases":
            assert (kind, namespace, group) == ("Role", "offhours", "coordination.k8s.io")
            continue
        assert (group, resource, verbs) == (
            "source.toolkit.fluxcd.io",
            "gitrepositories",
            ("patch",),
        )
        assert kind == "Role", "patch must be namespaced"
        assert names == ("flux-system",), "patch must name the GitRepository"


@pytest.mark.parametrize("kind", ["RoleBinding", "ClusterRoleBinding"])
def test_bindings_bind_only_the_offhours_service_account(kind: str) -> None:
    """Every binding names an existing role and only the offhours ServiceAccount."""
    built = fleet.build(fleet.CLUSTERS / "offhours")
    roles = {(r.kind, r.namespace, r.name) for r in _roles()}
    bindings = built.of_kind(kind)
    assert bindings
    for binding in bindings:
        ref = binding.body["roleRef"]
        namespace = binding.namespace if ref["kind"] == "Role" else ""
        assert (ref["kind"], namespace, ref["name"]) in roles
        assert binding.body["subjects"] == [
            {"kind": "ServiceAccount", "name": "offhours", "namespace": "offhours"}
        ]


@pytest.mark.parametrize("kind", [*RENDERED_KINDS, "HelmRelease", "Kustomization"])
def test_the_live_check_may_list_what_it_reads(kind: str) -> None:
    """Confirming a sleeping HelmRelease or Kustomization lists each workload kind by Flux's
    labels in every namespace, and reads the Flux object: the ClusterRole grants get and list
    on each of those kinds (and the RBAC table above pins that nothing more is granted)."""
    resource = kinds.by_kind(kind)
    verbs = grants(_roles())[("ClusterRole", "", resource.group, resource.plural, ())]
    assert {"get", "list"} <= set(verbs)
