"""Reading commit history for the ledger: one ``git log`` call, no per-commit object loads.

Returns ``ledger.CommitRecord`` values oldest first, ready for ``ledger.parse_ledger``. It
must not parse messages (the core does that).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from scheduler.adapters.gitrepo.checkout import Checkout
from scheduler.core import ledger
from scheduler.errors import GitSyncError

__all__ = ["commits_between", "contains"]

_FORMAT = "--format=%H%n%at%n%ct%n%B"


def commits_between(
    checkout: Checkout,
    since: datetime | None,
    until: datetime | None,
    *,
    paths: Sequence[str] = (),
    rev: str | None = None,
    offhours_only: bool = False,
) -> list[ledger.CommitRecord]:
    """Commits reachable from ``rev`` (default ``checkout.history_ref``) whose committer time
    is in ``[since, until)`` (``None``: unbounded), touching ``paths`` if given, oldest first.
    ``offhours_only`` lets git skip commits without ``Offhours-`` trailers."""
    args = ["log", "-z", "--reverse", _FORMAT]
    if since is not None:
        args.append(f"--since=@{int(_aware(since).timestamp())}")
    if until is not None:
        args.append(f"--until=@{int(_aware(until).timestamp())}")
    if offhours_only:
        args += ["--regexp-ignore-case", f"--grep=^{ledger.CHANGE_TRAILER}:"]
    out = checkout.runner.run(*args, rev or checkout.history_ref, "--", *paths)
    records = [_record(chunk) for chunk in out.split("\0") if chunk.strip()]
    low = _aware(since).timestamp() if since is not None else float("-inf")
    high = _aware(until).timestamp() if until is not None else float("inf")
    return [record for record in records if low <= record.committed < high]


def _record(chunk: str) -> ledger.CommitRecord:
    sha, authored, committed, *message = chunk.lstrip("\n").split("\n", 3)
    return ledger.CommitRecord(sha, float(authored), float(committed), "".join(message))


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise GitSyncError(f"history bound {moment.isoformat()} has no timezone")
    return moment


def contains(checkout: Checkout, commit: str, descendant: str) -> bool:
    """Whether ``descendant`` has ``commit`` in its history (``git merge-base --is-ancestor``);
    False when either is unknown to this clone."""
    done = checkout.runner.call("merge-base", "--is-ancestor", commit, descendant)
    if done.status in (0, 1):
        return done.status == 0
    return False
