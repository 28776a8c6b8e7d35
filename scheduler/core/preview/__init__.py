"""Previews of policies over a range: the data, and its text, JSON and markdown renderings."""

from __future__ import annotations

from scheduler.core.preview.jsondoc import render_json, to_document
from scheduler.core.preview.markdown import render_markdown
from scheduler.core.preview.model import PolicyPreview, Preview, build
from scheduler.core.preview.text import render_text

__all__ = [
    "PolicyPreview",
    "Preview",
    "build",
    "render_json",
    "render_markdown",
    "render_text",
    "to_document",
]
