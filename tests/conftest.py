"""Shared pytest configuration."""

from __future__ import annotations

import pytest


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
