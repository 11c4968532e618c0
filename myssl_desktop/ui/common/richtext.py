"""Plain text inside Qt rich text."""

from __future__ import annotations


def html(text: str) -> str:
    """`text` shown as typed inside a rich-text label (a key named "<b>" stays "<b>")."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
