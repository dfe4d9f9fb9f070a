"""Removal of page furniture from article text: the same rules for every input shape.

(The foundation issue fills in the rules; this placeholder keeps the pipeline whole.)"""

from __future__ import annotations


def clean_body(text: str, *, source_key: str | None = None) -> str:
    """The article text without page furniture, paragraphs separated by one blank line."""
    return text.strip()
