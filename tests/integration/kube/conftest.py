"""Fixtures for the Kubernetes adapter tests: the API stand-in on 127.0.0.1, a kubeconfig
pointing at it, and the adapter built from settings exactly as users build it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import structlog

from scheduler.adapters import kube
from scheduler.settings import KubeSettings
from scheduler.testing.kubeapi import KubeApiServer
from scheduler.testing.kubeapi.clock import ManualClock

T0 = datetime(2026, 8, 3, 22, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _structlog_defaults() -> None:
    """Logging as structlog ships it: a CLI test earlier in the run configures the ``warning``
    level, which would hide the info events these tests capture."""
    structlog.reset_defaults()


@pytest.fixture
def standin() -> Iterator[KubeApiServer]:
    """A running API stand-in, stopped after the test."""
    with KubeApiServer() as server:
        yield server


@pytest.fixture
def kubeconfig(standin: KubeApiServer, tmp_path: Path) -> Path:
    """A kubeconfig with context ``offhours-test`` pointing at the stand-in."""
    return standin.write_kubeconfig(tmp_path / "kubeconfig")


@pytest.fixture
def kube_settings(kubeconfig: Path) -> KubeSettings:
    """Settings as a user would write them: kubeconfig path and context, fast retries."""
    return KubeSettings(
        kubeconfig=kubeconfig,
        context="offhours-test",
        git_repository="flux-system/flux-system",
        retries=2,
        retry_backoff_seconds=0.25,
        timeout_seconds=5,
        page_size=2,
    )


@pytest.fixture
def sleeps() -> list[float]:
    """Backoff sleeps the adapter asked for (recorded, not slept)."""
    return []


@pytest.fixture
def api(kube_settings: KubeSettings, sleeps: list[float]) -> Iterator[kube.KubeApi]:
    """The adapter's API, built from settings; backoff sleeps are recorded instead of slept."""
    with kube.connect(kube_settings, sleep=sleeps.append) as connected:
        yield connected


@pytest.fixture
def cluster(api: kube.KubeApi) -> kube.KubeCluster:
    """The read-only cluster view over the stand-in."""
    return kube.KubeCluster(api)


@pytest.fixture
def clock() -> ManualClock:
    """A manual clock starting at 2026-08-03T22:00Z."""
    return ManualClock(T0)
