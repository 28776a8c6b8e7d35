"""Temporary overrides, committed to the policy files: ``offhours wake``/``sleep``, and the
daemon's removal of expired ones.

An override is data in Git, so the exception is reviewed, audited and expires by itself. A
``wake``/``sleep`` commit holds the override *and* the manifest edits it causes at once, so the
target changes state as soon as Flux applies the commit; expired overrides are removed by a
commit of their own. An expired override that cannot be cut out of its file is logged
(``override.expired_not_removed``) and left: it is inert, and must not stop the cycle.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog

from scheduler.adapters import gitrepo
from scheduler.adapters import workspace as files
from scheduler.core import ledger, targets
from scheduler.core.changes import Change
from scheduler.core.instants import format_utc
from scheduler.core.policy import Override, Policy
from scheduler.core.policy.edits import NewOverride, add_override, drop_expired
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError, EditRefused
from scheduler.reconcile.workspace import Workspace, load_workspace, plan_workspace, write_plan
from scheduler.settings import Settings

__all__ = ["OverrideRequest", "commit_override", "expired_producer"]

_log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class OverrideRequest:
    """Force ``state`` on ``[start, until)`` for ``target`` (in every policy selecting it)
    or for every target of ``policy``."""

    state: str
    start: datetime
    until: datetime
    reason: str
    target: WorkloadRef | None = None
    policy: str | None = None

    def describe(self) -> str:
        """``wake Deployment/dev/web until 2026-...Z`` for messages."""
        verb = "wake" if self.state == "on" else "sleep"
        who = str(self.target) if self.target else f"policy {self.policy}"
        return f"{verb} {who} until {format_utc(self.until.timestamp())}"


def _relative(root: Path, policy: Policy) -> str:
    """The policy's file relative to the tree ``root``; a file outside it cannot be committed."""
    try:
        return Path(policy.file).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise ConfigError(
            f"policy {policy.name}: {policy.file} is outside the repository, so offhours "
            "cannot commit an override into it; keep the policies folder inside the repository"
        ) from None


def _policies_for(ws: Workspace, request: OverrideRequest) -> list[Policy]:
    if request.policy is not None:
        found = ws.policies.get(request.policy)
        if found is None:
            known = ", ".join(sorted(p.name for p in ws.policies.policies)) or "none"
            raise ConfigError(f"no valid policy named {request.policy} (valid: {known})")
        return [found]
    assert request.target is not None
    objects = ws.index.find(request.target)
    if not objects:
        raise ConfigError(f"{request.target} is not in the repository's manifests")
    resolution = targets.resolve(ws.policies.policies, ws.index)
    claiming = {c.policy.name: c.policy for o in objects for c in resolution.claims_on(o)}
    if not claiming:
        raise ConfigError(f"no policy selects {request.target}; there is nothing to override")
    return [claiming[name] for name in sorted(claiming)]


def _write_overrides(
    root: Path, ws: Workspace, request: OverrideRequest
) -> tuple[list[str], list[str]]:
    """Add the override to every policy concerned; returns their names and files."""
    override = NewOverride(
        request.state,
        request.start.timestamp(),
        request.until.timestamp(),
        request.reason,
        (request.target,) if request.target else (),
    )
    chosen = _policies_for(ws, request)
    written = [_relative(root, policy) for policy in chosen]  # refuse before writing anything
    for policy in chosen:
        path = Path(policy.file)
        text = path.read_bytes().decode("utf-8")
        files.write_text(path, add_override(text, policy=policy.name, override=override))
    return [policy.name for policy in chosen], written


def _message(subject: str, body: Iterable[str], changes: list[Change]) -> str:
    text = subject + "\n\n" + "\n".join(body) + "\n"
    if changes:
        rendered = ledger.render_commit_message(changes)
        text += "\n" + rendered.split("\n\n", 1)[1]
    return text


def commit_override(
    settings: Settings, request: OverrideRequest, *, now: datetime, push: bool = True
) -> gitrepo.PublishResult:
    """Commit ``request`` into the policy files, with the edits it causes now, and push."""

    def produce(root: Path) -> gitrepo.CommitRequest:
        ws = load_workspace(root, policies=settings.policies, now=now)
        names, policy_files = _write_overrides(root, ws, request)
        plan = plan_workspace(load_workspace(root, policies=settings.policies, now=now), at=now)
        write_plan(root, plan)
        changes = list(plan.changes)
        subject = f"offhours: {request.describe()} ({', '.join(names)})"
        body = [
            f"Reason: {request.reason or '(none given)'}",
            f"Policy files: {', '.join(policy_files)}",
        ]
        files_touched = tuple(sorted({*policy_files, *(c.file for c in changes)}))
        return gitrepo.CommitRequest(files_touched, _message(subject, body, changes))

    with gitrepo.open_checkout(settings.git) as checkout:
        return gitrepo.publish(checkout, produce, push=push, attempts=settings.git.push_retries + 1)


def _drop_expired(root: Path, policy: Policy, gone: Sequence[Override]) -> str | None:
    """Remove ``gone`` from the policy's file; its path, or ``None`` when it cannot be done
    (logged: an expired override is inert, and one policy must not stop the cycle)."""
    path = Path(policy.file)
    try:
        relative = _relative(root, policy)
        text = path.read_bytes().decode("utf-8")
        new = drop_expired(text, policy=policy.name, lines_of={o.location.line for o in gone})
    except (EditRefused, ConfigError) as exc:
        _log.warning(
            "override.expired_not_removed", policy=policy.name, file=policy.file, error=str(exc)
        )
        return None
    files.write_text(path, new)
    return relative


def expired_producer(
    settings: Settings, *, now: datetime, commit_date: datetime | None = None
) -> gitrepo.Producer:
    """A producer removing every override whose ``until`` has passed (``None``: none)."""

    def produce(root: Path) -> gitrepo.CommitRequest | None:
        ws = load_workspace(root, policies=settings.policies, now=now)
        touched: list[str] = []
        lines: list[str] = []
        for policy in ws.policies.policies:
            gone = [o for o in policy.overrides if o.until <= now.timestamp()]
            if not gone:
                continue
            relative = _drop_expired(root, policy, gone)
            if relative is None:
                continue
            touched.append(relative)
            lines.extend(
                f"- {policy.name}: override {o.state} until {format_utc(o.until)}"
                + (f" ({o.reason})" if o.reason else "")
                for o in gone
            )
        if not touched:
            return None
        names = ", ".join(sorted({line.split(":")[0][2:] for line in lines}))
        subject = f"offhours: remove expired overrides ({names})"
        files_touched = tuple(sorted(set(touched)))
        return gitrepo.CommitRequest(files_touched, _message(subject, lines, []), commit_date)

    return produce
