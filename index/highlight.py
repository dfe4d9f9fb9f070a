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
    text = _MARKDOWN_LINK.sub(r"\1", markdown) if "](" in markdown else markdown
    text = _LINE_MARKS.sub("", text)
    if "**" in text or "__" in text or "`" in text:
        text = _INLINE_MARKS.sub("", text)
    # runs of whitespace -> one space: str.split splits on exactly what ``\s`` matches (both are
    # Python's isspace), ten times faster than re.sub on an article
    return " ".join(text.split())


def match_spans(text: str, terms: Iterable[str], analyzer) -> list[tuple[int, int]]:
    """(start, end) of the words of ``text`` whose analysed form is one of ``terms``.

    A regular expression finds the candidate words (those starting like a term's stem, which
    covers ``rally``/``ralli`` and ``rating``/``rate``), and only those words go through the
    analyzer: a long body is never tokenised whole."""
    wanted = {t for t in terms if t}
    if not text or not wanted:
        return []
    stems = sorted({t[:max(3, len(t) - 1)] if len(t) > 3 else t for t in wanted}, key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*", re.IGNORECASE)
    verdict: dict[str, bool] = {}
    spans = []
    for match in pattern.finditer(text):
        word = match.group(0)
        key = word.lower()
        if key not in verdict:
            verdict[key] = any(token.text in wanted for token in analyzer(word))
        if verdict[key]:
            spans.append((match.start(), match.end()))
    return spans


def make_snippet(text: str, terms: Iterable[str], analyzer,
                 spans: list[tuple[int, int]] | None = None) -> str:
    """The best passage of ``text`` for the (analysed) ``terms``, as escaped HTML with marks;
    the start of the text (escaped, no marks) when nothing matches; ``""`` for no text."""
    text = text or ""
    if not text:
        return ""
    if spans is None:
        spans = match_spans(text, terms, analyzer)
    if not spans:
        return str(escape(_cut(text, 0, SNIPPET_CHARS)))
    best, best_count = 0, 0
    for i, (start, _) in enumerate(spans):
        count = sum(1 for s, _ in spans[i:i + 50] if s < start + SNIPPET_CHARS - LEAD_CHARS)
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
