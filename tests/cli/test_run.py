"""``offhours run``: what the command logs about itself before its first cycle."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.testing import gitremote


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in gitremote.isolate_git(tmp_path / "home").items():
        monkeypatch.setenv(key, value)


def test_the_logged_settings_hold_no_url_credentials(tmp_path: Path) -> None:
    """A token in the repository URL and a password in the Prometheus URL are masked in the
    startup settings line (the remote here is unreachable: the cycle fails, exit 2)."""
    env = {
        "OFFHOURS_GIT__CACHE_DIR": str(tmp_path / "cache"),
        "OFFHOURS_PROMETHEUS__URL": "http://reader:pr0m-pass@127.0.0.1:1",
        "OFFHOURS_LOGGING__FORMAT": "json",
    }
    repo = "http://x-access-token:ghp_s3cret@127.0.0.1:1/fleet.git"
    result = CliRunner().invoke(main, ["run", "--once", "--repo", repo], env=env)
    assert result.exit_code == 2
    assert '"event": "daemon.settings"' in result.output
    assert "http://***@127.0.0.1:1/fleet.git" in result.output
    assert "ghp_s3cret" not in result.output
    assert "pr0m-pass" not in result.output


@pytest.mark.parametrize("seconds", ["0", "-5"])
def test_a_poll_interval_must_be_positive(seconds: str, tmp_path: Path) -> None:
    """--poll-interval 0 (or less) is refused before anything runs: it would spin the loop."""
    args = ["run", "--once", "--repo", str(tmp_path), "--poll-interval", seconds]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "Invalid value for '--poll-interval'" in result.output
