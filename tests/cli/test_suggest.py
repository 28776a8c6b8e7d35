"""``offhours suggest`` options: energies a week, and clear errors for bad input (exit 2)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from scheduler.cli import main
from scheduler.cli.suggest import parse_saving


@pytest.mark.parametrize(
    ("text", "joules"),
    [
        ("0.5kWh/week", 1.8e6),
        ("2MJ/day", 14e6),
        ("365.25 kWh/year", 7 * 3.6e6),
        ("100J", 100.0),
    ],
)
def test_parse_saving(text: str, joules: float) -> None:
    assert parse_saving(text) == pytest.approx(joules)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-saving", "lots"], "expected e.g. 0.5kWh/week"),
        (["--time-zone", "Mars/Olympus"], "not an IANA time zone"),
        (["--granularity", "7m"], "dividing a day"),
        (["--margin", "45m"], "not a whole number of 30-minute slots"),
        (["--holidays", "XX"], "unknown or unsupported country"),
        (["--holidays", "DE-XX"], "unknown subdivision for DE"),
    ],
)
def test_bad_options_say_what_was_expected(args: list[str], message: str) -> None:
    result = CliRunner().invoke(
        main,
        ["suggest", "--prometheus", "http://127.0.0.1:9", *args],
        env={"OFFHOURS_PROMETHEUS__RETRIES": "0"},
    )
    assert result.exit_code == 2
    assert message in result.stderr


def test_no_prometheus_url_is_a_clear_error() -> None:
    result = CliRunner().invoke(main, ["suggest"], env={"OFFHOURS_PROMETHEUS__URL": ""})
    assert result.exit_code == 2
    assert "no Prometheus URL" in result.stderr
