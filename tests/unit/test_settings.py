"""Settings: every default pinned, the environment read with the OFFHOURS_ prefix, secrets
redacted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scheduler.settings import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith("OFFHOURS_"):
            monkeypatch.delenv(key)


def test_defaults_are_pinned() -> None:
    """A changed default is a user-visible change: this test makes it deliberate."""
    s = Settings()
    assert s.policies == Path("policies")
    assert (s.git.repo, s.git.branch, s.git.remote, s.git.push_retries) == (".", "", "origin", 5)
    assert (s.git.author_name, s.git.author_email) == ("offhours", "offhours@noreply.offhours.dev")
    assert s.git.ssh_strict_host_key_checking == "accept-new"
    assert s.prometheus.url is None
    assert (s.prometheus.timeout_seconds, s.prometheus.retries) == (30.0, 3)
    assert (s.kube.flux_namespace, s.kube.request_reconcile) == ("flux-system", True)
    d = s.daemon
    assert (d.poll_interval_seconds, d.listen_address, d.leader_election) == (
        60.0,
        "0.0.0.0:8080",
        False,
    )
    assert (d.lease_name, d.lease_namespace, d.lease_duration_seconds) == (
        "offhours-leader",
        "offhours",
        15.0,
    )
    assert (d.flux_settle_seconds, d.flux_follow_timeout_seconds) == (300.0, 900.0)
    e = s.energy
    assert (e.grid_gco2e_per_kwh, e.price_per_kwh, e.currency, e.pue) == (480.0, 0.30, "EUR", 1.0)
    assert (s.logging.format, s.logging.level) == ("auto", "info")


def test_environment_uses_prefix_and_nested_delimiter(monkeypatch: pytest.MonkeyPatch) -> None:
    """OFFHOURS_GIT__BRANCH sets git.branch; OFFHOURS_POLICIES sets the policies folder."""
    monkeypatch.setenv("OFFHOURS_GIT__BRANCH", "fleet")
    monkeypatch.setenv("OFFHOURS_POLICIES", "ops/policies")
    monkeypatch.setenv("OFFHOURS_DAEMON__LEADER_ELECTION", "true")
    s = Settings()
    assert s.git.branch == "fleet"
    assert s.policies == Path("ops/policies")
    assert s.daemon.leader_election is True


def test_secrets_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tokens and passwords never appear in the logged settings."""
    monkeypatch.setenv("OFFHOURS_GIT__HTTPS_TOKEN", "ghp_secret")
    monkeypatch.setenv("OFFHOURS_PROMETHEUS__PASSWORD", "hunter2")
    monkeypatch.setenv("OFFHOURS_PROMETHEUS__BEARER_TOKEN", "tok3n")
    monkeypatch.setenv(
        "OFFHOURS_PROMETHEUS__HEADERS",
        '{"Authorization": "Basic c2VjcmV0", "X-Scope-OrgID": "team-a"}',
    )
    shown = str(Settings().redacted())
    for secret in ("ghp_secret", "hunter2", "tok3n", "c2VjcmV0"):
        assert secret not in shown
    assert "team-a" in shown  # a tenant id is not a secret


def test_a_yaml_file_sits_below_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OFFHOURS_CONFIG names a YAML file with the same structure; the environment wins."""
    config = tmp_path / "offhours.yaml"
    config.write_text("policies: ops/policies\ngit: {branch: fleet, push_retries: 2}\n")
    monkeypatch.setenv("OFFHOURS_CONFIG", str(config))
    monkeypatch.setenv("OFFHOURS_GIT__BRANCH", "main")
    s = Settings()
    assert s.policies == Path("ops/policies")
    assert s.git.push_retries == 2
    assert s.git.branch == "main"


def test_a_missing_settings_file_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """OFFHOURS_CONFIG pointing nowhere is an error naming the path."""
    monkeypatch.setenv("OFFHOURS_CONFIG", "/nonexistent/offhours.yaml")
    with pytest.raises(FileNotFoundError, match=r"/nonexistent/offhours\.yaml"):
        Settings()


def test_a_typo_in_a_group_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """OFFHOURS_GIT__BRANHC is an error naming the field, not silently ignored."""
    monkeypatch.setenv("OFFHOURS_GIT__BRANHC", "main")
    with pytest.raises(ValueError, match="branhc"):
        Settings()


def test_credentials_in_urls_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token in the repository URL or a password in the Prometheus URL is never shown."""
    monkeypatch.setenv("OFFHOURS_GIT__REPO", "https://x-access-token:ghp_abc@github.com/o/r.git")
    monkeypatch.setenv("OFFHOURS_PROMETHEUS__URL", "https://u:pw@prom.example:9090/x")
    shown = Settings().redacted()
    assert shown["git"]["repo"] == "https://***@github.com/o/r.git"
    assert shown["prometheus"]["url"] == "https://***@prom.example:9090/x"
