"""When offhours refuses to edit, and the messages that say why.

Some edits cannot be made safely as a text splice, or must not be made at all: SOPS-encrypted
files (the MAC covers every value), templates (``{{ }}``, makejinja ``#{ }#``), values that are
anchors, aliases, ``${VAR}`` substitutions or block scalars, mappings shared through anchors or
merge keys, objects excluded with ``offhours.dev/exclude``. Refusals are ``EditRefused`` errors
located at the offending node (the editor prefixes ``file:line:col:``); the editor turns them
into per-object outcomes, so one refusal never stops the other objects.
"""

from __future__ import annotations

import re
from typing import Final

from scheduler.core.manifests.documents import MappingNode, Node, ScalarNode
from scheduler.errors import EditRefused

__all__ = ["Refusal", "file_refusal", "refuse", "value_refusal"]

_SOPS_VALUE: Final = re.compile(r"ENC\[[A-Z0-9_]+,data:")
_MAKEJINJA: Final = re.compile(r"#\{.*?\}#|#%.*?%#")
_JINJA_BLOCK: Final = re.compile(r"\{%.*?%\}")
_SUBSTITUTION: Final = re.compile(r"\$\{[^}]*\}")


class Refusal(EditRefused):
    """An ``EditRefused`` that knows where in the file it applies (1-based; 0 when it is
    about the whole object, which the editor then locates at the object)."""

    def __init__(self, message: str, *, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def refuse(node: Node | None, message: str) -> Refusal:
    """A ``Refusal`` located at ``node`` (or at the object when None)."""
    if node is None:
        return Refusal(message)
    mark = node.start_mark
    return Refusal(message, line=mark.line + 1, column=mark.column + 1)


def file_refusal(body: str, docs: tuple[Node, ...]) -> Refusal | None:
    """Why no object in this file may be edited (SOPS, template), or None."""
    for doc in docs:
        if isinstance(doc, MappingNode) and any(
            isinstance(k, ScalarNode) and k.value == "sops" for k, _ in doc.value
        ):
            return refuse(doc, "file is SOPS-encrypted (its MAC covers every value); not edited")
    if _SOPS_VALUE.search(body):
        return Refusal("file holds SOPS-encrypted values (ENC[...]); not edited")
    if _MAKEJINJA.search(body) or _JINJA_BLOCK.search(body):
        return Refusal("file is a template (makejinja/Jinja markers); not edited")
    if "{{" in body:
        template = _plain_template_node(docs)
        if template is not None:
            return refuse(template, "file is a template ({{ }} outside quoted strings); not edited")
    return None


def _plain_template_node(docs: tuple[Node, ...]) -> Node | None:
    """A node showing the file is a template: a plain scalar with ``{{``, or a mapping key
    that is itself a collection (``{{ x }}`` read as a flow mapping)."""
    stack: list[Node] = list(docs)
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if not node.style and ("{{" in node.value or "}}" in node.value):
                return node
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if not isinstance(key, ScalarNode):
                    return key  # type: ignore[no-any-return]
                stack.extend((key, value))
        else:
            stack.extend(node.value)
    return None


def value_refusal(text: str, key: Node, value: Node, *, path: tuple[str, ...]) -> Refusal | None:
    """Why the scalar ``value`` at ``path`` cannot be replaced by a splice, or None."""
    if (
        type(value) is ScalarNode
        and value.style in (None, "", "'", '"')
        and key.end_mark.index <= value.start_mark.index
        and value.start_mark.line == value.end_mark.line
        and text[value.start_mark.index : value.start_mark.index + 1] not in ("&", "!")
        and (value.value or value.style)
        and "${" not in value.value
        and "{{" not in value.value
    ):
        return None
    return _value_problem(text, key, value, where=".".join(path))


def _value_problem(text: str, key: Node, value: Node, *, where: str) -> Refusal | None:
    if value.start_mark.index < key.end_mark.index:
        return refuse(key, f"{where} is an alias (*name); editing it would change its anchor")
    if not isinstance(value, ScalarNode):
        kind = "a mapping" if isinstance(value, MappingNode) else "a sequence"
        return refuse(value, f"{where} is {kind} (got {kind}; expected a single value)")
    start = value.start_mark.index
    if start < len(text) and text[start] == "&":
        return refuse(value, f"{where} is anchored (&name); its aliases would change too")
    if start < len(text) and text[start] == "!":
        return refuse(value, f"{where} has an explicit tag; not edited")
    if value.style in ("|", ">"):
        return refuse(value, f"{where} is a block scalar (| or >); expected a single-line value")
    if value.start_mark.line != value.end_mark.line:
        return refuse(value, f"{where} spans several lines; expected a single-line value")
    if not value.style and value.value == "":
        return refuse(value, f"{where} is empty; write a value (e.g. 1) or remove the key")
    if _SUBSTITUTION.search(value.value):
        return refuse(
            value,
            f"{where} is a Flux substitution ({value.value}); offhours will not overwrite a "
            "variable (edit the postBuild.substitute value or set it per policy)",
        )
    if "{{" in value.value:
        return refuse(value, f"{where} is a template expression ({value.value}); not edited")
    return None
