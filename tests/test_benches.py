"""Every benchmark runs (in its small ``--quick`` form) and prints its figures.

The figures themselves are measured by running the scripts in ``bench/`` (``make bench``), not
asserted here: timings on a shared CI machine are not a test. This only keeps the scripts
working."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
BENCHES = sorted((PROJECT / "bench").glob("bench_*.py"))

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("script", BENCHES, ids=lambda p: p.stem)
def test_bench_runs_quick(script: Path, prom_binaries: object) -> None:
    """``python bench/<script> --quick`` exits 0 and prints at least one figure line."""
    done = subprocess.run(
        [sys.executable, str(script), "--quick"],
        cwd=PROJECT,
        env={**os.environ, "PYTHONPATH": str(PROJECT)},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert any(ch.isdigit() for ch in done.stdout), done.stdout
