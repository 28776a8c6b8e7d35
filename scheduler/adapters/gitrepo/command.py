"""Running one git command through GitPython, and turning its failures into ``GitSyncError``.

Every git process of the adapter starts here: with the checkout's credential environment,
per-command configuration (``-c``, never written to a config file), a timeout on network
commands, and every message redacted. No GitPython exception leaves this module; callers see
``GitSyncError`` raised ``from`` the original. It must not decide what to run. GitPython is
imported by the first git command: reading a local checkout's files needs no git.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.adapters.gitrepo.redaction import Redactor
from scheduler.errors import GitSyncError

__all__ = ["Completed", "GitRunner"]

_MAX_DETAIL = 600

#: git's words for common failures, and what the operator should do about them.
_HINTS = (
    (
        ("could not read Username", "Authentication failed", "returned error: 401"),
        "the server wants credentials it did not get or did not accept: set "
        "OFFHOURS_GIT__HTTPS_TOKEN (and OFFHOURS_GIT__HTTPS_USERNAME if the host needs one) "
        "to a token allowed to read and push",
    ),
    (
        ("returned error: 403",),
        "the server refused access: check that the token may push to this repository",
    ),
    (
        ("Permission denied (publickey",),
        "the SSH key was refused: check OFFHOURS_GIT__SSH_KEY_FILE and the deploy key's access",
    ),
    (
        ("Host key verification failed",),
        "the SSH host key is unknown or changed: add it to OFFHOURS_GIT__SSH_KNOWN_HOSTS_FILE",
    ),
    (
        ("did not complete in",),
        "the remote did not answer in time: check the network, or raise "
        "OFFHOURS_GIT__NETWORK_TIMEOUT_SECONDS",
    ),
)


@dataclass(frozen=True, slots=True)
class Completed:
    """A finished git command: exit status and (unredacted) output."""

    status: int
    stdout: str
    stderr: str


@dataclass(frozen=True, slots=True)
class GitRunner:
    """Runs git in ``cwd`` with the checkout's environment; ``timeout`` bounds network calls."""

    cwd: Path
    env: Mapping[str, str] = field(repr=False)
    redact: Redactor = field(repr=False)
    timeout: float = 120.0

    def at(self, cwd: Path) -> GitRunner:
        """The same runner in another directory."""
        return dataclasses.replace(self, cwd=cwd)

    def call(
        self,
        *args: str,
        config: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        network: bool = False,
    ) -> Completed:
        """Run ``git [-c k=v ...] args``; a non-zero status is returned, not raised."""
        import git

        if not self.cwd.is_dir():  # GitPython would silently run in the process's directory
            raise GitSyncError(self.redact(f"cannot run git {args[0]}: no directory {self.cwd}"))
        command = [git.Git.GIT_PYTHON_GIT_EXECUTABLE or "git"]
        for option in config:
            command += ["-c", option]
        command += args
        try:
            status, stdout, stderr = git.Git(str(self.cwd)).execute(
                command,
                env={**self.env, **(env or {})},
                with_extended_output=True,
                with_exceptions=False,
                kill_after_timeout=self.timeout if network else None,
                strip_newline_in_stdout=False,
            )
        except (git.GitError, OSError) as exc:
            raise GitSyncError(self.redact(f"could not run git {args[0]}: {exc}")) from exc
        return Completed(status, stdout, stderr)

    def run(
        self,
        *args: str,
        config: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        network: bool = False,
    ) -> str:
        """Run git and return stdout; a non-zero status raises ``GitSyncError``."""
        done = self.call(*args, config=config, env=env, network=network)
        if done.status != 0:
            raise self.error(args, done)
        return done.stdout

    def error(self, args: Sequence[str], done: Completed, *, what: str = "") -> GitSyncError:
        """A ``GitSyncError`` for a failed command: what failed, git's own words and, for
        well-known failures, what to do; redacted."""
        doing = what or f"git {args[0]} in {self.cwd}"
        output = done.stderr or done.stdout
        detail = summarize(output) or f"exit status {done.status}"
        hints = [hint for needles, hint in _HINTS if any(n in output for n in needles)]
        advice = f" ({hints[0]})" if hints else ""
        return GitSyncError(self.redact(f"{doing} failed: {detail}{advice}"))


def summarize(output: str) -> str:
    """git's error output on one line, without hints and progress, shortened."""
    lines = [line.strip() for line in output.replace("\r", "\n").splitlines()]
    kept = [line for line in lines if line and not line.startswith("hint:")]
    text = "; ".join(kept)
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 3] + "..."
