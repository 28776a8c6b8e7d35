"""Translate the ``kubernetes`` client's and urllib3's exceptions into ``scheduler.errors``.

Owns the one mapping from a failed API call to our tree, so no ``ApiException``, urllib3
error or client-side validation error crosses the adapter. The message keeps what the
operator needs: the action (``GET deployments.apps dev/web``), the HTTP code, and the
Kubernetes ``Status`` reason and message; a body that is not JSON is cut to 256 characters.

    KubeError                     (scheduler.errors)
    ├── KubeNotFound              404 (scheduler.errors)
    │   └── KindNotServed         the API server serves no version of the kind we need
    ├── KubeConflict              409 (scheduler.errors)
    ├── KubeGone                  410: an expired continue token / resourceVersion; re-list
    ├── KubeForbidden             401 / 403: credentials or RBAC
    ├── KubeInvalid               400 / 415 / 422: the server rejected the request
    └── KubeUnavailable           5xx, 429, timeouts, connection errors (retried for reads)
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pydantic
import urllib3.exceptions
from kubernetes.client import exceptions as client_exceptions

from scheduler.errors import KubeConflict, KubeError, KubeNotFound

__all__ = [
    "ApiStatus",
    "KindNotServed",
    "KubeForbidden",
    "KubeGone",
    "KubeInvalid",
    "KubeUnavailable",
    "from_api_exception",
    "is_retryable",
    "translated",
]

_BODY_LIMIT = 256


@dataclass(frozen=True, slots=True)
class ApiStatus:
    """What the API server said: HTTP code, Status reason and message, Retry-After seconds."""

    code: int
    reason: str = ""
    message: str = ""
    retry_after: float | None = None

    def __str__(self) -> str:
        parts = [str(self.code)]
        if self.reason:
            parts.append(self.reason)
        text = " ".join(parts)
        return f"{text}: {self.message}" if self.message else text


class _WithStatus(KubeError):
    """A ``KubeError`` that carries the server's ``ApiStatus`` (``None`` for transport errors)."""

    def __init__(self, message: str, *, status: ApiStatus | None = None) -> None:
        super().__init__(message)
        self.status = status


class KindNotServed(KubeNotFound):
    """The API server serves none of the versions offhours can read for this kind."""


class KubeGone(_WithStatus):
    """410 Gone / Expired: a continue token or resourceVersion is too old; list again."""


class KubeForbidden(_WithStatus):
    """401/403: the credentials are rejected or RBAC denies the verb (see the README's RBAC)."""


class KubeInvalid(_WithStatus):
    """400/415/422: the server rejected the request itself."""


class KubeUnavailable(_WithStatus):
    """The API server is unreachable, timed out, throttled (429) or failed (5xx)."""


def _status_of(exc: client_exceptions.ApiException) -> ApiStatus:
    code = int(exc.status or 0)
    body = exc.body if isinstance(exc.body, str) else ""
    reason, message = str(exc.reason or ""), ""
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        payload = None
    if isinstance(payload, dict) and payload.get("kind") == "Status":
        reason = str(payload.get("reason") or reason)
        message = str(payload.get("message") or "")
    elif body:
        message = body if len(body) <= _BODY_LIMIT else body[:_BODY_LIMIT] + "…"
    return ApiStatus(code, reason, message, _retry_after(exc))


def _retry_after(exc: client_exceptions.ApiException) -> float | None:
    headers = exc.headers or {}
    value = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def from_api_exception(exc: client_exceptions.ApiException, *, action: str) -> KubeError:
    """The ``KubeError`` subclass for an HTTP error answer."""
    status = _status_of(exc)
    message = f"{action}: {status}"
    code = status.code
    if code == 404:
        return KubeNotFound(message)
    if code == 409:
        return KubeConflict(message)
    if code == 410:
        return KubeGone(message, status=status)
    if code in (401, 403):
        return KubeForbidden(message, status=status)
    if code in (400, 415, 422):
        return KubeInvalid(message, status=status)
    if code == 0:
        return KubeUnavailable(f"{action}: {exc.reason}", status=None)
    return KubeUnavailable(message, status=status)


@contextlib.contextmanager
def translated(action: str) -> Iterator[None]:
    """Run a client call; re-raise any client, urllib3 or validation error as ``KubeError``."""
    try:
        yield
    except client_exceptions.ApiException as exc:
        raise from_api_exception(exc, action=action) from exc
    except urllib3.exceptions.HTTPError as exc:
        raise KubeUnavailable(f"{action}: {type(exc).__name__}: {exc}") from exc
    except (client_exceptions.OpenApiException, pydantic.ValidationError) as exc:
        text = str(exc)
        text = text if len(text) <= _BODY_LIMIT else text[:_BODY_LIMIT] + "…"
        raise KubeInvalid(f"{action}: the client rejected the request or reply: {text}") from exc
    except OSError as exc:
        raise KubeUnavailable(f"{action}: {type(exc).__name__}: {exc}") from exc
    except ValueError as exc:
        raise KubeInvalid(f"{action}: unreadable reply: {exc}") from exc


def is_retryable(error: KubeError) -> bool:
    """5xx, 429 and transport failures are worth retrying for idempotent requests."""
    return isinstance(error, KubeUnavailable)
