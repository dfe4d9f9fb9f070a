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


# ------------------------------------------------------------------------------ parameters --

def parse_params(params: Any) -> SearchQuery:
    """A ``SearchQuery`` from URL/CLI parameters (a Werkzeug ``MultiDict`` or a
    ``{name: [values]}`` mapping). Bad values raise ``QueryError`` with a message for a person;
    ``per_page`` above the maximum is bounded, not refused."""
    from archive.errors import QueryError

    def getlist(name: str) -> list[str]:
        if hasattr(params, "getlist"):
            values = params.getlist(name)
        else:
            raw = params.get(name, [])
            values = [raw] if isinstance(raw, str) else list(raw)
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    def one(name: str) -> str | None:
        values = getlist(name)
        return values[-1] if values else None

    def integer(name: str, default: int, low: int, high: int, *, clamp: bool) -> int:
        text = one(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise QueryError(f"'{name}' must be a whole number, not {text[:40]!r}") from None
        if clamp:
            return min(max(value, low), high)
        if not low <= value <= high:
            raise QueryError(f"'{name}' must be between {low} and {high}, not {text[:40]}")
        return value

    def day(name: str) -> date | None:
        text = one(name)
        if text is None:
            return None
        try:
            if len(text) == 4 and text.isdigit():  # a year: its first or last day
                return date(int(text), 1, 1) if name == "from" else date(int(text), 12, 31)
            if len(text) == 7:  # a month
                first = date.fromisoformat(text + "-01")
                if name == "from":
                    return first
                nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
                return date.fromordinal(nxt.toordinal() - 1)
            return date.fromisoformat(text[:10])
        except ValueError:
            raise QueryError(f"'{name}' must be a date like 2026-02-04, not {text[:40]!r}") from None

    sort = one("sort") or "relevance"
    if sort not in SORTS:
        raise QueryError(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    as_of_text = one("as_of")
    as_of = None
    if as_of_text:
        try:
            text = as_of_text[:-1] + "+00:00" if as_of_text.endswith(("Z", "z")) else as_of_text
            as_of = datetime.fromisoformat(text)
            if as_of.tzinfo is None:
                from datetime import timezone
                as_of = as_of.replace(tzinfo=timezone.utc)
        except ValueError:
            raise QueryError(f"'as_of' must be an ISO 8601 instant, not {as_of_text[:40]!r}") from None
    q = one("q") or ""
    if len(q) > 1000:
        raise QueryError("the query is longer than 1,000 characters")
    date_from, date_to = day("from"), day("to")
    if date_from and date_to and date_from > date_to:
        raise QueryError("'from' is after 'to'")
    filters = {}
    for name, param in FACET_PARAMS.items():
        values = tuple(dict.fromkeys(getlist(param)))[:50]
        if name == "sentiment":
            values = tuple(v.upper() for v in values)
        filters[name] = values
    return SearchQuery(
        q=q,
        **filters,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=integer("page", 1, 1, MAX_PAGE, clamp=False),
        per_page=integer("per_page", 20, 1, MAX_PER_PAGE, clamp=True),
        as_of=as_of,
        include_drafts=(one("drafts") or "") in ("1", "true", "yes"),
    )
