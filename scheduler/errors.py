"""The one exception hierarchy of offhours.

Every adapter catches its library's exceptions (``git.GitCommandError``, ``httpx.HTTPError``,
``kubernetes.client.ApiException``) and re-raises one of these ``from`` the original, so no
third-party exception type crosses an adapter boundary. The CLI maps ``SchedulerError`` to a
one-line message on stderr and the exit code of its family.

    SchedulerError
    ├── ConfigError          settings or command-line input that cannot be used      (exit 2)
    ├── PolicyError          a policy document is invalid (carries file:line:col)     (exit 1)
    ├── ManifestError        a manifest cannot be read or edited safely               (exit 1)
    │   └── EditRefused      an edit was refused (SOPS, template, alias, ${VAR}, ...)
    ├── GitSyncError         clone / fetch / commit / push failed                     (exit 2)
    │   └── PushRejected     the remote moved on (non-fast-forward); retry after sync
    ├── MetricsError         Prometheus could not answer                              (exit 2)
    │   ├── MetricsUnavailable  unreachable, timed out, 5xx after retries
    │   ├── QueryError          the server rejected the query (4xx / error envelope)
    │   └── NoKeplerData        the store answers, but holds no Kepler metric in the window
    └── KubeError            the Kubernetes API failed                                (exit 2)
        ├── KubeNotFound     404
        └── KubeConflict     409 (resourceVersion conflict)
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "EditRefused",
    "GitSyncError",
    "KubeConflict",
    "KubeError",
    "KubeNotFound",
    "ManifestError",
    "MetricsError",
    "MetricsUnavailable",
    "NoKeplerData",
    "PolicyError",
    "PushRejected",
    "QueryError",
    "SchedulerError",
]


class SchedulerError(Exception):
    """Root of every error offhours raises on purpose."""

    exit_code = 2


class ConfigError(SchedulerError):
    """Settings, environment or command-line input that cannot be used."""


class PolicyError(SchedulerError):
    """A policy document is invalid; the message starts with ``file:line:col:``."""

    exit_code = 1


class ManifestError(SchedulerError):
    """A manifest cannot be read, or an edit to it could not be made and verified."""

    exit_code = 1


class EditRefused(ManifestError):
    """An edit was refused because making it would be unsafe (the message says why)."""


class GitSyncError(SchedulerError):
    """A Git operation (clone, fetch, commit, push) failed; credentials are redacted."""


class PushRejected(GitSyncError):
    """The remote branch moved on (non-fast-forward); sync, re-plan and retry."""


class MetricsError(SchedulerError):
    """Prometheus (or any PromQL endpoint) could not answer."""


class MetricsUnavailable(MetricsError):
    """The endpoint is unreachable, timed out, or kept answering 5xx after retries."""


class QueryError(MetricsError):
    """The endpoint rejected the query (HTTP 4xx or an error envelope)."""


class NoKeplerData(MetricsError):
    """The PromQL store answers but has no Kepler metric in the window (no RAPL, Kepler not
    installed, or not scraped); reports fall back to a labelled estimate."""


class KubeError(SchedulerError):
    """The Kubernetes API failed."""


class KubeNotFound(KubeError):
    """The object does not exist (HTTP 404)."""


class KubeConflict(KubeError):
    """The object changed under us (HTTP 409); re-read and retry."""
