"""The test Prometheus itself: backfill guards, promtool errors, lifecycle."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest

from scheduler.adapters.prometheus.client import PrometheusClient
from scheduler.core.series import MetricSeries
from scheduler.testing import promserver


def _one(t: float) -> MetricSeries:
    return MetricSeries("up", (("job", "x"),), array("d", [t]), array("d", [1.0]))


def test_backfill_refuses_the_live_head_block_window(
    prom_binaries: promserver.PromBinaries, tmp_path: Path
) -> None:
    """Samples from the last 3 hours could overlap a live head block: refused, nothing written."""
    now = 1_800_000_000.0
    with pytest.raises(ValueError, match="must end 3 h before now"):
        promserver.backfill(
            [_one(now - 3600)],
            tmp_path / "tsdb",
            binaries=prom_binaries,
            work_dir=tmp_path,
            now=now,
        )
    assert not (tmp_path / "tsdb").exists()


def test_promtool_errors_carry_its_message(
    prom_binaries: promserver.PromBinaries, tmp_path: Path
) -> None:
    """A file without '# EOF' fails with promtool's own explanation."""
    source = tmp_path / "bad.om"
    source.write_text('up{job="x"} 1 1700000000\n', encoding="utf-8")
    with pytest.raises(promserver.PrometheusFailed, match="does not end with # EOF"):
        promserver.create_blocks(source, tmp_path / "tsdb", promtool=prom_binaries.promtool)


def test_server_serves_backfilled_history_and_stops(
    prom_binaries: promserver.PromBinaries, tmp_path: Path
) -> None:
    """A 2023 sample is served at once (100-year retention); stopping twice is harmless."""
    promserver.backfill(
        [_one(1_700_000_000.0)], tmp_path / "tsdb", binaries=prom_binaries, work_dir=tmp_path
    )
    server = promserver.PromServer(tmp_path / "tsdb", binaries=prom_binaries, work_dir=tmp_path)
    with server:
        assert server.pid is not None
        with PrometheusClient.from_url(server.url) as client:
            assert client.instant("up", at=1_700_000_000.0).series[0].values[0] == 1.0
    assert server.pid is None
    server.stop()
