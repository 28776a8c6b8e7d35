"""Outlines: what the index keeps of a document so that a plain sleep parses it only once more.

The index composes every file once and keeps no node trees (a fleet's trees weigh hundreds of
megabytes). For an object a policy usually puts to sleep (Deployment, StatefulSet, ReplicaSet,
CronJob, Flux object) it keeps an *outline* of its document: the indentation step and, for the
document, ``metadata``, ``metadata.annotations`` and ``spec``, the kind, tag, style, text and
position of every key and value, and where each of those mappings' own text ends; deeper
collections keep only their kind, tag, style and position. The numbers sit in an array and the
texts in one string (about 1 KB a document, nothing for the garbage collector to scan).
``outlinedsleeps`` plans and verifies the usual sleep from it. Pure; read-only once built.
"""

from __future__ import annotations

import threading
from array import array
from dataclasses import dataclass
from typing import Final

from scheduler.core.manifests import kinds
from scheduler.core.manifests.documents import CollectionNode, MappingNode, Node, ScalarNode
from scheduler.core.manifests.mapedit import document_step
from scheduler.core.manifests.nodes import content_end

__all__ = ["Outline", "OutlineNode", "is_outlined", "outline"]

Path = tuple[str, ...]

# Each node is ``_WIDTH`` numbers. ``FLAGS`` packs its kind (2 bits), style (3), whether it
# starts and ends on one line (1), its tag (``_TAG_BITS``) and its column. A scalar's text is
# ``LENGTH`` characters from ``VALUE`` in the outline's strings; a kept mapping's ``LENGTH``
# entries (a key's node, then its value's) start at ``VALUE``. ``START`` and ``END`` are the
# indices of its text; ``EXTRA`` is where a kept mapping's own text ends (-1 when not kept).
_FLAGS, _VALUE, _LENGTH, _START, _END, _EXTRA = range(6)
_WIDTH: Final = 6
SCALAR, MAPPING, CUT_MAPPING, SEQUENCE = range(4)
#: A scalar's style, or a collection's flow style, by code.
_STYLES: Final = (None, "", "'", '"', "|", ">", False, True)
_STYLE_CODES: Final = {style: code for code, style in enumerate(_STYLES)}
_TAG_BITS: Final = 20
_TAG_MASK: Final = (1 << _TAG_BITS) - 1
#: The mappings whose entries an outline keeps (besides the document's).
_KEPT: Final = frozenset({("metadata",), ("spec",), ("metadata", "annotations")})
#: The kept mappings whose end is always kept (new annotations go there).
_ENDS: Final = frozenset({("metadata",), ("metadata", "annotations")})


class _Tags:
    """Tags by code: a fleet uses a handful, so outlines hold a small number instead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.codes: dict[str, int] = {}
        self.tags: list[str] = []

    def code(self, tag: str) -> int:
        """The code of ``tag`` (given one on first sight); raises ``KeyError`` when there
        are too many to pack."""
        found = self.codes.get(tag)
        if found is None:
            with self._lock:
                found = self.codes.get(tag)
                if found is None:
                    found = len(self.tags)
                    if found >= 1 << _TAG_BITS:
                        raise KeyError(tag)
                    self.tags.append(tag)
                    self.codes[tag] = found
        return found


_TAGS: Final = _Tags()
_CODES: Final = _TAGS.codes
_COLUMN_SHIFT: Final = 6 + _TAG_BITS
#: A scalar's kind and style bits, by style.
_SCALAR_FLAGS: Final = {style: SCALAR | code << 2 for style, code in _STYLE_CODES.items()}


@dataclass(frozen=True, slots=True)
class Outline:
    """What the index keeps of a document: its indentation step, then the numbers of its
    nodes (see ``_WIDTH``), and the texts of its scalars end to end."""

    fields: array[int]
    strings: str

    @property
    def step(self) -> int:
        """The document's indentation step (``mapedit.document_step``)."""
        return self.fields[0]

    def root(self) -> OutlineNode:
        """The document's node."""
        return OutlineNode(self, 1)


def is_outlined(api_version: str, kind: str) -> bool:
    """Kinds whose documents keep an outline: those ``outlinedsleeps`` handles."""
    return (
        kinds.is_replicated_workload(api_version, kind)
        or kinds.is_cronjob(api_version, kind)
        or kinds.is_flux_suspendable(api_version, kind)
    )


def outline(doc: MappingNode, text: str, *, spec_end: bool = False) -> Outline | None:
    """The outline of ``doc``, composed from ``text`` (its positions are in ``text``); None
    for a style or tag it cannot hold. Where ``spec``'s text ends (a walk down its last
    entries) is kept with ``spec_end``: only appending a list to ``spec`` (a HelmRelease's
    post-renderers) needs it."""
    encoder = _Encoder(text, _ENDS | {("spec",)} if spec_end else _ENDS)
    try:
        encoder.add(doc)
        encoder.keep(doc, (), at=1)
    except KeyError:
        return None
    return Outline(array("q", encoder.fields), "".join(encoder.strings))


class _Encoder:
    """Writes the numbers of the nodes an outline keeps, and their texts."""

    def __init__(self, text: str, ends: frozenset[Path]) -> None:
        self.text = text
        self.ends = ends
        self.fields: list[int] = [0]
        self.strings: list[str] = []
        self.size = 0

    def keep(self, node: MappingNode, path: Path, *, at: int) -> None:
        """Add the entries of the mapping at ``path``, whose own node is at ``at`` (and
        where its text ends, when ``path`` is among ``ends``)."""
        fields = self.fields
        if not path:
            fields[0] = document_step(node)
        first = len(fields)
        nested: list[tuple[MappingNode, Path, int]] = []
        for key, value in node.value:
            self.add(key)
            name = key.value if type(key) is ScalarNode else None
            if type(value) is MappingNode and name is not None and (*path, name) in _KEPT:
                nested.append((value, (*path, name), len(fields)))
            self.add(value)
        fields[at + _FLAGS] = fields[at + _FLAGS] & ~3 | MAPPING
        fields[at + _VALUE] = first
        fields[at + _LENGTH] = len(node.value)
        if path in self.ends:
            fields[at + _EXTRA] = content_end(self.text, node, node.start_mark.index)
        for value, where, place in nested:
            self.keep(value, where, at=place)

    def add(self, node: Node) -> None:
        """Add ``node`` as if its entries were left out (``keep`` adds them)."""
        start, end = node.start_mark, node.end_mark
        tag = _CODES.get(node.tag)
        if tag is None:
            tag = _TAGS.code(node.tag)
        if type(node) is ScalarNode:
            value = node.value
            offset = self.size
            self.strings.append(value)
            self.size = offset + len(value)
            flags = _SCALAR_FLAGS[node.style]
        else:
            assert isinstance(node, CollectionNode)
            value, offset = "", -1
            flags = (CUT_MAPPING if type(node) is MappingNode else SEQUENCE) | _STYLE_CODES[
                node.flow_style
            ] << 2
        flags |= (start.line == end.line) << 5 | tag << 6 | start.column << _COLUMN_SHIFT
        self.fields += (flags, offset, len(value), start.index, end.index, -1)


class OutlineNode:
    """One node of an outline (its numbers start at ``at``)."""

    __slots__ = ("_entries", "at", "fields", "strings")

    def __init__(self, kept: Outline, at: int) -> None:
        self.fields = kept.fields
        self.strings = kept.strings
        self.at = at
        self._entries: dict[str, tuple[OutlineNode, OutlineNode]] | None = None

    @property
    def kind(self) -> int:
        """``SCALAR``, ``MAPPING`` (entries kept), ``CUT_MAPPING`` or ``SEQUENCE``."""
        return self.fields[self.at] & 3

    @property
    def style(self) -> str | bool | None:
        """A scalar's style (``""`` plain, quotes, ``|``, ``>``), a collection's flow style."""
        return _STYLES[self.fields[self.at] >> 2 & 7]

    def span(self) -> tuple[int, str, int, int, int, bool]:
        """``kind``, ``tag``, ``column``, ``start``, ``end`` and whether the style is set
        (quoted or block scalar, flow collection), read at once for comparisons."""
        fields, at = self.fields, self.at
        flags = fields[at]
        return (
            flags & 3,
            _TAGS.tags[flags >> 6 & _TAG_MASK],
            flags >> (6 + _TAG_BITS),
            fields[at + _START],
            fields[at + _END],
            bool(_STYLES[flags >> 2 & 7]),
        )

    @property
    def one_line(self) -> bool:
        """True when the node starts and ends on one line."""
        return bool(self.fields[self.at] >> 5 & 1)

    @property
    def tag(self) -> str:
        """The resolved tag."""
        return _TAGS.tags[self.fields[self.at] >> 6 & _TAG_MASK]

    @property
    def column(self) -> int:
        """The column the node's text starts at (from 0)."""
        return self.fields[self.at] >> (6 + _TAG_BITS)

    @property
    def start(self) -> int:
        """Where the node's text starts."""
        return self.fields[self.at + _START]

    @property
    def end(self) -> int:
        """Where the node's text ends (its end mark)."""
        return self.fields[self.at + _END]

    @property
    def own_end(self) -> int | None:
        """Where a kept mapping's own text ends (``nodes.content_end``), when kept."""
        found = self.fields[self.at + _EXTRA]
        return None if found < 0 else found

    @property
    def text(self) -> str:
        """A scalar's text."""
        offset = self.fields[self.at + _VALUE]
        return self.strings[offset : offset + self.fields[self.at + _LENGTH]]

    @property
    def size(self) -> int:
        """How many entries a kept mapping has."""
        return self.fields[self.at + _LENGTH]

    def entries(self) -> dict[str, tuple[OutlineNode, OutlineNode]] | None:
        """A kept mapping's entries by key (the last one wins, as loaders read them); None
        when the outline did not keep them or a key is not a scalar."""
        if self._entries is None and self.kind == MAPPING:
            self._entries = self._read()
        return self._entries

    def _read(self) -> dict[str, tuple[OutlineNode, OutlineNode]] | None:
        fields, strings = self.fields, self.strings
        found: dict[str, tuple[OutlineNode, OutlineNode]] = {}
        first = fields[self.at + _VALUE]
        new = OutlineNode.__new__
        for at in range(first, first + fields[self.at + _LENGTH] * 2 * _WIDTH, 2 * _WIDTH):
            if fields[at] & 3 != SCALAR:
                return None
            offset = fields[at + _VALUE]
            # Nodes made in place (no call per node): a fleet reads a few hundred thousand.
            key, value = new(OutlineNode), new(OutlineNode)
            key.fields, key.strings, key.at, key._entries = fields, strings, at, None
            value.fields, value.strings, value.at = fields, strings, at + _WIDTH
            value._entries = None
            found[strings[offset : offset + fields[at + _LENGTH]]] = (key, value)
        return found
