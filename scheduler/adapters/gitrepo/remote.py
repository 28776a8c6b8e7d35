"""Talking to the remote: clone, fetch one branch, push one commit, find the default branch.

Push never forces. A non-fast-forward rejection, and a server that lost the race for the
branch's ref lock to a concurrent push (``failed to update ref``, GitHub's ``cannot lock
ref``), raise ``PushRejected``: the caller re-plans and retries. Any other refusal by the
server (protected branch, hook) raises ``GitSyncError``.
Network commands carry the checkout's timeout. This module must not edit working trees.
"""

from __future__ import annotations

from pathlib import Path

from scheduler.adapters.gitrepo.command import GitRunner, summarize
from scheduler.errors import GitSyncError, PushRejected

__all__ = ["clone", "default_branch", "fetch", "push", "tracking_ref"]

#: Server-side refusals that mean "another push updated the branch at the same moment".
_LOST_REF_RACE = (
    "failed to update ref",
    "cannot lock ref",
    "failed to lock",
    "incorrect old value",
)


def tracking_ref(remote: str, branch: str) -> str:
    """Where ``fetch`` stores the remote branch."""
    return f"refs/remotes/{remote}/{branch}"


def clone(runner: GitRunner, url: str, *, branch: str, dest: Path) -> None:
    """Clone ``branch`` of ``url`` into ``dest`` (which must not exist)."""
    args = ("clone", "--quiet", "--no-tags", "--single-branch", "--branch", branch)
    done = runner.call(*args, "--", url, str(dest), network=True)
    if done.status != 0:
        raise _missing_branch(runner, url, branch, stderr=done.stderr) or runner.error(
            ["clone"], done, what=f"cloning {url} (branch {branch})"
        )


def fetch(runner: GitRunner, remote: str, *, branch: str, url: str) -> str:
    """Fetch ``branch`` from ``remote`` into its tracking ref; return the remote commit."""
    refspec = f"+refs/heads/{branch}:{tracking_ref(remote, branch)}"
    done = runner.call("fetch", "--quiet", "--no-tags", remote, refspec, network=True)
    if done.status != 0:
        raise _missing_branch(runner, url, branch, stderr=done.stderr) or runner.error(
            ["fetch"], done, what=f"fetching {url} (branch {branch})"
        )
    return runner.run("rev-parse", "--verify", "--quiet", tracking_ref(remote, branch)).strip()


def _missing_branch(
    runner: GitRunner, url: str, branch: str, *, stderr: str
) -> GitSyncError | None:
    if "couldn't find remote ref" in stderr or "not found in upstream" in stderr:
        return GitSyncError(
            runner.redact(
                f"{url} has no branch {branch!r}: create it first, or set "
                "OFFHOURS_GIT__BRANCH (--branch) to an existing branch"
            )
        )
    return None


def push(runner: GitRunner, remote: str, *, sha: str, branch: str, url: str) -> None:
    """Push ``sha`` to ``branch`` of ``remote``, fast-forward only."""
    target = f"refs/heads/{branch}"
    done = runner.call(
        "push", "--porcelain", "--no-verify", remote, f"{sha}:{target}", network=True
    )
    flag, summary = _ref_status(done.stdout, target)
    if done.status == 0 and flag != "!":
        return
    where = runner.redact(f"{url} (branch {branch})")
    if flag == "!" and summary.startswith("[rejected]"):
        raise PushRejected(
            f"push to {where} was rejected {summary.removeprefix('[rejected]').strip()}: "
            "the remote branch has commits this checkout does not have"
        )
    if flag == "!" and any(reason in summary for reason in _LOST_REF_RACE):
        raise PushRejected(
            f"push to {where} lost a race with another push ({runner.redact(summary)})"
        )
    if flag == "!":
        raise GitSyncError(f"the remote refused the push to {where}: {runner.redact(summary)}")
    raise runner.error(["push"], done, what=f"pushing to {where}")


def _ref_status(porcelain: str, target: str) -> tuple[str, str]:
    """``(flag, summary)`` of ``target`` in ``git push --porcelain`` output."""
    for line in porcelain.splitlines():
        parts = line.split("\t")
        if len(parts) >= 3 and parts[1].endswith(f":{target}"):
            return parts[0], summarize(parts[2])
    return "", ""


def default_branch(runner: GitRunner, url: str) -> str:
    """The branch ``HEAD`` of ``url`` points to."""
    done = runner.call("ls-remote", "--symref", "--", url, "HEAD", network=True)
    if done.status != 0:
        raise runner.error(["ls-remote"], done, what=f"finding the default branch of {url}")
    for line in done.stdout.splitlines():
        ref, _, name = line.partition("\t")
        if ref.startswith("ref: refs/heads/") and name == "HEAD":
            return ref.removeprefix("ref: refs/heads/")
    raise GitSyncError(
        runner.redact(
            f"cannot tell the default branch of {url} (empty repository?): "
            "set OFFHOURS_GIT__BRANCH (--branch)"
        )
    )
