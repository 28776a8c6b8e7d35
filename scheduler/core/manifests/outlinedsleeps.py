"""Outlined sleeps: the usual sleep planned from a document's outline, parsed once to verify.

``sleep`` plans a sleep from the outline the index kept (``outlines``): the writes and facts
of ``transitions`` (a replica count or ``suspend`` recorded and set, or a HelmRelease's
post-renderer appended, and the state annotation), spliced as ``mapedit`` splices them (a value
replaced in place, a key inserted under ``spec:`` or at the end of ``metadata`` or its
``annotations``, a list appended at the end of ``spec``). The edited document is composed, the
one parse it gets, and compared with the outline as ``verify`` compares it with the original:
every entry not written has the same kind, tag and text, the written ones read as written.

Anything else (an anchor, a flow mapping, a merge key, a wake, an object excluded or already
asleep, an entry whose text changed, a field in a form the outline does not settle) returns
None, and the editor composes the document and takes its general path, which gives the same
results; the tests compare the two on every golden case and on generated files. Pure.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from scheduler.core.manifests import annotation_keys as keys
from scheduler.core.manifests import (
    emit,
    kinds,
    listedit,
    patchsleep,
    sleeppatches,
    transitions,
    verify,
)
from scheduler.core.manifests.documents import (
    MappingNode,
    Node,
    ParseProblem,
    ScalarNode,
    SequenceNode,
    compose,
)
from scheduler.core.manifests.lines import next_line_start
from scheduler.core.manifests.mapedit import Append, Expected, ListAfter, RemoveItems, Write
from scheduler.core.manifests.methods import ScaleRendered, ScaleReplicas, SleepMethod, Suspend
from scheduler.core.manifests.objects import ManifestObject
from scheduler.core.manifests.outlines import MAPPING, SCALAR, Outline, OutlineNode
from scheduler.core.manifests.recipes import Recipe, recipe_for
from scheduler.core.manifests.refusals import Refusal
from scheduler.core.manifests.render import ScalarText, plain_safe, render, render_key
from scheduler.core.manifests.splice import Splice, apply_splices

__all__ = ["Document", "Slept", "sleep"]

Path = tuple[str, ...]
_Scalar = tuple[str, str, str | None]  # tag, text, style
_Entry = tuple[OutlineNode, OutlineNode]
_TYPES: Final = (ScalarNode, MappingNode, MappingNode, SequenceNode)
_ANNOTATIONS: Final = ("metadata", "annotations")


class _Unsettled(Exception):
    """The outline does not settle this edit: the general path must make it."""


@dataclass(frozen=True, slots=True)
class Document:
    """A document with an outline: the file body it is in, and its ``[start, end)`` there."""

    body: str
    outline: Outline
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Slept:
    """A sleep made from an outline: the document's new text, and the facts of the plan."""

    text: str
    facts: tuple[transitions.FieldFact, ...]


def sleep(
    target: ManifestObject, method: SleepMethod, doc: Document, *, quote: str, newline: str
) -> Slept | None:
    """``target`` put to sleep with ``method``, planned and verified on the outline; None
    when the outline does not settle it (then the general path must edit it)."""
    try:
        return _sleep(target, method, doc, quote=quote, newline=newline)
    except (_Unsettled, Refusal, ValueError):
        return None


def _sleep(
    target: ManifestObject, method: SleepMethod, doc: Document, *, quote: str, newline: str
) -> Slept:
    if (
        target.conflict
        or keys.is_excluded(target.annotations)
        or keys.holds_state(target.annotations)
    ):
        raise _Unsettled("refused or already asleep: the general path says why")
    root = doc.outline.root()
    _editable(doc.body, root, key=None)
    plan = _plan(target, method, root, text=doc.body, quote=quote)
    lists = any(isinstance(write, Append) for write in plan.writes)
    splicer = _Splicer(doc, newline=newline, lists=lists)
    splicer.plan(root, plan.writes)
    new_text = apply_splices(doc.body, splicer.splices, start=doc.start, end=doc.end)
    _Check(doc.body, new_text).document(root, splicer.expected)
    return Slept(new_text, plan.facts)


def _entries(node: OutlineNode) -> dict[str, _Entry]:
    found = node.entries()
    if found is None:
        raise _Unsettled("entries the outline does not hold")
    return found


def _editable(text: str, node: OutlineNode, *, key: OutlineNode | None) -> None:
    """Raises unless ``node`` is a kept block mapping ``locate.parent_refusal`` accepts."""
    start = node.start
    if (
        node.kind != MAPPING
        or node.style
        or not node.size
        or (key is not None and start < key.end)
        or text[start : start + 1] in ("&", "!")
        or text.find("<<", start, node.end) >= 0
    ):
        raise _Unsettled("not a plain block mapping")


def _child(text: str, parent: OutlineNode, name: str) -> _Entry | None:
    """The entry ``name`` of ``parent``, None when absent; raises unless it is a kept block
    mapping that can take keys."""
    entry = _entries(parent).get(name)
    if entry is not None:
        _editable(text, entry[1], key=entry[0])
    return entry


def _plan(
    target: ManifestObject, method: SleepMethod, root: OutlineNode, *, text: str, quote: str
) -> transitions.ObjectPlan:
    """The writes and facts of the sleep, as ``transitions.plan_sleep`` makes them."""
    spec = _child(text, root, "spec")
    if spec is None or _child(text, root, "metadata") is None:
        raise _Unsettled("no spec or metadata")
    if isinstance(method, ScaleRendered):
        if not kinds.is_helm_release(target.api_version, target.kind):
            raise _Unsettled("only a HelmRelease's post-renderers")
        where = patchsleep.placement_for(
            target.api_version, target.kind, self_managing=target.self_managing
        )
        if where.path[1] in _entries(spec[1]):
            raise _Unsettled("the list is there already")
        return _patch_plan(where, method, quote)
    if not isinstance(method, (ScaleReplicas, Suspend)):
        raise _Unsettled("another method")
    recipe = recipe_for(target.api_version, target.kind, method, self_managing=target.self_managing)
    if recipe.json:
        raise _Unsettled("a JSON record")
    found = tuple(_scalar(text, spec, t.path) for t in recipe.targets)
    return _recipe_plan(recipe, found, quote)


# A fleet's sleeps repeat a handful of plans (the same method over the same few field
# values), and plans are immutable: each distinct one is made once.


@functools.lru_cache(maxsize=256)
def _patch_plan(
    where: sleeppatches.Placement, method: ScaleRendered, quote: str
) -> transitions.ObjectPlan:
    return transitions.patch_sleep(patchsleep.sleep_step(where, None, method), quote=quote)


@functools.lru_cache(maxsize=256)
def _recipe_plan(
    recipe: Recipe, found: tuple[_Scalar | None, ...], quote: str
) -> transitions.ObjectPlan:
    """``transitions.recipe_sleep`` with the scalars ``found`` at the recipe's targets."""
    nodes = {
        t.path: None if f is None else ScalarNode(f[0], f[1], style=f[2])
        for t, f in zip(recipe.targets, found, strict=True)
    }
    return transitions.recipe_sleep(recipe, nodes.__getitem__, quote=quote)


def _scalar(text: str, spec: _Entry, path: Path) -> _Scalar | None:
    """The tag, text and style of the scalar at ``spec.<name>``, as ``locate.scalar_at``
    finds it."""
    if len(path) != 2 or path[0] != "spec":
        raise _Unsettled("not a spec field")
    entry = _entries(spec[1]).get(path[1])
    if entry is None:
        return None
    key, value = entry
    if not _replaceable(text, key, value):
        raise _Unsettled("the general path refuses or handles this value")
    style = value.style
    assert not isinstance(style, bool)
    return value.tag, value.text, style


def _replaceable(text: str, key: OutlineNode, value: OutlineNode) -> bool:
    """``refusals.value_refusal`` accepts the value: a single-line scalar, no property."""
    if value.kind != SCALAR:
        return False
    start, found, style = value.start, value.text, value.style
    return bool(
        style in (None, "", "'", '"')
        and key.end <= start
        and value.one_line
        and text[start : start + 1] not in ("&", "!")
        and (found or style)
        and "${" not in found
        and "{{" not in found
    )


class _Splicer:
    """The splices of sleep writes, as ``mapedit`` plans them on block mappings."""

    def __init__(self, doc: Document, *, newline: str, lists: bool) -> None:
        self.text = doc.body
        self.newline = newline
        self.step = doc.outline.step
        root = doc.outline.root()
        self.layout = (
            listedit.layout_between(self.text, root.start, root.end, step=self.step)
            if lists
            else emit.Layout(self.step, self.step)
        )
        self.splices: list[Splice] = []
        self.expected: dict[Path, Expected] = {}

    def plan(self, root: OutlineNode, writes: Sequence[Write | Append | RemoveItems]) -> None:
        """Splices for ``writes``: ``spec.<field>`` set or appended, annotations added."""
        spec: list[tuple[str, Write | Append]] = []
        annotations: list[tuple[str, Write]] = []
        for write in writes:
            if isinstance(write, RemoveItems) or (isinstance(write, Write) and not write.scalar):
                raise _Unsettled("a deletion")
            if len(write.path) == 2 and write.path[0] == "spec":
                spec.append((write.path[1], write))
            elif len(write.path) == 3 and write.path[:2] == _ANNOTATIONS:
                if not isinstance(write, Write):
                    raise _Unsettled("a list under annotations")
                annotations.append((write.path[2], write))
            else:
                raise _Unsettled("another path")
        entries = _entries(root)
        if spec:
            self._mapping(entries["spec"], spec, ("spec",))
        if annotations:
            self._annotations(entries["metadata"], annotations)

    def _annotations(self, metadata: _Entry, writes: list[tuple[str, Write]]) -> None:
        entry = _child(self.text, metadata[1], "annotations")
        if entry is not None:
            self._mapping(entry, list(writes), _ANNOTATIONS)
            return
        for name, write in writes:
            self.expected[(*_ANNOTATIONS, name)] = _written(write).loads_as()
        self._insert(metadata, [("annotations", writes)], ("metadata",), after_key=False)

    def _mapping(
        self, entry: _Entry, writes: Sequence[tuple[str, Write | Append]], path: Path
    ) -> None:
        """``mapedit._Planner.mapping`` for set and appended keys of a kept block mapping."""
        present = _entries(entry[1])
        others: list[tuple[str, Any]] = []
        lists: list[tuple[str, Any]] = []
        for name, write in writes:
            found = present.get(name)
            if found is None:
                (lists if isinstance(write, Append) else others).append((name, write))
            elif isinstance(write, Append) or not _replaceable(self.text, *found):
                raise _Unsettled("an existing list, or a value the general path refuses")
            else:
                self._replace(found[1], _written(write), (*path, name))
        for name, write in others:
            self.expected[(*path, name)] = _written(write).loads_as()
        for name, write in lists:
            self.expected[(*path, name)] = ListAfter((), write.items)
        if others:
            self._insert(entry, others, path, after_key=path[0] != "metadata")
        if lists:
            self._insert(entry, lists, path, after_key=False, lists=True)

    def _replace(self, value: OutlineNode, scalar: ScalarText, where: Path) -> None:
        style = value.style if value.style in ("'", '"') else ""
        if not style and not plain_safe(scalar.text, flow=False):
            style = '"'
        written = ScalarText(scalar.text, str(style))
        start, end = value.start, value.end
        new = render(written)
        if new != self.text[start:end]:
            self.splices.append(Splice(start, end, 0, new))
        self.expected[where] = written.loads_as()

    def _insert(
        self,
        entry: _Entry,
        inserts: list[tuple[str, Any]],
        path: Path,
        *,
        after_key: bool,
        lists: bool = False,
    ) -> None:
        """``mapedit._Planner._block_insert``: right under the key, or after the mapping's
        text (list inserts: no key, so the document's step)."""
        key, node = entry
        column = next(iter(_entries(node).values()))[0].column  # of the first key
        step = self.step
        if not lists and column > key.column:
            step = column - key.column
        if after_key:
            at = next_line_start(self.text, key.end)
        else:
            end = node.own_end
            if end is None:
                raise _Unsettled("the outline did not keep where this mapping ends")
            at = end if self.text[end - 1 : end] == "\n" else next_line_start(self.text, end)
        if at is None:
            raise _Unsettled("the end of a file without a final newline")
        lines = self._lines(inserts, column=column, step=step)
        block = "".join(line + self.newline for line in lines)
        self.splices.append(Splice(at, at, -column, block))

    def _lines(self, inserts: list[tuple[str, Any]], *, column: int, step: int) -> list[str]:
        """``mapedit._Planner._lines`` for new scalars, mappings and lists."""
        indent = " " * column
        lines: list[str] = []
        for name, sub in inserts:
            if isinstance(sub, Append):
                layout = emit.Layout(step, self.layout.offset, self.layout.gap, True)
                lines.extend(emit.block_value(name, sub.items, column=column, layout=layout))
            elif isinstance(sub, Write):
                lines.append(f"{indent}{render_key(name)}: {render(_written(sub))}")
            else:
                lines.append(f"{indent}{render_key(name)}:")
                lines.extend(self._lines(list(sub), column=column + step, step=step))
        return lines


def _written(write: Write) -> ScalarText:
    assert write.scalar is not None
    return write.scalar


class _Expected:
    """What a written path must hold (a leaf of ``_Check``'s tree)."""

    __slots__ = ("value",)

    def __init__(self, value: Expected) -> None:
        self.value = value


class _Check:
    """``verify.Comparison.verify`` of the edited document against the outline, where every
    entry not written must have the same text (no deep comparison: unsettled instead)."""

    def __init__(self, old_text: str, new_text: str) -> None:
        self.comparison = verify.Comparison(old_text, new_text)
        self.old_text = old_text
        self.new_text = new_text

    def document(self, root: OutlineNode, expected: dict[Path, Expected]) -> None:
        """Raises unless the new text is the outline's document with ``expected`` written."""
        docs = compose(self.new_text)
        if isinstance(docs, ParseProblem) or len(docs) != 1:
            raise _Unsettled("the edited document does not compose alone")
        tree: dict[str, Any] = {}
        for path, value in expected.items():
            level = tree
            for name in path[:-1]:
                level = level.setdefault(name, {})
            level[path[-1]] = _Expected(value)
        self._mapping(root, docs[0], tree, path=())

    def _mapping(
        self, old: OutlineNode | None, new: Node, tree: dict[str, Any], *, path: Path
    ) -> None:
        before = {} if old is None else _entries(old)
        after = verify.entries(new, path)
        if isinstance(after, str):
            raise _Unsettled(after)
        same = self._same
        for name, (_, node) in before.items():
            if name not in tree:
                found = after.get(name)
                if found is None or not same(node, found):
                    raise _Unsettled("an entry not written changed")
        for name in after:
            if name not in before and name not in tree:
                raise _Unsettled("an entry not written appeared")
        for name, sub in tree.items():
            where = (*path, name)
            found = after.get(name)
            if isinstance(sub, _Expected):
                problem = self._leaf(found, sub.value, where)
                if problem is not None:
                    raise _Unsettled(problem)
            elif found is None:
                raise _Unsettled("a written mapping is gone")
            else:
                entry = before.get(name)
                self._mapping(None if entry is None else entry[1], found, sub, path=where)

    def _leaf(self, found: Node | None, value: Expected, where: Path) -> str | None:
        if isinstance(value, ListAfter):
            return self.comparison.check_list(None, found, expected=value, where=where)
        return verify.check_leaf(found, value, where)

    def _same(self, old: OutlineNode, new: Node) -> bool:
        """``Comparison.same`` without its deep comparison: same kind, tag and text."""
        kind, tag, column, start, end, styled = old.span()
        if type(new) is not _TYPES[kind] or new.tag != tag:
            return False
        mark = new.start_mark
        at = mark.index
        if (
            column == mark.column
            and end - start == new.end_mark.index - at
            and self.old_text[start:end] == self.new_text[at : at + end - start]
        ):
            return True
        return self.comparison.same_span(
            new, start=start, column=column, end=end, block=kind != SCALAR and not styled
        )
