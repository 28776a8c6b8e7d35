"""Build a ``kubernetes`` client from ``KubeSettings``: in-cluster or kubeconfig + context.

Owns choosing the credentials (the Pod's service account when running in a Pod and nothing
else is configured; otherwise the kubeconfig from settings, ``KUBECONFIG`` or
``~/.kube/config``, with the named or current context) and building one private
``Configuration``/``ApiClient`` per adapter instance: nothing is written to the client's
global default configuration, so two adapters (two clusters, or a test and the code under
test) never share state. urllib3's own retries are limited to connection setup; request
retries are ours (``api.KubeApi``). A bad kubeconfig is a ``ConfigError`` naming the file.
"""

from __future__ import annotations

import urllib3
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.config import incluster_config

from scheduler.errors import ConfigError
from scheduler.settings import KubeSettings

__all__ = ["api_client", "configuration"]

_USER_AGENT = "offhours"


def _in_cluster(configuration: k8s_client.Configuration) -> bool:
    """Load the service-account credentials; False when not running in a Pod."""
    loader = incluster_config.InClusterConfigLoader(  # type: ignore[no-untyped-call]
        token_filename=incluster_config.SERVICE_TOKEN_FILENAME,
        cert_filename=incluster_config.SERVICE_CERT_FILENAME,
    )
    try:
        loader.load_and_set(client_configuration=configuration)  # type: ignore[no-untyped-call]
    except k8s_config.ConfigException:
        return False
    return True


def _from_kubeconfig(configuration: k8s_client.Configuration, settings: KubeSettings) -> None:
    path = str(settings.kubeconfig.expanduser()) if settings.kubeconfig else None
    try:
        k8s_config.load_kube_config(  # type: ignore[no-untyped-call]
            config_file=path,
            context=settings.context,
            client_configuration=configuration,
            persist_config=False,
        )
    except (k8s_config.ConfigException, OSError, ValueError, TypeError) as exc:
        where = path or "the default kubeconfig (KUBECONFIG or ~/.kube/config)"
        context = f" (context {settings.context!r})" if settings.context else ""
        raise ConfigError(f"cannot use {where}{context}: {exc}") from exc


def configuration(settings: KubeSettings) -> k8s_client.Configuration:
    """A private client configuration for the cluster ``settings`` name."""
    configuration = k8s_client.Configuration()
    explicit = settings.kubeconfig is not None or settings.context is not None
    if settings.in_cluster is True:
        if not _in_cluster(configuration):
            raise ConfigError(
                "kube.in_cluster is true but this is not a Pod with a service account "
                "(KUBERNETES_SERVICE_HOST/PORT and the token file are missing)"
            )
    elif settings.in_cluster is False or explicit or not _in_cluster(configuration):
        _from_kubeconfig(configuration, settings)
    # urllib3 may only retry connection set-up; answers (429 with Retry-After included) are
    # left to KubeApi, which knows which requests are idempotent.
    configuration.retries = urllib3.Retry(
        total=2, connect=2, read=0, redirect=0, status=0, respect_retry_after_header=False
    )
    return configuration


def api_client(settings: KubeSettings) -> k8s_client.ApiClient:
    """A new ``ApiClient`` of its own; close it (``KubeApi.close``) when done."""
    client = k8s_client.ApiClient(configuration(settings))
    client.user_agent = _USER_AGENT
    return client
