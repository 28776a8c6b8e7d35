"""Reading a policy folder's files into ``Policy`` values and diagnostics.

``load_policies`` takes ``(path, text)`` pairs (the CLI reads the files through
``scheduler.adapters.workspace``) and the caller's ``now`` (only used to warn about expired
overrides). Every document is checked completely; a document with any error becomes a
``Rejected`` entry instead of a ``Policy``, so one broken policy never hides the others.
Policy names must be unique across all files: every policy sharing a name is rejected, with
an error at the ``metadata.name`` of each copy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from scheduler.core.diagnostics import Diagnostic, Severity
from scheduler.core.policy import selectors, spec
from scheduler.core.policy.document import (
    Document,
    Node,
    YMap,
    YScalar,
    YSeq,
    parse_documents,
)
from scheduler.core.policy.model import API_VERSION, KIND, Location, Policy
from scheduler.core.policy.reader import Reader, describe
from scheduler.core.syntax import quote

__all__ = ["PolicyLoad", "Rejected", "load_policies"]

DOCUMENT_KEYS = ("apiVersion", "kind", "metadata", "spec")
METADATA_KEYS = ("name", "namespace", "labels", "annotations")
SPEC_KEYS = (
    "timeZone",
    "uptime",
    "downtime",
    "sleep",
    "wake",
    "offDays",
    "onDays",
    "holidays",
    "overrides",
    "enabled",
    "sleepReplicas",
    "targets",
    "exclude",
)
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
_MAX_NAME = 253
DOCUMENT_EXAMPLE = (
    f"apiVersion: {API_VERSION}, kind: {KIND}, metadata: {{name: ...}}, spec: {{...}}"
)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A policy document that had errors; ``name`` is ``None`` if it could not be read."""

    location: Location
    name: str | None


@dataclass(frozen=True, slots=True)
class PolicyLoad:
    """Everything read from a policy folder."""

    policies: tuple[Policy, ...]
    rejected: tuple[Rejected, ...]
    diagnostics: tuple[Diagnostic, ...]
    files: int

    @property
    def documents(self) -> int:
        """Policy documents seen (valid or not)."""
        return len(self.policies) + len(self.rejected)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The error diagnostics."""
        return tuple(d for d in self.diagnostics if d.is_error)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The warning diagnostics."""
        return tuple(d for d in self.diagnostics if not d.is_error)

    def get(self, name: str) -> Policy | None:
        """The valid policy called ``name``."""
        return next((p for p in self.policies if p.name == name), None)


def load_policies(sources: Iterable[tuple[str, str]], *, now: float) -> PolicyLoad:
    """Read every policy document of every ``(path, text)`` source."""
    policies: list[Policy] = []
    rejected: list[Rejected] = []
    diagnostics: list[Diagnostic] = []
    names: dict[Location, Location] = {}
    files = 0
    for path, text in sources:
        files += 1
        found, bad, problems = _read_file(path, text, now=now, names=names)
        policies.extend(found)
        rejected.extend(bad)
        diagnostics.extend(problems)
    policies, duplicates, problems = _unique_names(policies, rejected, names=names)
    diagnostics.extend(problems)
    return PolicyLoad(tuple(policies), (*rejected, *duplicates), tuple(diagnostics), files)


def _read_file(
    path: str, text: str, *, now: float, names: dict[Location, Location]
) -> tuple[list[Policy], list[Rejected], list[Diagnostic]]:
    """The policies, rejected documents and diagnostics of one file; adds where each document
    writes its ``metadata.name`` to ``names`` (by the document's location)."""
    documents, problems = parse_documents(text)
    lines = text.splitlines()
    diagnostics = [Diagnostic(path, p.mark.line, p.mark.column, p.message) for p in problems]
    policies: list[Policy] = []
    rejected: list[Rejected] = []
    for document in documents:
        reader = Reader(path, lines)
        policy, name = _read_document(reader, document, now=now)
        diagnostics.extend(reader.diagnostics)
        name_node = _name_node(document.root)
        if name_node is not None:
            names[reader.location(document.root)] = reader.location(name_node)
        if policy is not None:
            policies.append(policy)
        else:
            rejected.append(Rejected(reader.location(document.root), name))
    if problems and not documents:
        rejected.append(
            Rejected(Location(path, problems[0].mark.line, problems[0].mark.column), None)
        )
    diagnostics.sort(key=lambda d: (d.line, d.column))
    return policies, rejected, diagnostics


def _name_node(root: Node) -> Node | None:
    """The ``metadata.name`` node of a document, if it has one."""
    meta = root.get("metadata") if isinstance(root, YMap) else None
    return meta.get("name") if isinstance(meta, YMap) else None


def _read_document(
    r: Reader, document: Document, *, now: float
) -> tuple[Policy | None, str | None]:
    root = r.mapping(document.root, "", allowed=DOCUMENT_KEYS, expected=DOCUMENT_EXAMPLE)
    if root is None:
        return None, None
    if not _check_header(r, root):
        return None, None
    name = _read_name(r, root)
    spec_node = r.mapping(
        root.get("spec"),
        "spec",
        allowed=SPEC_KEYS,
        expected="a mapping with a schedule and targets",
    )
    if spec_node is None:
        if root.get("spec") is None:
            r.error(
                root,
                "spec",
                "is required",
                got="nothing",
                expected="a mapping with a schedule and targets",
            )
        return None, name
    policy = _read_spec(r, spec_node, root, name=name, now=now)
    return (policy if not r.failed else None), name


def _check_header(r: Reader, root: YMap) -> bool:
    ok = True
    for key, want in (("apiVersion", API_VERSION), ("kind", KIND)):
        node = root.get(key)
        if isinstance(node, YScalar) and node.text == want:
            continue
        r.error(
            node or root,
            key,
            "is missing" if node is None else "is not an offhours policy",
            got=describe(node),
            expected=want,
        )
        ok = False
    return ok


def _read_name(r: Reader, root: YMap) -> str | None:
    meta = r.mapping(
        root.get("metadata"), "metadata", allowed=METADATA_KEYS, expected="{name: dev-nights}"
    )
    node = meta.get("name") if meta else None
    if node is None:
        r.error(
            meta or root,
            "metadata.name",
            "is required",
            got="nothing",
            expected="a name such as dev-nights",
        )
        return None
    name = r.string(node, "metadata.name", expected="a name such as dev-nights")
    if name is not None and (not _NAME.match(name) or len(name) > _MAX_NAME):
        r.error(
            node,
            "metadata.name",
            "must be lower-case letters, digits, '-' or '.'",
            got=quote(name),
            expected="a name such as dev-nights",
        )
    return name


def _read_spec(r: Reader, node: YMap, root: YMap, *, name: str | None, now: float) -> Policy | None:
    zone = spec.read_zone(r, node)
    schedule = spec.read_schedule(r, node, zone)
    off_days = spec.read_days(r, node.get("offDays"), "spec.offDays")
    on_days = spec.read_days(r, node.get("onDays"), "spec.onDays")
    spec.check_day_conflicts(r, off_days, on_days)
    holidays = spec.read_holidays(r, node.get("holidays"))
    overrides = spec.read_overrides(r, node.get("overrides"), zone=zone, now=now)
    enabled = r.boolean(node.get("enabled"), "spec.enabled")
    replicas = r.integer(node.get("sleepReplicas"), "spec.sleepReplicas", minimum=0)
    targets = selectors.read_selectors(r, node.get("targets"), "spec.targets", exclude=False)
    exclude = selectors.read_selectors(r, node.get("exclude"), "spec.exclude", exclude=True)
    _check_targets_given(r, node)
    if r.failed or schedule is None or name is None:
        return None
    return Policy(
        name=name,
        location=r.location(root),
        zone=zone,
        schedule=schedule,
        targets=tuple(targets),
        exclude=tuple(exclude),
        off_days=tuple(d for d, _ in off_days),
        on_days=tuple(d for d, _ in on_days),
        holidays=holidays,
        overrides=tuple(overrides),
        enabled=True if enabled is None else enabled,
        sleep_replicas=replicas or 0,
    )


def _check_targets_given(r: Reader, spec: YMap) -> None:
    node = spec.get("targets")
    if (isinstance(node, YSeq) and node.items) or isinstance(node, YMap):
        return
    if isinstance(node, YScalar) and not node.is_null:
        return  # reported by the selector reader ("must be a mapping")
    got = "an empty list" if isinstance(node, YSeq) else "nothing"
    r.error(
        spec.key("targets") or spec,
        "spec.targets",
        "needs at least one entry",
        got=got,
        expected=f"a list of {selectors.TARGET_EXAMPLE}",
    )


def _unique_names(
    policies: list[Policy], rejected: list[Rejected], *, names: Mapping[Location, Location]
) -> tuple[list[Policy], list[Rejected], list[Diagnostic]]:
    """Policies whose name no other document uses; the others rejected, each with an error at
    its ``metadata.name`` (``names``: document location to name location)."""
    seen: dict[str, list[Location]] = {}
    items: list[Policy | Rejected] = [*policies, *rejected]
    for item in items:
        if item.name is not None:
            seen.setdefault(item.name, []).append(names.get(item.location, item.location))
    diagnostics: list[Diagnostic] = []
    for name, where in seen.items():
        for loc in where if len(where) > 1 else ():
            others = ", ".join(str(o) for o in where if o != loc)
            diagnostics.append(
                Diagnostic(
                    loc.path,
                    loc.line,
                    loc.column,
                    f"metadata.name: duplicate policy name (got {quote(name)}; expected a name "
                    f"unique across the folder, also used at {others})",
                    Severity.ERROR,
                )
            )
    duplicated = {name for name, where in seen.items() if len(where) > 1}
    kept = [p for p in policies if p.name not in duplicated]
    dropped = [Rejected(p.location, p.name) for p in policies if p.name in duplicated]
    return kept, dropped, diagnostics
