"""Integration fixtures: Prometheus clients for the servers of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.settings import PrometheusSettings


@pytest.fixture
def client_for() -> Iterator[Callable[..., PrometheusClient]]:
    """Build ``PrometheusClient``s for a server URL (closed after the test)."""
    made: list[PrometheusClient] = []

    def build(url: str, **settings: object) -> PrometheusClient:
        client = PrometheusClient(
            PrometheusSettings.model_validate({"url": url, "retries": 0, **settings})
        )
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()
