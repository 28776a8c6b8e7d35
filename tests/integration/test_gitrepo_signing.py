"""Git adapter commit signing: SSH and GPG signatures that ``git verify-commit`` accepts,
configured per command and never written to any git config file."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from scheduler.adapters import gitrepo
from scheduler.errors import GitSyncError
from scheduler.settings import GitSettings
from scheduler.testing import gitremote

EMAIL = "offhours@noreply.offhours.dev"


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def remote(tmp_path: Path) -> gitremote.GitRemote:
    return gitremote.make_remote(tmp_path / "remote", seed={"apps/web.yaml": "replicas: 2\n"})


def sleep_web(root: Path) -> gitrepo.CommitRequest | None:
    (root / "apps/web.yaml").write_text("replicas: 0\n")
    return gitrepo.CommitRequest(files=("apps/web.yaml",), message="offhours: sleep 1\n")


def publish_with(settings: GitSettings, remote: gitremote.GitRemote) -> tuple[str, Path]:
    with gitrepo.open_checkout(settings, repo=remote.url) as checkout:
        result = gitrepo.publish(checkout, sleep_web)
        assert result.commit is not None
        return result.commit, checkout.path


def config_files(clone: Path, home: Path) -> str:
    return (clone / ".git" / "config").read_text() + (home / "gitconfig").read_text()


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is not installed")
def test_ssh_signed_commit_verifies(tmp_path: Path, remote: gitremote.GitRemote) -> None:
    """signing_format=ssh signs with the key file; verify-commit accepts it via allowed signers."""
    key = tmp_path / "signing_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", EMAIL, "-f", str(key)], check=True
    )
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"{EMAIL} {key.with_suffix('.pub').read_text()}")
    settings = GitSettings(cache_dir=tmp_path / "cache", signing_format="ssh", signing_key=str(key))
    sha, clone = publish_with(settings, remote)
    verified = remote.git(
        "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", "--raw", sha
    )
    assert verified == ""  # verify-commit exits 0; details are on stderr
    status = remote.git(
        "-c", f"gpg.ssh.allowedSignersFile={allowed}", "log", "-1", "--format=%G?|%GS", sha
    )
    assert status.strip() == f"G|{EMAIL}"
    assert "signingkey" not in config_files(clone, tmp_path / "home")
    assert "gpg" not in config_files(clone, tmp_path / "home")


@pytest.fixture
def gnupg_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A throw-away GnuPG home with one passphrase-less key; its agent is stopped afterwards."""
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    home = Path(tempfile.mkdtemp(prefix="oh-gpg-", dir="/tmp"))  # agent socket paths are short
    home.chmod(0o700)
    monkeypatch.setenv("GNUPGHOME", str(home))
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--quiet",
            "--passphrase",
            "",
            "--quick-gen-key",
            f"offhours <{EMAIL}>",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        capture_output=True,
    )
    yield home
    subprocess.run(["gpgconf", "--kill", "all"], check=False, capture_output=True)
    shutil.rmtree(home, ignore_errors=True)


def test_gpg_signed_commit_verifies(
    tmp_path: Path, remote: gitremote.GitRemote, gnupg_home: Path
) -> None:
    """signing_format=gpg signs with the key id; verify-commit accepts the signature."""
    settings = GitSettings(cache_dir=tmp_path / "cache", signing_format="gpg", signing_key=EMAIL)
    sha, clone = publish_with(settings, remote)
    assert remote.git("log", "-1", "--format=%G?", sha).strip() == "G"
    remote.git("verify-commit", sha)
    assert "signingkey" not in config_files(clone, tmp_path / "home")


def test_signing_without_a_key_is_a_clear_error(
    tmp_path: Path, remote: gitremote.GitRemote
) -> None:
    """A signing format without a key says which setting to set; nothing is pushed."""
    settings = GitSettings(cache_dir=tmp_path / "cache", signing_format="ssh")
    with pytest.raises(GitSyncError, match="OFFHOURS_GIT__SIGNING_KEY"):
        publish_with(settings, remote)
    assert remote.count() == 1


def test_a_users_global_signing_setting_does_not_apply(
    tmp_path: Path, remote: gitremote.GitRemote
) -> None:
    """Global commit.gpgsign=true with an unusable key cannot block an unsigned offhours commit."""
    (tmp_path / "home" / "gitconfig").write_text(
        "[commit]\n\tgpgsign = true\n[user]\n\tsigningkey = no-such-key\n"
    )
    sha, _ = publish_with(GitSettings(cache_dir=tmp_path / "cache"), remote)
    assert remote.git("log", "-1", "--format=%G?", sha).strip() == "N"
