"""Keeping credentials out of every message the Git adapter produces.

A ``Redactor`` knows the secret values of one checkout (the HTTPS token and the header built
from it) and removes them, and any password or token written into a URL, from text before
the text reaches an exception, a log event or a result. It must not log or store secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["MASK", "Redactor", "split_userinfo"]

MASK = "***"
# scheme://userinfo@ where userinfo holds a password (user:secret) or is a bare token over HTTP.
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^\s/@]+)@")
_MIN_SECRET = 4  # shorter "secrets" would mask ordinary words


def _mask_userinfo(match: re.Match[str]) -> str:
    scheme, userinfo = match["scheme"], match["userinfo"]
    if ":" in userinfo or scheme.lower().startswith("http"):
        return f"{scheme}{MASK}@"
    return match[0]  # ssh://git@host: a user name, not a secret


class Redactor:
    """Removes known secrets and URL credentials from text."""

    __slots__ = ("_secrets",)

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        unique = {secret for secret in secrets if len(secret) >= _MIN_SECRET}
        self._secrets = tuple(sorted(unique, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        text = _URL_USERINFO.sub(_mask_userinfo, text)
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text


def split_userinfo(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user and password, user, password)`` for http(s) URLs, percent-decoded;
    other URLs (ssh, scp-like, file) are returned unchanged with no credentials."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or "@" not in parts.netloc:
        return url, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) if sep else None
