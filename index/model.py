"""The plain data that search takes and gives: ``SearchQuery`` in, ``SearchResult`` out.

These are what the command line, the web pages, the JSON API and the exports all use; no Whoosh
object appears here. Names agree with the file format and the URL parameters; the one mapping
between a facet's name and its URL parameter is ``FACET_PARAMS``.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

SORTS = ("relevance", "newest", "oldest")
#: ``SearchQuery.undated``: what a search does with articles whose publication date is unknown
#: (no ``published`` in the index, see ``index/schema.py``). ``""`` (the default): listed, after
#: every dated one, when the search has no ``from``/``to``; left out by a date range.
#: ``include``: listed even with a date range; ``exclude``: never listed; ``only``: only they
#: (what the histogram's "date unknown" bucket links to; no date range then).
UNDATED_CHOICES = ("", "include", "exclude", "only")
#: what facet counts, the histogram and timelines count
UNITS = ("articles", "stories")
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
#: limits on a search's parameters (a request over them is refused with a 400, never truncated):
#: every link of a result page repeats the whole search, so its size bounds the page's size
MAX_QUERY_CHARS = 1000
#: characters of one filter value (``source=``, ``tag=``...) or of ``from``/``to``/``as_of``...
MAX_VALUE_CHARS = 100
#: values of one filter parameter (``source=a&source=b``...)
MAX_VALUES = 20
#: parameters in one search, all names counted
MAX_PARAMS = 60
#: characters of all values together
MAX_SEARCH_CHARS = 2000
#: the days a search can name (``from``, ``to``, ``as_of``, ``published:``): a news archive holds
#: nothing outside them, and the arithmetic of date ranges stays inside Python's dates
FIRST_DAY = date(1000, 1, 1)
LAST_DAY = date(2999, 12, 31)

#: facet name (as in the file format and in ``SearchResult.facets``) -> its URL / CLI parameter
FACET_PARAMS = {
    "source": "source",
    "tags": "tag",
    "tickers": "ticker",
    "sentiment": "sentiment",
    "category": "category",
    "lang": "lang",
}

#: every parameter a search takes, in the order ``SearchQuery.to_params`` writes them
SEARCH_PARAMS = ("q", *FACET_PARAMS.values(), "from", "to", "undated", "sort", "per_page", "as_of",
                 "cited",
                 "drafts", "story", "collapse", "unit", "page")
#: parameters that links from elsewhere carry (analytics): accepted and ignored
IGNORED_PARAMS = ("fbclid", "gclid", "mc_cid", "mc_eid")
IGNORED_PREFIX = "utm_"
#: a misspelt or guessed parameter -> the one meant (the message names it)
PARAM_HINTS = {"tags": "tag", "tickers": "ticker", "symbol": "ticker", "sources": "source", "limit": "per_page", "size": "per_page",
               "count": "per_page", "offset": "page", "query": "q", "search": "q",
               "language": "lang", "languages": "lang", "categories": "category",
               "date_from": "from", "date_to": "to", "since": "from", "until": "to",
               "order": "sort", "sort_by": "sort", "asof": "as_of", "draft": "drafts",
               "dateless": "undated", "undated_only": "undated",
               "group": "collapse", "dedupe": "collapse", "story_id": "story"}


@dataclass(frozen=True)
class SearchQuery:
    """A search as a user states it: the query text, filters, sort and page."""

    q: str = ""
    #: filters: several values within one facet mean OR, across facets AND
    source: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    tickers: tuple[str, ...] = ()
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
    #: articles without a known date: one of ``UNDATED_CHOICES``
    undated: str = ""
    #: one hit per story (its first version in the result's order), with the number of versions
    collapse: bool = True
    #: what facet counts and the histogram count: articles or stories
    unit: str = "articles"
    #: only the versions of this story (a story id: the id of its first article)
    story: str | None = None
    #: the fingerprint a citation of this search recorded (a replay compares it with its own)
    cited: str | None = None

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
        if self.undated:
            params.append(("undated", self.undated))
        if self.sort != "relevance":
            params.append(("sort", self.sort))
        if self.per_page != 20:
            params.append(("per_page", str(self.per_page)))
        if self.as_of:
            params.append(("as_of", self.as_of.isoformat().replace("+00:00", "Z")))
        if self.cited:
            params.append(("cited", self.cited))
        if self.include_drafts:
            params.append(("drafts", "1"))
        if self.story:
            params.append(("story", self.story))
        if not self.collapse:
            params.append(("collapse", "0"))
        if self.unit != "articles":
            params.append(("unit", self.unit))
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
            return replace(self, page=1, date_from=None, date_to=None, undated="", story=None,
                           **{name: () for name in FACET_PARAMS})
        return replace(self, **{facet: ()}, page=1)

    def versions_of(self, story: str) -> "SearchQuery":
        """The same search listing every matching version of one story."""
        return replace(self, story=story, collapse=False, page=1)

    def with_page(self, page: int) -> "SearchQuery":
        return replace(self, page=page)

    def with_dates(self, date_from: date | None, date_to: date | None) -> "SearchQuery":
        """The same search narrowed to a date range, back on page 1 (``undated=only``, which
        cannot have a range, is dropped)."""
        undated = "" if self.undated == "only" else self.undated
        return replace(self, date_from=date_from, date_to=date_to, undated=undated, page=1)

    def only_undated(self) -> "SearchQuery":
        """The same search for the articles without a known date (the histogram's "date
        unknown" bucket), back on page 1; asked again, it returns to every date."""
        if self.undated == "only":
            return replace(self, undated="", page=1)
        return replace(self, date_from=None, date_to=None, undated="only", page=1)


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
class UndatedCount:
    """The histogram's separate bucket: matches without a known publication date.

    ``count`` is taken over the query and its facet filters but not its date range (so a search
    narrowed to some dates still says how many undated articles it leaves out); ``included``
    says whether they are among ``SearchResult.total`` and the hits."""

    count: int
    included: bool
    #: ``?...``: the same search for the undated articles only (or back, if it already is)
    url: str
    selected: bool = False


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    #: ``None`` when the publication date is unknown ("date unknown")
    published: datetime | None
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
    #: how the date was found (``dateSource``); ``ingested`` when it is unknown
    date_source: str | None = None
    #: when the archive first stored it (``ingestedAt``)
    ingested: datetime | None = None
    #: upper-case symbols, as the file writes them
    tickers: tuple[str, ...] = ()
    #: the story id (the id of the story's first article)
    story: str | None = None
    #: matching articles of this story, this one included (1 when results are not collapsed)
    versions: int = 1


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
    #: matches without a known date, counted apart from ``histogram``
    undated: UndatedCount = UndatedCount(0, True, "?")
    #: distinct stories among the matches
    stories: int = 0

    @property
    def page(self) -> int:
        return self.query.page

    @property
    def per_page(self) -> int:
        return self.query.per_page

    @property
    def listed(self) -> int:
        """Entries the result lists over all pages: stories when collapsed, else articles."""
        return self.stories if self.query.collapse else self.total

    @property
    def pages(self) -> int:
        return max(1, -(-self.listed // self.query.per_page))

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape shared by ``newsarchive search --json`` and ``/api/search``."""
        return {
            "query": _jsonable(asdict(self.query)),
            "total": self.total,
            "stories": self.stories,
            "collapse": self.query.collapse,
            "unit": self.query.unit,
            "page": self.page,
            "per_page": self.per_page,
            "hits": [_jsonable(asdict(hit)) for hit in self.hits],
            "facets": {
                name: [_jsonable(asdict(value)) for value in values]
                for name, values in self.facets.items()
            },
            "histogram": [_jsonable(asdict(bucket)) for bucket in self.histogram],
            "interval": self.interval,
            "undated": _jsonable(asdict(self.undated)),
            "suggestion": self.suggestion,
            "fingerprint": self.fingerprint,
            "as_of": _jsonable(self.as_of),
            "took_ms": round(self.took_ms, 2),
        }


def _jsonable(value: Any) -> Any:
    """Plain JSON values: dates as ISO 8601, tuples as lists, and no ``NaN``/``Infinity`` (not
    JSON: a non-finite number becomes ``null``)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
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
    by_ticker: tuple[tuple[str, int], ...] = ()
    by_sentiment: tuple[tuple[str, int], ...] = ()
    by_year: tuple[tuple[str, int], ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------ parameters --

def parse_params(params: Any) -> SearchQuery:
    """A ``SearchQuery`` from URL/CLI parameters (a Werkzeug ``MultiDict`` or a
    ``{name: [values]}`` mapping). Bad values, unknown parameters and parameters over the limits
    above raise ``QueryError`` with a message for a person; ``per_page`` above the maximum is
    bounded, not refused."""
    from archive.errors import QueryError

    names = list(params.keys())
    check_param_names(names)

    def getlist(name: str) -> list[str]:
        if hasattr(params, "getlist"):
            values = params.getlist(name)
        else:
            raw = params.get(name, [])
            values = [raw] if isinstance(raw, str) else list(raw)
        return [v.strip() for v in values if isinstance(v, str) and v.strip()]

    every = [(name, value) for name in names for value in getlist(name)]
    for name, value in every:
        if name == "q" and len(value) > MAX_QUERY_CHARS:
            raise QueryError(f"the query is longer than {MAX_QUERY_CHARS:,} characters")
        if name != "q" and len(value) > MAX_VALUE_CHARS:
            what = f"a '{name}' value" if name in FACET_PARAMS.values() else f"'{name}'"
            raise QueryError(f"{what} is longer than {MAX_VALUE_CHARS} characters")
    if len(every) > MAX_PARAMS:
        raise QueryError(f"a search takes at most {MAX_PARAMS} parameters, not {len(every)}")
    for param in FACET_PARAMS.values():
        count = len(set(getlist(param)))
        if count > MAX_VALUES:
            raise QueryError(f"'{param}' takes at most {MAX_VALUES} values, not {count}")
    size = sum(len(value) for _, value in every)
    if size > MAX_SEARCH_CHARS:
        raise QueryError(f"the parameters of a search hold at most {MAX_SEARCH_CHARS:,} "
                         f"characters together, not {size:,}")

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
        if value < low or (not clamp and value > high):
            raise QueryError(f"'{name}' must be between {low} and {high}, not {text[:40]}")
        return min(value, high)

    def day(name: str) -> date | None:
        text = one(name)
        if text is None:
            return None
        try:
            if len(text) == 4 and text.isdigit():  # a year: its first or last day
                found = date(int(text), 1, 1) if name == "from" else date(int(text), 12, 31)
            elif len(text) == 7:  # a month
                first = date.fromisoformat(text + "-01")
                if name == "from" or first.year > LAST_DAY.year:
                    found = first
                else:
                    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
                    found = date.fromordinal(nxt.toordinal() - 1)
            else:
                found = date.fromisoformat(text[:10])
        except ValueError:
            raise QueryError(f"'{name}' must be a date like 2026-02-04, not {text[:40]!r}") from None
        check_day(found, name)
        return found

    def flag(name: str, default: bool) -> bool:
        text = one(name)
        if text is None:
            return default
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise QueryError(f"'{name}' must be on or off (1 or 0), not {text[:40]!r}")

    unit = (one("unit") or "articles").lower()
    if unit not in UNITS:
        raise QueryError(f"'unit' must be one of {', '.join(UNITS)}, not {unit[:40]!r}")
    story = one("story")
    if story is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", story):
        raise QueryError(f"'story' must be a story id (letters, digits, - and _), not {story[:40]!r}")
    sort = one("sort") or "relevance"
    if sort not in SORTS:
        raise QueryError(f"'sort' must be one of {', '.join(SORTS)}, not {sort[:40]!r}")
    as_of_text = one("as_of")
    as_of = parse_instant(as_of_text, "as_of") if as_of_text else None
    cited = one("cited")
    if cited is not None and not re.fullmatch(r"[0-9a-f]{16}", cited):
        raise QueryError(f"'cited' must be a result fingerprint (16 hex digits), not {cited[:40]!r}")
    q = one("q") or ""
    date_from, date_to = day("from"), day("to")
    if date_from and date_to and date_from > date_to:
        raise QueryError(f"'from' ({date_from.isoformat()}) is after 'to' ({date_to.isoformat()})")
    undated = (one("undated") or "").lower()
    if undated not in UNDATED_CHOICES:
        raise QueryError("'undated' must be one of include, exclude, only, not "
                         f"{(one('undated') or '')[:40]!r}")
    if undated == "only" and (date_from or date_to):
        raise QueryError("'undated=only' lists the articles without a date: it cannot have "
                         "'from' or 'to'")
    filters = {}
    for name, param in FACET_PARAMS.items():
        values = tuple(dict.fromkeys(getlist(param)))
        if name in ("sentiment", "tickers"):
            values = tuple(dict.fromkeys(v.upper() for v in values))
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
        undated=undated,
        cited=cited,
        collapse=flag("collapse", True),
        unit=unit,
        story=story,
    )


def check_param_names(names: Any) -> None:
    """``QueryError`` naming the known parameters for a name a search does not take."""
    from archive.errors import QueryError

    for name in names:
        if name in SEARCH_PARAMS or name in IGNORED_PARAMS or name.startswith(IGNORED_PREFIX):
            continue
        hint = PARAM_HINTS.get(name.lower()) or (name.lower() if name.lower() in SEARCH_PARAMS
                                                 else None)
        shown = repr(name[:40])
        known = ", ".join(SEARCH_PARAMS)
        if hint:
            raise QueryError(f"unknown parameter {shown}: did you mean '{hint}'? "
                             f"The parameters are {known}")
        raise QueryError(f"unknown parameter {shown}; the parameters are {known}")


def check_day(day: date, name: str) -> None:
    from archive.errors import QueryError

    if not FIRST_DAY <= day <= LAST_DAY:
        raise QueryError(f"'{name}' must be between {FIRST_DAY.isoformat()} and "
                         f"{LAST_DAY.isoformat()}, not {day.isoformat()}")


def parse_instant(text: str, name: str) -> datetime:
    """An ISO 8601 instant (``Z``, an offset, or none for UTC) as an aware UTC datetime, inside
    ``FIRST_DAY``..``LAST_DAY``."""
    from datetime import timezone

    from archive.errors import QueryError

    try:
        value = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise QueryError(f"'{name}' must be an ISO 8601 instant like 2026-02-01T00:00:00Z, "
                         f"not {text[:40]!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    if not FIRST_DAY < value.date() < LAST_DAY:  # the day on each side keeps any offset in range
        raise QueryError(f"'{name}' must be between {FIRST_DAY.isoformat()} and "
                         f"{LAST_DAY.isoformat()}, not {text[:40]}")
    return value.astimezone(timezone.utc)
