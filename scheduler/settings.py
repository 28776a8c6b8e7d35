"""The settings root: the only place that reads the environment.

One pydantic-settings ``Settings`` with small documented groups (``git``, ``prometheus``,
``kube``, ``daemon``, ``energy``, ``logging``). Environment variables use the prefix
``OFFHOURS_`` and ``__`` between group and field, e.g. ``OFFHOURS_GIT__BRANCH=main`` or
``OFFHOURS_PROMETHEUS__URL=http://prometheus:9090``. Built once by the CLI or the daemon and
passed down; nothing reads it at import time. Secrets are ``SecretStr`` and never logged.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

__all__ = [
    "DaemonSettings",
    "EnergySettings",
    "GitSettings",
    "KubeSettings",
    "LoggingSettings",
    "PrometheusSettings",
    "Settings",
]


class _Group(BaseModel):
    """A settings group: unknown keys are refused, so a typo in a variable or in the settings
    file is an error instead of being ignored."""

    model_config = ConfigDict(extra="forbid")


class GitSettings(_Group):
    """Where the GitOps repository is and how offhours commits to it.

    Credentials (``ssh_key_file``, ``https_token``) reach git only through the environment of
    the git process (``GIT_SSH_COMMAND``, ``GIT_CONFIG_*``): never through ``.git/config``,
    the remote URL on disk, the command line, logs or error messages.
    """

    repo: str = Field(
        ".", description="Local checkout directory, or a URL to clone into cache_dir."
    )
    branch: str = Field(
        "", description="Branch to commit to; empty means the checkout's current branch."
    )
    remote: str = Field("origin", description="Remote to push to (local checkouts).")
    cache_dir: Path = Field(
        Path("~/.cache/offhours/repos").expanduser(),
        description="Where URL remotes are cloned (one folder per URL and branch).",
    )
    ssh_key_file: Path | None = Field(None, description="Private key for SSH remotes.")
    ssh_known_hosts_file: Path | None = Field(
        None, description="known_hosts file for SSH remotes; default: ssh's own (~/.ssh)."
    )
    ssh_strict_host_key_checking: Literal["yes", "accept-new"] = Field(
        "accept-new",
        description="yes: the host key must be known; accept-new: trust on first use.",
    )
    ssh_command: str = Field("ssh", description="The ssh program git runs for SSH remotes.")
    https_token: SecretStr | None = Field(None, description="Token for HTTPS remotes.")
    https_username: str = Field(
        "x-access-token", description="User name sent with the HTTPS token."
    )
    author_name: str = Field("offhours", description="Commit author and committer name.")
    author_email: str = Field("offhours@noreply.offhours.dev", description="Commit author email.")
    signing_key: str | None = Field(
        None, description="GPG key id, or SSH key path (private, or public with ssh-agent)."
    )
    signing_format: Literal["gpg", "ssh"] | None = Field(None, description="Commit signing format.")
    push_retries: int = Field(
        5, ge=0, description="Re-plan and retry this many times on a rejected push."
    )
    retry_backoff_seconds: float = Field(
        0.5, ge=0, description="First delay before a retry; doubles per retry, with jitter."
    )
    retry_backoff_max_seconds: float = Field(
        15.0, ge=0, description="Upper bound of the delay between retries, in seconds."
    )
    network_timeout_seconds: float = Field(
        120.0, gt=0, description="Kill a clone, fetch or push that takes longer (seconds)."
    )
    lock_timeout_seconds: float = Field(
        600.0, ge=0, description="Wait this long for another offhours using the same checkout."
    )


class PrometheusSettings(_Group):
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


class KubeSettings(_Group):
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
    in_cluster: bool | None = Field(
        None,
        description=(
            "Use the Pod's service account. Default (None): in-cluster when running in a Pod "
            "and neither kubeconfig nor context is set, else the kubeconfig."
        ),
    )
    connect_timeout_seconds: float = Field(
        5.0, gt=0, description="TCP connect timeout of every API request, in seconds."
    )
    timeout_seconds: float = Field(
        15.0, gt=0, description="Read timeout of every API request, in seconds."
    )
    retries: int = Field(
        3, ge=0, description="Retries of reads on 5xx, 429 and transport errors (backoff)."
    )
    retry_backoff_seconds: float = Field(
        0.5, ge=0, description="First retry delay; doubles per retry, capped at 8 s."
    )
    page_size: int = Field(500, ge=1, description="Objects per page when listing (limit/continue).")
    namespaces: list[str] = Field(
        default_factory=list,
        description=(
            "Namespaces to list Flux objects and workloads in; empty = cluster-wide "
            "(needs a ClusterRole, a Role per namespace otherwise)."
        ),
    )


class DaemonSettings(_Group):
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
    identity: str = Field(
        default_factory=socket.gethostname,
        description="This replica's name in the Lease (default: the host name, i.e. the Pod name).",
    )
    flux_settle_seconds: float = Field(
        300.0,
        ge=0,
        description=(
            "Without cluster access: how long after a scale-down commit a Flux suspend of the "
            "same policy waits (with access, offhours waits until Flux reports it applied)."
        ),
    )
    flux_follow_timeout_seconds: float = Field(
        900.0,
        gt=0,
        description="How long to follow a push until Flux reports it applied, and then until "
        "the workloads it changed are confirmed live (each wait, seconds).",
    )


class EnergySettings(_Group):
    """How savings are estimated (baselines, no-Kepler fallback) and converted for reports."""

    grid_gco2e_per_kwh: float = Field(
        480.0,
        ge=0,
        description=(
            "Grid carbon intensity in gCO2e/kWh. Default: world average 2023, life-cycle "
            "emissions (Ember, Global Electricity Review 2024). Set your own grid's."
        ),
    )
    grid_source: str = Field(
        "world average 2023, life-cycle gCO2e/kWh (Ember, Global Electricity Review 2024)",
        description="Where grid_gco2e_per_kwh comes from; printed with every CO2e figure.",
    )
    price_per_kwh: float = Field(
        0.30, ge=0, description="Electricity price per kWh (illustrative default; set yours)."
    )
    currency: str = Field("EUR", description="Currency of price_per_kwh.")
    pue: float = Field(
        1.0, ge=1.0, description="Power usage effectiveness applied to savings (1.0 = none)."
    )
    baseline_method: Literal["auto", "hour-of-week", "trailing"] = Field(
        "auto",
        description=(
            "auto: hour-of-week once the on-time history spans baseline_min_history_days, "
            "else trailing."
        ),
    )
    baseline_min_history_days: float = Field(
        14.0, ge=0, description="History span (days) auto needs for hour-of-week."
    )
    baseline_trailing_lookback_days: float = Field(
        14.0, gt=0, description="On-time before each off window a trailing baseline uses (days)."
    )
    baseline_settle_minutes: float = Field(
        15.0,
        ge=0,
        description="On-time ignored after each wake and before each sleep (minutes).",
    )
    baseline_min_bin_minutes: float = Field(
        60.0,
        ge=0,
        description="History an hour-of-week bin or day-type hour needs to be used (minutes).",
    )
    baseline_min_trailing_minutes: float = Field(
        60.0, ge=0, description="On-time a trailing lookback needs to give a baseline (minutes)."
    )
    ccf_coefficients: str = Field(
        "aws",
        description=(
            "No-Kepler estimate: Cloud Carbon Footprint watts per vCPU, by provider "
            "(aws, gcp, azure) or CPU architecture (e.g. cascade-lake, graviton2)."
        ),
    )
    ccf_cpu_utilisation: float = Field(
        0.5, ge=0, le=1, description="No-Kepler estimate: assumed CPU utilisation (CCF: 50 %)."
    )


class LoggingSettings(_Group):
    """Log output."""

    format: Literal["auto", "json", "console"] = Field(
        "auto", description="auto: console on a TTY, else JSON."
    )
    level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Minimum level."
    )


#: The environment variable naming an optional YAML settings file.
CONFIG_ENV = "OFFHOURS_CONFIG"


class Settings(BaseSettings):
    """Everything offhours can be configured with: the environment (``OFFHOURS_*``) and,
    below it, an optional YAML file named by ``OFFHOURS_CONFIG`` (the same structure, e.g.
    ``git: {branch: main}``; unknown keys are refused). Environment variables win."""

    model_config = SettingsConfigDict(
        env_prefix="OFFHOURS_", env_nested_delimiter="__", extra="ignore", validate_default=True
    )

    @classmethod
    def settings_customise_sources(  # noqa: PLR0917 - the signature is pydantic-settings'
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Arguments, then the environment, then the YAML file of ``OFFHOURS_CONFIG``."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get(CONFIG_ENV)
        if config:
            path = Path(config).expanduser()
            if not path.is_file():
                raise FileNotFoundError(f"{CONFIG_ENV}={config}: no such settings file")
            sources.append(YamlConfigSettingsSource(settings_cls, yaml_file=path))
        return tuple(sources)

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
        """The effective settings with every secret replaced by ``**********`` (SecretStr
        fields, extra Prometheus header values other than well-known tenant headers, and any
        user or password in the repository and Prometheus URLs)."""
        shown = self.model_dump(mode="json")
        shown["git"]["repo"] = _without_userinfo(self.git.repo)
        if self.prometheus.url:
            shown["prometheus"]["url"] = _without_userinfo(self.prometheus.url)
        headers = shown["prometheus"]["headers"]
        for key in headers:
            if key.lower() not in _PUBLIC_HEADERS:
                headers[key] = "**********"
        return shown


#: Extra Prometheus headers whose values are not secrets (shown in logs).
_PUBLIC_HEADERS = frozenset({"x-scope-orgid", "thanos-tenant", "x-prometheus-remote-read-version"})


def _without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` replaced by ``***@`` (paths are left alone)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    if "@" not in authority:
        return url
    return f"{scheme}://***@{authority.rpartition('@')[2]}{slash}{path}"
