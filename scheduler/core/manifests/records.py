"""Encoding and decoding the state annotations: what a field held before offhours slept it.

A single-value record is the field's text (``"3"``, ``"true"``) or ``absent``. A JSON record
maps each path to its old value: numbers, booleans and null as JSON, anything whose YAML text
differs from its JSON form (``0x10``, ``True``, a quoted ``"3"``) as the text itself, so wake
writes back exactly the characters that were there. Both are read strictly: a record offhours
cannot have written is refused, never guessed at.
"""

from __future__ import annotations

import json
from typing import Final

from scheduler.core.changes import Scalar
from scheduler.core.manifests import annotation_keys as keys
from scheduler.core.manifests.documents import ScalarNode, scalar_value
from scheduler.core.manifests.refusals import Refusal
from scheduler.core.manifests.render import text_of

__all__ = ["Absent", "Original", "decode", "encode_json", "json_value", "single_value"]


class Absent:
    """The recorded state of a field that did not exist."""

    def __repr__(self) -> str:
        return keys.ABSENT


ABSENT_FIELD: Final = Absent()
#: What a record says a field held: the YAML text to write back, or absent.
Original = str | Absent


def single_value(node: ScalarNode | None, *, where: str) -> str:
    """The single-value record of a field (its text, or ``absent``)."""
    if node is None:
        return keys.ABSENT
    if node.value == keys.ABSENT:
        raise _ambiguous(where)
    return str(node.value)


def json_value(node: ScalarNode | None, *, where: str) -> Scalar:
    """The JSON-record value of a field: typed when its text is the JSON form, else text."""
    if node is None:
        return keys.ABSENT
    if node.value == keys.ABSENT:
        raise _ambiguous(where)
    if node.style:
        return str(node.value)
    typed = scalar_value(node)
    if isinstance(typed, str) or text_of(typed) != node.value:
        return str(node.value)
    return typed


def encode_json(record: dict[str, Scalar]) -> str:
    """A JSON record as annotation text: ``{"replicaCount": 3}``."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def decode(state_key: str, text: str, *, is_json: bool) -> list[tuple[str, Original]]:
    """``(label, original)`` pairs of a state annotation (label ``""`` for single values)."""
    if not is_json:
        return [("", ABSENT_FIELD if text == keys.ABSENT else text)]
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    if not isinstance(record, dict) or not record:
        raise _unreadable(state_key, text)
    pairs: list[tuple[str, Original]] = []
    for label, value in record.items():
        if isinstance(value, (dict, list)) or not label:
            raise _unreadable(state_key, text)
        if value == keys.ABSENT:
            pairs.append((label, ABSENT_FIELD))
        else:
            pairs.append((label, value if isinstance(value, str) else text_of(value)))
    return pairs


def _ambiguous(where: str) -> Refusal:
    return Refusal(
        f"{where} holds the text 'absent', which offhours uses to record a missing field; "
        "not edited"
    )


def _unreadable(state_key: str, text: str) -> Refusal:
    return Refusal(
        f"annotation {state_key} holds {text!r}, not a JSON object of path -> old value as "
        "offhours writes it; restore the field and remove the annotation by hand"
    )
