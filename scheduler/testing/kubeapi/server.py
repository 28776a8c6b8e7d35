"""A Kubernetes API stand-in over real HTTP on 127.0.0.1, for the real ``kubernetes`` client.

Owns the HTTP side: routing ``/api``, ``/apis/...`` discovery and the object endpoints (get,
list with ``labelSelector``/``fieldSelector``/``limit``/``continue``, create, replace, merge /
strategic-merge / JSON patch, delete, the ``status`` subresource), bearer-token checks, proper
``Status`` error bodies, fault injection (the next N requests to a path answer a given status,
or slowly), and a request log. The object semantics live in ``store``.

Tests use ``KubeApiServer`` as a context manager, write a kubeconfig pointing at it, build the
adapter exactly as users do, and "play Flux" with ``mark_applied``/``set_status``/``set_replicas``.
"""

from __future__ import annotations

import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from scheduler.testing.kubeapi import patches, routes
from scheduler.testing.kubeapi.resources import DEFAULT_RESOURCES, ServedResource
from scheduler.testing.kubeapi.store import ApiError, Obj, Store

__all__ = ["Fault", "KubeApiServer", "RecordedRequest"]


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server saw it (header names lower-cased), and the status it answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    content_type: str
    body: Any
    status: int
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Fault:
    """Answer the next ``times`` requests whose path matches ``pattern`` with ``status``
    (0 = answer normally) after ``delay`` seconds; ``body`` replaces the Status JSON and
    ``headers`` are added (e.g. ``Retry-After``). ``hold`` delays the answer *after* the
    request took effect (a slow network on the way back: two readers see the same state)."""

    pattern: str
    status: int = 500
    times: int = 1
    method: str | None = None
    delay: float = 0.0
    hold: float = 0.0
    reason: str = ""
    message: str = ""
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hits: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        """True when this fault applies to the request and still has uses left."""
        if self.hits >= self.times or (self.method and self.method != method):
            return False
        return re.search(self.pattern, path) is not None


_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
}


def status_body(code: int, reason: str, message: str, *, name: str = "") -> Obj:
    """A ``Status`` object as the API server sends with an error."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": {"name": name} if name else {},
        "code": code,
    }


class KubeApiServer:
    """The stand-in: start it, point a kubeconfig at it, seed and inspect objects."""

    def __init__(
        self,
        *,
        resources: Iterable[ServedResource] = DEFAULT_RESOURCES,
        token: str | None = None,
    ) -> None:
        self.resources = tuple(resources)
        self.token = token or secrets.token_hex(16)
        self.store = Store()
        self._faults: list[Fault] = []
        self._log: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------------------

    def start(self) -> KubeApiServer:
        """Listen on an ephemeral port of 127.0.0.1 in a background thread."""
        handler = type("_BoundHandler", (_Handler,), {"api": self})
        self._httpd = _QuietServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> KubeApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._httpd is None:
            raise RuntimeError("the API stand-in is not running; call start() first")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def write_kubeconfig(
        self, path: Path, *, context: str = "offhours-test", namespace: str = "default"
    ) -> Path:
        """Write a kubeconfig with one cluster, user (bearer token) and context for this server."""
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "standin", "cluster": {"server": self.url}}],
            "users": [{"name": "offhours", "user": {"token": self.token}}],
            "contexts": [
                {
                    "name": context,
                    "context": {"cluster": "standin", "user": "offhours", "namespace": namespace},
                }
            ],
            "current-context": context,
        }
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return path

    # --- faults and log ------------------------------------------------------------------

    def fail(self, pattern: str, *, status: int = 500, times: int = 1, **options: Any) -> Fault:
        """Make the next ``times`` requests to paths matching ``pattern`` answer ``status``.

        Options: ``method``, ``delay`` (seconds before answering), ``reason``, ``message``,
        ``body`` (raw text instead of a Status object), ``headers``.
        """
        fault = Fault(pattern, status=status, times=times, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def delay(
        self,
        pattern: str,
        seconds: float,
        *,
        times: int = 1,
        method: str | None = None,
        after: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests normally, but ``seconds`` late: before
        handling them, or (``after=True``) after they took effect."""
        timing = {"hold": seconds} if after else {"delay": seconds}
        return self.fail(pattern, status=0, times=times, method=method, **timing)

    def clear_faults(self) -> None:
        """Disarm every injected fault."""
        with self._lock:
            self._faults.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first armed fault for this request (consuming one use), if any."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def record(self, request: RecordedRequest) -> None:
        """Append to the request log."""
        with self._lock:
            self._log.append(request)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request answered so far (a copy)."""
        with self._lock:
            return list(self._log)

    def requests_to(self, pattern: str, *, method: str | None = None) -> list[RecordedRequest]:
        """Logged requests whose path matches ``pattern`` (and method, when given)."""
        return [
            r
            for r in self.requests
            if re.search(pattern, r.path) and (method is None or r.method == method)
        ]

    def clear_log(self) -> None:
        """Forget logged requests."""
        with self._lock:
            self._log.clear()

    # --- objects (direct access, for seeding and playing the controllers) ----------------

    def resource(self, kind: str) -> ServedResource:
        """The served resource of ``kind`` (``KeyError`` when not served)."""
        for resource in self.resources:
            if resource.kind == kind:
                return resource
        raise KeyError(f"the stand-in does not serve kind {kind!r}")

    def put(self, obj: Obj) -> Obj:
        """Create or overwrite an object as given, status included (``kind`` picks the type)."""
        resource = self.resource(obj["kind"])
        meta = obj.get("metadata", {})
        namespace, name = meta.get("namespace", ""), meta["name"]
        if not self.store.exists(resource, namespace, name):
            return self.store.create(resource, namespace, obj, keep_status=True)
        unguarded = {k: v for k, v in meta.items() if k != "resourceVersion"}
        updated = self.store.replace(resource, namespace, name, body=dict(obj, metadata=unguarded))
        if "status" in obj and resource.status_subresource:
            return self.store.update_status(resource, namespace, name, status=obj["status"])
        return updated

    def get(self, kind: str, namespace: str, name: str) -> Obj:
        """A copy of one stored object."""
        return self.store.get(self.resource(kind), namespace, name)

    def set_status(self, kind: str, namespace: str, name: str, *, status: Obj) -> Obj:
        """Merge ``status`` into the object's status (as a controller would)."""
        resource = self.resource(kind)
        current = self.store.get(resource, namespace, name)
        merged = patches.merge_patch(current.get("status", {}), status)
        return self.store.update_status(resource, namespace, name, status=merged)

    def set_replicas(
        self, kind: str, namespace: str, name: str, *, ready: int, replicas: int | None = None
    ) -> Obj:
        """Play the workload controller: pods running/ready, generation observed."""
        generation = self.get(kind, namespace, name)["metadata"].get("generation", 1)
        count = ready if replicas is None else replicas
        return self.set_status(
            kind,
            namespace,
            name,
            status={
                "observedGeneration": generation,
                "replicas": count,
                "readyReplicas": ready,
                "availableReplicas": ready,
                "updatedReplicas": count,
            },
        )

    def mark_applied(
        self,
        kind: str,
        namespace: str,
        name: str,
        *,
        revision: str,
        ready: bool = True,
        message: str = "",
    ) -> Obj:
        """Play kustomize-/helm-controller: a reconciliation of ``revision`` succeeded or failed."""
        generation = self.get(kind, namespace, name)["metadata"].get("generation", 1)
        condition = {
            "type": "Ready",
            "status": "True" if ready else "False",
            "reason": "ReconciliationSucceeded" if ready else "ReconciliationFailed",
            "message": message or (f"Applied revision: {revision}" if ready else "failed"),
            "observedGeneration": generation,
            "lastTransitionTime": "2026-08-03T22:00:00Z",
        }
        status: Obj = {
            "observedGeneration": generation,
            "lastAttemptedRevision": revision,
            "conditions": [condition],
        }
        if ready:
            status["lastAppliedRevision"] = revision
        return self.set_status(kind, namespace, name, status=status)


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up (timeouts, closed pools) are normal here, not tracebacks."""

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore errors of connections the client dropped."""


class _Handler(BaseHTTPRequestHandler):
    """Routes one request; ``api`` is bound to the owning ``KubeApiServer``."""

    api: KubeApiServer
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log (the request log has it all)."""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        split = urlsplit(self.path)
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        request = RecordedRequest(
            method=method,
            path=split.path,
            query=parse_qs(split.query),
            content_type=content_type,
            body=None,
            status=0,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        fault: Fault | None = None
        try:
            request = replace(request, body=json.loads(raw) if raw else None)
            self._authenticate()
            fault = self.api.take_fault(method, split.path)
            status, text, headers = self._answer(request, fault)
        except ApiError as exc:
            body = status_body(exc.code, exc.reason, exc.message, name=exc.name)
            status, text, headers = exc.code, json.dumps(body), {}
        except json.JSONDecodeError as exc:
            body = status_body(400, "BadRequest", f"invalid JSON body: {exc}")
            status, text, headers = 400, json.dumps(body), {}
        self.api.record(replace(request, status=status))
        if fault is not None and fault.hold:
            time.sleep(fault.hold)
        self._send(status, text, headers)

    def _answer(
        self, request: RecordedRequest, fault: Fault | None
    ) -> tuple[int, str, dict[str, str]]:
        """Status, body text and extra headers: the injected fault's, or the real answer."""
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.status:
            reason = fault.reason or _REASONS.get(fault.status, "Unknown")
            message = fault.message or f"injected fault: HTTP {fault.status}"
            text = fault.body or json.dumps(status_body(fault.status, reason, message))
            return fault.status, text, fault.headers
        status, payload = routes.Router(self.api.resources, self.api.store).route(
            request.method,
            request.path,
            query=request.query,
            body=request.body,
            content_type=request.content_type,
        )
        return status, json.dumps(payload), {}

    def _authenticate(self) -> None:
        if self.headers.get("Authorization", "") != f"Bearer {self.api.token}":
            raise ApiError(401, "Unauthorized", "Unauthorized")

    def setup(self) -> None:
        """Disable Nagle: headers and body go out at once, no delayed-ACK stalls."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, text: str, headers: dict[str, str]) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        is_json = text.startswith("{")
        self.send_header("Content-Type", "application/json" if is_json else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
