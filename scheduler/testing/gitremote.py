"""Real Git remotes for tests: a bare repository in a temporary folder, seeded with a tree,
clones of it, commits by "someone else", and a smart-HTTP server on 127.0.0.1 that requires
a token.

Everything runs the ``git`` program on local paths or loopback; nothing reaches the network.
Commits by someone else are written with plumbing straight into the bare repository (no
clone needed), so a test can move the remote branch between two steps of the code under
test. Call ``isolate_git(home)`` first (e.g. with ``monkeypatch.setenv``) so the user's own
``~/.gitconfig`` cannot change the outcome. This module must not import the Git adapter.
"""

from __future__ import annotations

import base64
import os
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

__all__ = [
    "OTHER_AUTHOR",
    "GitHttpServer",
    "GitRemote",
    "isolate_git",
    "make_remote",
    "run_git",
]

#: Who "someone else's" commits are by.
OTHER_AUTHOR = ("Someone Else", "someone@example.com")


def isolate_git(home: Path) -> dict[str, str]:
    """Environment variables that keep the user's git and ssh configuration out of a test:
    an empty global config under ``home``, no system config, no prompts."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "gitconfig"
    config.touch()
    return {
        "HOME": str(home),
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_TERMINAL_PROMPT": "0",
    }


def run_git(cwd: Path, *args: str, env: Mapping[str, str] | None = None, stdin: str = "") -> str:
    """Run git in ``cwd`` and return stdout; a failure raises ``RuntimeError`` with stderr."""
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=stdin.encode(),
        capture_output=True,
        env={**os.environ, **(env or {})},
        check=False,
        timeout=60,
    )
    if done.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {done.stderr.decode(errors='replace')}")
    return done.stdout.decode()


def _identity(author: tuple[str, str], date: datetime | None) -> dict[str, str]:
    name, email = author
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
    }
    if date is not None:
        stamp = f"@{int(date.timestamp())} +0000"
        env |= {"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    return env


@dataclass(frozen=True, slots=True)
class GitRemote:
    """A bare repository acting as the remote; ``branch`` is the branch tests work on."""

    path: Path
    branch: str = "main"

    @property
    def url(self) -> str:
        """A ``file://`` URL (cache mode treats it like any other URL)."""
        return self.path.as_uri()

    @property
    def ref(self) -> str:
        """The full name of the branch."""
        return f"refs/heads/{self.branch}"

    def git(self, *args: str, env: Mapping[str, str] | None = None, stdin: str = "") -> str:
        """Run git in the bare repository."""
        return run_git(self.path, *args, env=env, stdin=stdin)

    def head(self) -> str:
        """The commit the branch points to."""
        return self.git("rev-parse", self.ref).strip()

    def read(self, file: str, *, rev: str | None = None) -> str:
        """A file's text at ``rev`` (default: the branch)."""
        return self.git("show", f"{rev or self.ref}:{file}")

    def count(self) -> int:
        """Number of commits on the branch."""
        return int(self.git("rev-list", "--count", self.ref))

    def messages(self) -> list[str]:
        """Commit messages on the branch, oldest first."""
        out = self.git("log", "-z", "--reverse", "--format=%B", self.ref)
        return [message for message in out.split("\0") if message]

    def changed_files(self, rev: str | None = None) -> list[str]:
        """Files changed by one commit (default: the branch tip)."""
        out = self.git("show", "--format=", "--name-only", rev or self.ref)
        return out.split()

    def commit(
        self,
        files: Mapping[str, str | None],
        *,
        message: str = "someone else's change\n",
        author: tuple[str, str] = OTHER_AUTHOR,
        date: datetime | None = None,
    ) -> str:
        """Commit ``files`` (path -> new text, ``None`` deletes) on top of the branch, as if
        another writer had pushed; return the new commit."""
        parent = self.head()
        with tempfile.TemporaryDirectory(prefix="offhours-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index"), **_identity(author, date)}
            self.git("read-tree", parent, env=env)
            for name, text in files.items():
                if text is None:
                    self.git("update-index", "--force-remove", "--", name, env=env)
                    continue
                blob = self.git("hash-object", "-w", "--stdin", stdin=text).strip()
                self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{name}", env=env)
            tree = self.git("write-tree", env=env).strip()
            sha = self.git("commit-tree", tree, "-p", parent, "-F", "-", env=env, stdin=message)
        self.git("update-ref", self.ref, sha.strip(), parent)
        return sha.strip()

    def clone(self, dest: Path, *, author: tuple[str, str] = OTHER_AUTHOR) -> Path:
        """A working copy of the branch at ``dest`` whose own commits are by ``author``."""
        run_git(dest.parent, "clone", "--quiet", "--branch", self.branch, self.url, str(dest))
        run_git(dest, "config", "user.name", author[0])
        run_git(dest, "config", "user.email", author[1])
        return dest


def make_remote(
    root: Path,
    *,
    seed: Path | Mapping[str, str] | None = None,
    branch: str = "main",
    name: str = "fleet.git",
    date: datetime | None = None,
) -> GitRemote:
    """A bare repository ``root/name`` whose ``branch`` has one commit holding ``seed``: a
    folder to copy, or a mapping of path -> text (default: a README)."""
    path = root / name
    root.mkdir(parents=True, exist_ok=True)
    run_git(root, "init", "--quiet", "--bare", f"--initial-branch={branch}", str(path))
    tree_files = dict(seed) if isinstance(seed, Mapping) else {}
    if seed is None:
        tree_files = {"README.md": "fleet repository\n"}
    with tempfile.TemporaryDirectory(prefix="offhours-seed-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index"), **_identity(OTHER_AUTHOR, date)}
        if isinstance(seed, Path):
            run_git(path, f"--work-tree={seed}", "add", "--all", ".", env=env)
        for file, text in tree_files.items():
            blob = run_git(path, "hash-object", "-w", "--stdin", stdin=text).strip()
            run_git(path, "update-index", "--add", "--cacheinfo", f"100644,{blob},{file}", env=env)
        tree = run_git(path, "write-tree", env=env).strip()
        sha = run_git(path, "commit-tree", tree, "-m", "seed the fleet repository", env=env)
    run_git(path, "update-ref", f"refs/heads/{branch}", sha.strip())
    return GitRemote(path=path, branch=branch)


# -- smart HTTP on loopback ----------------------------------------------------------------


class GitHttpServer:
    """``git http-backend`` served on 127.0.0.1, requiring HTTP Basic ``username:token``.

    ``requests`` records ``(method, path, authorised)`` for every request; with
    ``allow_push=False`` pushes are answered 403, as a protected branch would be.
    """

    def __init__(self, root: Path, *, username: str, token: str, allow_push: bool = True) -> None:
        self.root = root
        self.allow_push = allow_push
        expected = base64.b64encode(f"{username}:{token}".encode()).decode()
        self.expected_authorization = f"Basic {expected}"
        self.requests: list[tuple[str, str, bool]] = []
        self._lock = threading.Lock()
        self._server = _Backend(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, remote: GitRemote) -> str:
        """The HTTP URL of ``remote`` (which must live under ``root``)."""
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/{remote.path.relative_to(self.root).as_posix()}"

    def record(self, method: str, path: str, *, authorised: bool) -> None:
        """Remember one request (called by the handler threads)."""
        with self._lock:
            self.requests.append((method, path, authorised))

    def __enter__(self) -> GitHttpServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class _Backend(ThreadingHTTPServer):
    """The HTTP server, knowing which ``GitHttpServer`` it serves."""

    def __init__(self, owner: GitHttpServer) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner


class _Handler(BaseHTTPRequestHandler):
    """Checks the Authorization header, then runs ``git http-backend`` as CGI."""

    server: _Backend

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _serve(self) -> None:
        owner = self.server.owner
        parts = urlsplit(self.path)
        authorised = self.headers.get("Authorization") == owner.expected_authorization
        owner.record(self.command, parts.path, authorised=authorised)
        if not authorised:
            self._reply(401, b"authentication required\n", realm=True)
        elif not owner.allow_push and "git-receive-pack" in self.path:
            self._reply(403, b"pushes to this branch are not allowed\n")
        else:
            self._relay(self._cgi(parts.path, parts.query, root=owner.root))

    def _reply(self, status: int, body: bytes, *, realm: bool = False) -> None:
        self.send_response(status)
        if realm:
            self.send_header("WWW-Authenticate", 'Basic realm="offhours-test"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _cgi(self, path: str, query: str, *, root: Path) -> bytes:
        body = self._body()
        env = {
            "GIT_PROJECT_ROOT": str(root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "offhours-test",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        done = subprocess.run(
            ["git", "http-backend"],
            input=body,
            capture_output=True,
            env={**os.environ, **env},
            check=False,
            timeout=60,
        )
        return done.stdout

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        chunks = []
        while size := int(self.rfile.readline().strip() or b"0", 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        self.rfile.readline()
        return b"".join(chunks)

    def _relay(self, output: bytes) -> None:
        head, body = _split_cgi(output)
        headers = [line.split(b":", 1) for line in head.splitlines() if b":" in line]
        status = 200
        for key, value in headers:
            if key.strip().lower() == b"status":
                status = int(value.split()[0])
        self.send_response(status)
        for key, value in headers:
            if key.strip().lower() != b"status":
                self.send_header(key.decode().strip(), value.decode().strip())
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _split_cgi(output: bytes) -> tuple[bytes, bytes]:
    """CGI output as ``(headers, body)``; the blank line may be CRLF or LF."""
    ends = [(at, len(sep)) for sep in (b"\r\n\r\n", b"\n\n") if (at := output.find(sep)) >= 0]
    if not ends:
        return output, b""
    at, size = min(ends)
    return output[:at], output[at + size :]
