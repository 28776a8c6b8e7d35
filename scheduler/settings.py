"""The settings root: the only place that reads the environment.

One pydantic-settings ``Settings`` with small documented groups (``git``, ``prometheus``,
``kube``, ``daemon``, ``energy``, ``logging``). Environment variables use the prefix
``OFFHOURS_`` and ``__`` between group and field, e.g. ``OFFHOURS_GIT__BRANCH=main`` or
``OFFHOURS_PROMETHEUS__URL=http://prometheus:9090``. Built once by the CLI or the daemon and
passed down; nothing reads it at import time. Secrets are ``SecretStr`` and never logged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "DaemonSettings",
    "EnergySettings",
    "GitSettings",
    "KubeSettings",
    "LoggingSettings",
    "PrometheusSettings",
    "Settings",
]


class GitSettings(BaseModel):
    """Where the GitOps repository is and how offhours commits to it."""

    repo: str = Field(
        ".", description="Local checkout directory, or a URL to clone into cache_dir."
    )
    branch: str = Field(
        "", description="Branch to commit to; empty means the checkout's current branch."
    )
    remote: str = Field("origin", description="Remote to push to (local checkouts).")
    cache_dir: Path = Field(
        Path("~/.cache/offhours/repos").expanduser(),
        description="Where URL remotes are cloned.",
    )
    ssh_key_file: Path | None = Field(None, description="Private key for SSH remotes.")
    https_token: SecretStr | None = Field(None, description="Token for HTTPS remotes.")
    https_username: str = Field(
        "x-access-token", description="User name sent with the HTTPS token."
    )
    author_name: str = Field("offhours", description="Commit author and committer name.")
    author_email: str = Field("offhours@noreply.offhours.dev", description="Commit author email.")
    signing_key: str | None = Field(None, description="GPG key id, or SSH private key path.")
    signing_format: Literal["gpg", "ssh"] | None = Field(None, description="Commit signing format.")
    push_retries: int = Field(
        5, ge=0, description="Re-plan and retry this many times on a rejected push."
    )


class PrometheusSettings(BaseModel):
    """Any PromQL endpoint: Prometheus, Thanos, Mimir, VictoriaMetrics."""

    url: str | None = Field(None, description="Base URL, e.g. http://prometheus:9090.")
    bearer_token: SecretStr | None = Field(None, description="Sent as Authorization: Bearer.")
    username: str | None = Field(None, description="Basic auth user.")
    password: SecretStr | None = Field(None, description="Basic auth password.")
    headers: dict[str, str] = Field(
        default_factory=dict, description="Extra headers, e.g. X-Scope-OrgID."
    )
    ca_file: Path | None = Field(None, description="CA bundle for TLS.")
    client_cert_file: Path | None = Field(
        None, description="Client certificate (PEM) for mutual TLS; key in client_key_file."
    )
    client_key_file: Path | None = Field(
        None, description="Private key (PEM) of client_cert_file; omit if the cert file has it."
    )
    timeout_seconds: float = Field(30.0, gt=0, description="Per-request timeout.")
    retries: int = Field(3, ge=0, description="Retries on 5xx and timeouts, with backoff.")
    retry_backoff_seconds: float = Field(
        0.5, ge=0, description="First retry delay in seconds; doubles per retry (capped at 10 s)."
    )
    max_points_per_series: int = Field(
        11_000,
        ge=1,
        le=11_000,
        description=(
            "Range queries are split so that no series has more steps than this "
            "(Prometheus rejects (end-start)/step > 11,000)."
        ),
    )
    range_chunk_steps: int = Field(
        720,
        ge=1,
        le=11_000,
        description=(
            "Grid steps per range query when reading energy (memory bound: "
            "series x steps points are held per query)."
        ),
    )


class KubeSettings(BaseModel):
    """How to reach the cluster (read-only, plus the reconcile annotation and Leases)."""

    context: str | None = Field(
        None, description="kubeconfig context; default: in-cluster, else current."
    )
    kubeconfig: Path | None = Field(
        None, description="kubeconfig file; default: KUBECONFIG or ~/.kube/config."
    )
    flux_namespace: str = Field("flux-system", description="Namespace of the Flux controllers.")
    git_repository: str | None = Field(
        None, description="namespace/name of the GitRepository we push to."
    )
    request_reconcile: bool = Field(True, description="Annotate the GitRepository after a push.")


class DaemonSettings(BaseModel):
    """The long-running loop (`offhours run`)."""

    poll_interval_seconds: float = Field(
        60.0, gt=0, description="Re-pull the repo at least this often."
    )
    listen_address: str = Field(
        "0.0.0.0:8080", description="Address of /metrics, /healthz, /readyz."
    )
    leader_election: bool = Field(
        False, description="Use a coordination.k8s.io Lease; only the leader writes."
    )
    lease_name: str = Field("offhours-leader", description="Name of the Lease.")
    lease_namespace: str = Field("offhours", description="Namespace of the Lease.")
    lease_duration_seconds: float = Field(15.0, gt=0, description="Lease duration.")


class EnergySettings(BaseModel):
    """Conversions for reports."""

    grid_gco2e_per_kwh: float = Field(
        480.0,
        ge=0,
        description=(
            "Grid carbon intensity. Default: world average 2023 "
            "(Ember, Global Electricity Review 2024)."
        ),
    )
    price_per_kwh: float = Field(0.30, ge=0, description="Electricity price per kWh.")
    currency: str = Field("EUR", description="Currency of price_per_kwh.")
    pue: float = Field(
        1.0, ge=1.0, description="Power usage effectiveness applied to savings (1.0 = none)."
    )


class LoggingSettings(BaseModel):
    """Log output."""

    format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: console on a TTY, else JSON."
    )
    level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Minimum level."
    )


class Settings(BaseSettings):
    """Everything offhours can be configured with, from the environment (``OFFHOURS_*``)."""

    model_config = SettingsConfigDict(
        env_prefix="OFFHOURS_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    policies: Path = Field(
        Path("policies"), description="Folder of policy files, relative to the repo."
    )
    git: GitSettings = Field(default_factory=GitSettings)
    prometheus: PrometheusSettings = Field(default_factory=PrometheusSettings)
    kube: KubeSettings = Field(default_factory=KubeSettings)
    daemon: DaemonSettings = Field(default_factory=DaemonSettings)
    energy: EnergySettings = Field(default_factory=EnergySettings)
    logging: LoggingSettings = Field(default_factory=LoggingSettings)

    def redacted(self) -> dict[str, Any]:
        """The effective settings with every secret replaced by ``**********``."""
        return self.model_dump(mode="json")
