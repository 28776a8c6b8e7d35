"""End to end against a real cluster with Flux (kind + ``flux install``/``bootstrap``).

Opt-in: run with ``--with-e2e``; the cluster comes from the usual settings
(``OFFHOURS_KUBE__KUBECONFIG``, ``OFFHOURS_KUBE__CONTEXT``, else ``KUBECONFIG`` /
``~/.kube/config``). Tests skip with a reason when no cluster or no Flux is reachable. They
write only a reconcile annotation on an existing GitRepository and a Lease they delete.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from kubernetes import client

from scheduler.adapters import kube
from scheduler.adapters.kube import connection, kinds
from scheduler.core import flux
from scheduler.errors import ConfigError, KubeError
from scheduler.settings import KubeSettings, Settings

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def settings() -> KubeSettings:
    """Kubernetes settings from the environment, as the CLI would load them."""
    return Settings().kube


@pytest.fixture(scope="module")
def api(settings: KubeSettings) -> Iterator[kube.KubeApi]:
    """A connection to the real cluster, or a skip saying why there is none."""
    try:
        connected = kube.connect(settings)
    except ConfigError as exc:
        pytest.skip(f"no usable kubeconfig: {exc}")
    try:
        connected.version_of(kinds.KUSTOMIZATION)
    except kube.KindNotServed:
        connected.close()
        pytest.skip("the cluster serves no Flux Kustomization API (run `flux install` first)")
    except KubeError as exc:
        connected.close()
        pytest.skip(f"no cluster reachable: {exc}")
    yield connected
    connected.close()


@pytest.fixture(scope="module")
def cluster(api: kube.KubeApi) -> kube.KubeCluster:
    """The read-only view of the real cluster."""
    return kube.KubeCluster(api)


def test_snapshot_parses_real_flux_objects(cluster: kube.KubeCluster) -> None:
    """Every Kustomization Flux reports as applied is judged applied by our own parsing."""
    snapshot = cluster.flux_snapshot()
    ready = [k for k in snapshot.kustomizations if k.ready and k.up_to_date]
    if not ready:
        pytest.skip("no Ready Kustomization in the cluster")
    for kustomization in ready:
        revision = flux.parse_revision(kustomization.last_applied_revision)
        assert revision.algorithm in ("sha1", "sha256"), kustomization.last_applied_revision
        check = flux.check_applied(kustomization, revision.checksum)
        assert check.status is flux.ApplyStatus.APPLIED, check.message


def test_reconcile_request_is_handled_by_flux(cluster: kube.KubeCluster) -> None:
    """source-controller echoes our requestedAt in status.lastHandledReconcileAt."""
    repos = [
        s
        for s in cluster.flux_snapshot().sources
        if s.ref.kind == "GitRepository" and not s.suspended
    ]
    if not repos:
        pytest.skip("no active GitRepository in the cluster")
    request = cluster.request_reconcile(repos[0].ref, now=datetime.now(UTC))
    assert request.outcome is kube.ReconcileOutcome.REQUESTED
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if cluster.flux_object(repos[0].ref).last_handled_reconcile_at == request.requested_at:
            return
        time.sleep(2)
    pytest.fail(f"{repos[0].ref} did not handle reconcile request {request.requested_at} in 60 s")


def test_leader_election_on_a_real_api_server(api: kube.KubeApi, settings: KubeSettings) -> None:
    """Two electors on a real Lease: one leads, release hands over, the Lease is cleaned up."""
    name = f"offhours-e2e-{secrets.token_hex(4)}"
    a = kube.LeaderElector(api, namespace="default", name=name, identity="a", lease_duration=15)
    b = kube.LeaderElector(api, namespace="default", name=name, identity="b", lease_duration=15)
    try:
        assert a.try_acquire_or_renew()
        assert not b.try_acquire_or_renew()
        assert a.release()
        assert b.try_acquire_or_renew()
        assert b.observed is not None
        assert b.observed.transitions == 1
    finally:
        b.release()
        _delete_lease(settings, name)


def _delete_lease(settings: KubeSettings, name: str) -> None:
    """Clean up with the plain client (offhours itself never deletes anything)."""
    with client.ApiClient(connection.configuration(settings)) as raw:
        client.CoordinationV1Api(raw).delete_namespaced_lease(name, "default")
