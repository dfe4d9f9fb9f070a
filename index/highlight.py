"""Highlighted snippets: the passage of a text with the most query matches, HTML-escaped, with
``<mark>`` around each match.

Everything from the article is escaped with ``markupsafe.escape`` piece by piece; only our own
``<mark>`` tags are markup, so a title or body containing ``<script>`` comes out as text.
Pure code: the caller reads the article file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from markupsafe import Markup, escape

from index.analysis import Analysis, bare_term, is_cjk, normalise

#: characters of text in a snippet
SNIPPET_CHARS = 240
#: characters shown before the first match of the passage
LEAD_CHARS = 60

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_LINE_MARKS = re.compile(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+\.)\s+", re.M)
_INLINE_MARKS = re.compile(r"\*\*|__|`")


def plain_text(markdown: str) -> str:
    """Markdown body -> running text for snippets (links keep their text, marks go), in the
    normal form the index analyses (NFKC), so that matches are found where they are."""
    markdown = normalise(markdown)
    text = _MARKDOWN_LINK.sub(r"\1", markdown) if "](" in markdown else markdown
    text = _LINE_MARKS.sub("", text)
    if "**" in text or "__" in text or "`" in text:
        text = _INLINE_MARKS.sub("", text)
    # runs of whitespace -> one space: str.split splits on exactly what ``\s`` matches (both are
    # Python's isspace), ten times faster than re.sub on an article
    return " ".join(text.split())


def match_spans(text: str, terms: Iterable[str], analysis: Analysis) -> list[tuple[int, int]]:
    """(start, end) of the words of ``text`` (normalised) whose terms in ``analysis`` (the
    article's language) are among ``terms`` (the query's terms in every language).

    A regular expression finds the candidate words, those starting like a term's stem (which
    covers ``rally``/``ralli`` and ``rating``/``rate``), compared without accents (``Märkte`` for
    the German stem ``markt``), and only those words are analysed: a long body is never tokenised
    whole. CJK terms (bigrams) are found as they are, and overlapping ones joined into one mark
    (``比特`` + ``特币`` -> ``比特币``)."""
    wanted = {t for t in terms if t}
    if not text or not wanted:
        return []
    prefix = analysis.prefix
    mine = {t[len(prefix):] for t in wanted
            if t.startswith(prefix) and (prefix or bare_term(t) == t)}
    cjk = {t for t in mine if is_cjk(t)}
    words = {fold(t) for t in mine - cjk}
    spans: list[tuple[int, int]] = []
    if words:
        stems = sorted({t[:max(3, len(t) - 1)] if len(t) > 3 else t for t in words}, key=len,
                       reverse=True)
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(s) for s in stems) + r")\w*",
                             re.IGNORECASE)
        verdict: dict[str, bool] = {}
        for match in pattern.finditer(fold(text)):
            word = text[match.start():match.end()]
            key = word.lower()
            if key not in verdict:
                verdict[key] = any(term in wanted for term in analysis.terms(word))
            if verdict[key]:
                spans.append((match.start(), match.end()))
    for term in cjk:
        start = text.find(term)
        while start >= 0:
            end = start + len(term)
            if len(term) > 1 or not (start and is_cjk(text[start - 1])
                                     or end < len(text) and is_cjk(text[end])):
                spans.append((start, end))
            start = text.find(term, start + 1)
    return _joined(sorted(spans))


def _joined(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for start, end in spans:
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]))
        else:
            out.append((start, end))
    return out


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    table = {}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and base.isascii():
            table[code] = base
    return table


def fold(text: str) -> str:
    """``text`` with accented Latin letters as their base letter, one character for one."""
    return text if text.isascii() else text.translate(_fold_table())


def make_snippet(text: str, terms: Iterable[str], analysis: Analysis,
                 spans: list[tuple[int, int]] | None = None) -> str:
    """The best passage of ``text`` for the (analysed) ``terms``, as escaped HTML with marks;
    the start of the text (escaped, no marks) when nothing matches; ``""`` for no text."""
    text = text or ""
    if not text:
        return ""
    if spans is None:
        spans = match_spans(text, terms, analysis)
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
