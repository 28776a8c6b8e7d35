"""An advisory lock file, so that two offhours processes never use one checkout at once.

Held for as long as a checkout is open (``fcntl.flock``: released by the kernel if the
process dies, so a crash never leaves a stale lock). It must not touch the repository.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from scheduler.errors import GitSyncError

__all__ = ["hold_lock"]

_POLL_SECONDS = 0.05


@contextlib.contextmanager
def hold_lock(path: Path, *, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing), waiting up to ``timeout``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise GitSyncError(f"cannot create the lock file {path}: {exc.strerror}") from exc
    try:
        _acquire(fd, path, timeout=timeout)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _acquire(fd: int, path: Path, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise GitSyncError(
                    f"another offhours process is using this checkout (lock {path} held for "
                    f"over {timeout:g} s); wait for it to finish, or raise "
                    "OFFHOURS_GIT__LOCK_TIMEOUT_SECONDS"
                ) from None
            time.sleep(_POLL_SECONDS)
        else:
            return
