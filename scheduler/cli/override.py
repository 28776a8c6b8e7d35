"""``offhours wake`` and ``offhours sleep``: a temporary, self-expiring exception, committed.

The override is written into the policy file (reviewed, audited, expires by itself) together
with the manifest edits it causes now, in one commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import click
from click.decorators import FC

from scheduler.cli import common
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import ConfigError
from scheduler.reconcile import overrides

__all__ = ["parse_duration", "sleep_command", "wake_command"]

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str) -> timedelta:
    """``2h``, ``30m``, ``1d12h``, ``90m`` as a positive duration."""
    found = _DURATION.match(text.strip())
    if not found or not any(found.groups()):
        raise ConfigError(f"--for {text!r} is not a duration; expected e.g. 30m, 2h, 1d12h")
    days, hours, minutes = (int(g or 0) for g in found.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class _Options:
    target: str | None
    policy: str | None
    duration: str | None
    until: datetime | None
    reason: str | None
    repo: str | None
    policies_dir: Path | None
    no_push: bool


def _span(options: _Options) -> tuple[datetime, datetime]:
    if (options.target is None) == (options.policy is None):
        raise click.UsageError("name either a TARGET (kind/namespace/name) or --policy NAME")
    if (options.duration is None) == (options.until is None):
        raise click.UsageError("give either --for DURATION or --until ISO")
    now = common.now_utc()
    end = options.until or now + parse_duration(options.duration or "")
    if end <= now:
        raise ConfigError(f"the override would end in the past ({end.isoformat()})")
    return now, end


def _run(state: str, options: _Options) -> None:
    now, end = _span(options)
    try:
        ref = WorkloadRef.parse(options.target) if options.target else None
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    settings = common.with_overrides(
        common.load_settings(), repo=options.repo, policies=options.policies_dir
    )
    request = overrides.OverrideRequest(
        state, now, end, options.reason or "", target=ref, policy=options.policy
    )
    result = overrides.commit_override(settings, request, now=now, push=not options.no_push)
    where = "pushed" if result.pushed else "committed locally"
    click.echo(f"{request.describe()}: commit {(result.commit or '')[:12]} {where}")


def _options(command: FC) -> FC:
    for decorator in reversed(
        [
            click.argument("target", required=False),
            click.option("--policy", default=None, help="Every target of this policy instead."),
            click.option("--for", "duration", default=None, help="How long: 30m, 2h, 1d12h."),
            click.option("--until", type=common.InstantType(), default=None, help="Until (ISO)."),
            click.option("--reason", default=None, help="Why (kept in the policy and commit)."),
            common.repo_option,
            common.policies_option,
            click.option("--no-push", is_flag=True, help="Commit locally only."),
        ]
    ):
        command = decorator(command)
    return command


@click.command("wake")
@_options
def wake_command(**options: Any) -> None:
    """Keep TARGET (or every target of --policy) on for a while, whatever the schedule.

    TARGET is kind/namespace/name, e.g. Deployment/dev/web. The override goes into every
    policy that selects it, with --reason, and expires by itself.
    """
    _run("on", _Options(**options))


@click.command("sleep")
@_options
def sleep_command(**options: Any) -> None:
    """Put TARGET (or every target of --policy) to sleep for a while, whatever the schedule.

    TARGET is kind/namespace/name, e.g. Deployment/dev/web. The override goes into every
    policy that selects it, with --reason, and expires by itself.
    """
    _run("off", _Options(**options))
