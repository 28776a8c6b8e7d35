"""Git adapter credentials: HTTPS tokens and SSH keys reach git, and nothing else.

The token must never appear in an error message, a log event, ``.git/config`` or the stored
remote URL. HTTPS runs against ``git http-backend`` on 127.0.0.1 requiring the token; SSH
runs through a stand-in ``ssh`` program that records its arguments and runs the remote
command locally.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from structlog.testing import capture_logs

from scheduler.adapters import gitrepo
from scheduler.adapters.gitrepo.redaction import Redactor, split_userinfo
from scheduler.core.changes import Action, Change
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings
from scheduler.testing import gitremote

TOKEN = "ghp_S3cretTok3nValue1234567890"
USER = "x-access-token"


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    return gitremote.make_remote(tmp_path / "srv", seed={"apps/web.yaml": "replicas: 2\n"})


@pytest.fixture
def server(tmp_path: Path, remote: gitremote.GitRemote) -> Iterator[gitremote.GitHttpServer]:
    with gitremote.GitHttpServer(tmp_path / "srv", username=USER, token=TOKEN) as running:
        yield running


def settings_for(tmp_path: Path, **fields: object) -> GitSettings:
    return GitSettings.model_validate(
        {"cache_dir": tmp_path / "cache", "retry_backoff_seconds": 0.0, **fields}
    )


def sleep_web(root: Path) -> gitrepo.CommitRequest | None:
    path = root / "apps/web.yaml"
    if path.read_text() == "replicas: 0\n":
        return None
    path.write_text("replicas: 0\n")
    web = WorkloadRef("Deployment", "dev", "web")
    change = Change(web, "apps/web.yaml", "dev-nights", Action.SLEEP, "spec.replicas", 2, 0)
    return gitrepo.CommitRequest.for_changes([change])


def assert_secret_free(folder: Path) -> None:
    """No file of git's own configuration holds the token."""
    config = (folder / ".git" / "config").read_text()
    assert TOKEN not in config
    assert "extraHeader" not in config
    assert "@127.0.0.1" not in config


def test_token_authenticates_clone_and_push_without_touching_disk(
    tmp_path: Path, remote: gitremote.GitRemote, server: gitremote.GitHttpServer
) -> None:
    """An HTTPS token clones and pushes; every request carried it; nothing stored it."""
    settings = settings_for(tmp_path, https_token=SecretStr(TOKEN))
    with gitrepo.open_checkout(settings, repo=server.url(remote)) as checkout:
        result = gitrepo.publish(checkout, sleep_web)
        folder = checkout.path
    assert result.pushed
    assert remote.head() == result.commit
    assert server.requests
    assert all(authorised for _, _, authorised in server.requests)
    assert any("git-receive-pack" in path for _, path, _ in server.requests)
    assert_secret_free(folder)


def test_credentials_in_the_url_are_moved_out_of_it(
    tmp_path: Path, remote: gitremote.GitRemote, server: gitremote.GitHttpServer
) -> None:
    """user:token@ in the URL authenticates, but the clone stores and shows the bare URL."""
    url = server.url(remote).replace("http://", f"http://{USER}:{TOKEN}@")
    with gitrepo.open_checkout(settings_for(tmp_path), repo=url) as checkout:
        assert checkout.remote_url == server.url(remote)
        assert TOKEN not in str(checkout)
        assert gitrepo.publish(checkout, sleep_web).pushed
        stored = gitremote.run_git(checkout.path, "remote", "get-url", "origin").strip()
        folder = checkout.path
    assert stored == server.url(remote)
    assert_secret_free(folder)


def test_a_lone_token_in_the_url_is_used_as_the_token(
    tmp_path: Path, remote: gitremote.GitRemote, server: gitremote.GitHttpServer
) -> None:
    """https://<token>@host (GitHub's form) authenticates as https_username with that token."""
    url = server.url(remote).replace("http://", f"http://{TOKEN}@")
    with gitrepo.open_checkout(settings_for(tmp_path), repo=url) as checkout:
        assert checkout.remote_url == server.url(remote)
    assert all(authorised for _, _, authorised in server.requests)


def test_the_configured_token_wins_over_the_url(
    tmp_path: Path, remote: gitremote.GitRemote, server: gitremote.GitHttpServer
) -> None:
    """With OFFHOURS_GIT__HTTPS_TOKEN set, stale credentials left in a URL are not used."""
    url = server.url(remote).replace("http://", "http://old-user:old-password@")
    settings = settings_for(tmp_path, https_token=SecretStr(TOKEN))
    with gitrepo.open_checkout(settings, repo=url):
        pass
    assert all(authorised for _, _, authorised in server.requests)


def test_a_failed_push_never_shows_the_token(tmp_path: Path, remote: gitremote.GitRemote) -> None:
    """A push the server refuses fails with a message, and logs, free of the token."""
    with gitremote.GitHttpServer(
        tmp_path / "srv", username=USER, token=TOKEN, allow_push=False
    ) as server:
        url = server.url(remote).replace("http://", f"http://{USER}:{TOKEN}@")
        settings = settings_for(tmp_path, https_token=SecretStr(TOKEN))
        with (
            capture_logs() as logs,
            gitrepo.open_checkout(settings, repo=url) as checkout,
            pytest.raises(GitSyncError) as caught,
        ):
            gitrepo.publish(checkout, sleep_web)
    message = str(caught.value)
    assert "pushing to" in message
    assert "403" in message
    assert TOKEN not in message
    assert TOKEN not in repr(caught.value.__cause__ or "")
    assert TOKEN not in repr(logs)
    assert_secret_free(checkout.path)


def test_a_wrong_token_is_a_clear_error_without_the_token(
    tmp_path: Path, remote: gitremote.GitRemote, server: gitremote.GitHttpServer
) -> None:
    """Rejected credentials fail the clone at once (no prompt), naming the URL, not the token."""
    wrong = "wrong-" + TOKEN
    settings = settings_for(tmp_path, https_token=SecretStr(wrong))
    with (
        pytest.raises(GitSyncError) as caught,
        gitrepo.open_checkout(settings, repo=server.url(remote)),
    ):
        pass
    message = str(caught.value)
    assert message.startswith(f"finding the default branch of {server.url(remote)} failed: ")
    assert "terminal prompts disabled" in message
    assert message.endswith(
        "(the server wants credentials it did not get or did not accept: set "
        "OFFHOURS_GIT__HTTPS_TOKEN (and OFFHOURS_GIT__HTTPS_USERNAME if the host needs one) "
        "to a token allowed to read and push)"
    )
    assert wrong not in message
    assert TOKEN not in message


def test_a_token_is_never_sent_over_plain_http_to_another_host(tmp_path: Path) -> None:
    """http:// to a non-loopback host with a token is refused before any connection."""
    settings = settings_for(tmp_path, https_token=SecretStr(TOKEN))
    with (
        pytest.raises(GitSyncError, match="refusing to send the HTTPS token over plain http"),
        gitrepo.open_checkout(settings, repo="http://git.example.invalid/fleet.git"),
    ):
        pass


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:pa55word@git.example/x.git", "https://***@git.example/x.git"),
        ("fatal: https://tok3nvalue@h/x: 403", "fatal: https://***@h/x: 403"),
        ("ssh://git@host/x.git", "ssh://git@host/x.git"),
        ("ssh://git:pa55@host/x.git", "ssh://***@host/x.git"),
        ("header Basic c2VjcmV0LXZhbHVl and secret-value", "header Basic *** and ***"),
    ],
    ids=["https-password", "https-token-user", "ssh-user-kept", "ssh-password", "known-secrets"],
)
def test_redactor_masks_url_credentials_and_known_secrets(text: str, expected: str) -> None:
    """URL passwords and tokens, and every configured secret, become ***."""
    assert Redactor(["secret-value", "c2VjcmV0LXZhbHVl"])(text) == expected


def test_userinfo_is_split_and_percent_decoded() -> None:
    """user:p%40ss@ gives back the clean URL, the user and the decoded password."""
    assert split_userinfo("https://bot:p%40ss@h.example:8443/a/b.git") == (
        "https://h.example:8443/a/b.git",
        "bot",
        "p@ss",
    )
    assert split_userinfo("git@github.com:org/fleet.git") == (
        "git@github.com:org/fleet.git",
        None,
        None,
    )


# -- SSH ---------------------------------------------------------------------------------


@pytest.fixture
def fake_ssh(tmp_path: Path) -> tuple[Path, Path]:
    """An ``ssh`` stand-in: records its argv, then runs the remote command locally."""
    record = tmp_path / "ssh-args.txt"
    script = tmp_path / "fake-ssh"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" >> {shlex.quote(str(record))}\n'
        'for last; do :; done\nexec sh -c "$last"\n'
    )
    script.chmod(0o755)
    return script, record


def test_ssh_key_and_host_key_policy_reach_ssh(
    tmp_path: Path, remote: gitremote.GitRemote, fake_ssh: tuple[Path, Path]
) -> None:
    """ssh gets -i <key>, IdentitiesOnly, batch mode and accept-new; clone and push work."""
    script, record = fake_ssh
    key = tmp_path / "id key"  # a space in the path must survive quoting
    key.write_text("not a real key\n")
    settings = settings_for(tmp_path, ssh_key_file=key, ssh_command=str(script))
    url = f"ssh://git@127.0.0.1{remote.path}"
    with gitrepo.open_checkout(settings, repo=url) as checkout:
        assert gitrepo.publish(checkout, sleep_web).pushed
    args = record.read_text().splitlines()
    assert ["-i", str(key)] == args[args.index("-i") : args.index("-i") + 2]
    for option in ("BatchMode=yes", "StrictHostKeyChecking=accept-new", "IdentitiesOnly=yes"):
        assert option in args
    assert "git@127.0.0.1" in args


def test_known_hosts_file_and_strict_checking(
    tmp_path: Path, remote: gitremote.GitRemote, fake_ssh: tuple[Path, Path]
) -> None:
    """A known_hosts file and StrictHostKeyChecking=yes are passed when configured."""
    script, record = fake_ssh
    known = tmp_path / "known_hosts"
    settings = settings_for(
        tmp_path,
        ssh_command=str(script),
        ssh_known_hosts_file=known,
        ssh_strict_host_key_checking="yes",
    )
    with gitrepo.open_checkout(settings, repo=f"ssh://git@127.0.0.1{remote.path}"):
        pass
    args = record.read_text().splitlines()
    assert "StrictHostKeyChecking=yes" in args
    assert f"UserKnownHostsFile={known}" in args
    assert "-i" not in args
