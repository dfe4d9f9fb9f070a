"""The query stream: thousands of distinct searches generated from the corpus itself.

A researcher's queries are mostly new to the server, so the benchmark runs each query of the
stream once. The stream is drawn (deterministically, from the seed) from a sample of the corpus's
own articles:

- ``word:rare`` / ``word:mid`` / ``word:common``: single words spread over the whole document
  frequency range of the sample (log-spaced);
- ``words``: two or three words (AND); ``phrase2`` / ``phrase3``: two or three words in a row,
  taken from a real article's body;
- ``boolean``: ``(a OR b) NOT c``, ``a OR b``, ``a b NOT c``, ``(a OR b OR c) d``;
- ``field``: ``title:w`` (a word of a real title), ``source:x w``, ``tags:x w``;
- ``filter``: a word and one or two facet filters (source, sentiment, tags, lang, category),
  with values taken from real articles; ``browse``: no words, only filters, newest first;
- ``date``: a word within a date range of a week to a year; ``sort``: a word, newest or oldest
  first; ``deep``: a common word on page 5 to 50, by relevance or newest first.

Only words every engine's analysis treats alike are drawn: letters only, not one of Whoosh's
stop words (our engine and plain Whoosh drop those; FTS5 and Tantivy index them), and, when
Tantivy is installed, a word whose stem groups the same words of the sample under Tantivy's
English stemmer as under Whoosh's Porter stemmer.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

from scripts.bench.queries import BenchQuery, Clause

#: queries per class in a stream of 2,000 (scaled for other sizes)
QUOTAS = (
    ("word:rare", 170), ("word:mid", 170), ("word:common", 160), ("words", 150),
    ("phrase2", 250), ("phrase3", 200), ("boolean", 200), ("field", 200), ("filter", 150),
    ("date", 120), ("sort", 100), ("deep", 80), ("browse", 50),
)
#: articles read to draw the stream from
SAMPLE = 3000
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")
_WORD = re.compile(r"[a-z]{3,}")
_KEYWORD = re.compile(r"[A-Za-z0-9]+")


class Sample:
    """What the stream is drawn from: a few thousand articles of the corpus and their words."""

    def __init__(self, articles: list[Any]) -> None:
        from whoosh.analysis import STOP_WORDS

        self.articles = articles
        self.bodies = [_TOKEN.findall(a.body.lower()) for a in articles]
        self.titles = [_TOKEN.findall(a.title.lower()) for a in articles]
        df: Counter[str] = Counter()
        for a, body, title in zip(articles, self.bodies, self.titles):
            df.update(set(body) | set(title) | set(_TOKEN.findall((a.description or "").lower())))
        self.good = {w for w in df if _WORD.fullmatch(w) and w not in STOP_WORDS}
        self.good -= _stemmed_differently(self.good)
        self.df = {w: df[w] for w in self.good}
        #: words by document frequency, rarest first
        self.by_df = sorted(self.good, key=lambda w: (self.df[w], w))

    def words_in(self, low: float, high: float) -> list[str]:
        """Words in between ``low`` and ``high`` of the sample's documents."""
        n = len(self.articles)
        return [w for w in self.by_df if low * n <= self.df[w] <= high * n]


def _stemmed_differently(words: set[str]) -> set[str]:
    """Words whose group of same-stem words differs between Whoosh's stemmer and Tantivy's."""
    try:
        import tantivy
    except ImportError:
        return set()
    from whoosh.lang.porter import stem

    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("english")).build())
    ordered = sorted(words)
    theirs = analyzer.analyze(" ".join(ordered))
    if len(theirs) != len(ordered):
        return set(words)
    ours_groups: dict[str, set[str]] = {}
    their_groups: dict[str, set[str]] = {}
    for w, t in zip(ordered, theirs):
        ours_groups.setdefault(stem(w), set()).add(w)
        their_groups.setdefault(t, set()).add(w)
    return {w for w, t in zip(ordered, theirs) if ours_groups[stem(w)] != their_groups[t]}


def read_sample(home: Path, seed: int, size: int = SAMPLE) -> Sample:
    from archive.store import Store, read_article

    paths = sorted(Store(home).iter_paths())
    rng = random.Random(f"{seed}:stream-sample")
    chosen = rng.sample(paths, min(size, len(paths)))
    return Sample([read_article(p) for p in sorted(chosen)])


def make_stream(sample: Sample, seed: int, total: int = 2000) -> tuple[BenchQuery, ...]:
    """``total`` distinct queries, class by class (see the module's docstring)."""
    rng = random.Random(f"{seed}:stream")
    scale = total / sum(q for _, q in QUOTAS)
    makers = _makers(sample, rng)
    out: list[BenchQuery] = []
    seen: set[tuple] = set()
    for kind, quota in QUOTAS:
        want = max(1, round(quota * scale))
        made, tries = 0, 0
        while made < want and tries < want * 50:
            tries += 1
            query = makers[kind]()
            if query is None or query.key() in seen:
                continue
            seen.add(query.key())
            out.append(BenchQuery(f"{kind} #{made + 1}", kind, query.clauses, query.keywords,
                                  query.filters, query.date_from, query.date_to, query.sort,
                                  query.page))
            made += 1
    rng.shuffle(out)  # classes interleaved, as a server sees them
    return tuple(out)


def _makers(s: Sample, rng: random.Random) -> dict[str, Callable[[], BenchQuery | None]]:
    rare = s.words_in(0, 0.002) or s.by_df[:100]
    mid = s.words_in(0.002, 0.03)
    common = s.words_in(0.03, 0.7)
    everyday = mid + common

    def log_spread(words: list[str]) -> str:
        """A word drawn uniformly over log(document frequency): every decade as likely."""
        low, high = math.log(s.df[words[0]]), math.log(s.df[words[-1]])
        target = math.exp(rng.uniform(low, high))
        i = min(range(len(words)), key=lambda k: abs(s.df[words[k]] - target) + rng.random() * 0.5)
        return words[i]

    def w(word: str, **kw: Any) -> Clause:
        return Clause("word", (word,), **kw)

    def q(clauses: tuple[Clause, ...] = (), **kw: Any) -> BenchQuery:
        return BenchQuery("", "", clauses, **kw)

    def article() -> Any:
        return rng.choice(s.articles)

    def run_of(length: int) -> BenchQuery | None:
        body = s.bodies[rng.randrange(len(s.bodies))]
        if len(body) < length:
            return None
        start = rng.randrange(len(body) - length + 1)
        words = body[start:start + length]
        if not all(x in s.good for x in words) or len(set(words)) < length:
            return None
        return q((Clause("phrase", tuple(words)),))

    def rare_word() -> BenchQuery:
        return q((w(rng.choice(rare)),))

    def boolean() -> BenchQuery:
        a, b, c, d = (rng.choice(everyday) for _ in range(4))
        if len({a, b, c, d}) < 4:
            return None
        shape = rng.randrange(4)
        if shape == 0:
            return q((Clause("any", (a, b)), w(c, negated=True)))
        if shape == 1:
            return q((Clause("any", (a, b)),))
        if shape == 2:
            return q((w(a), w(b), w(c, negated=True)))
        return q((Clause("any", (a, b, c)), w(d)))

    def field() -> BenchQuery | None:
        art = article()
        shape = rng.randrange(3)
        if shape == 0:
            words = [x for x in _TOKEN.findall(art.title.lower()) if x in s.good]
            return q((w(rng.choice(words), field="title"),)) if words else None
        if shape == 1:
            return q((w(log_spread(everyday)),), keywords={"source": art.source_key})
        tags = [t for t in art.tags if _KEYWORD.fullmatch(t)]  # one word: no quoting needed
        if not tags:
            return None
        return q((w(log_spread(everyday)),), keywords={"tags": rng.choice(tags)})

    def filters() -> dict[str, tuple[str, ...]]:
        chosen: dict[str, tuple[str, ...]] = {}
        for name in rng.sample(("source", "sentiment", "tags", "lang", "category"), rng.randint(1, 2)):
            values = {facet_value(article(), name) for _ in range(rng.randint(1, 2))}
            values.discard(None)
            if values:
                chosen[name] = tuple(sorted(values))
        return chosen

    def facet_value(art: Any, name: str) -> str | None:
        if name == "source":
            return art.source_key
        if name == "tags":
            return rng.choice(art.tags) if art.tags else None
        if name == "lang":
            return art.lang or "en"
        return getattr(art, name) or None

    def date_range() -> BenchQuery:
        start = date(2021, 1, 1) + timedelta(days=rng.randrange(5 * 365))
        return q((w(log_spread(everyday)),), date_from=start,
                 date_to=start + timedelta(days=rng.choice((6, 30, 91, 182, 365))))

    return {
        "word:rare": rare_word,
        "word:mid": lambda: q((w(log_spread(mid)),)),
        "word:common": lambda: q((w(rng.choice(common)),)),
        "words": lambda: q(tuple(w(log_spread(everyday)) for _ in range(rng.randint(2, 3)))),
        "phrase2": lambda: run_of(2),
        "phrase3": lambda: run_of(3),
        "boolean": boolean,
        "field": field,
        "filter": lambda: q((w(log_spread(everyday)),), filters=filters()),
        "browse": lambda: q(filters=filters(), sort="newest"),
        "date": date_range,
        "sort": lambda: q((w(log_spread(everyday)),), sort=rng.choice(("newest", "oldest"))),
        "deep": lambda: q((w(rng.choice(common)),), page=rng.randint(5, 50),
                          sort=rng.choice(("relevance", "newest"))),
    }


def write_stream(path: Path, stream: tuple[BenchQuery, ...]) -> None:
    path.write_text(json.dumps([query.to_json() for query in stream], indent=0) + "\n")


def read_stream(path: Path) -> tuple[BenchQuery, ...]:
    return tuple(BenchQuery.from_json(item) for item in json.loads(Path(path).read_text()))


def stream_for(home: Path, seed: int, total: int, cache: Path) -> tuple[BenchQuery, ...]:
    """The stream of this corpus, generated once and kept in ``cache``."""
    if cache.exists():
        return read_stream(cache)
    stream = make_stream(read_sample(home, seed), seed, total)
    tmp = cache.with_name(cache.name + ".tmp")
    write_stream(tmp, stream)
    tmp.replace(cache)
    return stream
