"""``offhours validate`` end to end: files on disk, output lines and exit codes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.cli import common, main

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
GOOD = """\
apiVersion: offhours.dev/v1alpha1
kind: OffHoursPolicy
metadata: {name: good}
spec:
  uptime: ["Mon-Fri 08:00-18:00"]
  targets: [{namespaces: [dev]}]
"""
EXPIRED = (
    GOOD.replace("name: good", "name: expired")
    + '  overrides: [{state: "on", until: "2026-11-01T00:00:00Z"}]\n'
)
BROKEN = GOOD.replace("name: good", "name: broken").replace(
    "Mon-Fri 08:00-18:00", "Mon-Fri 8am-6pm"
)
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "now_utc", lambda: NOW)


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text)
    return folder


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", *args], env=env)
    return result.exit_code, result.stdout, result.stderr


def test_the_bundled_example_policies_are_valid() -> None:
    """policies/ in the repository validates cleanly."""
    code, out, _ = run("--policies", str(REPO / "policies"))
    assert (code, out) == (0, "4 policies in 4 files: 0 errors, 0 warnings\n")


def test_errors_are_listed_with_positions_and_exit_1(tmp_path: Path) -> None:
    """Each error is one path:line:col line, followed by the summary."""
    folder = write(tmp_path / "p", a_good=GOOD, b_broken=BROKEN)
    code, out, _ = run("--policies", str(folder))
    assert code == 1
    assert out.splitlines() == [
        f'{folder}/b_broken.yaml:5:13: spec.uptime[0]: not a window (got "Mon-Fri 8am-6pm"; '
        f"expected "
        '"Mon-Fri 07:30-19:00", "Sat 09:00-13:00 Europe/Berlin" or "2026-12-24T18:00 - '
        '2026-12-27T08:00")',
        "2 policies in 2 files: 1 error, 0 warnings",
    ]


def test_expired_override_warns_but_passes(tmp_path: Path) -> None:
    """A warning does not fail validation."""
    folder = write(tmp_path / "p", expired=EXPIRED)
    code, out, _ = run("--policies", str(folder))
    assert code == 0
    assert out.splitlines() == [
        f"{folder}/expired.yaml:7:36: warning: spec.overrides[0]: override expired at "
        "2026-11-01T00:00:00Z; it is ignored and can be removed",
        "1 policy in 1 file: 0 errors, 1 warning",
    ]


def test_folder_comes_from_the_environment(tmp_path: Path) -> None:
    """OFFHOURS_POLICIES is the default folder."""
    folder = write(tmp_path / "p", good=GOOD)
    code, out, _ = run(env={"OFFHOURS_POLICIES": str(folder)})
    assert (code, out) == (0, "1 policy in 1 file: 0 errors, 0 warnings\n")


def test_unreadable_and_unparsable_files_are_errors(tmp_path: Path) -> None:
    """A non-UTF-8 file and broken YAML are reported; the good policy still counts."""
    folder = write(tmp_path / "p", good=GOOD, yaml="a: [1\n")
    (folder / "binary.yaml").write_bytes(b"\xff\xfe")
    code, out, _ = run("--policies", str(folder))
    assert code == 1
    assert out.splitlines() == [
        f"{folder}/binary.yaml:1:1: cannot read the file: not UTF-8 text (invalid start byte at "
        f"byte 0)",
        f"{folder}/yaml.yaml:2:1: invalid YAML: did not find expected ',' or ']' "
        "(while parsing a flow sequence started at line 1, column 4)",
        "2 policies in 3 files: 2 errors, 0 warnings",
    ]


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    """A folder that does not exist exits 2 with one clear line."""
    code, _, err = run("--policies", str(tmp_path / "nope"))
    assert code == 2
    assert err == (
        f"offhours: error: policies folder '{tmp_path / 'nope'}' does not exist; pass --policies "
        f"DIR "
        "or set OFFHOURS_POLICIES\n"
    )


def test_empty_folder_says_so(tmp_path: Path) -> None:
    """No documents is not an error, but it is said."""
    code, out, _ = run("--policies", str(write(tmp_path / "p")))
    assert (code, out) == (
        0,
        "no policy documents found\n0 policies in 0 files: 0 errors, 0 warnings\n",
    )
