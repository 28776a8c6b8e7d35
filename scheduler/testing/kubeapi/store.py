"""The stand-in's object store: Kubernetes API semantics without HTTP.

Owns objects keyed by resource, namespace and name, with what clients rely on: one
monotonically increasing ``resourceVersion`` counter, ``metadata.generation`` bumped on spec
changes only, optimistic concurrency (a stale ``resourceVersion`` is a 409), status kept apart
from the main endpoint for kinds with a status subresource, label/field selectors, paginated
lists with ``continue`` tokens that expire (410) after ``compact()``. Errors are ``ApiError``
carrying the HTTP code, the ``Status`` reason and a message worded like the real API server.
Thread-safe: one lock around every operation.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scheduler.core.flux import selectors
from scheduler.testing.kubeapi.resources import ServedResource

__all__ = ["ApiError", "ListPage", "Store"]

Obj = dict[str, Any]
_NAME = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NOT_SPEC = frozenset({"metadata", "status", "apiVersion", "kind"})


class ApiError(Exception):
    """An API failure: HTTP ``code``, Status ``reason``, ``message``, optional ``name``."""

    def __init__(self, code: int, reason: str, message: str, *, name: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a list: items, the list's resourceVersion, and the next continue token."""

    items: list[Obj]
    resource_version: str
    continue_token: str = ""
    remaining: int = 0


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _spec_of(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in _NOT_SPEC}


class Store:
    """Objects of the served resources, with API-server bookkeeping."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._objects: dict[tuple[str, str, str, str], Obj] = {}
        self._revision = 0
        self._compacted = 0

    # --- bookkeeping ---------------------------------------------------------------------

    def _next_revision(self) -> str:
        self._revision += 1
        return str(self._revision)

    @property
    def resource_version(self) -> str:
        """The newest resourceVersion handed out."""
        with self._lock:
            return str(self._revision)

    def compact(self) -> None:
        """Forget history: every continue token issued so far now answers 410 Gone."""
        with self._lock:
            self._compacted = self._revision
            self._next_revision()

    @staticmethod
    def _key(resource: ServedResource, namespace: str, name: str) -> tuple[str, str, str, str]:
        return (resource.group, resource.plural, namespace if resource.namespaced else "", name)

    @staticmethod
    def _not_found(resource: ServedResource, name: str) -> ApiError:
        message = f'{resource.qualified} "{name}" not found'
        return ApiError(404, "NotFound", message, name=name)

    def _current(self, resource: ServedResource, namespace: str, name: str) -> Obj:
        obj = self._objects.get(self._key(resource, namespace, name))
        if obj is None:
            raise self._not_found(resource, name)
        return obj

    # --- reads ---------------------------------------------------------------------------

    def exists(self, resource: ServedResource, namespace: str, name: str) -> bool:
        """True when the object is stored."""
        with self._lock:
            return self._key(resource, namespace, name) in self._objects

    def get(self, resource: ServedResource, namespace: str, name: str) -> Obj:
        """A deep copy of one object (404 when absent)."""
        with self._lock:
            return copy.deepcopy(self._current(resource, namespace, name))

    def list(
        self,
        resource: ServedResource,
        namespace: str | None,
        *,
        label_selector: str = "",
        field_selector: str = "",
        limit: int = 0,
        continue_token: str = "",
    ) -> ListPage:
        """Objects of a resource, sorted by namespace and name, optionally paginated."""
        with self._lock:
            after = self._decode_continue(continue_token) if continue_token else None
            matching = [
                obj
                for key, obj in sorted(self._objects.items())
                if key[:2] == (resource.group, resource.plural)
                and (namespace is None or key[2] == namespace)
                and (after is None or key[2:] > after)
                and _selected(obj, label_selector, field_selector)
            ]
            page = matching[:limit] if limit else matching
            token = ""
            if limit and len(matching) > limit:
                last = page[-1]["metadata"]
                token = self._encode_continue(last.get("namespace", ""), last["name"])
            return ListPage(
                items=copy.deepcopy(page),
                resource_version=str(self._revision),
                continue_token=token,
                remaining=max(0, len(matching) - len(page)),
            )

    def _encode_continue(self, namespace: str, name: str) -> str:
        raw = json.dumps({"rv": self._revision, "after": [namespace, name]})
        return base64.urlsafe_b64encode(raw.encode()).decode()

    def _decode_continue(self, token: str) -> tuple[str, str]:
        try:
            data = json.loads(base64.urlsafe_b64decode(token.encode()))
            revision, after = int(data["rv"]), data["after"]
        except (ValueError, KeyError, TypeError) as exc:
            raise ApiError(400, "BadRequest", f"invalid continue token: {token!r}") from exc
        if revision <= self._compacted:
            raise ApiError(
                410,
                "Expired",
                "The provided continue parameter is too old to display a consistent list "
                "result. You can start a new list without the continue parameter.",
            )
        return (str(after[0]), str(after[1]))

    # --- writes --------------------------------------------------------------------------

    def create(
        self, resource: ServedResource, namespace: str, body: Obj, *, keep_status: bool = False
    ) -> Obj:
        """Store a new object (409 AlreadyExists, 422 on an invalid name)."""
        with self._lock:
            obj = copy.deepcopy(body)
            meta = obj.setdefault("metadata", {})
            _check_namespace(resource, namespace, meta)
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            name = str(meta.get("name", ""))
            _check_name(resource, name)
            key = self._key(resource, namespace, name)
            if key in self._objects:
                raise ApiError(
                    409, "AlreadyExists", f'{resource.qualified} "{name}" already exists', name=name
                )
            if resource.status_subresource and not keep_status:
                obj.pop("status", None)
            meta.pop("resourceVersion", None)
            meta.update(
                uid=str(uuid.uuid4()),
                generation=1,
                creationTimestamp=meta.get("creationTimestamp") or _now(),
                resourceVersion=self._next_revision(),
            )
            if resource.namespaced:
                meta["namespace"] = namespace
            self._objects[key] = obj
            return copy.deepcopy(obj)

    def replace(self, resource: ServedResource, namespace: str, name: str, *, body: Obj) -> Obj:
        """PUT: the whole object, guarded by ``metadata.resourceVersion`` when given."""
        with self._lock:
            current = self._current(resource, namespace, name)
            obj = copy.deepcopy(body)
            meta = obj.setdefault("metadata", {})
            if meta.get("name", name) != name:
                raise ApiError(
                    400,
                    "BadRequest",
                    f"the name of the object ({meta.get('name')}) does not "
                    f"match the name on the URL ({name})",
                )
            self.check_version(resource, current, meta.get("resourceVersion"))
            if resource.status_subresource:
                obj["status"] = copy.deepcopy(current.get("status", {}))
                if not obj["status"]:
                    obj.pop("status")
            return self._commit(resource, current, obj)

    def update_status(
        self, resource: ServedResource, namespace: str, name: str, *, status: Any
    ) -> Obj:
        """Replace ``.status`` only (the status subresource)."""
        with self._lock:
            current = self._current(resource, namespace, name)
            obj = copy.deepcopy(current)
            obj["status"] = copy.deepcopy(status)
            return self._commit(resource, current, obj)

    def apply(self, resource: ServedResource, namespace: str, name: str, *, patched: Obj) -> Obj:
        """Store the result of a PATCH computed from the current object."""
        with self._lock:
            current = self._current(resource, namespace, name)
            meta = patched.setdefault("metadata", {})
            self.check_version(resource, current, meta.get("resourceVersion"))
            if resource.status_subresource:
                patched["status"] = copy.deepcopy(current.get("status", {}))
                if not patched["status"]:
                    patched.pop("status")
            return self._commit(resource, current, patched)

    def delete(self, resource: ServedResource, namespace: str, name: str) -> Obj:
        """Remove an object and return it."""
        with self._lock:
            current = self._current(resource, namespace, name)
            del self._objects[self._key(resource, namespace, name)]
            self._next_revision()
            return copy.deepcopy(current)

    def check_version(self, resource: ServedResource, current: Obj, wanted: object) -> None:
        """409 Conflict when ``wanted`` is a resourceVersion other than ``current``'s."""
        have = current["metadata"]["resourceVersion"]
        if wanted not in (None, "") and str(wanted) != have:
            name = current["metadata"]["name"]
            raise ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {resource.qualified} "{name}": the object '
                "has been modified; please apply your changes to the latest version and try again",
                name=name,
            )

    def _commit(self, resource: ServedResource, current: Obj, obj: Obj) -> Obj:
        meta, old = obj.setdefault("metadata", {}), current["metadata"]
        for fixed in ("name", "namespace", "uid", "creationTimestamp"):
            if fixed in old:
                meta[fixed] = old[fixed]
            else:
                meta.pop(fixed, None)
        changed = _spec_of(obj) != _spec_of(current)
        meta["generation"] = old.get("generation", 1) + (1 if changed else 0)
        meta["resourceVersion"] = self._next_revision()
        self._objects[self._key(resource, old.get("namespace", ""), old["name"])] = obj
        return copy.deepcopy(obj)


def _check_namespace(resource: ServedResource, namespace: str, meta: Obj) -> None:
    given = meta.get("namespace")
    if resource.namespaced and given not in (None, "", namespace):
        raise ApiError(
            400,
            "BadRequest",
            f"the namespace of the provided object ({given}) does not match the namespace "
            f"sent on the request ({namespace})",
        )


def _check_name(resource: ServedResource, name: str) -> None:
    if not name:
        raise ApiError(422, "Invalid", f"{resource.kind} is invalid: metadata.name: Required value")
    if len(name) > 253 or not _NAME.fullmatch(name):
        raise ApiError(
            422,
            "Invalid",
            f'{resource.kind}.{resource.group} "{name}" is invalid: metadata.name: Invalid value: '
            f'"{name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric '
            "characters, '-' or '.', and must start and end with an alphanumeric character",
            name=name,
        )


def _selected(obj: Obj, label_selector: str, field_selector: str) -> bool:
    meta = obj.get("metadata", {})
    if label_selector and not selectors.label_selector_matches(
        label_selector, meta.get("labels") or {}
    ):
        return False
    for requirement in filter(None, field_selector.split(",")):
        key, _, value = requirement.partition("=")
        field = key.rstrip("=!").removeprefix("metadata.")
        negate = key.endswith("!")
        if (str(meta.get(field, "")) == value.lstrip("=")) == negate:
            return False
    return True
