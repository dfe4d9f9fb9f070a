"""The fixed query mix, stated once and run by every engine.

Each query carries our query-language text (which Whoosh's own parser also reads: words, phrases,
``field:value``, OR/NOT), the same search as an FTS5 MATCH expression plus SQL conditions, the facet
filters, a date range, the sort and the page. Every engine answers with all facets, the date
histogram and highlighted snippets of one page of 20 hits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

PER_PAGE = 20
#: every engine counts these facets on every result
FACETS = ("source", "tags", "sentiment", "category", "lang")


@dataclass(frozen=True)
class BenchQuery:
    name: str
    kind: str
    #: our query language (also what Whoosh's MultifieldParser reads)
    text: str
    #: FTS5 MATCH expression, or None for "no full-text condition"
    fts: str | None
    #: field conditions outside the text index, for FTS5: {"source": "coindesk"} / {"tags": "BTC"}
    fts_fields: dict[str, str] = field(default_factory=dict)
    #: facet filters: several values in one facet mean OR, across facets AND
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1

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


def query_mix(seed: int, deep_page: int = 25) -> tuple[BenchQuery, ...]:
    """The queries, from selective to broad. Words are chosen from the synthetic vocabulary so
    that their document frequencies span ~0.3% to ~50% of the archive."""
    from scripts.benchlib.corpus import vocabulary

    words = vocabulary(seed).words
    rare, uncommon = words[12000], words[1500]
    return (
        BenchQuery("rare word", "word", rare, rare),
        BenchQuery("one word", "word", uncommon, uncommon),
        BenchQuery("one word, domain", "word", "lithography", "lithography"),
        BenchQuery("one word, common", "word", "solana", "solana"),
        BenchQuery("several words", "words", "bitcoin etf inflows", "bitcoin etf inflows"),
        BenchQuery("four words", "words", "nvidia chips datacenter demand",
                   "nvidia chips datacenter demand"),
        BenchQuery("phrase", "phrase", '"spot bitcoin etf"', '"spot bitcoin etf"'),
        BenchQuery("phrase + word", "phrase", '"interest rate decision" inflation',
                   '"interest rate decision" inflation'),
        BenchQuery("OR / NOT", "boolean", "(solana OR cardano) NOT hack",
                   "(solana OR cardano) NOT hack"),
        BenchQuery("title field", "field", "title:nvidia", "title:nvidia"),
        BenchQuery("source field + word", "field", "source:coindesk bitcoin", "bitcoin",
                   fts_fields={"source": "coindesk"}),
        BenchQuery("tag field + word", "field", "tags:btc market", "market",
                   fts_fields={"tags": "BTC"}),
        BenchQuery("broad (a third)", "broad", "etf", "etf"),
        BenchQuery("broad (half)", "broad", "market", "market"),
        BenchQuery("everything, newest", "broad", "", None, sort="newest"),
        BenchQuery("date range", "date", "bitcoin", "bitcoin",
                   date_from=date(2023, 1, 1), date_to=date(2023, 6, 30)),
        BenchQuery("filters: source + sentiment", "filter", "crypto", "crypto",
                   filters={"source": ("coindesk", "decrypt"), "sentiment": ("NEGATIVE",)}),
        BenchQuery("sort by date", "sort", "regulators", "regulators", sort="newest"),
        BenchQuery("deep page", "deep", "market", "market", page=deep_page),
        BenchQuery("deep page, by date", "deep", "etf", "etf", sort="newest", page=deep_page),
    )
