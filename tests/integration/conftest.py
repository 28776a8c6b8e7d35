"""Integration fixtures: real Prometheus servers on 127.0.0.1, data backfilled with promtool.

``prometheus_factory(name, build)`` backfills the series returned by ``build()`` into a fresh
TSDB (before the server starts) and starts ``prometheus`` on a free loopback port; servers are
cached by ``name`` for the session and stopped at its end. Without ``prometheus``/``promtool``
the tests are skipped, unless ``OFFHOURS_REQUIRE_PROMETHEUS=1`` (CI), which fails them loudly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.series import MetricSeries
from scheduler.settings import PrometheusSettings
from scheduler.testing import promserver

DATA = Path(__file__).resolve().parent.parent / "data" / "kepler"

PromFactory = Callable[[str, Callable[[], Iterable[MetricSeries]]], promserver.PromServer]


@pytest.fixture(scope="session")
def prom_binaries() -> promserver.PromBinaries:
    """The prometheus and promtool executables (skip, or fail when CI requires them)."""
    found = promserver.find_binaries()
    if found is None:
        message = (
            "prometheus/promtool not installed (Debian package 'prometheus'; `make prometheus`)"
        )
        if os.environ.get("OFFHOURS_REQUIRE_PROMETHEUS") == "1":
            pytest.fail(f"OFFHOURS_REQUIRE_PROMETHEUS=1 but {message}")
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def prometheus_factory(
    prom_binaries: promserver.PromBinaries, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PromFactory]:
    """Start (once per name) a Prometheus serving the series a builder returns."""
    servers: dict[str, promserver.PromServer] = {}

    def start(name: str, build: Callable[[], Iterable[MetricSeries]]) -> promserver.PromServer:
        if name not in servers:
            root = tmp_path_factory.mktemp(f"prom-{name}")
            promserver.backfill(build(), root / "tsdb", binaries=prom_binaries, work_dir=root)
            servers[name] = promserver.PromServer(
                root / "tsdb", binaries=prom_binaries, work_dir=root
            ).start()
        return servers[name]

    yield start
    for server in servers.values():
        server.stop()


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
