"""A benchmark query, stated once as structure and rendered for every engine.

A ``BenchQuery`` is a conjunction of clauses (a word, a phrase, any of several words, each
possibly negated or limited to the title), keyword fields (``source:``, ``tags:``), facet filters
(several values in one facet mean OR, across facets AND), a date range, the sort and the page.
``text`` is our query language (which Whoosh's own ``MultifieldParser`` also reads), ``fts`` the
same condition as an FTS5 MATCH expression; the Tantivy baseline builds its queries from the
clauses. Every engine answers with all five facets, the date histogram and highlighted snippets of
one page of ``PER_PAGE`` hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

PER_PAGE = 20
#: every engine counts these facets on every result
FACETS = ("source", "tags", "sentiment", "category", "lang")
#: keyword fields a query may name (``source:coindesk``), as the query language spells them
KEYWORDS = ("source", "tags")


@dataclass(frozen=True)
class Clause:
    """``kind``: ``word`` (one word), ``phrase`` (words in a row) or ``any`` (one of the words).
    ``field``: ``None`` for title, description and body; else that one field."""

    kind: str
    words: tuple[str, ...]
    negated: bool = False
    field: str | None = None

    def text(self) -> str:
        if self.kind == "phrase":
            body = '"' + " ".join(self.words) + '"'
        elif self.kind == "any":
            body = "(" + " OR ".join(self.words) + ")"
        else:
            body = self.words[0]
        if self.field:
            body = f"{self.field}:{body}"
        return ("NOT " + body) if self.negated else body


@dataclass(frozen=True)
class BenchQuery:
    name: str
    kind: str
    clauses: tuple[Clause, ...] = ()
    #: keyword fields in the query text: {"source": "coindesk"} / {"tags": "BTC"}
    keywords: dict[str, str] = field(default_factory=dict)
    #: facet filters (web parameters), values as the files write them
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1

    @property
    def text(self) -> str:
        """Our query language (and Whoosh's): positive clauses first, then the negated ones."""
        ordered = [c for c in self.clauses if not c.negated] + [c for c in self.clauses if c.negated]
        parts = [f"{name}:{value.lower()}" for name, value in self.keywords.items()]
        return " ".join(parts + [c.text() for c in ordered])

    @property
    def fts(self) -> str | None:
        """The clauses as an FTS5 MATCH expression (``None``: no full-text condition). FTS5
        needs an explicit AND after a parenthesised group, and its NOT is binary (and binds
        tighter than AND), so the negated clauses follow the positive ones."""
        positive = [c.text() for c in self.clauses if not c.negated]
        if not positive:
            return None
        return " ".join([" AND ".join(positive)] + [c.text() for c in self.clauses if c.negated])

    @property
    def has_text(self) -> bool:
        return any(not c.negated for c in self.clauses)

    def key(self) -> tuple:
        """What makes two queries the same search (the stream holds each once)."""
        return (self.text, tuple(sorted(self.filters.items())), self.date_from, self.date_to,
                self.sort, self.page)

    def search_query(self) -> Any:
        """The same search as our ``SearchQuery``."""
        from index.model import SearchQuery

        return SearchQuery(q=self.text, **self.filters, date_from=self.date_from,
                           date_to=self.date_to, sort=self.sort, page=self.page, per_page=PER_PAGE)

    def to_params(self) -> list[tuple[str, str]]:
        """The same search as web parameters (``/api/search?...``)."""
        return self.search_query().to_params()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "text": self.text,
                "params": self.to_params()}

    # -- a stream is written to a file and read back by the server processes
    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind,
                "clauses": [[c.kind, list(c.words), c.negated, c.field] for c in self.clauses],
                "keywords": self.keywords, "filters": {k: list(v) for k, v in self.filters.items()},
                "date_from": self.date_from.isoformat() if self.date_from else None,
                "date_to": self.date_to.isoformat() if self.date_to else None,
                "sort": self.sort, "page": self.page}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "BenchQuery":
        return cls(
            name=data["name"], kind=data["kind"],
            clauses=tuple(Clause(k, tuple(w), bool(n), f) for k, w, n, f in data["clauses"]),
            keywords=dict(data["keywords"]),
            filters={k: tuple(v) for k, v in data["filters"].items()},
            date_from=date.fromisoformat(data["date_from"]) if data["date_from"] else None,
            date_to=date.fromisoformat(data["date_to"]) if data["date_to"] else None,
            sort=data["sort"], page=int(data["page"]))


def word(w: str, **kw: Any) -> Clause:
    return Clause("word", (w,), **kw)


def phrase(*words: str) -> Clause:
    return Clause("phrase", tuple(words))


def query_mix(seed: int, deep_page: int = 25) -> tuple[BenchQuery, ...]:
    """The fixed mix of 20 hand-picked queries, from selective to broad (``bench_facets`` and the
    warm rounds of earlier benchmarks use it). Words are chosen from the synthetic vocabulary so
    that their document frequencies span ~0.3% to ~50% of the archive."""
    from scripts.bench.corpus import vocabulary

    words = vocabulary(seed).words
    rare, uncommon = words[12000], words[1500]
    Q = BenchQuery
    return (
        Q("rare word", "word", (word(rare),)),
        Q("one word", "word", (word(uncommon),)),
        Q("one word, domain", "word", (word("lithography"),)),
        Q("one word, common", "word", (word("solana"),)),
        Q("several words", "words", (word("bitcoin"), word("etf"), word("inflows"))),
        Q("four words", "words", tuple(word(w) for w in ("nvidia", "chips", "datacenter", "demand"))),
        Q("phrase", "phrase", (phrase("spot", "bitcoin", "etf"),)),
        Q("phrase + word", "phrase", (phrase("interest", "rate", "decision"), word("inflation"))),
        Q("OR / NOT", "boolean", (Clause("any", ("solana", "cardano")), word("hack", negated=True))),
        Q("title field", "field", (word("nvidia", field="title"),)),
        Q("source field + word", "field", (word("bitcoin"),), keywords={"source": "coindesk"}),
        Q("tag field + word", "field", (word("market"),), keywords={"tags": "BTC"}),
        Q("broad (a third)", "broad", (word("etf"),)),
        Q("broad (half)", "broad", (word("market"),)),
        Q("everything, newest", "broad", (), sort="newest"),
        Q("date range", "date", (word("bitcoin"),), date_from=date(2023, 1, 1), date_to=date(2023, 6, 30)),
        Q("filters: source + sentiment", "filter", (word("crypto"),),
          filters={"source": ("coindesk", "decrypt"), "sentiment": ("NEGATIVE",)}),
        Q("sort by date", "sort", (word("regulators"),), sort="newest"),
        Q("deep page", "deep", (word("market"),), page=deep_page),
        Q("deep page, by date", "deep", (word("etf"),), sort="newest", page=deep_page),
    )
