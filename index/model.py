"""The plain data that search takes and gives: ``SearchQuery`` in, ``SearchResult`` out.

These are what the command line, the web pages, the JSON API and the exports all use; no Whoosh
object appears here. Names agree with the file format and the URL parameters; the one mapping
between a facet's name and its URL parameter is ``FACET_PARAMS``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
MAX_PAGE = 10_000

#: facet name (as in the file format and in ``SearchResult.facets``) -> its URL / CLI parameter
FACET_PARAMS = {
    "source": "source",
    "tags": "tag",
    "sentiment": "sentiment",
    "category": "category",
    "lang": "lang",
}


@dataclass(frozen=True)
class SearchQuery:
    """A search as a user states it: the query text, filters, sort and page."""

    q: str = ""
    #: filters: several values within one facet mean OR, across facets AND
    source: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sentiment: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    lang: tuple[str, ...] = ()
    #: publication date range, inclusive on both ends
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    #: only what had been ingested by this instant (a citation's replay)
    as_of: datetime | None = None
    include_drafts: bool = False

    def filters(self) -> dict[str, tuple[str, ...]]:
        return {name: getattr(self, name) for name in FACET_PARAMS}

    def to_params(self) -> list[tuple[str, str]]:
        """The URL query parameters that state this search (defaults left out), in a fixed order."""
        params: list[tuple[str, str]] = []
        if self.q:
            params.append(("q", self.q))
        for name, param in FACET_PARAMS.items():
            params.extend((param, value) for value in getattr(self, name))
        if self.date_from:
            params.append(("from", self.date_from.isoformat()))
        if self.date_to:
            params.append(("to", self.date_to.isoformat()))
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        if self.per_page != 20:
            params.append(("per_page", str(self.per_page)))
        if self.as_of:
            params.append(("as_of", self.as_of.isoformat().replace("+00:00", "Z")))
        if self.include_drafts:
            params.append(("drafts", "1"))
        if self.page != 1:
            params.append(("page", str(self.page)))
        return params

    def query_string(self) -> str:
        """``?q=...&source=...`` for this search, or ``?`` alone for the empty search."""
        return "?" + urlencode(self.to_params())

    def toggled(self, facet: str, value: str) -> "SearchQuery":
        """The same search with ``value`` added to or removed from a facet, back on page 1."""
        current = getattr(self, facet)
        values = tuple(v for v in current if v != value) if value in current else (*current, value)
        return replace(self, **{facet: values}, page=1)

    def cleared(self, facet: str | None = None) -> "SearchQuery":
        """Without one facet's filters (or, with no facet, without any filter or date range)."""
        if facet is None:
            return replace(self, page=1, date_from=None, date_to=None,
                           **{name: () for name in FACET_PARAMS})
        return replace(self, **{facet: ()}, page=1)

    def with_page(self, page: int) -> "SearchQuery":
        return replace(self, page=page)


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    #: ``?...``: the query string of the same search with this value toggled
    toggle_url: str


@dataclass(frozen=True)
class HistogramBucket:
    start: date
    end: date  # exclusive
    count: int
    #: ``?...``: the same search narrowed to this bucket's dates
    url: str = ""


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    published: datetime
    source: str
    source_name: str
    sentiment: str | None
    tags: tuple[str, ...]
    lang: str
    category: str | None
    author: str | None
    url: str | None
    description: str | None
    #: HTML: the matching passages, text escaped, matches inside <mark>
    snippet: str
    score: float | None = None


@dataclass(frozen=True)
class SearchResult:
    query: SearchQuery
    total: int
    hits: tuple[Hit, ...]
    facets: dict[str, tuple[FacetValue, ...]]
    histogram: tuple[HistogramBucket, ...]
    #: bucket size of the histogram: day, week, month or year
    interval: str
    suggestion: str | None
    fingerprint: str
    took_ms: float
    as_of: datetime | None = None

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def per_page(self) -> int:
        return self.query.per_page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by ``newsarchive search --json`` and ``/api/search``."""
        return {
            "query": _jsonable(asdict(self.query)),
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "hits": [_jsonable(asdict(hit)) for hit in self.hits],
            "facets": {
                name: [_jsonable(asdict(value)) for value in values]
                for name, values in self.facets.items()
            },
            "histogram": [_jsonable(asdict(bucket)) for bucket in self.histogram],
            "interval": self.interval,
            "suggestion": self.suggestion,
            "fingerprint": self.fingerprint,
            "as_of": _jsonable(self.as_of),
            "took_ms": round(self.took_ms, 2),
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class IndexStats:
    """Counts for ``newsarchive stats``."""

    total: int
    by_source: tuple[tuple[str, int], ...] = ()
    by_tag: tuple[tuple[str, int], ...] = ()
    by_sentiment: tuple[tuple[str, int], ...] = ()
    by_year: tuple[tuple[str, int], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
