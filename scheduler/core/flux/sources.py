"""Is a Kustomization's source the Git repository and branch offhours pushes to?

Owns ``PushTarget`` (the GitRepository object and/or URL and branch offhours commits to) and
the source checks: the source kind is a GitRepository, it is ours (by object, or by the same
repository URL and branch), it is not suspended, and it follows a branch rather than a tag or
commit. URL comparison ignores scheme, user, ``.git`` and case of the host. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from scheduler.core.flux.findings import DeliveryWarning, Severity, WarningCode
from scheduler.core.observations import FluxKind, FluxObject, FluxSnapshot
from scheduler.core.workloads import WorkloadRef

__all__ = ["PushTarget", "normalise_url", "same_repository", "source_warnings"]

_SCP_LIKE = re.compile(r"^(?:[^@/]+@)?(?P<host>[^:/]+):(?P<path>[^/].*)$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?(?P<path>/.*)?$")


@dataclass(frozen=True, slots=True)
class PushTarget:
    """Where offhours commits: the GitRepository object Flux reads it through (when known),
    the repository URL, and the branch. Empty fields are not checked."""

    git_repository: WorkloadRef | None = None
    url: str = ""
    branch: str = ""


def normalise_url(url: str) -> str:
    """``host/path`` of a Git URL, lower-cased host, no scheme, user, port or ``.git``."""
    text = url.strip()
    match = _URL.match(text) or (_SCP_LIKE.match(text) if "://" not in text else None)
    if match is None:
        return text.rstrip("/").removesuffix(".git")
    path = (match["path"] or "").strip("/").removesuffix(".git").rstrip("/")
    return f"{match['host'].lower()}/{path}"


def same_repository(left: FluxObject, right: FluxObject) -> bool:
    """Two GitRepositories that fetch the same repository and branch."""
    if not left.url or normalise_url(left.url) != normalise_url(right.url):
        return False
    return str(left.git_ref) == str(right.git_ref)


def source_warnings(
    owner: FluxObject,
    push: PushTarget,
    *,
    snapshot: FluxSnapshot,
    target: WorkloadRef,
) -> Iterator[DeliveryWarning]:
    """Warnings about ``owner``'s source, for a change to ``target``."""
    source = owner.source
    if source is None:
        return
    owner_name = f"Kustomization {owner.ref.namespace}/{owner.ref.name}"
    source_name = f"{source.kind} {source.namespace}/{source.name}"
    if source.kind != FluxKind.GIT_REPOSITORY:
        severity = Severity.WARNING if source.kind == "ExternalArtifact" else Severity.ERROR
        yield DeliveryWarning(
            target,
            WarningCode.SOURCE_NOT_GIT,
            severity,
            f"{owner_name}, which applies it, reads {source_name}, not a GitRepository: a Git "
            "commit reaches the cluster only after something rebuilds that artifact from Git",
            (owner.ref, source),
        )
        return
    repo = snapshot.find(source)
    if not _is_ours(source, repo, push, snapshot=snapshot):
        ours = push.git_repository or push.url
        yield DeliveryWarning(
            target,
            WarningCode.OTHER_GIT_REPOSITORY,
            Severity.ERROR,
            f"{owner_name}, which applies it, reads {source_name}, not {ours} that offhours "
            "pushes to: the commit does not reach this Kustomization",
            (owner.ref, source),
        )
        return
    if repo is not None:
        yield from _repository_warnings(repo, push, target=target)


def _is_ours(
    source: WorkloadRef, repo: FluxObject | None, push: PushTarget, *, snapshot: FluxSnapshot
) -> bool:
    if push.git_repository is not None:
        if source == push.git_repository:
            return True
        ours = snapshot.find(push.git_repository)
        return repo is not None and ours is not None and same_repository(repo, ours)
    if push.url and repo is not None and repo.url:
        return normalise_url(repo.url) == normalise_url(push.url)
    return True


def _repository_warnings(
    repo: FluxObject, push: PushTarget, *, target: WorkloadRef
) -> Iterator[DeliveryWarning]:
    name = f"GitRepository {repo.ref.namespace}/{repo.ref.name}"
    if repo.suspended:
        yield DeliveryWarning(
            target,
            WarningCode.SOURCE_SUSPENDED,
            Severity.ERROR,
            f"{name} is suspended: Flux fetches no new commits until it is resumed "
            f"(flux resume source git {repo.ref.name} -n {repo.ref.namespace})",
            (repo.ref,),
        )
    ref = repo.git_ref
    if ref is not None and ref.pinned:
        yield DeliveryWarning(
            target,
            WarningCode.SOURCE_PINNED,
            Severity.ERROR,
            f"{name} follows {ref}, not a branch: a new commit never reaches the cluster",
            (repo.ref,),
        )
    elif push.branch and (ref.branch if ref and ref.branch else "master") != push.branch:
        followed = ref.branch if ref and ref.branch else "master"
        yield DeliveryWarning(
            target,
            WarningCode.BRANCH_MISMATCH,
            Severity.WARNING,
            f"{name} follows branch {followed}, offhours commits to {push.branch}: changes "
            f"reach the cluster only once merged into {followed}",
            (repo.ref,),
        )
