"""Golden manifest edits: every case of tests/data/manifests compared byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scheduler.core.changes import Action
from scheduler.core.manifests import FileEdit, Outcome, build_index, plan_edits
from tests.unit.core.manifests import golden

REGOLD = os.environ.get("OFFHOURS_REGOLD") == "1"


def _apply(files: dict[str, str], case: golden.Case, *, wake: bool) -> tuple[dict[str, str], list]:
    index = build_index(sorted(files.items()))
    requests = []
    for request in case.requests:
        action = Action.WAKE if wake else request.action
        requests.append(golden.edit_request(index, request, action=action))
    edits: tuple[FileEdit, ...] = plan_edits(index, requests)
    out = dict(files)
    results = []
    for edit in edits:
        out[edit.path] = edit.new_text
        results.extend(edit.objects)
    order = {id(r): n for n, r in enumerate(requests)}
    results.sort(key=lambda o: order[id(o.request)])
    return out, results


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))


@pytest.mark.parametrize("name", golden.case_names())
def test_golden_case(name: str) -> None:
    """The edited repository equals expected/ byte for byte, with the stated outcomes."""
    case = golden.load_case(name)
    files = golden.read_tree(case.root / "input")
    assert files, f"{name}: empty input/"
    out, results = _apply(files, case, wake=False)
    if REGOLD:
        _write(case.root / "expected", out)
    for request, result in zip(case.requests, results, strict=True):
        assert result.outcome == Outcome(request.outcome), (request.object, result.message)
        if request.changes is not None:
            assert [golden.describe(c) for c in result.changes] == list(request.changes)
        if request.message is not None:
            shown = result.message + " ".join(c.note for c in result.changes)
            assert request.message in shown, shown
        assert all(c.policy == "golden" for c in result.changes)
    assert out == golden.read_tree(case.root / "expected")


@pytest.mark.parametrize("name", [n for n in golden.case_names() if golden.load_case(n).roundtrip])
def test_golden_case_wakes_back_to_input(name: str) -> None:
    """Waking what the case put to sleep gives back input/ byte for byte."""
    case = golden.load_case(name)
    files = golden.read_tree(case.root / "input")
    asleep = golden.read_tree(case.root / "expected")
    awake, results = _apply(asleep, case, wake=True)
    assert all(r.outcome is Outcome.CHANGED for r in results), [r.message for r in results]
    assert awake == files
