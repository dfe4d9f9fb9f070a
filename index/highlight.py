"""Highlighted snippets: the passage of a text with the most query matches, HTML-escaped, with
``<mark>`` around each match.

Everything from the article is escaped with ``markupsafe.escape`` piece by piece; only our own
``<mark>`` tags are markup, so a title or body containing ``<script>`` comes out as text.
Pure code: the caller reads the article file.
"""

from __future__ import annotations

import re
from typing import Iterable

from markupsafe import Markup, escape

#: characters of text in a snippet
SNIPPET_CHARS = 240
#: characters shown before the first match of the passage
LEAD_CHARS = 60

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LINE_MARKS = re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", re.M)
_INLINE_MARKS = re.compile(r"\*\*|__|`")


def plain_text(markdown: str) -> str:
    """Markdown body -> running text for snippets (links keep their text, marks go)."""
    text = _MARKDOWN_LINK.sub(r"\1", markdown)
    text = _INLINE_MARKS.sub("", _LINE_MARKS.sub("", text))
    return re.sub(r"\s+", " ", text).strip()


def make_snippet(text: str, terms: Iterable[str], analyzer) -> str:
    """The best passage of ``text`` for the (analysed) ``terms``, as escaped HTML with marks;
    the start of the text (escaped, no marks) when nothing matches; ``""`` for no text."""
    text = text or ""
    if not text:
        return ""
    wanted = set(terms)
    spans: list[tuple[int, int]] = []
    if wanted:
        for token in analyzer(text, chars=True, mode="index"):
            if token.text in wanted:
                spans.append((token.startchar, token.endchar))
    if not spans:
        return str(escape(_cut(text, 0, SNIPPET_CHARS)))
    best, best_count = 0, 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, _ in spans[i:] if s < start + SNIPPET_CHARS - LEAD_CHARS)
        if count > best_count:
            best, best_count = i, count
    first = spans[best][0]
    window_start = _word_start(text, max(0, first - LEAD_CHARS))
    window_end = _word_end(text, min(len(text), window_start + SNIPPET_CHARS))
    pieces: list[str] = ["\u2026" if window_start > 0 else ""]
    position = window_start
    for start, end in spans:
        if start < position or end > window_end:
            continue
        pieces.append(escape(text[position:start]))
        pieces.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        position = end
    pieces.append(escape(text[position:window_end]))
    if window_end < len(text):
        pieces.append("\u2026")
    return str(Markup("").join(pieces))


def _cut(text: str, start: int, length: int) -> str:
    if len(text) <= length:
        return text
    end = _word_end(text, start + length)
    return text[start:end].rstrip() + "\u2026"


def _word_start(text: str, position: int) -> int:
    if position <= 0:
        return 0
    space = text.find(" ", position)
    return space + 1 if 0 <= space < position + 20 else position


def _word_end(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", position - 20, position)
    return space if space > 0 else position
