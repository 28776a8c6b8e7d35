"""Surgical edits of policy files: add a temporary override, drop expired ones.

``offhours wake``/``sleep`` commit an override into the policy file (so the exception is
reviewed, audited and expires by itself) and the daemon removes expired overrides in a commit
of its own. Like manifest edits these are text splices located with the YAML parser's
positions: every byte outside the inserted or removed lines stays as it was. Each edit is
verified by loading both texts and comparing everything but the override list.
Pure: text in, text out; problems raise ``EditRefused`` with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import yaml

from scheduler.core.instants import format_utc
from scheduler.core.workloads import WorkloadRef
from scheduler.errors import EditRefused

__all__ = ["NewOverride", "add_override", "drop_expired"]


@dataclass(frozen=True, slots=True)
class NewOverride:
    """An override to add: ``state`` (``on``/``off``) on ``[start, until)`` for ``targets``
    (empty: the whole policy), with a ``reason``."""

    state: str
    start: float
    until: float
    reason: str = ""
    targets: tuple[WorkloadRef, ...] = ()

    def flow_text(self) -> str:
        """The override as a one-line YAML flow mapping (JSON-quoted strings)."""
        parts = [
            f"state: {json.dumps(self.state)}",
            f"from: {json.dumps(format_utc(self.start))}",
            f"until: {json.dumps(format_utc(self.until))}",
        ]
        if self.reason:
            parts.append(f"reason: {json.dumps(self.reason, ensure_ascii=False)}")
        if self.targets:
            parts.append(f"targets: [{', '.join(json.dumps(str(t)) for t in self.targets)}]")
        return "{" + ", ".join(parts) + "}"

    def as_data(self) -> dict[str, object]:
        """What the loaded YAML of the override must be."""
        loaded = yaml.safe_load(self.flow_text())
        assert isinstance(loaded, dict)
        return loaded


# -- locating --------------------------------------------------------------------------------
def _documents(text: str) -> list[yaml.Node]:
    try:
        return [d for d in yaml.compose_all(text, Loader=yaml.SafeLoader) if d is not None]
    except yaml.YAMLError as exc:
        raise EditRefused(f"the policy file does not parse: {exc}") from exc


def _get(node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(((k, v) for k, v in node.value if getattr(k, "value", None) == key), None)


def _policy_spec(text: str, policy: str) -> yaml.MappingNode:
    for doc in _documents(text):
        meta = _get(doc, "metadata")
        name = _get(meta[1], "name") if meta else None
        if name is not None and name[1].value == policy:
            spec = _get(doc, "spec")
            if spec is None or not isinstance(spec[1], yaml.MappingNode):
                raise EditRefused(f"policy {policy} has no spec mapping")
            return spec[1]
    raise EditRefused(f"no policy named {policy} in the file")


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _skippable(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _line_end(lines: Sequence[str], node: yaml.Node) -> int:
    """The line after the node's last content line (trailing blanks/comments excluded)."""
    end = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
    while end - 1 > node.start_mark.line and _skippable(lines[end - 1]):
        end -= 1
    return end


# -- adding ----------------------------------------------------------------------------------
def add_override(text: str, *, policy: str, override: NewOverride) -> str:
    """``text`` with ``override`` appended to ``spec.overrides`` of ``policy``."""
    spec = _policy_spec(text, policy)
    found = _get(spec, "overrides")
    if found is None:
        new = _insert_key(text, spec, override)
    elif isinstance(found[1], yaml.SequenceNode) and not found[1].flow_style:
        new = _append_item(text, found[1], override)
    elif _is_empty(found[1]):
        new = _replace_value(text, found[1], override)
    else:
        raise EditRefused(
            "spec.overrides is written as a flow list; write it as a block list "
            "(one `- {...}` per line) so offhours can add to it"
        )
    _verify(text, new, policy=policy, expect=lambda old: [*old, override.as_data()])
    return new


def _is_empty(node: yaml.Node) -> bool:
    if isinstance(node, yaml.SequenceNode):
        return not node.value
    return isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null")


def _insert_key(text: str, spec: yaml.MappingNode, override: NewOverride) -> str:
    lines = _lines(text)
    first_key = spec.value[0][0]
    indent = " " * first_key.start_mark.column
    at = _line_end(lines, spec)
    nl = _newline(text)
    if at > 0 and not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += nl
    block = [f"{indent}overrides:{nl}", f"{indent}  - {override.flow_text()}{nl}"]
    return "".join(lines[:at] + block + lines[at:])


def _append_item(text: str, seq: yaml.SequenceNode, override: NewOverride) -> str:
    lines = _lines(text)
    last = seq.value[-1]
    dash = lines[seq.value[0].start_mark.line].rfind("-", 0, seq.value[0].start_mark.column)
    at = _line_end(lines, last)
    nl = _newline(text)
    if not lines[at - 1].endswith(("\n", "\r")):
        lines[at - 1] += nl
    item = f"{' ' * dash}- {override.flow_text()}{nl}"
    return "".join([*lines[:at], item, *lines[at:]])


def _replace_value(text: str, node: yaml.Node, override: NewOverride) -> str:
    start, end = node.start_mark.index, node.end_mark.index
    if start == end:  # `overrides:` with nothing after it
        return text[:start] + f" [{override.flow_text()}]" + text[end:]
    return text[:start] + f"[{override.flow_text()}]" + text[end:]


# -- dropping --------------------------------------------------------------------------------
def drop_expired(text: str, *, policy: str, lines_of: set[int]) -> str:
    """``text`` without the overrides of ``policy`` whose entries start on the (1-based)
    lines ``lines_of``; the ``overrides`` key itself goes when the list becomes empty."""
    spec = _policy_spec(text, policy)
    found = _get(spec, "overrides")
    if found is None or not lines_of:
        return text
    key, seq = found
    if not isinstance(seq, yaml.SequenceNode):
        raise EditRefused("spec.overrides is not a block list; remove expired overrides by hand")
    expired = {i for i, item in enumerate(seq.value) if item.start_mark.line + 1 in lines_of}
    lines = _lines(text)
    keep = [i for i in range(len(seq.value)) if i not in expired]
    if seq.flow_style and (keep or not _one_item_per_line(seq)):
        raise EditRefused("spec.overrides is not a block list; remove expired overrides by hand")
    if not keep:
        spans = [(key.start_mark.line, _line_end(lines, seq))]
    else:
        spans = [_item_span(lines, seq, i) for i in sorted(expired)]
    for start, end in sorted(spans, reverse=True):
        del lines[start:end]
    new = "".join(lines)
    _verify(
        text, new, policy=policy, expect=lambda old: [o for i, o in enumerate(old) if i in keep]
    )
    return new


def _one_item_per_line(seq: yaml.SequenceNode) -> bool:
    """Whether no two items start on the same line (a line then names one item only)."""
    return len({item.start_mark.line for item in seq.value}) == len(seq.value)


def _item_span(lines: Sequence[str], seq: yaml.SequenceNode, index: int) -> tuple[int, int]:
    item = seq.value[index]
    start = item.start_mark.line
    if index + 1 == len(seq.value):
        return start, _line_end(lines, item)
    end = seq.value[index + 1].start_mark.line
    while end - 1 > start and _skippable(lines[end - 1]):  # comments above the next item stay
        end -= 1
    return start, end


# -- verifying -------------------------------------------------------------------------------
def _split(text: str, policy: str) -> tuple[list[object], list[object]]:
    """The file's documents with ``policy``'s ``spec.overrides`` taken out, and that list."""
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        raise EditRefused(f"the edited policy file would not parse: {exc}") from exc
    for doc in docs:
        if isinstance(doc, dict) and (doc.get("metadata") or {}).get("name") == policy:
            spec = doc.get("spec")
            if isinstance(spec, dict):
                overrides = spec.pop("overrides", None) or []
                return docs, list(overrides) if isinstance(overrides, list) else [overrides]
    raise EditRefused(f"policy {policy} is not in the edited text")


def _verify(
    old: str, new: str, *, policy: str, expect: Callable[[list[object]], list[object]]
) -> None:
    """Everything but ``spec.overrides`` of ``policy`` is unchanged; the list is ``expect(old)``."""
    before, removed_before = _split(old, policy)
    after, removed_after = _split(new, policy)
    if before != after or removed_after != expect(removed_before):
        raise EditRefused("the edit would change more than spec.overrides; nothing was written")
