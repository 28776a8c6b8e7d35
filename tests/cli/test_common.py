"""Settings handling shared by the subcommands: invalid OFFHOURS_* values as one safe line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scheduler.cli import main


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
