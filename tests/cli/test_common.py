"""Settings handling shared by the subcommands: invalid OFFHOURS_* values as one safe line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main
from scheduler.settings import Settings


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"OFFHOURS_GIT__HTTPS_TOKNE": "ghp_s3cret"}, "git.https_tokne"),
        ({"OFFHOURS_GIT__PUSH_RETRIES": "ghp_s3cret"}, "git.push_retries"),
    ],
    ids=["typo-in-a-secret-name", "secret-in-a-number-field"],
)
def test_invalid_settings_are_one_line_without_the_value(env: dict[str, str], named: str) -> None:
    """The error names the setting and the rule, on one line, never the value given: a
    mistyped token variable must not put the token into the Pod's log."""
    result = CliRunner().invoke(main, ["plan"], env=env)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"offhours: error: invalid OFFHOURS_* settings: {named}: ")
    assert result.stderr.count("\n") == 1
    assert "ghp_s3cret" not in result.output


def test_without_offhours_variables_every_setting_has_its_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The settings come only from OFFHOURS_* variables (and the file one names): with none
    set (a .env file is not read), they are the defaults the CLI assumes without loading them."""
    for name in list(os.environ):
        if name.upper().startswith("OFFHOURS_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("OFFHOURS_PROMETHEUS__URL=http://prometheus:9090\n")
    assert not common.settings_in_environment()
    settings = common.load_settings()
    assert settings.policies == common.DEFAULT_POLICIES == common.policies_setting()
    assert settings.prometheus.url is None
    assert Settings.model_config.get("env_prefix") == common.SETTINGS_PREFIX
    sources = [object() for _ in range(4)]
    assert Settings.settings_customise_sources(Settings, *sources) == tuple(sources[:2])  # type: ignore[arg-type]


def test_any_offhours_variable_means_the_settings_are_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A variable in any case counts (the settings read names case-insensitively)."""
    monkeypatch.setenv("offhours_policies", "elsewhere")
    assert common.settings_in_environment()
    assert common.policies_setting() == Path("elsewhere")
