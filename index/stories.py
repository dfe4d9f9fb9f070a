"""Versions of one story: when two articles tell the same news event (pure; no index, no disk).

An outlet's original, another outlet's take on the same event, an aggregator's repost and an AI
rewrite use different words but keep the same *telling* details: the amounts and percentages
(``$212 million``, ``14%``), and the names (``Kestrel``, ``Darren Seow``, ``AMD``, ``IREN``).
Two articles are versions of one story when

1. they were published within ``WINDOW_DAYS`` of each other, and
2. their salient tokens (``salient_tokens``) overlap strongly: at least ``MIN_SHARED`` tokens in
   common, of which at least ``MIN_SHARED_NUMBERS`` are numbers, and the overlap coefficient
   ``|A & B| / min(|A|, |B|)`` is at least ``THRESHOLD`` (the smaller telling must be mostly
   inside the larger: a short repost of a long report is a version of it).

Calibration (``salient_tokens`` of title + description + body): the two seed tellings of one
CoinDesk story (2026-02-04) share 8 tokens, overlap 0.80 (Jaccard 0.21: the original is much
longer than its rewrite, so Jaccard alone would not do); the ten pairs of the demo's Kestrel
story share 5..13 tokens, overlap 0.78..1.00; pairs of distinct articles within three days (the
test fixtures, the demo archive, ``tests/index/story_fixtures.py``) share at most 3 tokens, except
a follow-up to the Kestrel hack two days later that shares 5 names and no number (hence the
number rule).

``SearchService.versions`` finds the candidates through the index (the article's key terms,
restricted to the date window) and runs ``are_versions`` on those few only.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, Mapping

#: two versions of a story are published at most this many days apart
WINDOW_DAYS = 3
#: the overlap coefficient of salient tokens from which two articles are versions
THRESHOLD = 0.5
#: ... and the fewest salient tokens, and numbers among them, they must have in common
MIN_SHARED = 4
MIN_SHARED_NUMBERS = 1

_MAGNITUDE = {"thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6,
              "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12,
              "t": 10**12}
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_NUMBER = re.compile(
    r"(?<![\w.,])(?P<cur>[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?(?P<pct>%|percent\b|per cent\b)"
    r"|\s?(?P<mag>million|billion|trillion|thousand|mn|bn|tn|[mMbBkK])\b)?")
_WORD = re.compile(r"[A-Za-z][\w'’&-]*")
_YEAR = re.compile(r"(19|20)\d\d")
#: capitalised words that name no one: days, months, function words after a quote or a dash
_COMMON = frozenset("""
monday tuesday wednesday thursday friday saturday sunday january february march april may june
july august september october november december the a an and or but if in on at of for to it its
this that these those he she they we you i his her their our there here what when where who why
how as by with from after before while however also still yet some many most more one two three
""".split())
#: what precedes a word that starts a sentence (or a list item, a quote, a bracket)
_STARTERS = ".!?:;\"“‘'*-•(–—"


def salient_tokens(text: str) -> frozenset[str]:
    """The telling details of a text, normalised so that two tellings agree on them.

    Numbers: ``$212 million`` and ``$212M`` -> ``#$212000000``; ``14 percent`` -> ``#14%``;
    ``41,000`` -> ``#41000`` (bare numbers of one digit and years are left out: every article
    has them). Names: capitalised words that do not start a sentence, lower-cased, and words in
    capitals anywhere (``AMD``, ``IREN``); Markdown headings and title-case lines are skipped
    (every word of them is capitalised, so they say nothing about names)."""
    out: set[str] = set()
    plain = _TIME.sub(" ", text)
    for m in _NUMBER.finditer(plain):
        number = m.group("num").replace(",", "")
        if m.group("pct"):
            out.add("#" + number + "%")
            continue
        currency, magnitude = m.group("cur") or "", m.group("mag")
        if not currency and not magnitude and (len(number) < 2 or _YEAR.fullmatch(number)):
            continue
        if magnitude:  # $1.5bn, $1,500 million and $1500M are one amount
            number = _plain_number(Decimal(number) * _MAGNITUDE[magnitude.lower()])
        out.add("#" + currency + number)
    for line in plain.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or _title_case(line):
            continue
        for m in _WORD.finditer(line):
            word = m.group()
            if not word[0].isupper():
                continue
            before = line[:m.start()].rstrip()
            if (not before or before[-1] in _STARTERS) and not (len(word) > 1 and word.isupper()):
                continue  # a sentence's first word is capitalised whatever it is
            word = re.sub(r"(['’]s|-based)$", "", word).lower()
            if len(word) > 1 and word not in _COMMON:
                out.add(word)
    return frozenset(out)


def _plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _title_case(line: str) -> bool:
    longer = [w for w in _WORD.findall(line) if len(w) > 3]
    return len(longer) >= 3 and sum(w[0].isupper() for w in longer) / len(longer) > 0.6


def story_text(title: str | None, description: str | None, body: str | None) -> str:
    """What ``salient_tokens`` reads of an article: each part on its own line."""
    return "\n".join(part for part in (title, description, body) if part)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """The overlap coefficient of two token sets; 0 when they share too little to tell."""
    shared = a & b
    if len(shared) < MIN_SHARED or sum(t.startswith("#") for t in shared) < MIN_SHARED_NUMBERS:
        return 0.0
    return len(shared) / min(len(a), len(b))


def are_versions(a: frozenset[str], b: frozenset[str], days_apart: float) -> bool:
    """Two tellings of one story: close in time and with the same telling details."""
    return abs(days_apart) <= WINDOW_DAYS and similarity(a, b) >= THRESHOLD


def version_labels(ai: Mapping[str, Any] | None, extra: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Badges for a version: ``AI rewrite`` (``ai.rewritten``), ``Repost`` (a ``repostOf`` field)."""
    labels = []
    if isinstance(ai, Mapping) and ai.get("rewritten") is True:
        labels.append("AI rewrite")
    if isinstance(extra, Mapping) and extra.get("repostOf"):
        labels.append("Repost")
    return tuple(labels)
