"""How git authenticates, without a secret touching the disk, the command line or a log.

* SSH: ``GIT_SSH_COMMAND`` runs ``ssh -i <key> -o IdentitiesOnly=yes`` in batch mode with
  ``StrictHostKeyChecking=accept-new`` (or ``yes``) and an optional known_hosts file.
* HTTPS: the token travels as an ``Authorization: Basic`` header set through git's
  ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` environment variables,
  scoped to the remote URL (``http.<url>.extraHeader``). It never enters ``.git/config``, the
  remote URL on disk, or argv (visible to other users in ``ps``). A user and password written
  into the URL are moved into the header the same way, and the URL is stored without them.
  A token is refused over plain ``http://`` except to a loopback address.

This module builds environments and redactors; it must not run git.
"""

from __future__ import annotations

import base64
import ipaddress
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from scheduler.adapters.gitrepo.redaction import Redactor, split_userinfo
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings

__all__ = ["Credentials", "credentials_for"]

#: Environment every git process of offhours gets: never prompt, never glob pathspecs.
BASE_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_LITERAL_PATHSPECS": "1"}


@dataclass(frozen=True, slots=True)
class Credentials:
    """What git needs to authenticate to one remote, and how to hide it again."""

    url: str  # the remote URL without user or password: safe to store and show
    env: Mapping[str, str] = field(repr=False)
    redact: Redactor = field(repr=False)


def credentials_for(settings: GitSettings, url: str) -> Credentials:
    """Credentials for ``url`` ("" for a checkout without remote) from ``settings``.

    ``https_token`` (with ``https_username``) wins; otherwise ``user:password@`` in the URL is
    used, and a lone ``token@`` is taken as a token (GitHub's ``https://<token>@host`` form).
    """
    clean, user, password = split_userinfo(url)
    env = {**BASE_ENV, "GIT_SSH_COMMAND": _ssh_command(settings)}
    secrets = [value for value in (user if password is None else None, password) if value]
    login = _http_login(settings, user, password)
    if login and _is_http(clean):
        _refuse_cleartext(clean)
        header_value = base64.b64encode(f"{login[0]}:{login[1]}".encode()).decode("ascii")
        env |= {
            "GIT_CONFIG_COUNT": "1",
            "GIT_CONFIG_KEY_0": f"http.{clean}.extraHeader",
            "GIT_CONFIG_VALUE_0": f"Authorization: Basic {header_value}",
        }
        secrets += [login[1], header_value]
    return Credentials(url=clean, env=env, redact=Redactor(secrets))


def _http_login(
    settings: GitSettings, user: str | None, password: str | None
) -> tuple[str, str] | None:
    if settings.https_token is not None:
        return settings.https_username, settings.https_token.get_secret_value()
    if password:
        return user or settings.https_username, password
    if user:
        return settings.https_username, user
    return None


def _ssh_command(settings: GitSettings) -> str:
    words = shlex.split(settings.ssh_command) or ["ssh"]
    words += ["-o", "BatchMode=yes"]
    words += ["-o", f"StrictHostKeyChecking={settings.ssh_strict_host_key_checking}"]
    if settings.ssh_key_file is not None:
        words += ["-i", str(settings.ssh_key_file.expanduser()), "-o", "IdentitiesOnly=yes"]
    if settings.ssh_known_hosts_file is not None:
        words += ["-o", f"UserKnownHostsFile={settings.ssh_known_hosts_file.expanduser()}"]
    return shlex.join(words)


def _is_http(url: str) -> bool:
    return urlsplit(url).scheme.lower() in {"http", "https"}


def _refuse_cleartext(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() == "https" or _is_loopback(parts.hostname or ""):
        return
    raise GitSyncError(
        f"refusing to send the HTTPS token over plain http to {url}: "
        "use an https:// URL (or an SSH remote with OFFHOURS_GIT__SSH_KEY_FILE)"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
