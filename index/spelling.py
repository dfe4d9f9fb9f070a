"""Did-you-mean candidates: the index's own words within a few edits of a word, in bounded time.

Whoosh's corrector compares a word with *every* spelling word of a field in pure Python
(``reader.terms_within``): 2-4 s per unknown word on 5,000 articles, so a query of 25 unknown
words kept a server thread busy for 52 s. Here each segment's spelling words are read once into
``Lexicon`` buckets of one first letter and one length, held as one ``"\\n"``-joined string each
(a few bytes per word); a lookup splits only the buckets within ``MAX_DISTANCE`` of the word's
length and lets rapidfuzz's C++ Levenshtein rank them. Like most spellers (and Whoosh's own
``prefix`` option), a suggestion keeps the word's first letter. Pure code over the words given.
"""

from __future__ import annotations

from typing import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

#: edits allowed between a word and a suggestion (one for words of up to ``SHORT_WORD`` letters)
MAX_DISTANCE = 2
SHORT_WORD = 4
#: spelling words longer than this are not suggested (URLs, glued words)
MAX_WORD = 30


class Lexicon:
    """The spelling words of one segment, bucketed by (first letter, length)."""

    def __init__(self, words: Iterable[str]) -> None:
        buckets: dict[tuple[str, int], list[str]] = {}
        for word in words:
            if 2 < len(word) <= MAX_WORD and word.isalpha():
                buckets.setdefault((word[0], len(word)), []).append(word)
        self._buckets = {key: "\n" + "\n".join(found) + "\n" for key, found in buckets.items()}
        self.size = sum(len(found) for found in buckets.values())

    def __contains__(self, word: str) -> bool:
        """Whether ``word`` is written in the index (words never kept here count as written)."""
        if not (2 < len(word) <= MAX_WORD and word.isalpha()):
            return True
        bucket = self._buckets.get((word[0], len(word)))
        return bucket is not None and f"\n{word}\n" in bucket

    def near(self, word: str, limit: int) -> list[tuple[int, str]]:
        """(edits, word) of at most ``limit`` words closest to ``word`` (not ``word`` itself)."""
        if not word:
            return []
        most = 1 if len(word) <= SHORT_WORD else MAX_DISTANCE
        choices: list[str] = []
        for length in range(len(word) - most, len(word) + most + 1):
            bucket = self._buckets.get((word[0], length))
            if bucket:
                choices.extend(bucket[1:-1].split("\n"))
        if not choices:
            return []
        found = process.extract(word, choices, scorer=Levenshtein.distance, score_cutoff=most,
                                limit=limit + 1)
        return [(int(edits), text) for text, edits, _ in found if text != word][:limit]


def lexicon_of(reader, fieldnames: Iterable[str]) -> Lexicon:
    """The spelling words of ``fieldnames`` in one segment reader."""

    def words() -> Iterable[str]:
        for fieldname in fieldnames:
            for raw in reader.lexicon(fieldname):
                yield raw.decode("utf-8") if isinstance(raw, bytes) else raw

    return Lexicon(words())
