"""Leader election: two electors, one Lease on the stand-in, one injected clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from scheduler.adapters import kube
from scheduler.settings import KubeSettings
from scheduler.testing.kubeapi import KubeApiServer, ManualClock

LEASE_PATH = r"/namespaces/offhours/leases/offhours-leader$"


@pytest.fixture
def second_api(kube_settings: KubeSettings) -> Iterator[kube.KubeApi]:
    """A second replica's own client (its own connection pool and discovery cache)."""
    with kube.connect(kube_settings, sleep=lambda _: None) as connected:
        yield connected


def elector(api: kube.KubeApi, identity: str, clock: ManualClock) -> kube.LeaderElector:
    return kube.LeaderElector(
        api,
        namespace="offhours",
        name="offhours-leader",
        identity=identity,
        lease_duration=15,
        renew_deadline=10,
        clock=clock,
    )


@pytest.fixture
def pair(
    api: kube.KubeApi, second_api: kube.KubeApi, clock: ManualClock
) -> tuple[kube.LeaderElector, kube.LeaderElector]:
    """Replicas ``a`` and ``b`` sharing the Lease offhours/offhours-leader."""
    return elector(api, "a", clock), elector(second_api, "b", clock)


def lease(standin: KubeApiServer) -> dict[str, object]:
    spec: dict[str, object] = standin.get("Lease", "offhours", "offhours-leader")["spec"]
    return spec


def test_first_elector_creates_the_lease(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector]
) -> None:
    """An absent Lease is created by the first elector, which then leads alone."""
    a, b = pair
    assert a.try_acquire_or_renew()
    assert not b.try_acquire_or_renew()
    assert (a.is_leader, b.is_leader) == (True, False)
    assert lease(standin) == {
        "holderIdentity": "a",
        "leaseDurationSeconds": 15,
        "acquireTime": "2026-08-03T22:00:00.000000Z",
        "renewTime": "2026-08-03T22:00:00.000000Z",
        "leaseTransitions": 0,
    }
    assert b.observed is not None
    assert b.observed.holder == "a"


def test_exactly_one_leader_over_time(
    pair: tuple[kube.LeaderElector, kube.LeaderElector], clock: ManualClock
) -> None:
    """Renewing every 2 s for a minute, the first leader keeps it and the other never leads."""
    a, b = pair
    for _ in range(30):
        results = (a.try_acquire_or_renew(), b.try_acquire_or_renew())
        assert results == (True, False)
        assert [a.is_leader, b.is_leader].count(True) == 1
        clock.advance(2)


def test_renewal_moves_renew_time_only(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector], clock: ManualClock
) -> None:
    """A renewal updates renewTime (with the resourceVersion), not acquireTime or transitions."""
    a, _ = pair
    a.try_acquire_or_renew()
    clock.advance(4)
    assert a.try_acquire_or_renew()
    spec = lease(standin)
    assert (spec["acquireTime"], spec["renewTime"]) == (
        "2026-08-03T22:00:00.000000Z",
        "2026-08-03T22:00:04.000000Z",
    )
    assert spec["leaseTransitions"] == 0
    put = standin.requests_to(LEASE_PATH, method="PUT")[-1]
    assert put.body["metadata"]["resourceVersion"]


def test_takeover_after_expiry(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector], clock: ManualClock
) -> None:
    """When the leader stops renewing, the other takes over once renewTime + 15 s has passed."""
    a, b = pair
    a.try_acquire_or_renew()
    clock.advance(15)
    assert not b.try_acquire_or_renew()
    clock.advance(1)
    assert b.try_acquire_or_renew()
    assert not a.is_leader
    assert not a.try_acquire_or_renew()
    spec = lease(standin)
    assert (spec["holderIdentity"], spec["leaseTransitions"]) == ("b", 1)
    assert spec["acquireTime"] == "2026-08-03T22:00:16.000000Z"


def race(*electors: kube.LeaderElector) -> dict[str, bool]:
    """Run one election round of each elector at the same moment, in threads."""
    barrier = threading.Barrier(len(electors))
    results: dict[str, bool] = {}

    def run(e: kube.LeaderElector) -> None:
        barrier.wait()
        results[e.identity] = e.try_acquire_or_renew()

    threads = [threading.Thread(target=run, args=(e,)) for e in electors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return results


def test_simultaneous_takeover_resolves_to_one(
    standin: KubeApiServer, api: kube.KubeApi, second_api: kube.KubeApi, clock: ManualClock
) -> None:
    """Two standbys read the same expired Lease; the resourceVersion lets exactly one win."""
    elector(api, "old", clock).try_acquire_or_renew()
    clock.advance(30)
    b, c = elector(api, "b", clock), elector(second_api, "c", clock)
    standin.delay(LEASE_PATH, 0.3, times=2, method="GET", after=True)
    results = race(b, c)
    assert sorted(results.values()) == [False, True]
    winner = next(name for name, won in results.items() if won)
    assert lease(standin)["holderIdentity"] == winner
    assert lease(standin)["leaseTransitions"] == 1
    assert [b.is_leader, c.is_leader].count(True) == 1
    assert 409 in [r.status for r in standin.requests_to(LEASE_PATH, method="PUT")]


def test_simultaneous_create_resolves_to_one(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector]
) -> None:
    """Two electors creating the absent Lease at once: one create wins, the other gets 409."""
    results = race(*pair)
    assert sorted(results.values()) == [False, True]
    winner = next(name for name, won in results.items() if won)
    assert lease(standin)["holderIdentity"] == winner


def test_release_hands_over_promptly(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector], clock: ManualClock
) -> None:
    """After release, the standby acquires at its next attempt, without waiting for expiry."""
    a, b = pair
    a.try_acquire_or_renew()
    assert a.release()
    assert not a.is_leader
    assert lease(standin)["holderIdentity"] == ""
    assert lease(standin)["leaseDurationSeconds"] == 1
    clock.advance(0.5)
    assert b.try_acquire_or_renew()
    assert lease(standin)["leaseTransitions"] == 1


def test_leadership_lost_when_renewals_fail_past_the_deadline(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector], clock: ManualClock
) -> None:
    """A leader whose renewals fail stays leader until renew_deadline (10 s), then steps down."""
    a, _ = pair
    a.try_acquire_or_renew()
    standin.fail(LEASE_PATH, status=500, times=100)
    clock.advance(6)
    assert a.try_acquire_or_renew()
    assert a.is_leader
    clock.advance(4)
    assert not a.try_acquire_or_renew()
    assert not a.is_leader


def test_rbac_denial_is_raised_not_swallowed(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector]
) -> None:
    """A Forbidden Lease is a configuration problem: it surfaces, not a silent non-leader."""
    a, _ = pair
    standin.fail(LEASE_PATH, status=403, times=1, message='cannot get resource "leases"')
    with pytest.raises(kube.KubeForbidden, match="leases"):
        a.try_acquire_or_renew()
    assert not a.is_leader


def test_is_leader_expires_without_renewal(
    pair: tuple[kube.LeaderElector, kube.LeaderElector], clock: ManualClock
) -> None:
    """Without a renewal attempt, is_leader turns false at the renew deadline by the clock."""
    a, _ = pair
    a.try_acquire_or_renew()
    clock.advance(9.9)
    assert a.is_leader
    clock.advance(0.1)
    assert not a.is_leader


def test_lost_race_on_renew_re_reads(
    standin: KubeApiServer, pair: tuple[kube.LeaderElector, kube.LeaderElector], clock: ManualClock
) -> None:
    """A 409 on renewal re-reads the Lease; still ours → renewed on the fresh version."""
    a, _ = pair
    a.try_acquire_or_renew()
    standin.fail(LEASE_PATH, status=409, times=1, method="PUT")
    clock.advance(2)
    assert a.try_acquire_or_renew()
    assert lease(standin)["renewTime"] == "2026-08-03T22:00:02.000000Z"


def test_renew_deadline_must_be_shorter_than_the_lease(api: kube.KubeApi) -> None:
    """A renew deadline as long as the lease would allow two leaders; it is refused."""
    with pytest.raises(ValueError, match="renew_deadline"):
        kube.LeaderElector(
            api, namespace="o", name="l", identity="a", lease_duration=10, renew_deadline=10
        )


def test_run_releases_on_stop(standin: KubeApiServer, api: kube.KubeApi) -> None:
    """The background loop leads until stopped, then releases the Lease."""
    runner = kube.LeaderElector(api, namespace="offhours", name="offhours-leader", identity="a")
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,), kwargs={"retry_period": 0.05})
    thread.start()
    for _ in range(100):
        if runner.is_leader:
            break
        stop.wait(0.02)
    assert runner.is_leader
    stop.set()
    thread.join(timeout=5)
    assert lease(standin)["holderIdentity"] == ""
