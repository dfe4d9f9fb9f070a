"""Coverage over time: up to six searches side by side, counted per day, week, month or year.

``TimelineQuery`` in, ``Timeline`` out (plain data: the page, its htmx fragment, ``/api/timeline``,
the CSV and ``newsarchive timeline`` all print the same ``Timeline``). Each series is a whole
search (query text and filters) within the *shared* filters; the shared filters alone are the
*base*: all the coverage the archive holds for them. Per bucket every series has its count and
its share of the base (what Media Cloud calls attention): a month in which the archive took in
twice as much reads as the same share, not as a spike.

- ``unit="stories"`` counts each story once, in the bucket of its first matching version
  (``index.units.first_versions``); the base is then counted in stories too.
- ``split="sentiment"`` or ``"source"`` splits every series by that value (sources: the
  ``SPLIT_SOURCES`` largest of the series, the rest as ``other``).
- Articles whose date the archive does not know (``index.story_ids.undated``) are counted apart
  (``undated``), never in a bucket.

URL parameters: the shared filters are the search page's (``q``, ``source``, ``tag``, ``from``,
``to``, ...); series *i* (1..6) takes the same names with *i* appended (``q1``, ``source1``,
``from2``) and a ``label1``; ``interval`` (``auto``, ``day``, ``week``, ``month``, ``year``),
``unit``, ``split``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Callable, Iterable

import numpy as np

from archive.errors import QueryError
from index.model import FACET_PARAMS, UNITS, SearchQuery, _jsonable, check_day, parse_params

MAX_SERIES = 6
INTERVALS = ("auto", "day", "week", "month", "year")
SPLITS = ("sentiment", "source")
#: a split by source shows this many sources of each series, the rest as "other"
SPLIT_SOURCES = 8
#: the most buckets a timeline may have (a longer one asks for a coarser interval)
MAX_BUCKETS = 400
MAX_LABEL = 60
#: per-series parameters (``q1``, ``source1``...), as in the search page
SERIES_PARAMS = ("q", *FACET_PARAMS.values(), "from", "to")
#: shared parameters: the series' ones and these
SHARED_PARAMS = (*SERIES_PARAMS, "as_of", "drafts")
OPTION_PARAMS = ("interval", "unit", "split", "measure")


@dataclass(frozen=True)
class TimelineQuery:
    queries: tuple[SearchQuery, ...]
    labels: tuple[str, ...] = ()
    shared: SearchQuery = field(default_factory=SearchQuery)
    interval: str = "auto"
    unit: str = "articles"
    split: str | None = None

    def label(self, i: int) -> str:
        if i < len(self.labels) and self.labels[i]:
            return self.labels[i]
        query = self.queries[i]
        if query.q:
            return query.q
        filters = [v for name in FACET_PARAMS for v in getattr(query, name)]
        return ", ".join(filters) or "everything"

    def to_params(self) -> list[tuple[str, str]]:
        """The URL parameters that state this timeline (defaults left out), in a fixed order."""
        params: list[tuple[str, str]] = [
            (k, v) for k, v in self.shared.to_params() if k in SHARED_PARAMS]
        for i, query in enumerate(self.queries, 1):
            for key, value in query.to_params():
                if key in SERIES_PARAMS:
                    params.append((f"{key}{i}", value))
            if i - 1 < len(self.labels) and self.labels[i - 1]:
                params.append((f"label{i}", self.labels[i - 1]))
        if self.interval != "auto":
            params.append(("interval", self.interval))
        if self.unit != "articles":
            params.append(("unit", self.unit))
        if self.split:
            params.append(("split", self.split))
        return params

    def query_string(self) -> str:
        from urllib.parse import urlencode

        return "?" + urlencode(self.to_params())

    def with_queries(self, queries: Iterable[SearchQuery]) -> "TimelineQuery":
        return replace(self, queries=tuple(queries))


def merge_queries(shared: SearchQuery, own: SearchQuery) -> SearchQuery:
    """One search for a series within the shared filters: both query texts must match; a facet
    filtered on both sides keeps the values in both; the dates are the overlap."""
    texts = [t for t in (shared.q.strip(), own.q.strip()) if t]
    q = texts[0] if len(texts) == 1 else " ".join(f"({t})" for t in texts)
    facets = {}
    for name in FACET_PARAMS:
        a, b = getattr(shared, name), getattr(own, name)
        if a and b:
            lowered = {v.lower() for v in a}
            both = tuple(v for v in b if v.lower() in lowered)
            facets[name] = both or ("\u2205",)  # nothing in common: a value no article has
        else:
            facets[name] = a or b
    starts = [d for d in (shared.date_from, own.date_from) if d]
    ends = [d for d in (shared.date_to, own.date_to) if d]
    return replace(own, q=q, **facets, date_from=max(starts) if starts else None,
                   date_to=min(ends) if ends else None, as_of=shared.as_of,
                   include_drafts=shared.include_drafts, page=1, story=None)


def parse_timeline_params(params: Any) -> TimelineQuery:
    """A ``TimelineQuery`` from URL / CLI parameters; ``QueryError`` names what is wrong."""
    names = list(params.keys())

    def getlist(name: str) -> list[str]:
        if hasattr(params, "getlist"):
            return [v for v in params.getlist(name) if isinstance(v, str)]
        raw = params.get(name, [])
        return [raw] if isinstance(raw, str) else [v for v in raw if isinstance(v, str)]

    series_of: dict[int, dict[str, list[str]]] = {}
    labels: dict[int, str] = {}
    shared: dict[str, list[str]] = {}
    known = ", ".join((*SHARED_PARAMS, *OPTION_PARAMS, "q1..q6", "label1..label6",
                       "source1, tag1, ... from1, to1"))
    for name in names:
        m = re.fullmatch(r"([a-z_]+?)([1-9][0-9]*)", name)
        if m and (m.group(1) in SERIES_PARAMS or m.group(1) == "label"):
            i = int(m.group(2))
            if i > MAX_SERIES:
                raise QueryError(f"a timeline compares at most {MAX_SERIES} queries, not "
                                 f"{name!r} (use q1..q{MAX_SERIES})")
            if m.group(1) == "label":
                text = " ".join(" ".join(getlist(name)).split())
                if len(text) > MAX_LABEL:
                    raise QueryError(f"'{name}' is longer than {MAX_LABEL} characters")
                labels[i] = text
            else:
                series_of.setdefault(i, {})[m.group(1)] = getlist(name)
        elif name in SHARED_PARAMS:
            shared[name] = getlist(name)
        elif name in OPTION_PARAMS or name in ("fbclid", "gclid") or name.startswith("utm_"):
            continue
        else:
            raise QueryError(f"unknown parameter {name[:40]!r}; a timeline takes {known}")

    def one(name: str, default: str, allowed: tuple[str, ...]) -> str:
        values = [v.strip().lower() for v in getlist(name) if v.strip()]
        value = values[-1] if values else default
        if value not in allowed:
            raise QueryError(f"'{name}' must be one of {', '.join(allowed)}, not {value[:40]!r}")
        return value

    interval = one("interval", "auto", INTERVALS)
    unit = one("unit", "articles", UNITS)
    split = one("split", "", ("", *SPLITS)) or None
    shared_query = parse_params(shared)
    order = sorted(i for i, p in series_of.items() if any(v.strip() for vs in p.values() for v in vs))
    queries, out_labels = [], []
    for i in order:
        try:
            queries.append(parse_params(series_of[i]))
        except QueryError as exc:
            raise QueryError(f"query {i}: {exc.message}") from None
        out_labels.append(labels.get(i, ""))
    return TimelineQuery(queries=tuple(queries), labels=tuple(out_labels), shared=shared_query,
                         interval=interval, unit=unit, split=split)


# ---------------------------------------------------------------------------------- result --

@dataclass(frozen=True)
class TimelineBucket:
    start: date
    end: date  # exclusive


@dataclass(frozen=True)
class TimelineSeries:
    label: str
    #: the search this series counts (its own query within the shared filters)
    query: SearchQuery
    counts: tuple[int, ...]
    #: share of the base per bucket (``None`` where the base is empty)
    shares: tuple[float | None, ...]
    #: the search narrowed to each bucket (``?...``, for the search page)
    urls: tuple[str, ...]
    total: int
    undated: int
    #: which series it is (0-based) and, when split, the value it holds
    index: int = 0
    split_value: str | None = None
    split_label: str | None = None


@dataclass(frozen=True)
class Timeline:
    spec: TimelineQuery
    interval: str
    buckets: tuple[TimelineBucket, ...]
    #: everything matching the shared filters, per bucket, and without a date
    base: tuple[int, ...]
    base_undated: int
    series: tuple[TimelineSeries, ...]
    took_ms: float = 0.0

    @property
    def unit(self) -> str:
        return self.spec.unit

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``/api/timeline`` and ``newsarchive timeline --json``."""
        return {
            "query": _jsonable({"shared": asdict(self.spec.shared),
                                "queries": [asdict(q) for q in self.spec.queries],
                                "labels": list(self.spec.labels)}),
            "interval": self.interval,
            "unit": self.unit,
            "split": self.spec.split,
            "buckets": [{"start": b.start.isoformat(), "end": b.end.isoformat()} for b in self.buckets],
            "base": {"counts": list(self.base), "undated": self.base_undated},
            "series": [{
                "label": s.label, "index": s.index + 1, "split_value": s.split_value,
                "split_label": s.split_label, "counts": list(s.counts),
                "shares": [None if v is None else round(v, 6) for v in s.shares],
                "total": s.total, "undated": s.undated, "urls": list(s.urls),
            } for s in self.series],
            "took_ms": round(self.took_ms, 2),
        }

    def rows(self) -> list[list[Any]]:
        """A table: one row per bucket (and one for the undated), a count and a share column per
        series, and the base. The CSV and the table under the chart."""
        header = ["bucket_start", "bucket_end"]
        for s in self.series:
            name = s.label + (f" / {s.split_label}" if s.split_label else "")
            header += [f"{name} ({self.unit})", f"{name} (share)"]
        header.append(f"all coverage ({self.unit})")
        out: list[list[Any]] = [header]
        for i, b in enumerate(self.buckets):
            row: list[Any] = [b.start.isoformat(), (b.end - timedelta(days=1)).isoformat()]
            for s in self.series:
                row += [s.counts[i], "" if s.shares[i] is None else round(s.shares[i], 6)]
            row.append(self.base[i])
            out.append(row)
        undated: list[Any] = ["undated", ""]
        for s in self.series:
            undated += [s.undated, ""]
        undated.append(self.base_undated)
        out.append(undated)
        return out


# ------------------------------------------------------------------------------- computing --

def bucket_edges(first: date, last: date, interval: str) -> tuple[str, list[date]]:
    """The interval (``auto`` chosen as the search histogram does) and the bucket edges."""
    from index.search import bucket_starts, choose_interval

    if interval == "auto":
        interval = choose_interval(first, last)
    edges = bucket_starts(first, last, interval)
    if len(edges) - 1 > MAX_BUCKETS:
        raise QueryError(f"by {interval} this timeline has {len(edges) - 1:,} buckets; the most is "
                         f"{MAX_BUCKETS}: choose a longer interval or narrow the dates")
    return interval, edges


def compute_timeline(spec: TimelineQuery, matches: Callable[[SearchQuery], np.ndarray],
                     days_of: Callable[[np.ndarray], np.ndarray],
                     undated: np.ndarray, counted: Callable[[np.ndarray], np.ndarray],
                     split_of: Callable[[str, np.ndarray], tuple[list[str], list[str], np.ndarray]] | None
                     ) -> Timeline:
    """The timeline from array functions of one index snapshot (``SearchService.timeline``):
    ``matches(query)`` -> mask; ``days_of(mask)`` -> day ordinals of the dated documents in it;
    ``undated`` -> mask of documents without a known date; ``counted(mask)`` -> the documents
    that count (every one, or the first version of each story); ``split_of(name, mask)`` ->
    (values, labels, value index per document of the mask, -1 for none)."""
    if not spec.queries:
        raise QueryError("a timeline needs at least one query: q1=... (up to q6)")
    if len(spec.queries) > MAX_SERIES:
        raise QueryError(f"a timeline compares at most {MAX_SERIES} queries, not {len(spec.queries)}")
    for d, name in ((spec.shared.date_from, "from"), (spec.shared.date_to, "to")):
        if d:
            check_day(d, name)
    base_mask = counted(matches(spec.shared))
    merged = [merge_queries(spec.shared, q) for q in spec.queries]
    masks = [counted(matches(q)) for q in merged]
    dated_base = base_mask & ~undated
    base_days = days_of(dated_base)
    # the time axis: the shared dates if given, else what the series (or the base) cover
    spans = [days_of(m & ~undated) for m in masks]
    present = [d for d in spans if len(d)] or ([base_days] if len(base_days) else [])
    first = spec.shared.date_from or (date.fromordinal(int(min(d.min() for d in present)))
                                      if present else None)
    last = spec.shared.date_to or (date.fromordinal(int(max(d.max() for d in present)))
                                   if present else None)
    if first is None and last is None:
        interval, edges = (spec.interval if spec.interval != "auto" else "month"), []
    else:
        first, last = first or last, last or first
        interval, edges = bucket_edges(first, max(first, last), spec.interval)
    ordinals = np.asarray([e.toordinal() for e in edges], dtype=np.int64)
    width = max(0, len(edges) - 1)

    def per_bucket(days: np.ndarray) -> np.ndarray:
        if not width:
            return np.zeros(0, dtype=np.int64)
        at = np.searchsorted(ordinals, days, side="right") - 1
        at = at[(at >= 0) & (at < width)]
        return np.bincount(at, minlength=width)

    base = per_bucket(base_days)
    buckets = tuple(TimelineBucket(edges[i], edges[i + 1]) for i in range(width))
    series: list[TimelineSeries] = []
    for index, (query, mask) in enumerate(zip(merged, masks)):
        label = spec.label(index)
        parts: list[tuple[str | None, str | None, np.ndarray, SearchQuery]] = [(None, None, mask, query)]
        if spec.split and split_of is not None:
            values, labels, which = split_of(spec.split, mask)
            docs = np.flatnonzero(mask)
            parts = []
            for v, (value, shown) in enumerate(zip(values, labels)):
                sub = np.zeros_like(mask)
                sub[docs[which == v]] = True
                narrowed = query if value in ("", "other") else query.toggled(
                    "sentiment" if spec.split == "sentiment" else "source", value)
                parts.append((value, shown, sub, narrowed))
        for value, shown, sub, narrowed in parts:
            counts = per_bucket(days_of(sub & ~undated))
            shares = tuple(None if base[i] == 0 else float(counts[i]) / float(base[i])
                           for i in range(width))
            urls = tuple(_narrowed(narrowed, b).query_string() for b in buckets)
            series.append(TimelineSeries(
                label=label, query=narrowed, counts=tuple(int(c) for c in counts), shares=shares,
                urls=urls, total=int(counts.sum()), undated=int((sub & undated).sum()),
                index=index, split_value=value, split_label=shown))
    return Timeline(spec=spec, interval=interval, buckets=buckets,
                    base=tuple(int(c) for c in base), base_undated=int((base_mask & undated).sum()),
                    series=tuple(series))


def _narrowed(query: SearchQuery, bucket: TimelineBucket) -> SearchQuery:
    last = bucket.end - timedelta(days=1)
    start = max(bucket.start, query.date_from) if query.date_from else bucket.start
    end = min(last, query.date_to) if query.date_to else last
    return replace(query, date_from=start, date_to=end, page=1, sort="newest")
