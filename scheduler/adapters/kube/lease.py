"""Leader election over a ``coordination.k8s.io/v1`` Lease, so only one replica writes to Git.

Owns ``LeaderElector``, which follows client-go's Lease lock protocol:

- absent Lease → create it holding it (``leaseTransitions: 0``); a 409 means another replica
  created it first;
- held by us → renew: update ``renewTime`` with the read ``resourceVersion`` (a 409 means the
  Lease changed under us: re-read, and keep leading only if we still hold it);
- held by another → wait until it expires (``renewTime + leaseDurationSeconds < now``) or is
  released (empty ``holderIdentity``), then take it over, incrementing ``leaseTransitions``;
- a leader whose renewals keep failing stops calling itself leader once ``renew_deadline``
  has passed since its last successful renewal (before the Lease can expire for others);
- ``release()`` on shutdown empties ``holderIdentity`` and sets a 1 s duration, so a standby
  takes over at its next attempt instead of waiting out the lease.

Time is injected: every method takes ``now`` or uses the elector's ``clock``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog

from scheduler.adapters.kube import fields, kinds
from scheduler.adapters.kube.api import Json, KubeApi
from scheduler.adapters.kube.errors import KubeGone, KubeUnavailable
from scheduler.errors import KubeConflict, KubeError, KubeNotFound

__all__ = ["LeaderElector", "LeaseRecord"]

_log = structlog.get_logger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _micro_time(moment: datetime) -> str:
    """Kubernetes MicroTime: RFC 3339 with microseconds, in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    """The election state a Lease holds."""

    holder: str
    duration_seconds: int
    acquire_time: datetime | None
    renew_time: datetime | None
    transitions: int
    resource_version: str

    @classmethod
    def from_lease(cls, lease: Json) -> LeaseRecord:
        """Read ``spec`` of a Lease object."""
        spec = fields.mapping(lease, "spec")
        return cls(
            holder=fields.text(spec, "holderIdentity"),
            duration_seconds=fields.integer(spec, "leaseDurationSeconds") or 0,
            acquire_time=fields.timestamp(fields.text(spec, "acquireTime")),
            renew_time=fields.timestamp(fields.text(spec, "renewTime")),
            transitions=fields.integer(spec, "leaseTransitions") or 0,
            resource_version=fields.text(lease, "metadata", "resourceVersion"),
        )

    def expired(self, now: datetime) -> bool:
        """Nobody holds it, or its holder has not renewed within the lease duration."""
        last = self.renew_time or self.acquire_time
        if not self.holder or last is None:
            return True
        return last + timedelta(seconds=self.duration_seconds) < now


class LeaderElector:
    """One replica's view of the election; ask ``try_acquire_or_renew`` before each write."""

    def __init__(  # noqa: PLR0913 - the election's parameters, as client-go names them
        self,
        api: KubeApi,
        *,
        namespace: str,
        name: str,
        identity: str,
        lease_duration: float = 15.0,
        renew_deadline: float | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        if renew_deadline is not None and renew_deadline >= lease_duration:
            raise ValueError(
                f"renew_deadline ({renew_deadline:g}s) must be shorter than lease_duration "
                f"({lease_duration:g}s), or another replica may take over while we still lead"
            )
        self._api = api
        self._namespace, self._name, self.identity = namespace, name, identity
        self._duration = max(1, math.ceil(lease_duration))
        self._renew_deadline = timedelta(
            seconds=renew_deadline if renew_deadline is not None else lease_duration * 2 / 3
        )
        self._clock = clock
        self._renewed_at: datetime | None = None
        self._observed: LeaseRecord | None = None

    # --- state -------------------------------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        """We hold the Lease and renewed it within ``renew_deadline`` (by the clock)."""
        return self.is_leader_at(self._clock())

    def is_leader_at(self, now: datetime) -> bool:
        """``is_leader`` at a given time."""
        return self._renewed_at is not None and now - self._renewed_at < self._renew_deadline

    @property
    def observed(self) -> LeaseRecord | None:
        """The Lease as last read or written (``holder`` tells who leads)."""
        return self._observed

    # --- the protocol ------------------------------------------------------------------------

    def try_acquire_or_renew(self, now: datetime | None = None) -> bool:
        """One election round: create, renew or take over the Lease. True while we lead.

        A transient API failure (5xx, timeout) keeps a leader leading until its renew deadline;
        configuration problems (RBAC 403, missing namespace 404) raise ``KubeError``.
        """
        moment = now or self._clock()
        try:
            return self._round(moment)
        except (KubeUnavailable, KubeGone) as exc:
            leading = self.is_leader_at(moment)
            _log.warning(
                "lease.renew_failed", lease=self._name, error=str(exc), still_leader=leading
            )
            if not leading:
                self._lose(moment)
            return leading

    def _round(self, now: datetime) -> bool:
        try:
            current = LeaseRecord.from_lease(
                self._api.get(kinds.LEASE, self._namespace, self._name)
            )
        except KubeNotFound:
            return self._create(now)
        self._observed = current
        if current.holder != self.identity and not current.expired(now):
            self._lose(now)
            return False
        try:
            return self._write(current, now)
        except KubeConflict:
            return self._after_conflict(now)

    def _after_conflict(self, now: datetime) -> bool:
        current = LeaseRecord.from_lease(self._api.get(kinds.LEASE, self._namespace, self._name))
        self._observed = current
        if current.holder != self.identity:
            self._lose(now)
            return False
        return self._write(current, now)

    def _create(self, now: datetime) -> bool:
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self._name, "namespace": self._namespace},
            "spec": self._spec(holder=self.identity, acquired=now, renewed=now, transitions=0),
        }
        try:
            created = self._api.create(kinds.LEASE, self._namespace, body=body)
        except KubeConflict:
            self._lose(now)
            return False
        return self._won(LeaseRecord.from_lease(created), now)

    def _write(self, current: LeaseRecord, now: datetime) -> bool:
        takeover = current.holder != self.identity
        spec = self._spec(
            holder=self.identity,
            acquired=now if takeover else (current.acquire_time or now),
            renewed=now,
            transitions=current.transitions + (1 if takeover else 0),
        )
        updated = self._api.replace(
            kinds.LEASE, self._namespace, self._name, body=self._lease(spec, current)
        )
        if takeover:
            _log.info("lease.taken_over", lease=self._name, previous=current.holder or None)
        return self._won(LeaseRecord.from_lease(updated), now)

    def _won(self, record: LeaseRecord, now: datetime) -> bool:
        if self._renewed_at is None:
            _log.info("lease.acquired", lease=self._name, identity=self.identity)
        self._observed, self._renewed_at = record, now
        return True

    def _lose(self, now: datetime) -> None:
        if self._renewed_at is not None:
            _log.warning("lease.lost", lease=self._name, identity=self.identity, at=now.isoformat())
        self._renewed_at = None

    def _spec(
        self, *, holder: str, acquired: datetime, renewed: datetime, transitions: int
    ) -> Json:
        return {
            "holderIdentity": holder,
            "leaseDurationSeconds": self._duration,
            "acquireTime": _micro_time(acquired),
            "renewTime": _micro_time(renewed),
            "leaseTransitions": transitions,
        }

    def _lease(self, spec: Json, current: LeaseRecord) -> Json:
        return {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {
                "name": self._name,
                "namespace": self._namespace,
                "resourceVersion": current.resource_version,
            },
            "spec": spec,
        }

    # --- shutdown ----------------------------------------------------------------------------

    def release(self, now: datetime | None = None) -> bool:
        """Give the Lease up if we hold it (empty holder, 1 s duration). True if released."""
        moment = now or self._clock()
        if self._renewed_at is None:
            return False
        self._renewed_at = None
        try:
            current = LeaseRecord.from_lease(
                self._api.get(kinds.LEASE, self._namespace, self._name)
            )
            if current.holder != self.identity:
                return False
            spec = self._spec(
                holder="", acquired=moment, renewed=moment, transitions=current.transitions
            )
            spec["leaseDurationSeconds"] = 1
            self._observed = LeaseRecord.from_lease(
                self._api.replace(
                    kinds.LEASE, self._namespace, self._name, body=self._lease(spec, current)
                )
            )
        except KubeError as exc:
            _log.warning("lease.release_failed", lease=self._name, error=str(exc))
            return False
        _log.info("lease.released", lease=self._name, identity=self.identity)
        return True

    def run(self, stop: threading.Event, *, retry_period: float = 2.0) -> None:
        """Keep the election going until ``stop`` is set, then release (a thread's target)."""
        while not stop.is_set():
            self.try_acquire_or_renew()
            stop.wait(retry_period)
        self.release()
