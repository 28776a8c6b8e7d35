"""Options, argument types and settings handling shared by several subcommands.

pydantic, the settings and the git adapter are imported by the functions that use them, and
without any ``OFFHOURS_*`` variable every setting has its default, known without loading them:
``offhours validate`` and ``offhours preview`` start without pydantic.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.decorators import FC

from scheduler.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import ValidationError

    from scheduler.settings import Settings

__all__ = [
    "DEFAULT_POLICIES",
    "SETTINGS_PREFIX",
    "InstantType",
    "at_option",
    "format_option",
    "load_settings",
    "now_utc",
    "policies_option",
    "policies_setting",
    "repo_option",
    "settings_in_environment",
]

#: The prefix of every setting's variable (``Settings.model_config``); settings come only from
#: these variables and the file one of them names (tests hold both, and the default below).
SETTINGS_PREFIX = "OFFHOURS_"
#: ``Settings().policies`` when nothing is configured.
DEFAULT_POLICIES = Path("policies")


def now_utc() -> datetime:
    """The current instant; the CLI reads the clock here and passes it down."""
    return datetime.now(UTC)


class InstantType(click.ParamType[datetime]):
    """An ISO-8601 instant (``2026-12-01T08:00:00+01:00``, ``...Z``, or a date); naive = UTC."""

    name = "ISO"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(
                f"{value!r} is not an ISO-8601 instant; expected e.g. 2026-12-01T08:00:00+01:00 "
                "or 2026-12-01",
                param,
                ctx,
            )
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_option(*choices: str, default: str = "text") -> Callable[[FC], FC]:
    """``--format`` restricted to ``choices``."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def load_settings() -> Settings:
    """The settings from the environment (``OFFHOURS_*``), as a clear error when invalid."""
    from pydantic import ValidationError

    from scheduler.settings import Settings

    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(f"invalid OFFHOURS_* settings: {_problems(exc)}") from exc
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the settings file: {exc}") from exc


def settings_in_environment() -> bool:
    """Whether any ``OFFHOURS_*`` variable is set, in any case (as the settings read them);
    without one every setting has its default."""
    return any(name.upper().startswith(SETTINGS_PREFIX) for name in os.environ)


def policies_setting() -> Path:
    """The policies folder of the settings (``$OFFHOURS_POLICIES``, else ``policies``)."""
    return load_settings().policies if settings_in_environment() else DEFAULT_POLICIES


def _problems(exc: ValidationError) -> str:
    """Each invalid setting and what is wrong with it, on one line, without the value given
    (it may be a secret under a mistyped name)."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}"
        for error in exc.errors(include_url=False, include_input=False, include_context=False)
    )


#: ``--policies DIR``: relative to --repo when a command has one, else to the current folder.
policies_option = click.option(
    "--policies",
    "policies_dir",
    type=click.Path(path_type=Path, file_okay=True, dir_okay=True),
    default=None,
    help="Folder (or file) of policies [default: $OFFHOURS_POLICIES or policies].",
)

#: ``--repo DIR|URL``: the GitOps repository (default: $OFFHOURS_GIT__REPO or .).
repo_option = click.option(
    "--repo",
    "repo",
    default=None,
    metavar="DIR|URL",
    help="The GitOps repository: a local checkout or a URL [default: $OFFHOURS_GIT__REPO or .].",
)

#: ``--at ISO``: the instant to plan for (default: now).
at_option = click.option(
    "--at",
    "at",
    type=InstantType(),
    default=None,
    help="Plan for this instant instead of now (ISO-8601; naive means UTC).",
)


def with_overrides(
    settings: Settings,
    *,
    repo: str | None = None,
    branch: str | None = None,
    policies: Path | None = None,
) -> Settings:
    """``settings`` with the command-line values that were given."""
    git = settings.git.model_copy(
        update={k: v for k, v in (("repo", repo), ("branch", branch)) if v is not None}
    )
    folder = policies if policies is not None else settings.policies
    update: dict[str, Any] = {"git": git, "policies": _inside_checkout(folder, repo=git.repo)}
    return settings.model_copy(update=update)


def _inside_checkout(policies: Path, *, repo: str) -> Path:
    """An absolute ``policies`` folder inside the local checkout ``repo``, relative to it:
    offhours reads and edits the folder in the tree it commits from, never the user's files
    (``--policies $PWD/policies`` means the checkout's own folder)."""
    from scheduler.adapters import gitrepo

    if not policies.is_absolute() or gitrepo.is_url(repo):
        return policies
    try:
        return policies.resolve().relative_to(Path(repo).resolve())
    except ValueError:
        return policies
