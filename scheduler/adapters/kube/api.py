"""The adapter's one I/O seam: typed-free JSON calls through the ``kubernetes`` client.

Owns every request the adapter makes: version discovery per kind (``/apis``,
``/apis/<group>/<version>``; cached per instance), get / paginated list / create / replace /
merge patch through ``CustomObjectsApi`` (plain JSON, no client models), explicit
connect/read timeouts on every call, bounded exponential backoff for idempotent requests on
5xx / 429 / transport errors (honouring ``Retry-After``), a fresh list when a ``continue``
token expires (410), and translation of every failure (``errors.translated``). Callers get
dicts; turning them into core records is ``workloads``/``fluxobjects``' job.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from kubernetes import client as k8s_client

from scheduler.adapters.kube import connection, errors
from scheduler.adapters.kube.kinds import ResourceKind
from scheduler.errors import KubeNotFound
from scheduler.settings import KubeSettings

__all__ = ["Json", "KubeApi", "connect"]

Json = dict[str, Any]
T = TypeVar("T")
_BACKOFF_CAP = 8.0


class KubeApi:
    """JSON access to one cluster; build with ``connect(settings)``, close when done."""

    def __init__(
        self,
        client: k8s_client.ApiClient,
        *,
        settings: KubeSettings,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._objects = k8s_client.CustomObjectsApi(client)
        self._settings = settings
        self._sleep = sleep
        self._timeout = (settings.connect_timeout_seconds, settings.timeout_seconds)
        self._groups: dict[str, list[str]] | None = None
        self._versions: dict[str, str] = {}

    def close(self) -> None:
        """Release the connection pool."""
        self._client.close()  # type: ignore[no-untyped-call]

    def __enter__(self) -> KubeApi:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- requests with retries ---------------------------------------------------------

    def _call(self, action: str, call: Callable[[], T], *, idempotent: bool) -> T:
        attempts = self._settings.retries + 1 if idempotent else 1
        for attempt in range(attempts):
            try:
                with errors.translated(action):
                    return call()
            except errors.KubeUnavailable as exc:
                if attempt + 1 >= attempts:
                    raise
                self._sleep(self._backoff(attempt, exc))
        raise AssertionError("unreachable: the loop returns or raises")

    def _backoff(self, attempt: int, exc: errors.KubeUnavailable) -> float:
        delay = self._settings.retry_backoff_seconds * (2.0**attempt)
        if exc.status is not None and exc.status.retry_after is not None:
            delay = max(delay, exc.status.retry_after)
        return min(delay, _BACKOFF_CAP)

    # --- discovery -----------------------------------------------------------------------

    def _raw_get(self, action: str, call: Callable[[], Any]) -> Json:
        def read() -> Json:
            response = call()
            try:
                payload = json.loads(response.data or b"{}")
            finally:
                response.release_conn()
            if not isinstance(payload, dict):
                raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
            return payload

        return self._call(action, read, idempotent=True)

    def _served_groups(self) -> dict[str, list[str]]:
        if self._groups is None:
            payload = self._raw_get(
                "GET /apis",
                lambda: k8s_client.ApisApi(self._client).get_api_versions(
                    _preload_content=False, _request_timeout=self._timeout
                ),
            )
            self._groups = {
                str(group.get("name")): [str(v.get("version")) for v in group.get("versions", [])]
                for group in payload.get("groups", [])
            }
        return self._groups

    def _serves(self, kind: ResourceKind, version: str) -> bool:
        payload = self._raw_get(
            f"GET /apis/{kind.group}/{version}",
            lambda: self._objects.get_api_resources(
                kind.group, version, _preload_content=False, _request_timeout=self._timeout
            ),
        )
        return any(r.get("name") == kind.plural for r in payload.get("resources", []))

    def version_of(self, kind: ResourceKind) -> str:
        """The newest version of ``kind`` the server serves that offhours understands."""
        if kind.kind in self._versions:
            return self._versions[kind.kind]
        served = self._served_groups().get(kind.group, [])
        for version in kind.versions:
            if version in served and self._serves(kind, version):
                self._versions[kind.kind] = version
                return version
        raise errors.KindNotServed(
            f"the API server serves no {kind.qualified} in a version offhours reads "
            f"({', '.join(kind.versions)}; served: {', '.join(served) or 'none'})"
        )

    def forget_versions(self) -> None:
        """Discard cached discovery (after a CRD upgrade removed a version)."""
        self._groups = None
        self._versions.clear()

    # --- objects -------------------------------------------------------------------------

    def get(self, kind: ResourceKind, namespace: str, name: str) -> Json:
        """One object (``KubeNotFound`` when absent)."""
        version = self.version_of(kind)
        result = self._call(
            f"GET {kind.qualified} {namespace}/{name}",
            lambda: self._objects.get_namespaced_custom_object(
                kind.group, version, namespace, kind.plural, name, _request_timeout=self._timeout
            ),
            idempotent=True,
        )
        return _as_json(result)

    def list_objects(
        self,
        kind: ResourceKind,
        *,
        namespace: str | None = None,
        label_selector: str | None = None,
    ) -> list[Json]:
        """Every object of ``kind`` (in ``namespace``, or cluster-wide), all pages."""
        try:
            return self._list_all(kind, namespace=namespace, label_selector=label_selector)
        except errors.KubeGone:
            return self._list_all(kind, namespace=namespace, label_selector=label_selector)
        except errors.KindNotServed:
            raise
        except KubeNotFound:
            self.forget_versions()
            return self._list_all(kind, namespace=namespace, label_selector=label_selector)

    def _list_all(
        self, kind: ResourceKind, *, namespace: str | None, label_selector: str | None
    ) -> list[Json]:
        items: list[Json] = []
        token: str | None = None
        while True:
            page = self._list_page(kind, namespace=namespace, selector=label_selector, token=token)
            items.extend(_as_json(item) for item in page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue") or None
            if not token:
                return items

    def _list_page(
        self, kind: ResourceKind, *, namespace: str | None, selector: str | None, token: str | None
    ) -> Json:
        version = self.version_of(kind)
        options: Json = {"limit": self._settings.page_size, "_request_timeout": self._timeout}
        if selector:
            options["label_selector"] = selector
        if token:
            options["_continue"] = token
        where = f"in {namespace}" if namespace else "cluster-wide"

        def call() -> Any:
            if namespace:
                return self._objects.list_namespaced_custom_object(
                    kind.group, version, namespace, kind.plural, **options
                )
            return self._objects.list_cluster_custom_object(
                kind.group, version, kind.plural, **options
            )

        return _as_json(self._call(f"LIST {kind.qualified} {where}", call, idempotent=True))

    def create(self, kind: ResourceKind, namespace: str, *, body: Json) -> Json:
        """POST a new object (``KubeConflict`` when it exists already)."""
        version = self.version_of(kind)
        name = (body.get("metadata") or {}).get("name", "")
        result = self._call(
            f"CREATE {kind.qualified} {namespace}/{name}",
            lambda: self._objects.create_namespaced_custom_object(
                kind.group, version, namespace, kind.plural, body, _request_timeout=self._timeout
            ),
            idempotent=False,
        )
        return _as_json(result)

    def replace(self, kind: ResourceKind, namespace: str, name: str, *, body: Json) -> Json:
        """PUT an object; its ``metadata.resourceVersion`` guards against lost updates (409)."""
        version = self.version_of(kind)
        result = self._call(
            f"UPDATE {kind.qualified} {namespace}/{name}",
            lambda: self._objects.replace_namespaced_custom_object(
                kind.group,
                version,
                namespace,
                kind.plural,
                name,
                body,
                _request_timeout=self._timeout,
            ),
            idempotent=False,
        )
        return _as_json(result)

    def merge_patch(self, kind: ResourceKind, namespace: str, name: str, *, patch: Json) -> Json:
        """Apply a JSON merge patch (idempotent for the annotation patches offhours sends)."""
        version = self.version_of(kind)
        result = self._call(
            f"PATCH {kind.qualified} {namespace}/{name}",
            lambda: self._objects.patch_namespaced_custom_object(
                kind.group,
                version,
                namespace,
                kind.plural,
                name,
                patch,
                _content_type="application/merge-patch+json",
                _request_timeout=self._timeout,
            ),
            idempotent=True,
        )
        return _as_json(result)


def _as_json(value: object) -> Json:
    if not isinstance(value, dict):
        raise errors.KubeInvalid(
            f"the API server answered {type(value).__name__} where an object was expected"
        )
    return value


def connect(settings: KubeSettings, *, sleep: Callable[[float], None] = time.sleep) -> KubeApi:
    """A ``KubeApi`` for the cluster ``settings`` name (in-cluster or kubeconfig + context)."""
    return KubeApi(connection.api_client(settings), settings=settings, sleep=sleep)
