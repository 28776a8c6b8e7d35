"""The daemon's telemetry (prometheus-client): metric definitions and the HTTP endpoints
``/metrics``, ``/healthz`` and ``/readyz``.

Metric names are a contract with the Grafana dashboard and alert rules under
``clusters/offhours/``; change them together.

Set by the loop after each cycle: ``offhours_cycles_total{result}``,
``offhours_cycle_duration_seconds``, ``offhours_errors_total{kind}``,
``offhours_targets_asleep{policy}``, ``offhours_transitions_total{policy,action}``,
``offhours_push_conflicts_total``, ``offhours_last_successful_push_timestamp_seconds``,
``offhours_actuation_lag_seconds``, ``offhours_estimated_watts_avoided{policy}``,
``offhours_is_leader`` and ``offhours_next_transition_timestamp_seconds{policy}``.

Set by the Flux follower after each push, per changed target (``target`` is
``kind/namespace/name``, as in the logs; a series is removed when its target is woken):

- ``offhours_flux_apply_lag_seconds``: pushed commit to Flux reporting it applied;
- ``offhours_target_workloads_running{target}``: workloads of a target committed asleep that
  still run when the live check ends (for a HelmRelease or Kustomization, each deployed
  Deployment, StatefulSet, ReplicaSet, CronJob or ScaledObject not yet asleep; for a workload
  target, 1 or 0); 0 once everything is asleep;
- ``offhours_target_not_ready{target}``: 1 when the HelmRelease or Kustomization a target
  sleeps through reports Ready=False at the end of the live check (a failed upgrade, install
  or build: what Git says is not running), else 0.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from scheduler.errors import ConfigError

__all__ = ["Health", "Telemetry", "TelemetryServer", "parse_address"]

LAG_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800)


class Telemetry:
    """Every metric the daemon exports, registered in its own registry."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.cycles = Counter("offhours_cycles", "Reconcile cycles run.", ["result"], registry=r)
        self.cycle_duration = Histogram(
            "offhours_cycle_duration_seconds", "Duration of a reconcile cycle.", registry=r
        )
        self.errors = Counter("offhours_errors", "Errors by kind.", ["kind"], registry=r)
        self.targets_asleep = Gauge(
            "offhours_targets_asleep", "Targets asleep in Git, per policy.", ["policy"], registry=r
        )
        self.transitions = Counter(
            "offhours_transitions", "Changes committed.", ["policy", "action"], registry=r
        )
        self.push_conflicts = Counter(
            "offhours_push_conflicts", "Pushes rejected because the remote moved on.", registry=r
        )
        self.last_push = Gauge(
            "offhours_last_successful_push_timestamp_seconds",
            "Unix time of the last successful push.",
            registry=r,
        )
        self.actuation_lag = Histogram(
            "offhours_actuation_lag_seconds",
            "Scheduled transition instant to pushed commit.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.flux_apply_lag = Histogram(
            "offhours_flux_apply_lag_seconds",
            "Pushed commit to Flux reporting it applied.",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.watts_avoided = Gauge(
            "offhours_estimated_watts_avoided",
            "Estimated power avoided now (baseline of sleeping targets), per policy.",
            ["policy"],
            registry=r,
        )
        self.is_leader = Gauge("offhours_is_leader", "1 when this replica writes.", registry=r)
        self.next_transition = Gauge(
            "offhours_next_transition_timestamp_seconds",
            "Unix time of the next scheduled transition, per policy.",
            ["policy"],
            registry=r,
        )
        self.workloads_running = Gauge(
            "offhours_target_workloads_running",
            "Workloads of a target committed asleep that still run at the last live check.",
            ["target"],
            registry=r,
        )
        self.target_not_ready = Gauge(
            "offhours_target_not_ready",
            "1 when the HelmRelease or Kustomization of a sleeping target reports Ready=False.",
            ["target"],
            registry=r,
        )

    def record_live(self, target: str, *, running: int, not_ready: bool | None = None) -> None:
        """The live check of a target committed asleep: how many of its workloads still run,
        and (for a HelmRelease or Kustomization) whether it reports Ready=False."""
        self.workloads_running.labels(target=target).set(running)
        if not_ready is not None:
            self.target_not_ready.labels(target=target).set(1 if not_ready else 0)

    def forget_target(self, target: str) -> None:
        """Drop a woken target's live-check series (it is no longer meant to be asleep)."""
        for gauge in (self.workloads_running, self.target_not_ready):
            with contextlib.suppress(KeyError):
                gauge.remove(target)

    def render(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)


@dataclass
class Health:
    """Liveness and readiness as the daemon reports them; thread-safe."""

    stale_after_seconds: float
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _heartbeat: float | None = None
    _ready: bool = False
    _reason: str = "starting"

    def beat(self, now: float) -> None:
        """The loop is alive at ``now``."""
        with self._lock:
            self._heartbeat = now

    def set_ready(self, ready: bool, reason: str = "") -> None:
        """Ready means the repo was synced and policies loaded at least once."""
        with self._lock:
            self._ready, self._reason = ready, reason

    def live(self, now: float) -> tuple[bool, str]:
        """Alive when the loop beat within ``stale_after_seconds``."""
        with self._lock:
            if self._heartbeat is None:
                return True, "starting"
            age = now - self._heartbeat
        if age > self.stale_after_seconds:
            return False, f"loop stalled: last heartbeat {age:.0f}s ago"
        return True, "ok"

    def ready(self) -> tuple[bool, str]:
        """Whether the daemon can do its job, and why not."""
        with self._lock:
            return self._ready, self._reason or ("ok" if self._ready else "not ready")


def parse_address(address: str) -> tuple[str, int]:
    """``host:port`` (``:8080`` means all interfaces) as a tuple."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ConfigError(
            f"listen address {address!r} is not host:port; expected e.g. 0.0.0.0:8080"
        )
    return host.strip("[]") or "0.0.0.0", int(port)


class _Handler(BaseHTTPRequestHandler):
    telemetry: ClassVar[Telemetry]
    health: ClassVar[Health]
    clock: ClassVar[Callable[[], float]]

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._reply(200, self.telemetry.render(), CONTENT_TYPE_LATEST)
            return
        if path in ("/healthz", "/livez"):
            ok, why = self.health.live(type(self).clock())
        elif path == "/readyz":
            ok, why = self.health.ready()
        else:
            self._reply(404, b"not found\n", "text/plain")
            return
        self._reply(200 if ok else 503, f"{why}\n".encode(), "text/plain")

    def _reply(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence per-request logging; probes hit these endpoints every few seconds."""


class TelemetryServer:
    """``/metrics``, ``/healthz``, ``/readyz`` on a background thread."""

    def __init__(
        self, *, address: str, telemetry: Telemetry, health: Health, clock: object
    ) -> None:
        handler = type(
            "Handler", (_Handler,), {"telemetry": telemetry, "health": health, "clock": clock}
        )
        try:
            self._server = ThreadingHTTPServer(parse_address(address), handler)
        except OSError as exc:
            raise ConfigError(
                f"cannot listen on {address}: {exc.strerror or exc}; pass --listen HOST:PORT "
                "or set OFFHOURS_DAEMON__LISTEN_ADDRESS"
            ) from exc
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        """The bound port (useful with port 0)."""
        return int(self._server.server_address[1])

    def start(self) -> None:
        """Serve in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
