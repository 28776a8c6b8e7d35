"""``offhours preview`` end to end: formats, range options, policy selection, broken policies."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main

NOW = datetime(2026, 11, 28, 12, 34, 56, 789, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
NIGHTS = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: nights}
spec:
  timeZone: UTC
  downtime: ["Mon-Sun 20:00-06:00"]
  targets: [{namespaces: [dev]}]
"""
BROKEN = NIGHTS.replace("name: nights", "name: broken").replace("UTC", "Mars/Base")


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "now_utc", lambda: NOW)


def folder(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / f"{name}.yaml").write_text(text)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["preview", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_defaults_to_seven_days_from_now(tmp_path: Path) -> None:
    """Without --from/--to the range is now (to the second) plus 7 days."""
    code, out, err = run("--policies", str(folder(tmp_path, nights=NIGHTS)), "--format", "json")
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert (doc["from"], doc["to"]) == ("2026-11-28T12:34:56Z", "2026-12-05T12:34:56Z")
    (policy,) = doc["policies"]
    assert policy["off"][0] == {"start": "2026-11-28T20:00:00Z", "end": "2026-11-29T06:00:00Z"}
    assert policy["offSeconds"] == 7 * 10 * 3600
    assert policy["transitions"][:2] == [
        {"at": "2026-11-28T20:00:00Z", "to": "off"},
        {"at": "2026-11-29T06:00:00Z", "to": "on"},
    ]


def test_explicit_range_and_policy_filter() -> None:
    """--from/--to bound the range; --policy keeps one policy of the bundled examples."""
    code, out, _ = run(
        "--policies",
        str(REPO / "policies"),
        "--from",
        "2026-12-21T00:00:00+01:00",
        "--to",
        "2026-12-28T00:00:00+01:00",
        "--policy",
        "staging-holidays",
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert [p["name"] for p in doc["policies"]] == ["staging-holidays"]
    assert doc["policies"][0]["off"] == [
        {"start": "2026-12-23T23:00:00Z", "end": "2026-12-25T23:00:00Z"},
        {"start": "2026-12-26T23:00:00Z", "end": "2026-12-27T23:00:00Z"},
    ]


def test_broken_policy_is_reported_and_the_others_previewed(tmp_path: Path) -> None:
    """Errors go to stderr, the good policy still renders, the exit code is 1."""
    code, out, err = run(
        "--policies",
        str(folder(tmp_path, broken=BROKEN, nights=NIGHTS)),
        "--days",
        "1",
        "--format",
        "json",
    )
    assert code == 1
    assert err == (
        f'{tmp_path}/broken.yaml:5:13: spec.timeZone: unknown time zone (got "Mars/Base"; '
        f"expected an IANA "
        "zone such as Europe/Berlin, America/New_York or UTC)\n"
    )
    assert [p["name"] for p in json.loads(out)["policies"]] == ["nights"]


def test_text_and_markdown_formats(tmp_path: Path) -> None:
    """The default text calendar and the markdown tables render."""
    path = str(folder(tmp_path, nights=NIGHTS))
    code, text, _ = run("--policies", path, "--from", "2026-11-30", "--days", "2")
    assert code == 0
    assert text.startswith("offhours preview 2026-11-30T00:00:00Z .. 2026-12-02T00:00:00Z\n")
    assert "Mon 2026-11-30  " + "█" * 12 + "·" * 28 + "█" * 8 + "  10.0 h" in text
    code, markdown, _ = run(
        "--policies", path, "--from", "2026-11-30", "--days", "2", "--format", "markdown"
    )
    assert code == 0
    assert "| `nights` | UTC | 20.0 h | 41.7 % | off | Mon 2026-11-30 06:00 UTC → on |" in markdown


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--to", "2026-12-01", "--days", "3"], 2, "give either --to or --days, not both"),
        (["--from", "2026-12-02", "--to", "2026-12-01"], 2, "must be after --from"),
        (["--policy", "nope"], 2, "no policy named nope (valid policies: nights)"),
        (["--days", "401"], 2, "401 is not in the range 1<=x<=400"),
    ],
)
def test_bad_options(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    """Contradictory or impossible options are refused with a clear message."""
    result = run("--policies", str(folder(tmp_path, nights=NIGHTS)), *args)
    assert result[0] == code
    assert message in result[2]
