"""Stories: when two articles tell the same news event (pure; no index, no disk).

A story is one event as the archive holds it: the outlets' own reports of it, syndicated copies,
reposts (often with a header or a legal footer), AI rewrites and exact duplicates. Follow-ups
(the next development, days later), articles that only share context (a months-long lawsuit, a
takeover in the news for weeks), one outlet's template headlines (``Bitcoin price today: ...``)
and its boilerplate lede are *different* stories, and so are look-alikes published the same day
(two exchange outages, two banks' results).

An article's ``Telling`` is what the rule compares: its content words, names and amounts, and
hashes of its paragraphs and of its word shingles. ``same_story(a, b)`` says whether two
tellings are one story, by one of two routes:

1. **copy**: most of the shorter text's word shingles are in the longer one (a copy, a repost
   with a header, a cut-down version), and no amount said in the same words differs (a daily
   template repeats its words with new numbers). Copies can come months later, and undated.
2. **report**: published within ``REPORT_WINDOW_DAYS`` of each other, and the same event in other
   words: the headlines, the ledes (headline, standfirst and first paragraph), the names and
   the amounts agree (``report_score``), and at most one amount said in the same words differs.
   Two texts with mostly the same words (or the same headline words) but an amount that
   differs are a template's two issues, never one story.

Paragraphs that two articles of one outlet both carry word for word (a newsletter's greeting,
a disclaimer) are left out of their comparison, unless they are all the shorter one has (then
it is a duplicate).

``assign_stories`` gives each article a story id, oldest first: an article joins the story of
its best-matching earlier article, else starts its own (the story id is then its own article
id). ``index.story_ids`` keeps those ids next to the index, for the full rebuild and for every
incremental add alike.

Measured on our labelled pairs (``scripts/bench_stories.py``; figures in the README).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import struct
import unicodedata
import zlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from whoosh.lang.porter import stem

#: two reports (not copies) of one event are published at most this many days apart
REPORT_WINDOW_DAYS = 1.0
#: copies are looked for at most this far apart (and always when a date is unknown)
COPY_WINDOW_DAYS = 400.0
#: share of the shorter text's shingles that must be in the longer one for a copy
COPY_CONTAINMENT = 0.6
#: a copy needs at least this many shingles of its own (a bare headline proves nothing)
MIN_SHINGLES = 4
#: words per shingle, and one shingle in this many is kept (by its hash: two texts keep the same)
SHINGLE = 4
SHINGLE_SAMPLE = 4
#: report_score from which two reports tell one event
REPORT_THRESHOLD = 0.42
#: amounts said after the same word with different numbers that two tellings of one story may
#: have: none for a copy (a weekly template differs from last week's by one number), one for
#: two reports (an outlet rounds, another corrects)
MAX_COPY_CONFLICTS = 0
MAX_CONFLICTS = 1
#: two texts this close in words (shingle containment, or headline words) with an amount that
#: differs are two issues of one template (``Bitcoin price today: ...``), not one story
TEMPLATE_CONTAINMENT = 0.4
TEMPLATE_TITLE = 0.9
#: the lede: the headline and the first two of the standfirst and the paragraphs, at most
#: ``LEDE_WORDS`` words of each (parts of a Telling beyond ``LEDE_PARTS`` keep no words)
LEDE_WORDS = 60
LEDE_PARTS = 4
#: a telling reads the headline, the standfirst and the first paragraphs: at most ``MAX_PARTS``
#: parts of at most ``PART_WORDS`` words each (what tells the event; the rest is context)
MAX_PARTS = 8
PART_WORDS = 100
PART_CHARS = 800

_MAGNITUDE = {"thousand": 10**3, "k": 10**3, "million": 10**6, "mn": 10**6, "m": 10**6,
              "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12,
              "t": 10**12}
_TIME = re.compile(r"\b\d{1,2}:\d{2}\b")
_NUMBER = re.compile(
    r"(?=[$€£¥AU\d])(?<![\w.,])(?P<cur>A\$|US\$|[$€£¥])?\s?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)"
    r"(?:\s?(?P<pct>%|(?i:percent|per cent|prozent|pour cent)\b)"
    r"|\s?(?P<mag>million|billion|trillion|thousand|mn|bn|tn|[mMbBkK])\b)?")
_WORD = re.compile(r"[^\W\d_][\w'’&-]*")
_TOKEN = re.compile(r"[^\W_]+(?:[.,'’-][^\W_]+)*")
_YEAR = re.compile(r"(19|20)\d\d")
#: function words, and words every news text has
_STOP = frozenset("""
a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just
me more most my no nor not now of off on once only or other our ours out over own same she should
so some such than that the their theirs them then there these they this those through to too
under until up very was we were what when where which while who whom why will with would you
your yours said says say told according per cent percent year years day days week weeks month
months today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday january
february march april may june july august september october november december new news also
one two three four five six seven eight nine ten first second third last next since around
about roughly nearly almost more than less der die das und ist ein eine den dem des le la les
et un une des du auf von zu im mit für sur à en
""".split())
#: capitalised words that name no one: days, months, function words after a quote or a dash
_NOT_NAMES = _STOP | frozenset("chief executive officer shares stock".split())
#: what precedes a word that starts a sentence (or a list item, a quote, a bracket)
_STARTERS = ".!?:;\"“‘'*-•(–—"


@dataclass(frozen=True)
class Telling:
    """What ``same_story`` compares of one article (see the module docstring)."""

    #: published, in days since 1970 (``None``: the archive does not know the date)
    day: float | None
    source: int
    title: frozenset[int]
    #: content-word stems of the standfirst and of each of the first body paragraphs (in the
    #: order of ``paragraphs``); the lede is the headline and the first two of them
    parts: tuple[frozenset[int], ...]
    names: frozenset[int]
    numbers: frozenset[int]
    #: ``(word, amount)``: an amount and the content word said before it
    said: frozenset[tuple[int, int]]
    #: normalised-text hash of the standfirst and of each body paragraph, in order
    paragraphs: tuple[int, ...]
    #: hashed word shingles of each of those paragraphs (same order), then of the headline
    shingles: tuple[frozenset[int], ...]
    content: int = 0
    #: hash of the normalised headline (a copy far from its original is found through it or
    #: through a paragraph hash)
    headline: int = 0

    def keys(self) -> frozenset[int]:
        """What two versions of a story nearly always share some of: names, amounts, headline
        words (the near candidates of ``StoryIndex``)."""
        return self.names | self.numbers | self.title

    def copy_keys(self) -> tuple[int, ...]:
        """The headline's and the first paragraphs' hashes (the far candidates)."""
        return tuple(dict.fromkeys(k for k in (self.headline, *self.paragraphs[:3]) if k))


# ---------------------------------------------------------------------------- the telling --

def is_undated(article: Any) -> bool:
    """The archive does not know when this article was published (its date is the ingest time).
    The one place that says so for stories and timelines."""
    return getattr(article, "date_source", None) == "ingested" or getattr(article, "published_at", None) is None


def telling_of(article: Any) -> Telling:
    """The telling of an ``Article`` (or anything with its attribute names)."""
    published = getattr(article, "published_at", None)
    day = None
    if published is not None and not is_undated(article):
        if published.tzinfo is None:
            published = published.replace(tzinfo=timezone.utc)
        day = published.timestamp() / 86_400
    source = getattr(article, "source_key", None)
    if source is None and getattr(article, "source", None) is not None:
        source = getattr(article.source, "key", None)
    return make_telling(getattr(article, "title", "") or "", getattr(article, "description", None),
                        getattr(article, "body", "") or "", day=day, source=source or "",
                        content=getattr(article, "content_hash", None) or "")


def make_telling(title: str, description: str | None, body: str, *, day: float | None,
                 source: str = "", content: str = "") -> Telling:
    paragraphs = [p for p in (_clean_paragraph(x) for x in _paragraphs(body)) if p]
    parts = ([description.strip()] if description and description.strip() else []) + paragraphs
    parts = parts[:MAX_PARTS]
    part_words = [words_of(p[:PART_CHARS])[:PART_WORDS] for p in parts]
    amounts = amounts_in("\n".join([title, *(p[:PART_CHARS] for p in parts)]))
    lede_text = "\n".join([title, *(p[:PART_CHARS] for p in parts[:LEDE_PARTS])])
    return Telling(
        day=day,
        source=token_hash(source.strip().lower()) if source.strip() else 0,
        title=_hashed(content_words(title)),
        parts=tuple(_hashed(_content(w[:LEDE_WORDS])) for w in part_words[:LEDE_PARTS]),
        names=_hashed(names_in(lede_text)),
        numbers=_hashed(n for n, _ in amounts),
        said=frozenset((token_hash(w), token_hash(n)) for n, w in amounts if w),
        paragraphs=tuple(token_hash(" ".join(w)) for w in part_words),
        shingles=tuple(_shingles(w) for w in part_words) + (shingles_of(title),),
        content=token_hash(content) if content else 0,
        headline=_hash_text(title) if title.strip() else 0,
    )


def _paragraphs(body: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body or "") if p.strip()]


def _clean_paragraph(text: str) -> str:
    text = text.strip()
    if text.startswith("#"):  # a Markdown heading says nothing of the event
        return ""
    return " ".join(text.split())


def _first_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n])


def _hash_text(text: str) -> int:
    return token_hash(" ".join(words_of(text)))


def token_hash(text: str) -> int:
    """A token as a 32-bit number (CRC-32: fast, and the same in every process): tellings are
    kept for every article, compactly."""
    return zlib.crc32(text.encode("utf-8"))


def _hashed(tokens: Iterable[str]) -> frozenset[int]:
    return frozenset(token_hash(t) for t in tokens)


def words_of(text: str) -> list[str]:
    """Lower-cased word and number tokens, as shingles see them."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).lower())


def shingles_of(text: str) -> frozenset[int]:
    return _shingles(words_of(text))


def _shingles(words: list[str]) -> frozenset[int]:
    if len(words) < SHINGLE:
        return frozenset()
    # one CRC per word, then a polynomial of the four, mod 2**32 (numpy's uint64 wraps mod 2**64,
    # which 2**32 divides: the same values as exact integers), over the whole paragraph at once
    h = np.fromiter((zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words))
    p = np.uint64(_P)
    values = (((h[:-3] * p + h[1:-2]) * p + h[2:-1]) * p + h[3:]) & np.uint64(0xFFFFFFFF)
    return frozenset(values[values % np.uint64(SHINGLE_SAMPLE) == 0].tolist())


_P = 1_000_003


def content_words(text: str) -> frozenset[str]:
    """Stems of the words that carry meaning (no function words, no numbers)."""
    return _content(words_of(text))


def _content(words: list[str]) -> frozenset[str]:
    out = set()
    for word in set(words):
        if word[0].isdigit():
            continue
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if len(word) > 1 and word not in _STOP:
            out.add(_stem(word))
    return frozenset(out)


_stem = functools.lru_cache(maxsize=100_000)(stem)


def names_in(text: str) -> frozenset[str]:
    """Capitalised words that do not start a sentence, and words in capitals anywhere,
    lower-cased (``Kestrel``, ``Darren Seow``, ``AMD``); title-case lines are skipped."""
    out: set[str] = set()
    for line in _without_times(text).splitlines():
        line = line.strip()
        if not line or line.startswith("#") or _title_case(line):
            continue
        for m in _CAPITALISED.finditer(line):
            word, before = m.group(2), m.group(1)
            if (m.start() == 0 or before) and not (len(word) > 1 and word.isupper()):
                continue  # a sentence's first word is capitalised whatever it is
            word = word.lower()
            if word.endswith(("'s", "’s")):
                word = word[:-2]
            elif word.endswith("-based"):
                word = word[:-6]
            if len(word) > 1 and word not in _NOT_NAMES:
                out.add(word)
    return frozenset(out)


#: a capitalised word, with the sentence-starting mark before it if there is one
_CAPITALISED = re.compile(r"""(?:([.!?:;"“‘'*•(–—-])\s*|(?<![\w'’&-]))([A-ZÀ-ÖØ-Þ][\w'’&-]*)""")


def _without_times(text: str) -> str:
    return _TIME.sub(" ", text) if ":" in text else text


def amounts_in(text: str) -> list[tuple[str, str]]:
    """``(amount, word said before it)`` for each amount in the text. Amounts are normalised
    so two tellings agree: ``$212 million`` and ``$212M`` -> ``#$212000000``; ``14 percent`` ->
    ``#14%``; ``41,000`` -> ``#41000``; bare one-digit numbers, years and times are left out."""
    out = []
    plain = _without_times(text)
    for m in _NUMBER.finditer(plain):
        raw = m.group("num")
        if "," in raw and not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", raw):
            raw = raw.replace(",", ".")  # 1,75 Prozent
        number = raw.replace(",", "")
        before = _word_before(plain, m.start())
        if m.group("pct"):
            out.append(("#" + _plain(number) + "%", before))
            continue
        currency, magnitude = (m.group("cur") or "").replace("US$", "$"), m.group("mag")
        if not currency and not magnitude and (len(number) < 2 or _YEAR.fullmatch(number)):
            continue
        if magnitude:  # $1.5bn, $1,500 million and $1500M are one amount
            try:
                number = _plain_number(Decimal(number) * _MAGNITUDE[magnitude.lower()])
            except InvalidOperation:
                continue
        out.append(("#" + currency + _plain(number), before))
    return out


def _plain(number: str) -> str:
    try:
        return _plain_number(Decimal(number))
    except InvalidOperation:
        return number


_CONTEXT_SKIP = _STOP | frozenset("by to at of from up down".split())


def _word_before(text: str, end: int) -> str:
    """The content word just before an amount (``trades at $71,950`` -> ``trade``)."""
    for word in reversed(_WORD.findall(text[max(0, end - 60):end])):
        lowered = word.lower()
        if lowered not in _CONTEXT_SKIP and len(lowered) > 1:
            return stem(lowered)
    return ""


def _plain_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _title_case(line: str) -> bool:
    longer = [w for w in _WORD.findall(line) if len(w) > 3]
    return len(longer) >= 3 and sum(w[0].isupper() for w in longer) / len(longer) > 0.6


# -------------------------------------------------------------------------------- the rule --

@dataclass(frozen=True)
class Comparison:
    copy: float
    report: float
    conflicts: int
    days_apart: float | None
    same: bool
    route: str


def compare(a: Telling, b: Telling) -> Comparison:
    """How two tellings compare, and whether they are one story (see the module docstring)."""
    days = None if a.day is None or b.day is None else abs(a.day - b.day)
    if a.content and a.content == b.content and any(a.shingles):
        return Comparison(1.0, 1.0, 0, days, True, "duplicate")
    keep_a, keep_b = _without_shared_boilerplate(a, b)
    copy = _containment([a.shingles[i] for i in keep_a], [b.shingles[i] for i in keep_b])
    conflicts = _conflicts(a.said, b.said)
    if copy >= COPY_CONTAINMENT and conflicts <= MAX_COPY_CONFLICTS and (days is None or days <= COPY_WINDOW_DAYS):
        return Comparison(copy, 0.0, conflicts, days, True, "copy")
    if conflicts > MAX_COPY_CONFLICTS and (copy >= TEMPLATE_CONTAINMENT
                                           or _dice(a.title, b.title) >= TEMPLATE_TITLE):
        return Comparison(copy, 0.0, conflicts, days, False, "")  # a template's next issue
    report = report_score(a, b, keep_a, keep_b)
    same = (days is not None and days <= REPORT_WINDOW_DAYS and report >= REPORT_THRESHOLD
            and conflicts <= MAX_CONFLICTS)
    return Comparison(copy, report, conflicts, days, same, "report" if same else "")


def same_story(a: Telling, b: Telling) -> bool:
    return compare(a, b).same


def _without_shared_boilerplate(a: Telling, b: Telling) -> tuple[list[int], list[int]]:
    """The paragraphs of each telling to compare: all but those that one outlet's two articles
    share word for word (unless those are all the shorter one has)."""
    keep_a, keep_b = list(range(len(a.paragraphs))), list(range(len(b.paragraphs)))
    if a.source and a.source == b.source:
        shared = set(a.paragraphs) & set(b.paragraphs)
        if shared and not (set(a.paragraphs) <= shared or set(b.paragraphs) <= shared):
            keep_a = [i for i in keep_a if a.paragraphs[i] not in shared]
            keep_b = [i for i in keep_b if b.paragraphs[i] not in shared]
    return keep_a, keep_b


def _containment(a: list[frozenset[int]], b: list[frozenset[int]]) -> float:
    sa = frozenset().union(*a) if a else frozenset()
    sb = frozenset().union(*b) if b else frozenset()
    small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if len(small) < MIN_SHINGLES:
        return 0.0
    return len(small & large) / len(small)


def _conflicts(a: frozenset[tuple[int, int]], b: frozenset[tuple[int, int]]) -> int:
    """Amounts said after the same word with different numbers (``trades at $71,950`` against
    ``trades at $70,420``), counted once per word."""
    by_word_a: dict[int, set[int]] = {}
    for word, number in a:
        by_word_a.setdefault(word, set()).add(number)
    by_word_b: dict[int, set[int]] = {}
    for word, number in b:
        by_word_b.setdefault(word, set()).add(number)
    return sum(1 for w, numbers in by_word_a.items()
               if w in by_word_b and not numbers & by_word_b[w])


def _dice(a: frozenset[int], b: frozenset[int]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _overlap(a: frozenset[int], b: frozenset[int]) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def lede_of(t: Telling, keep: Sequence[int] | None = None) -> frozenset[int]:
    """The headline's words and those of the first two kept parts."""
    indices = [i for i in (range(len(t.parts)) if keep is None else keep) if i < len(t.parts)][:2]
    return t.title.union(*(t.parts[i] for i in indices))


def report_score(a: Telling, b: Telling, keep_a: Sequence[int] | None = None,
                 keep_b: Sequence[int] | None = None) -> float:
    """0..1: how far two tellings agree on the event (headline, lede, names, amounts)."""
    title = _dice(a.title, b.title)
    lede = _dice(lede_of(a, keep_a), lede_of(b, keep_b))
    names = _dice(a.names, b.names)
    numbers = _overlap(a.numbers, b.numbers) if a.numbers and b.numbers else 0.0
    return 0.25 * title + 0.35 * lede + 0.2 * names + 0.2 * numbers


# ------------------------------------------------------------------------------ assignment --

def assign_stories(items: Iterable[tuple[str, Telling]]) -> dict[str, str]:
    """Story ids for ``(article id, telling)`` pairs, oldest first (undated last): each article
    joins the story of the best match among those before it, else starts its own (its id)."""
    index = StoryIndex()
    for article_id, telling in sorted(items, key=_publication_order):
        index.add(article_id, telling)
    return dict(index.story)


def _publication_order(item: tuple[str, Telling]) -> tuple[bool, float, str]:
    return (item[1].day is None, item[1].day or 0.0, item[0])


def best_match(telling: Telling, candidates: Iterable[tuple[str, Telling, str]],
               starts: Mapping[str, float]) -> str | None:
    """The story of the candidate ``(article id, telling, story id)`` that is most clearly the
    same story as ``telling``, if any is. A report (not a copy) must also be published within
    ``REPORT_WINDOW_DAYS`` of the story's first dated version (``starts``): a story does not
    drift from one day's event to the next day's follow-up through a chain of rewrites."""
    best, best_key = None, None
    for _, other, story_id in candidates:
        c = compare(telling, other)
        if not c.same:
            continue
        start = starts.get(story_id)
        if c.route == "report" and start is not None and telling.day is not None \
                and abs(telling.day - start) > REPORT_WINDOW_DAYS:
            continue
        key = (c.route in ("duplicate", "copy"), max(c.copy, c.report))
        if best_key is None or key > best_key:
            best, best_key = story_id, key
    return best


# -------------------------------------------------------------------------------- encoding --

_HEADER = struct.Struct("<BdIII")
_ENCODING = 1


def encode_telling(t: Telling) -> bytes:
    """A telling as bytes (32-bit tokens): what the story table keeps for every article."""
    sets = [t.title, t.names, t.numbers, *t.parts]
    counts = [len(t.parts), len(t.paragraphs), len(t.shingles), len(t.said)]
    counts += [len(x) for x in sets] + [len(x) for x in t.shingles]
    values = array("I", counts)
    for x in sets:
        values.extend(sorted(x))
    values.extend(t.paragraphs)
    for x in t.shingles:
        values.extend(sorted(x))
    for word, number in sorted(t.said):
        values.extend((word, number))
    day = float("nan") if t.day is None else t.day
    return _HEADER.pack(_ENCODING, day, t.source, t.content, t.headline) + values.tobytes()


def telling_day(data: bytes) -> float | None:
    """The day of an encoded telling, without decoding the rest."""
    day = _HEADER.unpack_from(data)[1]
    return None if math.isnan(day) else day


def decode_telling(data: bytes) -> Telling:
    version, day, source, content, headline = _HEADER.unpack_from(data)
    if version != _ENCODING:
        raise ValueError(f"unknown telling encoding {version}")
    values = array("I")
    values.frombytes(data[_HEADER.size:])
    n_parts, n_paragraphs, n_shingles, n_said = values[:4]
    pos = 4
    set_counts = values[pos:pos + 3 + n_parts]
    pos += 3 + n_parts
    shingle_counts = values[pos:pos + n_shingles]
    pos += n_shingles
    sets = []
    for n in set_counts:
        sets.append(frozenset(values[pos:pos + n]))
        pos += n
    paragraphs = tuple(values[pos:pos + n_paragraphs])
    pos += n_paragraphs
    shingles = []
    for n in shingle_counts:
        shingles.append(frozenset(values[pos:pos + n]))
        pos += n
    said = frozenset(zip(values[pos:pos + 2 * n_said:2], values[pos + 1:pos + 2 * n_said:2]))
    return Telling(
        day=None if math.isnan(day) else day, source=source, title=sets[0], parts=tuple(sets[3:]),
        names=sets[1], numbers=sets[2], said=said, paragraphs=paragraphs,
        shingles=tuple(shingles), content=content, headline=headline,
    )


# ---------------------------------------------------------------------------- the story index --

#: near candidates: published at most this far apart (the report window and a margin for copies)
NEAR_DAYS = 3.0
#: ... sharing at least this many ``Telling.keys``; a key held by more articles than this in the
#: window says nothing (``bitcoin``), nor a copy key held by more than ``COPY_KEY_CAP``
MIN_SHARED_KEYS = 2
KEY_CAP = 60
COPY_KEY_CAP = 40
#: candidates compared with the full rule, the ones with the most keys in common first
MAX_CANDIDATES = 12
#: decoded tellings kept at once
DECODED_CACHE = 4_000


class StoryIndex:
    """Articles with their tellings and story ids, to give the next article its story.

    ``add(id, telling)`` finds candidates (near: published within ``NEAR_DAYS`` and sharing
    ``MIN_SHARED_KEYS`` names, amounts or headline words; far: the same headline or one of the
    same first paragraphs, at any date), compares the best ``MAX_CANDIDATES`` with the rule and
    joins the story of the best match (``best_match``), else starts a story named after the
    article. Adding in publication order (the full rebuild) gives what ``assign_stories`` gives.
    Tellings are kept encoded (``encode_telling``) and decoded when compared."""

    def __init__(self, starts: Mapping[str, float] | None = None) -> None:
        self.story: dict[str, str] = {}
        #: story id -> the day of its first dated version
        self.starts: dict[str, float] = dict(starts or {})
        self.added: list[str] = []
        self._encoded: dict[str, bytes] = {}
        self._decoded: OrderedDict[str, Telling] = OrderedDict()
        #: key -> (days, ids), both sorted by day
        self._near: dict[int, tuple[list[float], list[str]]] = {}
        self._far: dict[int, list[str]] = {}

    def __len__(self) -> int:
        return len(self.story)

    def known(self, article_id: str, telling: Telling, story_id: str, encoded: bytes | None = None) -> None:
        """An article whose story is already decided (read back from the table)."""
        self._forget(article_id)
        self.story[article_id] = story_id
        self._encoded[article_id] = encoded if encoded is not None else encode_telling(telling)
        self._remember(article_id, telling)
        if telling.day is not None:
            self.starts[story_id] = min(self.starts.get(story_id, telling.day), telling.day)
            for key in telling.keys():
                days, ids = self._near.setdefault(key, ([], []))
                at = bisect.bisect_right(days, telling.day)
                days.insert(at, telling.day)
                ids.insert(at, article_id)
        for key in telling.copy_keys():
            self._far.setdefault(key, []).append(article_id)

    def add(self, article_id: str, telling: Telling, encoded: bytes | None = None) -> str:
        """Give a new (or changed) article its story id, and remember it."""
        self._forget(article_id)
        found = best_match(telling, self.candidates(telling), self.starts)
        story_id = found if found is not None else article_id
        self.known(article_id, telling, story_id, encoded)
        self.added.append(article_id)
        return story_id

    def candidates(self, telling: Telling) -> list[tuple[str, Telling, str]]:
        shared: dict[str, int] = {}
        if telling.day is not None:
            low, high = telling.day - NEAR_DAYS, telling.day + NEAR_DAYS
            for key in telling.keys():
                found = self._near.get(key)
                if found is None:
                    continue
                days, ids = found
                i, j = bisect.bisect_left(days, low), bisect.bisect_right(days, high)
                if j - i > KEY_CAP:
                    continue
                for other in ids[i:j]:
                    shared[other] = shared.get(other, 0) + 1
            shared = {k: v for k, v in shared.items() if v >= MIN_SHARED_KEYS}
        for key in telling.copy_keys():
            ids = self._far.get(key, ())
            if len(ids) <= COPY_KEY_CAP:
                for other in ids:
                    shared[other] = shared.get(other, 0) + 100  # the same paragraph: look first
        best = sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES]
        return [(i, self.telling(i), self.story[i]) for i, _ in best if i in self._encoded]

    def telling(self, article_id: str) -> Telling:
        found = self._decoded.get(article_id)
        if found is None:
            found = decode_telling(self._encoded[article_id])
            self._remember(article_id, found)
        else:
            self._decoded.move_to_end(article_id)
        return found

    def forget_near_before(self, day: float) -> None:
        """Drop the near candidates published before ``day`` (a rebuild in publication order
        never looks back further than ``NEAR_DAYS``); far ones stay."""
        for key in list(self._near):
            days, ids = self._near[key]
            cut = bisect.bisect_left(days, day)
            if cut == len(days):
                del self._near[key]
            elif cut:
                del days[:cut], ids[:cut]

    def _remember(self, article_id: str, telling: Telling) -> None:
        self._decoded[article_id] = telling
        self._decoded.move_to_end(article_id)
        while len(self._decoded) > DECODED_CACHE:
            self._decoded.popitem(last=False)

    def _forget(self, article_id: str) -> None:
        if article_id not in self._encoded:
            return
        old = self.telling(article_id)
        del self._encoded[article_id]
        self._decoded.pop(article_id, None)
        if old.day is not None:
            for key in old.keys():
                days, ids = self._near.get(key, ([], []))
                for at in range(bisect.bisect_left(days, old.day), len(days)):
                    if ids[at] == article_id:
                        del days[at], ids[at]
                        break
        for key in old.copy_keys():
            ids = self._far.get(key, [])
            if article_id in ids:
                ids.remove(article_id)


# ---------------------------------------------------------------------------- version labels --

def version_labels(ai: Mapping[str, Any] | None, extra: Mapping[str, Any] | None) -> tuple[str, ...]:
    """Badges for a version: ``AI rewrite`` (``ai.rewritten``), ``Repost`` (a ``repostOf`` field)."""
    labels = []
    if isinstance(ai, Mapping) and ai.get("rewritten") is True:
        labels.append("AI rewrite")
    if isinstance(extra, Mapping) and extra.get("repostOf"):
        labels.append("Repost")
    return tuple(labels)
