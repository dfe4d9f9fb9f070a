"""What the matches talk about: words and two-word phrases unusually frequent in a search's
matches compared with the whole archive (pure; ``SearchService.terms`` feeds it).

A *significant-terms* score, not raw frequency (Elasticsearch's ``significant_terms`` with its
JLH heuristic): with ``fg`` the share of the matches that contain a term and ``bg`` the share of
the whole archive that does, ``score = (fg - bg) * fg / bg`` when ``fg`` is at least
``MIN_LIFT`` times ``bg``, else nothing. A
word every article has scores ~0 however often it appears; a word in 40% of the matches and 1%
of the archive scores high. Terms in fewer than ``MIN_COUNT`` matches are left out (one article
is not a pattern), and so are the query's own words.

What is read of an article: its headline and standfirst (what the index stores; reading every
body would cost a file per match). Cost is bounded on broad queries: at most ``SAMPLE`` matches
are read (an even sample: the same query gives the same terms), and the archive's side is one
sample of ``BACKGROUND_SAMPLE`` articles per index snapshot. Counts say how many of the read
matches contain the term, and of how many.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Sequence

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

#: matches read per search, and archive articles read once per index snapshot
SAMPLE = 1_000
BACKGROUND_SAMPLE = 4_000
#: a term must be in at least this many of the read matches (fewer when few were read)
MIN_COUNT = 3
#: terms returned
LIMIT = 25
#: a term at least this many times as frequent in the matches as in the archive ("unusually")
MIN_LIFT = 2.0

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]")
_EXTRA_STOP = frozenset("""
said says say also new one two three would could will may might its it's it’s year years up down
week weeks month day days time per percent mr ms according after before over more most
than about into just like get got us including while since amid was were has had been being
their there they them his her he she who whom which what where why how all any some no nor so
too very can could should its our out up off own same other such only then these those does did
doing do don't won't can't isn't
""".split())
STOP = frozenset(STOP_WORDS) | _EXTRA_STOP


@dataclass(frozen=True)
class Term:
    #: what is shown and added to the query: a word, or two words (a phrase)
    text: str
    phrase: bool
    #: read matches containing it, and read archive articles containing it
    count: int
    background: int
    score: float


@dataclass(frozen=True)
class Counts:
    """Document frequencies of words (by stem) and phrases (two adjacent words) in some texts."""

    docs: int
    words: Counter
    phrases: Counter
    #: stem -> the spelling seen most often; phrase key -> its spelling
    shown: dict[str, str]


@functools.lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return stem(word)


def tokens(text: str) -> list[str | None]:
    """Lower-cased words of a text; ``None`` where a function word or a number breaks a phrase."""
    out: list[str | None] = []
    for raw in re.split(r"(\s+|[.,;:!?()\"“”\[\]])", unicodedata.normalize("NFKC", text)):
        if not raw or raw.isspace():
            continue
        m = _WORD.fullmatch(raw.strip("'’-").lower())
        if not m:
            out.append(None)
            continue
        word = m.group()
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        out.append(None if len(word) < 2 or word in STOP else word)
    return out


def count_texts(texts: Iterable[str]) -> Counts:
    """How many of the texts contain each word (by stem) and each two-word phrase."""
    words: Counter = Counter()
    phrases: Counter = Counter()
    spellings: dict[str, Counter] = {}
    docs = 0
    for text in texts:
        docs += 1
        seen_words, seen_phrases = set(), set()
        previous = None
        for word in tokens(text):
            if word is None:
                previous = None
                continue
            key = _stem(word)
            seen_words.add(key)
            spellings.setdefault(key, Counter())[word] += 1
            if previous is not None:
                pair = f"{_stem(previous)} {key}"
                seen_phrases.add(pair)
                spellings.setdefault(pair, Counter())[f"{previous} {word}"] += 1
            previous = word
        words.update(seen_words)
        phrases.update(seen_phrases)
    shown = {k: c.most_common(1)[0][0] for k, c in spellings.items()}
    return Counts(docs, words, phrases, shown)


def jlh(fg: int, fg_total: int, bg: int, bg_total: int) -> float:
    """Elasticsearch's JLH score of a term (0 when it is not more frequent in the matches)."""
    if not fg_total or not fg:
        return 0.0
    fg_rate = fg / fg_total
    bg_rate = (bg + 0.5) / (bg_total + 1)  # never 0: a term the archive sample lacks is rare
    if fg_rate < MIN_LIFT * bg_rate:
        return 0.0
    return (fg_rate - bg_rate) * (fg_rate / bg_rate)


def significant_terms(foreground: Counts, background: Counts, *, exclude: Sequence[str] = (),
                      limit: int = LIMIT, min_count: int | None = None) -> list[Term]:
    """The words and phrases of the foreground that score highest against the background.
    ``exclude``: words (the query's own) left out, alone and in phrases. A word that only
    appears inside one of the chosen phrases (as often as the phrase) is left out for it."""
    if min_count is None:
        min_count = MIN_COUNT if foreground.docs >= 30 else 2
    left_out = {_stem(w.lower()) for w in exclude}
    scored: list[Term] = []
    for key, n in foreground.words.items():
        if n < min_count or key in left_out:
            continue
        score = jlh(n, foreground.docs, background.words.get(key, 0), background.docs)
        if score > 0:
            scored.append(Term(foreground.shown[key], False, n, background.words.get(key, 0), score))
    for key, n in foreground.phrases.items():
        if n < min_count or any(part in left_out for part in key.split(" ")):
            continue
        score = jlh(n, foreground.docs, background.phrases.get(key, 0), background.docs)
        if score > 0:
            scored.append(Term(foreground.shown[key], True, n, background.phrases.get(key, 0), score))
    scored.sort(key=lambda t: (-t.score, -t.count, t.text))
    chosen: list[Term] = []
    phrase_words: dict[str, int] = {}
    for term in scored:
        if not term.phrase and phrase_words.get(term.text, 0) >= term.count:
            continue  # "federal" counts nothing "federal reserve" did not
        chosen.append(term)
        if term.phrase:
            for word in term.text.split(" "):
                phrase_words[word] = max(phrase_words.get(word, 0), term.count)
        if len(chosen) == limit:
            break
    return chosen


def query_with(q: str, term: Term) -> str:
    """The query text with a term added (a phrase in quotes)."""
    added = f'"{term.text}"' if term.phrase else term.text
    return f"{q.strip()} {added}".strip()


@dataclass(frozen=True)
class TermLink:
    term: Term
    #: ``?...``: the same search with the term added to the query
    url: str


@dataclass(frozen=True)
class TermsResult:
    """``SearchService.terms``: the significant terms of a search's matches."""

    total: int
    #: matches read (all of them up to ``SAMPLE``), and archive articles read for the comparison
    read: int
    background: int
    terms: tuple[TermLink, ...]
    took_ms: float = 0.0

    def to_dict(self) -> dict:
        return {
            "total": self.total, "read": self.read, "background": self.background,
            "terms": [{"text": t.term.text, "phrase": t.term.phrase, "count": t.term.count,
                       "background": t.term.background, "score": round(t.term.score, 6),
                       "url": t.url} for t in self.terms],
            "took_ms": round(self.took_ms, 2),
        }
