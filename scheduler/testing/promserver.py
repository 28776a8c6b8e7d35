"""A real Prometheus on 127.0.0.1 serving data backfilled with promtool.

Owns the test stand-in for "any PromQL endpoint": ``backfill`` renders ``MetricSeries`` as
OpenMetrics (``scheduler.core.openmetrics``) and turns them into TSDB blocks with
``promtool tsdb create-blocks-from openmetrics``; ``PromServer`` starts ``prometheus`` on a free
loopback port over that TSDB directory (config without scrape jobs, retention of 100 years so
historic data is kept), waits for ``/-/ready`` and stops it cleanly.

Data is written **before** the server starts, so the 3-hour head-block rule of live instances
does not apply; ``backfill`` still refuses samples from the last 3 hours of the wall clock, and
tests use fixed historic timestamps. Never talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from scheduler.core import openmetrics
from scheduler.core.series import MetricSeries

__all__ = [
    "HEAD_BLOCK_SECONDS",
    "PromBinaries",
    "PromServer",
    "PrometheusFailed",
    "backfill",
    "create_blocks",
    "find_binaries",
    "write_openmetrics",
]

HEAD_BLOCK_SECONDS = 3 * 3600
_CONFIG = "global:\n  scrape_interval: 1m\n  evaluation_interval: 1m\n"


class PrometheusFailed(RuntimeError):
    """prometheus or promtool failed; the message carries the tail of its output."""


@dataclass(frozen=True)
class PromBinaries:
    """Paths of the two executables."""

    prometheus: Path
    promtool: Path

    def version(self) -> str:
        """The first line of ``prometheus --version``."""
        out = subprocess.run(
            [str(self.prometheus), "--version"], capture_output=True, text=True, check=False
        )
        return (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "?"


def find_binaries() -> PromBinaries | None:
    """``prometheus`` and ``promtool`` from PATH (or /usr/bin), or None if either is missing."""
    found = []
    for name in ("prometheus", "promtool"):
        path = shutil.which(name) or (
            f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None
        )
        if path is None:
            return None
        found.append(Path(path))
    return PromBinaries(prometheus=found[0], promtool=found[1])


def write_openmetrics(
    series: Iterable[MetricSeries],
    path: Path,
    *,
    types: Mapping[str, openmetrics.MetricType] | None = None,
) -> int:
    """Write ``series`` as OpenMetrics text to ``path``; return the number of samples."""
    count = 0

    def counted() -> Iterator[MetricSeries]:
        nonlocal count
        for one in series:
            count += len(one)
            yield one

    with path.open("w", encoding="utf-8") as out:
        for chunk in openmetrics.render(counted(), types=types):
            out.write(chunk)
    return count


def create_blocks(
    source: Path, tsdb_dir: Path, *, promtool: Path, max_block_duration: str | None = None
) -> None:
    """Run ``promtool tsdb create-blocks-from openmetrics source tsdb_dir``."""
    tsdb_dir.mkdir(parents=True, exist_ok=True)
    command = [str(promtool), "tsdb", "create-blocks-from", "--quiet"]
    if max_block_duration:
        command.append(f"--max-block-duration={max_block_duration}")
    command += ["openmetrics", str(source), str(tsdb_dir)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-2000:]
        raise PrometheusFailed(f"promtool failed on {source} (rc {done.returncode}): {tail}")


def backfill(
    series: Iterable[MetricSeries],
    tsdb_dir: Path,
    *,
    binaries: PromBinaries,
    work_dir: Path,
    types: Mapping[str, openmetrics.MetricType] | None = None,
    now: float | None = None,
) -> int:
    """Backfill ``series`` into ``tsdb_dir`` (before a server starts); return the sample count.

    Refuses samples newer than ``now - 3h`` (wall clock by default): a live instance's head
    block may overlap them.
    """
    limit = (time.time() if now is None else now) - HEAD_BLOCK_SECONDS
    materialised = list(series)
    newest = max((s.times[-1] for s in materialised if len(s)), default=None)
    if newest is not None and newest > limit:
        raise ValueError(
            f"backfilled data must end 3 h before now (newest sample at {newest:.0f}, "
            f"limit {limit:.0f}); use fixed historic timestamps"
        )
    work_dir.mkdir(parents=True, exist_ok=True)
    source = work_dir / "backfill.om"
    count = write_openmetrics(materialised, source, types=types)
    if count:
        create_blocks(source, tsdb_dir, promtool=binaries.promtool)
    source.unlink()
    return count


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PromServer:
    """One ``prometheus`` process on 127.0.0.1 serving ``tsdb_dir``; a context manager."""

    def __init__(
        self,
        tsdb_dir: Path,
        *,
        binaries: PromBinaries,
        work_dir: Path,
        extra_args: Sequence[str] = (),
    ) -> None:
        self.tsdb_dir = tsdb_dir
        self.binaries = binaries
        self.work_dir = work_dir
        self.extra_args = tuple(extra_args)
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log = work_dir / "prometheus.log"

    @property
    def pid(self) -> int | None:
        """The process id while running."""
        return self._process.pid if self._process is not None else None

    @property
    def url(self) -> str:
        """Base URL of the running server."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, timeout: float = 60.0) -> PromServer:
        """Start the server and wait until ``/-/ready`` answers 200 (retries a taken port)."""
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.tsdb_dir.mkdir(parents=True, exist_ok=True)
        config = self.work_dir / "prometheus.yml"
        config.write_text(_CONFIG, encoding="utf-8")
        for _attempt in range(3):
            self.port = _free_port()
            self._spawn(config)
            if self._wait_ready(timeout):
                return self
            if "address already in use" not in self._log_tail():
                break
        tail = self._log_tail()
        self.stop()
        raise PrometheusFailed(f"prometheus did not become ready on {self.url}: {tail}")

    def _spawn(self, config: Path) -> None:
        command = [
            str(self.binaries.prometheus),
            f"--config.file={config}",
            f"--storage.tsdb.path={self.tsdb_dir}",
            "--storage.tsdb.retention.time=100y",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
            *self.extra_args,
        ]
        with self._log.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            with (
                contextlib.suppress(urllib.error.URLError, OSError),
                urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as response,
            ):
                if response.status == 200:
                    return True
            time.sleep(0.05)
        return False

    def _log_tail(self) -> str:
        try:
            return self._log.read_text(encoding="utf-8", errors="replace").strip()[-2000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """Terminate the process (SIGTERM, then SIGKILL after 10 s) and wait for it."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def __enter__(self) -> PromServer:
        return self.start() if self._process is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
