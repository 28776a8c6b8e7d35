"""Editing one manifest file: plan every requested sleep/wake, splice once, verify once.

``edit_file`` takes a file's text and the requests for objects in it, and returns a
``FileEdit``: the new text and, per object, what changed (``Change`` facts), or why it was
refused or failed. Refusals are per object and never stop the others. Each edited document
is cut out of the file (``slices``), composed alone, and all its splices are computed against
its original text and applied together; the result is composed again and compared with the
original (``verify``). Documents nobody edits are not parsed at all. A document that does not
verify is left as it was and its object reported failed; the file keeps the other documents'
edits. Files whose documents cannot be cut cleanly are handled whole, the same way.
``plan_edits`` does the same for a whole index, file by file; there the usual sleep of an
object the index kept an outline of is planned from that outline and only its edited text is
composed (``outlinedsleeps``), with the same results. Pure: text in, text out.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from scheduler.core.changes import Action, Change
from scheduler.core.manifests import annotation_keys, collector, outlinedsleeps, slices
from scheduler.core.manifests.documents import BOM, Node, ParseProblem, compose
from scheduler.core.manifests.index import ManifestIndex
from scheduler.core.manifests.lines import newline_of
from scheduler.core.manifests.mapedit import DocumentPlan, plan_writes
from scheduler.core.manifests.methods import SleepMethod
from scheduler.core.manifests.nodes import mapping_at, str_at, string_map
from scheduler.core.manifests.objects import ManifestObject, ObjectId
from scheduler.core.manifests.outlines import Outline
from scheduler.core.manifests.refusals import Refusal, file_refusal
from scheduler.core.manifests.render import preferred_quote
from scheduler.core.manifests.splice import Splice, apply_splices
from scheduler.core.manifests.transitions import (
    FieldFact,
    ObjectPlan,
    Subject,
    plan_sleep,
    plan_wake,
)
from scheduler.core.manifests.verify import Comparison

__all__ = ["EditRequest", "FileEdit", "ObjectEdit", "Outcome", "edit_file", "plan_edits"]


@dataclass(frozen=True, slots=True)
class EditRequest:
    """Put ``target`` to sleep with ``method``, or wake it.

    For a wake, ``method`` is the one the object slept with if a policy still selects it
    (then a field changed while asleep is detected); None restores the record as it is.
    ``policy`` is copied into the resulting ``Change`` facts.
    """

    target: ManifestObject
    action: Action
    method: SleepMethod | None = None
    policy: str = ""


class Outcome(enum.StrEnum):
    """What happened to one requested object."""

    CHANGED = "changed"
    UNCHANGED = "unchanged"
    REFUSED = "refused"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class ObjectEdit:
    """The result for one request: changes made, or the reason (``file:line:col: ...``)
    it was refused or failed, or why nothing was needed (``already asleep``)."""

    request: EditRequest
    outcome: Outcome
    changes: tuple[Change, ...] = ()
    message: str = ""


@dataclass(frozen=True, slots=True)
class FileEdit:
    """One file: its original and new text (equal when nothing changed) and the results."""

    path: str
    text: str
    new_text: str
    objects: tuple[ObjectEdit, ...] = field(default=())

    @property
    def changed(self) -> bool:
        """True when the file's text changes."""
        return self.new_text != self.text

    @property
    def changes(self) -> tuple[Change, ...]:
        """Every ``Change`` of every object in this file, in request order."""
        return tuple(
            c for edit in self.objects if edit.outcome is Outcome.CHANGED for c in edit.changes
        )


def plan_edits(index: ManifestIndex, requests: Iterable[EditRequest]) -> tuple[FileEdit, ...]:
    """Every file touched by ``requests`` edited (in the order files first appear)."""
    by_file: dict[str, list[EditRequest]] = defaultdict(list)
    for request in requests:
        by_file[request.target.file].append(request)
    with collector.paused():
        return tuple(
            _edit_file(path, index.text(path), reqs, outline=index.outline)
            for path, reqs in by_file.items()
        )


@dataclass(slots=True)
class _Pending:
    request: EditRequest
    plan: ObjectPlan
    document: DocumentPlan


#: The outline the index kept of an object's document, if any (see ``outlines``).
_Outlines = Callable[[ObjectId], Outline | None]


def _no_outline(_object_id: ObjectId) -> Outline | None:
    return None


def edit_file(path: str, text: str, requests: Sequence[EditRequest]) -> FileEdit:
    """Apply ``requests`` (objects of this file) to ``text``; never raises on bad input."""
    with collector.paused():
        return _edit_file(path, text, requests, outline=_no_outline)


def _edit_file(
    path: str, text: str, requests: Sequence[EditRequest], *, outline: _Outlines
) -> FileEdit:
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom) :]
    style = _Style(newline_of(body), preferred_quote(body))
    edited = _by_document(path, body, requests, style=style, bom=len(bom), outline=outline)
    if edited is None:
        edited = _whole(path, body, requests, style=style)
    new_body, results = edited
    ordered = tuple(results[n] for n in range(len(requests)))
    return FileEdit(path, text, bom + new_body, ordered)


@dataclass(frozen=True, slots=True)
class _Style:
    """How the file writes: its newline and preferred quote."""

    newline: str
    quote: str


@dataclass(frozen=True, slots=True)
class _Unit:
    """What is composed, edited and verified at once: the whole file body, or the text of
    one document (``first`` is the file's number of ``docs[0]``; ``line`` the lines of the
    body before ``text``, to locate refusals in the file)."""

    text: str
    docs: tuple[Node, ...]
    first: int = 0
    line: int = 0

    def number(self, target: ManifestObject) -> int:
        """The position of ``target``'s document in ``docs``."""
        return target.document - self.first


_Results = dict[int, ObjectEdit]


def _whole(
    path: str, body: str, requests: Sequence[EditRequest], *, style: _Style
) -> tuple[str, _Results]:
    results: _Results = {}
    docs = compose(body)
    if isinstance(docs, ParseProblem):
        reason = f"{path}:{docs.line}:{docs.column}: file no longer parses: {docs}"
        return body, {n: _failed(r, reason) for n, r in enumerate(requests)}
    unit = _Unit(body, docs)
    numbered = list(enumerate(requests))
    refusal = file_refusal(body, docs)
    new_body = _edit_unit(path, unit, numbered, style=style, refusal=refusal, results=results)
    return new_body, results


def _by_document(
    path: str,
    body: str,
    requests: Sequence[EditRequest],
    *,
    style: _Style,
    bom: int,
    outline: _Outlines,
) -> tuple[str, _Results] | None:
    """Each edited document composed, edited and verified alone, or slept from its outline
    (None: not possible here, edit the whole file)."""
    if not slices.sliceable(body):
        return None
    groups: dict[int, list[tuple[int, EditRequest]]] = defaultdict(list)
    for number, request in enumerate(requests):
        groups[request.target.document].append((number, request))
    refusal = file_refusal(body, ())
    results: _Results = {}
    splices = []
    for document, numbered in groups.items():
        start, end = slices.bounds(body, numbered[0][1].target.offset - bom)
        piece = body[start:end]
        slept = None
        if refusal is None and len(numbered) == 1:
            span = _Span(body, start, end, bom)
            slept = _from_outline(path, span, numbered[0], style=style, outline=outline)
        if slept is not None:
            number, results[number], new_piece = slept
        else:
            docs = compose(piece)
            if isinstance(docs, ParseProblem) or len(docs) != 1:
                return None
            unit = _Unit(piece, docs, document, body.count("\n", 0, start))
            new_piece = _edit_unit(
                path, unit, numbered, style=style, refusal=refusal, results=results
            )
        if new_piece != piece:
            splices.append(Splice(start, end, 0, new_piece))
    return apply_splices(body, splices), results


@dataclass(frozen=True, slots=True)
class _Span:
    """One document's ``[start, end)`` in a file body (after a byte-order mark of ``bom``
    characters)."""

    body: str
    start: int
    end: int
    bom: int


def _from_outline(
    path: str,
    span: _Span,
    numbered: tuple[int, EditRequest],
    *,
    style: _Style,
    outline: _Outlines,
) -> tuple[int, ObjectEdit, str] | None:
    """The request's result and the document's new text when it is a sleep the index's
    outline settles (see ``outlinedsleeps``), else None."""
    number, request = numbered
    target = request.target
    kept = outline(target.id)
    if (
        kept is None
        or request.action is not Action.SLEEP
        or request.method is None
        or kept.root().start != target.offset - span.bom
    ):
        return None
    slept = outlinedsleeps.sleep(
        target,
        request.method,
        outlinedsleeps.Document(span.body, kept, span.start, span.end),
        quote=style.quote,
        newline=style.newline,
    )
    if slept is None:
        return None
    return number, _changed(path, request, slept.facts), slept.text


def _edit_unit(
    path: str,
    unit: _Unit,
    numbered: list[tuple[int, EditRequest]],
    *,
    style: _Style,
    refusal: Refusal | None,
    results: _Results,
) -> str:
    """The unit's text with every verified edit applied; outcomes go to ``results``."""
    pending: dict[int, _Pending] = {}
    seen: set[int] = set()
    for number, request in numbered:
        try:
            if refusal is not None:
                raise refusal
            outcome = _plan(unit, request, style=style, seen=seen)
        except Refusal as exc:
            results[number] = _refused(path, request, exc, lines_before=unit.line)
            continue
        if isinstance(outcome, ObjectEdit):
            results[number] = outcome
        else:
            pending[number] = outcome
    return _apply_verified(path, unit, pending=pending, results=results)


def _plan(
    unit: _Unit, request: EditRequest, *, style: _Style, seen: set[int]
) -> ObjectEdit | _Pending:
    target = request.target
    if target.document in seen:
        raise Refusal("the object is already edited by another request in this plan")
    seen.add(target.document)
    number = unit.number(target)
    doc = unit.docs[number] if 0 <= number < len(unit.docs) else None
    if (
        doc is None
        or str_at(doc, "kind") != target.kind
        or str_at(doc, "metadata", "name") != target.name
    ):
        return _failed(request, f"{target.where}: the file changed since it was indexed; re-index")
    subject = Subject(
        text=unit.text,
        doc=doc,
        api_version=target.api_version,
        kind=target.kind,
        annotations=string_map(mapping_at(doc, "metadata", "annotations")),
        self_managing=target.self_managing,
        quote=style.quote,
    )
    _check_allowed(target, subject)
    if request.action is Action.SLEEP:
        if request.method is None:
            raise Refusal("no sleep method given for this kind (use suspend or field)")
        plan = plan_sleep(subject, request.method)
    else:
        plan = plan_wake(subject, request.method)
    if not plan.writes:
        return ObjectEdit(request, Outcome.UNCHANGED, message=plan.note)
    document = plan_writes(unit.text, doc, plan.writes, newline=style.newline)
    return _Pending(request, plan, document)


def _check_allowed(target: ManifestObject, subject: Subject) -> None:
    if target.conflict:
        raise Refusal(target.conflict)
    if annotation_keys.is_excluded(subject.annotations):
        raise Refusal(f'excluded with annotation {annotation_keys.EXCLUDE}: "true"; never touched')


def _apply_verified(
    path: str,
    unit: _Unit,
    *,
    pending: dict[int, _Pending],
    results: _Results,
) -> str:
    """The unit's text with every verified edit applied; failed ones recorded in ``results``."""
    text = unit.text
    active = dict(pending)
    while active:
        splices = [s for p in active.values() for s in p.document.splices]
        try:
            new_text = apply_splices(text, splices)
        except ValueError as exc:
            return _fail_all(active, results, problem=str(exc), body=text)
        problems = _verify(unit, new_text=new_text, active=active)
        if isinstance(problems, str):
            return _fail_all(active, results, problem=problems, body=text)
        if not problems:
            for number, item in active.items():
                results[number] = _changed(path, item.request, item.plan.facts)
            return new_text
        edited = {unit.number(item.request.target) for item in active.values()}
        if not set(problems) <= edited:
            first = next(iter(problems.values()))
            return _fail_all(active, results, problem=first, body=text)
        for number, item in list(active.items()):
            problem = problems.get(unit.number(item.request.target))
            if problem is not None:
                results[number] = _failed(item.request, _unverified(item.request, problem))
                del active[number]
    return text


def _verify(unit: _Unit, *, new_text: str, active: dict[int, _Pending]) -> dict[int, str] | str:
    """Per-document problems of the edited text, or one problem for the whole unit."""
    new_docs = compose(new_text)
    if isinstance(new_docs, ParseProblem):
        return f"the edited file would not parse ({new_docs})"
    if len(new_docs) != len(unit.docs):
        return f"the edited file would hold {len(new_docs)} documents instead of {len(unit.docs)}"
    expected = {
        unit.number(item.request.target): item.document.expected for item in active.values()
    }
    comparison = Comparison(unit.text, new_text)
    problems: dict[int, str] = {}
    for number, (old, new) in enumerate(zip(unit.docs, new_docs, strict=True)):
        problem = comparison.verify(old, new, expected.get(number, {}))
        if problem is not None:
            problems[number] = problem
    return problems


def _fail_all(
    active: dict[int, _Pending], results: dict[int, ObjectEdit], *, problem: str, body: str
) -> str:
    for number, item in active.items():
        results[number] = _failed(item.request, _unverified(item.request, problem))
    return body


def _unverified(request: EditRequest, problem: str) -> str:
    return (
        f"{request.target.where}: edit not made, it did not verify: {problem} "
        "(please report this file to the offhours maintainers)"
    )


def _changed(path: str, request: EditRequest, facts: Iterable[FieldFact]) -> ObjectEdit:
    changes = tuple(
        Change(
            target=request.target.ref,
            file=path,
            policy=request.policy,
            action=request.action,
            field=fact.field,
            before=fact.before,
            after=fact.after,
            note=fact.note,
        )
        for fact in facts
    )
    return ObjectEdit(request, Outcome.CHANGED, changes)


def _failed(request: EditRequest, message: str) -> ObjectEdit:
    return ObjectEdit(request, Outcome.FAILED, message=message)


def _refused(
    path: str, request: EditRequest, refusal: Refusal, *, lines_before: int = 0
) -> ObjectEdit:
    target = request.target
    if refusal.line:
        line, column = refusal.line + lines_before, refusal.column
    else:
        line, column = target.line, target.column
    return ObjectEdit(
        request, Outcome.REFUSED, message=f"{path}:{line}:{column}: {refusal.message}"
    )
