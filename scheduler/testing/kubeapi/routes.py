"""Routing of the stand-in's HTTP paths to discovery documents and store operations.

Owns the URL grammar (``/api``, ``/apis``, ``/apis/<g>``, ``/apis/<g>/<v>``,
``/apis/<g>/<v>[/namespaces/<ns>]/<plural>[/<name>[/status]]``), the method rules per path,
patch content types (merge, strategic merge treated as merge, JSON patch; apply → 415), and
the ``apiVersion`` each answer carries. Errors are ``ApiError``; no sockets here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scheduler.testing.kubeapi import patches
from scheduler.testing.kubeapi.resources import (
    ServedResource,
    api_versions,
    group_document,
    group_list,
    resource_list,
)
from scheduler.testing.kubeapi.store import ApiError, Obj, Store

__all__ = ["Router"]


@dataclass(frozen=True, slots=True)
class _Target:
    resource: ServedResource
    version: str
    namespace: str | None
    name: str
    subresource: str


class Router:
    """Maps (method, path) to a store operation; returns (status, JSON payload)."""

    def __init__(self, resources: tuple[ServedResource, ...], store: Store) -> None:
        self.resources = resources
        self.store = store

    def find(self, group: str, version: str, plural: str) -> ServedResource | None:
        """The resource served at ``/apis/<group>/<version>/<plural>``."""
        for resource in self.resources:
            if (resource.group, resource.plural) == (
                group,
                plural,
            ) and version in resource.versions:
                return resource
        return None

    def route(
        self, method: str, path: str, *, query: dict[str, list[str]], body: Any, content_type: str
    ) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        discovery = self._discovery(parts)
        if discovery is not None:
            return 200, discovery
        target = self._target(parts)
        if query.get("watch", ["false"])[0] in ("true", "1"):
            raise ApiError(400, "BadRequest", "watch is not supported by the API stand-in")
        if not target.name:
            return self._collection(method, target, query=query, body=body)
        return self._object(method, target, body=body, content_type=content_type)

    def _discovery(self, parts: list[str]) -> Any:
        resources = self.resources
        if parts == ["api"]:
            return api_versions()
        if parts == ["api", "v1"]:
            return {"kind": "APIResourceList", "groupVersion": "v1", "resources": []}
        if parts == ["version"]:
            return {"major": "1", "minor": "33", "gitVersion": "v1.33.0-offhours-standin"}
        if parts == ["apis"]:
            return group_list(resources)
        if len(parts) == 2 and parts[0] == "apis":
            return group_document(resources, parts[1]) or _missing()
        if len(parts) == 3 and parts[0] == "apis":
            return resource_list(resources, parts[1], parts[2]) or _missing()
        return None

    def _target(self, parts: list[str]) -> _Target:
        if len(parts) < 4 or parts[0] != "apis":
            raise _missing_error()
        group, version, rest = parts[1], parts[2], parts[3:]
        namespace: str | None = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        resource = self.find(group, version, rest[0])
        if resource is None or len(rest) > 3 or (len(rest) == 3 and rest[2] != "status"):
            raise _missing_error()
        name = rest[1] if len(rest) > 1 else ""
        return _Target(resource, version, namespace, name, rest[2] if len(rest) == 3 else "")

    def _collection(
        self, method: str, target: _Target, *, query: dict[str, list[str]], body: Any
    ) -> tuple[int, Any]:
        if method == "GET":
            return 200, self._list(target, query)
        if method == "POST" and target.namespace is not None:
            created = self.store.create(target.resource, target.namespace, _object(body))
            return 201, _with_version(created, target)
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on a collection")

    def _list(self, target: _Target, query: dict[str, list[str]]) -> Obj:
        def first(key: str) -> str:
            return query.get(key, [""])[0]

        page = self.store.list(
            target.resource,
            target.namespace,
            label_selector=first("labelSelector"),
            field_selector=first("fieldSelector"),
            limit=int(first("limit") or 0),
            continue_token=first("continue"),
        )
        metadata: Obj = {"resourceVersion": page.resource_version}
        if page.continue_token:
            metadata |= {"continue": page.continue_token, "remainingItemCount": page.remaining}
        return {
            "kind": f"{target.resource.kind}List",
            "apiVersion": f"{target.resource.group}/{target.version}",
            "metadata": metadata,
            "items": [_with_version(item, target) for item in page.items],
        }

    def _object(
        self, method: str, target: _Target, *, body: Any, content_type: str
    ) -> tuple[int, Any]:
        store, resource = self.store, target.resource
        namespace = target.namespace or ""
        if method == "GET":
            return 200, _with_version(store.get(resource, namespace, target.name), target)
        if method == "DELETE":
            store.delete(resource, namespace, target.name)
            return 200, {
                "kind": "Status",
                "apiVersion": "v1",
                "status": "Success",
                "details": {"name": target.name, "group": resource.group, "kind": resource.plural},
            }
        if target.subresource == "status":
            return 200, _with_version(
                self._write_status(method, target, body=body, content_type=content_type), target
            )
        if method == "PUT":
            return 200, _with_version(
                store.replace(resource, namespace, target.name, body=_object(body)), target
            )
        if method == "PATCH":
            current = store.get(resource, namespace, target.name)
            patched = _patched(current, body, content_type)
            return 200, _with_version(
                store.apply(resource, namespace, target.name, patched=patched), target
            )
        raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on an object")

    def _write_status(self, method: str, target: _Target, *, body: Any, content_type: str) -> Obj:
        store, namespace = self.store, target.namespace or ""
        current = store.get(target.resource, namespace, target.name)
        if method == "PUT":
            new = _object(body)
        elif method == "PATCH":
            new = _patched(current, body, content_type)
        else:
            raise ApiError(405, "MethodNotAllowed", f"{method} is not supported on status")
        store.check_version(
            target.resource, current, new.get("metadata", {}).get("resourceVersion")
        )
        return store.update_status(
            target.resource, namespace, target.name, status=new.get("status", {})
        )


def _patched(current: Obj, body: Any, content_type: str) -> Obj:
    try:
        if content_type == "application/json-patch+json":
            result = patches.json_patch(current, body)
        elif content_type in (
            "application/merge-patch+json",
            "application/strategic-merge-patch+json",
        ):
            result = patches.merge_patch(current, body)
        else:
            raise ApiError(
                415,
                "UnsupportedMediaType",
                f"the body of the request was in an unknown format - accepted media types "
                f"include: application/json-patch+json, application/merge-patch+json, "
                f"application/strategic-merge-patch+json (got {content_type!r})",
            )
    except patches.PatchError as exc:
        raise ApiError(422, "Invalid", f"the patch could not be applied: {exc}") from exc
    if not isinstance(result, dict):
        raise ApiError(422, "Invalid", "the patch did not produce an object")
    return result


def _object(body: Any) -> Obj:
    if not isinstance(body, dict):
        raise ApiError(400, "BadRequest", "the request body must be a JSON object")
    return body


def _with_version(obj: Obj, target: _Target) -> Obj:
    resource = target.resource
    obj["apiVersion"] = f"{resource.group}/{target.version}" if resource.group else target.version
    obj["kind"] = resource.kind
    return obj


def _missing_error() -> ApiError:
    return ApiError(404, "NotFound", "the server could not find the requested resource")


def _missing() -> Any:
    raise _missing_error()
