"""Reading the golden cases under ``tests/data/manifests/<case>/``.

Each case has ``input/`` (a small repository), ``expected/`` (the same files after the
requested edits, byte for byte) and ``case.yaml``::

    description: what the case pins
    roundtrip: true          # waking the changed objects gives back input/ byte for byte
    requests:
      - object: Deployment/web            # Kind/name or Kind/namespace/name
        file: apps/web.yaml               # only when the name is ambiguous
        action: sleep                     # or wake
        method: {replicas: 0}             # replicas | rendered | suspend | values | pause |
                                          # field;
                                          # omitted: the kind's default (sleep), none (wake)
        outcome: changed                  # changed | unchanged | refused | failed
        changes: ["spec.replicas: 3 -> 0"]
        message: substring of the refusal / note
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scheduler.core.changes import Action, Change
from scheduler.core.manifests import (
    EditRequest,
    HelmValues,
    KedaPause,
    ManifestIndex,
    ManifestObject,
    RenderedField,
    ScaleRendered,
    ScaleReplicas,
    SetField,
    SleepMethod,
    Suspend,
    default_method,
)

DATA = Path(__file__).resolve().parents[3] / "data" / "manifests"


@dataclass(frozen=True)
class Request:
    """One request of a case, as written in ``case.yaml``."""

    object: str
    action: Action
    method: dict[str, Any] | None
    file: str | None
    outcome: str
    changes: tuple[str, ...] | None
    message: str | None


@dataclass(frozen=True)
class Case:
    """A golden case directory."""

    name: str
    description: str
    roundtrip: bool
    requests: tuple[Request, ...] = field(default=())

    @property
    def root(self) -> Path:
        return DATA / self.name


def case_names() -> list[str]:
    return sorted(p.name for p in DATA.iterdir() if (p / "case.yaml").is_file())


def load_case(name: str) -> Case:
    raw = yaml.safe_load((DATA / name / "case.yaml").read_text(encoding="utf-8"))
    requests = tuple(
        Request(
            object=r["object"],
            action=Action(r.get("action", "sleep")),
            method=r.get("method"),
            file=r.get("file"),
            outcome=r.get("outcome", "changed"),
            changes=tuple(r["changes"]) if "changes" in r else None,
            message=r.get("message"),
        )
        for r in raw["requests"]
    )
    return Case(name, raw["description"], bool(raw.get("roundtrip", False)), requests)


def read_tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` as text, exactly as on disk (no newline translation)."""
    if not root.is_dir():
        return {}
    return {
        p.relative_to(root).as_posix(): p.read_bytes().decode("utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def method_of(spec: dict[str, Any] | None) -> SleepMethod | None:
    """The sleep method written as ``{name: {args}}`` in a case."""
    if spec is None:
        return None
    ((name, args),) = spec.items()
    args = args or {}
    match name:
        case "replicas":
            return ScaleReplicas(**args)
        case "rendered":
            fields = tuple(
                RenderedField(
                    f["kind"], tuple(f["path"].split(".")), f["value"], f.get("group", "")
                )
                for f in args.get("fields", [])
            )
            kinds = tuple(args.get("kinds", ScaleRendered().kinds))
            return ScaleRendered(args.get("replicas", 0), kinds, fields)
        case "suspend":
            return Suspend()
        case "values":
            paths = tuple(args.get("paths", ["replicaCount"]))
            return HelmValues(paths=paths, replicas=args.get("replicas", 0))
        case "pause":
            return KedaPause(**args)
        case "field":
            return SetField(args["path"], args["value"])
    raise AssertionError(f"unknown method {name!r}")


def find_object(index: ManifestIndex, request: Request) -> ManifestObject:
    """The object a request names (``Kind/name`` or ``Kind/namespace/name``)."""
    parts = request.object.split("/")
    kind, name = parts[0], parts[-1]
    namespace = parts[1] if len(parts) == 3 else None
    found = [
        o
        for o in index.objects
        if o.kind == kind
        and o.name == name
        and (namespace is None or o.namespace == namespace)
        and (request.file is None or o.file == request.file)
    ]
    assert len(found) == 1, f"{request.object}: found {len(found)} objects"
    return found[0]


def edit_request(index: ManifestIndex, request: Request, *, action: Action) -> EditRequest:
    """The ``EditRequest`` for a case request (default method for sleeps)."""
    target = find_object(index, request)
    method = method_of(request.method)
    if method is None and action is Action.SLEEP:
        method = default_method(target.api_version, target.kind)
    return EditRequest(target, action, method, policy="golden")


def show(value: object) -> str:
    return "absent" if value is None else json.dumps(value)


def describe(change: Change) -> str:
    """``field: before -> after`` as cases write it."""
    return f"{change.field}: {show(change.before)} -> {show(change.after)}"
