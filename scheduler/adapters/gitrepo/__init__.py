"""Git adapter (GitPython): open the fleet repository, commit once, push, read history.

offhours' only write is one commit per run to the fleet repository::

    with gitrepo.open_checkout(settings.git, repo=url_or_dir) as checkout:
        result = gitrepo.publish(checkout, produce, push=True)

``produce(root)`` edits files under ``root`` and returns a ``CommitRequest`` naming them (or
``None``); on a rejected push it runs again on top of the new remote branch. History for
the ledger comes from ``commits_between``. See ``checkout`` (cache and local modes),
``worktree`` (the rules that keep a user's work safe), ``credentials`` (how secrets reach git
without touching disk or logs) and ``commit`` (staging, identity, signing).

Errors: every failure is a ``scheduler.errors.GitSyncError``, raised ``from`` the GitPython
or OS exception, with credentials redacted; ``PushRejected`` (a subclass) when the remote
kept moving. No GitPython exception crosses this package::

    GitSyncError      clone / fetch / commit / push failed, or a safety rule refused
    └── PushRejected  the remote branch moved on in every attempt (non-fast-forward)
"""

from __future__ import annotations

from scheduler.adapters.gitrepo.checkout import Checkout, CheckoutMode, is_url, open_checkout, sync
from scheduler.adapters.gitrepo.history import commits_between, contains
from scheduler.adapters.gitrepo.publisher import (
    Backoff,
    CommitRequest,
    Producer,
    PublishResult,
    publish,
)
from scheduler.adapters.gitrepo.snapshot import export_revision

__all__ = [
    "Backoff",
    "Checkout",
    "CheckoutMode",
    "CommitRequest",
    "Producer",
    "PublishResult",
    "commits_between",
    "contains",
    "export_revision",
    "is_url",
    "open_checkout",
    "publish",
    "sync",
]
