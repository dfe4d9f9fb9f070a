"""``SearchQuery`` in, ``SearchResult`` out: the one search the CLI, the web pages and the API call.

``SearchService(home)`` lives as long as the process. Each thread keeps its own Whoosh searcher
(readers are not thread-safe) and reuses it across requests until ``index_generation(home)``
changes. The per-document arrays of ``index.facets`` are built once per index snapshot and
shared by all threads; with them a search is:

1. the query -> a boolean array of matching documents (posting blocks, numpy AND/OR/NOT);
2. visibility (drafts, tombstones, ``as_of``), the date range and one array per facet filter;
3. facet counts (disjunctive: each facet sees every filter but its own), the histogram, date
   sorting and the fingerprint, all as numpy operations over those arrays;
4. for relevance order, Whoosh's scorer over the query restricted to the matches, only as deep
   as the page; stored fields and highlights only for the hits on the page.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import threading
import weakref
import time
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote_plus

import numpy as np
from whoosh import query as wq
from whoosh.classify import Bo1Model

from archive.article import http_url
from archive.errors import NotFound, QueryError
from archive.store import split_frontmatter
from index.facets import MISSING, ColumnCache, View, _segment_key, bm25_scores, histogram_days, \
    match_mask, to_long, year_of_ordinals
from index.analysis import analysis_for, analysis_language, article_text, is_cjk, normalise
from index.highlight import make_snippet, match_spans, plain_text
from index.model import FACET_PARAMS, FacetValue, HistogramBucket, Hit, IndexStats, \
    SearchQuery, SearchResult, UndatedCount
from index.query import DEFAULT_FIELDS, MAX_EXPANSIONS, has_positive_terms, normalise_text, \
    parse_query, positive_words, scored_terms, word_terms
from index.spelling import Lexicon, lexicon_of
from index.story_ids import StoryColumn, story_column, undated
from index.units import count_values, distinct_stories, first_versions

#: facet values listed per facet (selected values are always listed on top of these)
FACET_LIMIT = 30
#: "did you mean" is looked for when a query has fewer hits than this
SUGGEST_BELOW = 3
#: its work per request: unknown words respelt, index words considered and kept per word, and
#: respelt queries counted
SUGGEST_WORDS = 3
SUGGEST_NEAR = 20
SUGGEST_CANDIDATES = 3
SUGGEST_COUNTS = 5
#: relevance ranks by words in these fields; a query of only keyword fields or dates (or of
#: negations) is listed newest first
RANKED_FIELDS = ("title", "description", "body", "author")
#: fingerprint length in hex characters
FINGERPRINT_CHARS = 16
#: histogram intervals, smallest first, and the most buckets each may produce
INTERVALS = ("day", "week", "month", "year")
MAX_BUCKETS = 60


def _close_searchers(searchers: list[Any]) -> None:
    while searchers:
        searchers.pop().close()


class SearchService:
    """One per process: ``search``, ``iter_hits``, ``more_like_this``, ``versions``, ``stats``."""

    def __init__(self, home: Path | str, *, facet_limit: int = FACET_LIMIT) -> None:
        self.home = Path(home)
        self.facet_limit = facet_limit
        self._local = threading.local()
        self._columns = ColumnCache()
        self._lock = threading.Lock()
        self._open: list[Any] = []
        # searchers hold open index files: close them when the service is dropped without close()
        self._finalizer = weakref.finalize(self, _close_searchers, self._open)
        #: segment -> its spelling words, for "did you mean"
        self._spelling: dict[str, Lexicon] = {}
        self._closed = False
        #: (view, word and phrase counts of a sample of the archive), for ``terms``
        self._background_counts: tuple[View, int, Any] | None = None

    # ------------------------------------------------------------------------- snapshots --

    def _snapshot(self) -> tuple[Any, View]:
        """This thread's searcher (reopened only when the index changed) and its arrays."""
        from index.build import current_index_path, index_generation, open_index

        if self._closed:
            raise RuntimeError("the search service is closed")
        generation = index_generation(self.home)
        state = getattr(self._local, "state", None)
        if state is None or state[0] != generation:
            if state is not None:
                self._release(state[1])
            index = open_index(self.home)
            searcher = index.searcher()
            with self._lock:
                self._open.append(searcher)
            state = (generation, searcher, current_index_path(self.home))
            self._local.state = state
        searcher = state[1]
        return searcher, self._columns.view_for(searcher)

    def _stories(self, view: View) -> StoryColumn:
        """The story of each document of this thread's snapshot (``index.story_ids``)."""
        return story_column(view, self._local.state[2])

    def warm(self) -> None:
        """Open the index and build its arrays now (e.g. when a server starts), not on the
        first request."""
        self._snapshot()

    def clear_caches(self) -> None:
        """Forget the term postings and phrase matches cached for the current index snapshot
        (the benchmark's unseen queries run with nothing carried over from earlier ones)."""
        state = getattr(self._local, "state", None)
        if state is not None:
            self._columns.view_for(state[1]).forget()

    def _release(self, searcher: Any) -> None:
        with self._lock:
            if searcher in self._open:
                self._open.remove(searcher)
        searcher.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._finalizer()

    def __enter__(self) -> "SearchService":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---------------------------------------------------------------------------- search --

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        searcher, view = self._snapshot()
        column = self._stories(view)
        plan = _plan(query, searcher, view, column)
        full = plan.filtered()
        total = int(full.sum())
        per_story = distinct_stories(full, column.ordinals, len(column.ids))
        counting = column if query.unit == "stories" else None
        facets = {name: self._facet(query, view, plan, name, counting) for name in FACET_PARAMS}
        ordered = _newest_first(view, full)
        # narrowed to the undated ones, the bars still show where the dated matches are
        dated = full if query.undated != "only" else plan.filtered(without=DATE_FILTER)
        if counting is not None:  # each story once, at its first matching version
            dated = first_versions(view, column, dated)
        histogram, interval = _histogram(query, view, dated & ~undated(view, column))
        start = (query.page - 1) * query.per_page
        page = self._page(query, searcher, view, plan, full, ordered, column, start)
        terms = _highlight_terms(plan.wq)
        hits = tuple(self._hit(searcher, docnum, score, terms, column,
                               int(per_story[column.ordinals[docnum]]) if query.collapse else 1)
                     for docnum, score in page)
        suggestion = None
        if query.q.strip() and total < SUGGEST_BELOW:
            suggestion = self._suggest(query, searcher, view, total)
        return SearchResult(
            query=query,
            total=total,
            hits=hits,
            facets=facets,
            histogram=histogram,
            interval=interval,
            suggestion=suggestion,
            fingerprint=fingerprint(view.ids[ordered]),
            took_ms=(time.perf_counter() - started) * 1000,
            as_of=query.as_of,
            undated=_undated_count(query, view, plan),
            stories=int(np.count_nonzero(per_story)),
        )

    def _page(self, query: SearchQuery, searcher: Any, view: View, plan: "_Plan", full: np.ndarray,
              ordered: np.ndarray, column: StoryColumn, start: int) -> list[tuple[int, float | None]]:
        """The hits of the page: documents (and scores), one per story when collapsed (the
        story's first version in the result's order)."""
        end = start + query.per_page
        if plan.ranked and query.sort == "relevance":
            if not query.collapse:
                return _ranked(searcher, view, plan.wq, full, end)[start:]
            return _ranked_stories(searcher, view, plan.wq, full, column.ordinals, end)[start:]
        docs = ordered if query.sort != "oldest" else _oldest_first(view, ordered)
        if query.collapse:
            docs = first_of_each_story(docs, column.ordinals, end)
        return [(int(d), None) for d in docs[start:end]]

    def iter_hits(self, query: SearchQuery, cap: int) -> Iterator[Hit]:
        """Every match in the query's order (no facets, no snippets), at most ``cap``."""
        searcher, view = self._snapshot()
        column = self._stories(view)
        plan = _plan(query, searcher, view, column)
        full = plan.filtered()
        if plan.ranked and query.sort == "relevance":
            page = _ranked(searcher, view, plan.wq, full, cap)
        else:
            ordered = _newest_first(view, full)
            docs = ordered if query.sort != "oldest" else _oldest_first(view, ordered)
            page = [(int(d), None) for d in docs[:cap]]
        for docnum, score in page:
            yield self._hit(searcher, docnum, score, None, column)

    def count(self, query: SearchQuery) -> int:
        searcher, view = self._snapshot()
        return int(_plan(query, searcher, view, self._stories(view)).filtered().sum())

    def more_like_this(self, article_id: str, limit: int = 5) -> tuple[Hit, ...]:
        """Articles with the most telling words of this one in common (drafts and deleted ones
        left out). ``NotFound`` for an unknown id."""
        searcher, view = self._snapshot()
        docnum = _docnum_of(view, article_id)
        stored = searcher.stored_fields(docnum)
        text = " ".join(filter(None, [stored.get("title"), stored.get("description"),
                                      self._body(stored)]))
        keys = searcher.key_terms_from_text("body", article_text(text, stored.get("lang")),
                                            numterms=12, model=Bo1Model)
        if not keys:
            return ()
        q = wq.Or([wq.Term(f, word, boost=weight) for word, weight in keys for f in DEFAULT_FIELDS])
        allowed = view.visible(as_of=None, include_drafts=False)
        allowed[docnum] = False
        allowed &= match_mask(q, searcher, view)
        return tuple(self._hit(searcher, d, score, None)
                     for d, score in _ranked(searcher, view, q, allowed, limit))

    def versions(self, article_id: str, limit: int = 10) -> tuple[Hit, ...]:
        """The other live versions of this article's story (its story id, given at index time:
        ``index.story_ids``), oldest first: the original, then its retellings. ``NotFound`` for
        an unknown id."""
        searcher, view = self._snapshot()
        docnum = _docnum_of(view, article_id)
        column = self._stories(view)
        found = self._story_docs(view, column, column.ordinals[docnum])
        found = [d for d in found if d != docnum]
        return tuple(self._hit(searcher, d, None, None, column) for d in found[:max(0, limit)])

    def timeline(self, spec: Any) -> Any:
        """Coverage over time for a ``TimelineQuery`` (see ``index.timeline``)."""
        from index.timeline import SPLIT_SOURCES, compute_timeline

        started = time.perf_counter()
        searcher, view = self._snapshot()
        column = self._stories(view)
        no_date = undated(view, column)

        def matches(query: SearchQuery) -> np.ndarray:
            return _plan(query, searcher, view, column).filtered()

        def counted(mask: np.ndarray) -> np.ndarray:
            return first_versions(view, column, mask) if spec.unit == "stories" else mask

        def split_of(name: str, mask: np.ndarray) -> tuple[list[str], list[str], np.ndarray]:
            facet = view.facets[name]
            docs = np.flatnonzero(mask)
            ords = facet.ords[docs]
            counts = np.bincount(ords + 1, minlength=len(facet.values) + 1)
            if name == "sentiment":
                chosen = [i for i in np.argsort(-counts[1:], kind="stable") if counts[i + 1]]
            else:
                chosen = [i for i in np.argsort(-counts[1:], kind="stable")[:SPLIT_SOURCES]
                          if counts[i + 1]]
            values = [_public_value(name, facet.values[i]) for i in chosen]
            labels = [facet.labels[i] for i in chosen]
            remap = np.full(len(facet.values) + 1, -1, dtype=np.int64)
            for n, i in enumerate(chosen):
                remap[i + 1] = n
            which = remap[ords + 1]
            if (which < 0).any():
                values.append("other" if name == "source" else "")
                labels.append("other sources" if name == "source" else "no sentiment")
                which = np.where(which < 0, len(values) - 1, which)
            return values, labels, which

        result = compute_timeline(spec, matches, lambda mask: histogram_days(view, mask), no_date,
                                  counted, split_of)
        return replace(result, took_ms=(time.perf_counter() - started) * 1000)

    def terms(self, query: SearchQuery, limit: int | None = None, *, sample: int | None = None,
              background: int | None = None) -> Any:
        """The words and phrases unusually frequent in the matches (``index.terms``), reading
        at most ``sample`` matches and ``background`` archive articles (their defaults there)."""
        from index import terms as significant

        started = time.perf_counter()
        searcher, view = self._snapshot()
        full = _plan(query, searcher, view, self._stories(view)).filtered()
        docs = np.flatnonzero(full)
        read = _even_sample(docs, sample or significant.SAMPLE)
        foreground = significant.count_texts(self._headline_text(searcher, d) for d in read)
        counts = self._background(searcher, view, background or significant.BACKGROUND_SAMPLE)
        exclude = [w for w in significant.tokens(query.q) if w]
        chosen = significant.significant_terms(foreground, counts, exclude=exclude,
                                               limit=limit or significant.LIMIT)
        links = tuple(significant.TermLink(t, replace(query, q=significant.query_with(query.q, t),
                                                      page=1).query_string()) for t in chosen)
        return significant.TermsResult(total=len(docs), read=len(read), background=counts.docs,
                                       terms=links, took_ms=(time.perf_counter() - started) * 1000)

    def _headline_text(self, searcher: Any, docnum: int) -> str:
        stored = searcher.stored_fields(int(docnum))
        return f"{stored.get('title') or ''} . {stored.get('description') or ''}"

    def _background(self, searcher: Any, view: View, size: int) -> Any:
        """Word and phrase counts of an even sample of the archive, once per index snapshot."""
        from index import terms as significant

        with self._lock:
            cached = self._background_counts
            if cached is not None and cached[0] is view and cached[1] == size:
                return cached[2]
        docs = np.flatnonzero(view.visible(as_of=None, include_drafts=False))
        sample = _even_sample(docs, size)
        counts = significant.count_texts(self._headline_text(searcher, d) for d in sample)
        with self._lock:
            self._background_counts = (view, size, counts)
        return counts

    def facet_values(self, query: SearchQuery, name: str, contains: str = "",
                     column: bool = False) -> tuple[FacetValue, ...]:
        """Every value of one facet with its count for this search (not only the first
        ``facet_limit``), optionally those whose label or value contains ``contains``."""
        if name not in FACET_PARAMS:
            raise QueryError(f"there is no facet {name[:40]!r}; the facets are {', '.join(FACET_PARAMS)}")
        searcher, view = self._snapshot()
        stories = self._stories(view)
        plan = _plan(query, searcher, view, stories)
        values = self._facet(query, view, plan, name, stories if query.unit == "stories" else None,
                             limit=None)
        needle = contains.strip().lower()
        if needle:
            values = tuple(v for v in values if needle in v.label.lower() or needle in v.value.lower())
        return values

    def new_since(self, query: SearchQuery, since: datetime, until: datetime) -> tuple[Hit, ...]:
        """The matches of ``query`` as of ``until`` that were not matches as of ``since`` (what a
        saved search found in between), newest first."""
        searcher, view = self._snapshot()
        column = self._stories(view)
        now = _plan(replace(query, as_of=until), searcher, view, column).filtered()
        then = _plan(replace(query, as_of=since), searcher, view, column).filtered()
        found = _newest_first(view, now & ~then)
        return tuple(self._hit(searcher, int(d), None, None, column) for d in found)

    def tombstone(self, article_id: str) -> tuple[Hit, datetime] | None:
        """A deleted article as the index remembers it (what a citation named) and when it
        left the archive; ``None`` when the id is live or unknown."""
        searcher, view = self._snapshot()
        found = np.flatnonzero((view.ids == article_id) & view.live & (view.deleted != MISSING))
        if not len(found):
            return None
        docnum = int(found[-1])
        deleted = searcher.stored_fields(docnum).get("deleted")
        if isinstance(deleted, datetime) and deleted.tzinfo is None:
            deleted = deleted.replace(tzinfo=timezone.utc)
        return self._hit(searcher, docnum, None, None, self._stories(view)), deleted

    def story_of(self, article_id: str) -> str:
        """The story id of an article. ``NotFound`` for an unknown id."""
        _, view = self._snapshot()
        column = self._stories(view)
        return column.ids[column.ordinals[_docnum_of(view, article_id)]]

    def _story_docs(self, view: View, column: StoryColumn, ordinal: int) -> list[int]:
        """Live, published versions of one story, oldest first."""
        mask = view.visible(as_of=None, include_drafts=False) & (column.ordinals == ordinal)
        docs = np.flatnonzero(mask)
        order = np.lexsort((view.id_rank[docs], view.published_utc[docs]))
        return [int(d) for d in docs[order]]

    def article_path(self, article_id: str) -> Path | None:
        """The file of a live (not deleted) article, from the index: no folder scan.
        ``None`` when the index does not know the id."""
        searcher, view = self._snapshot()
        try:
            docnum = _docnum_of(view, article_id)
        except NotFound:
            return None
        rel = searcher.stored_fields(docnum).get("path")
        return self.home / rel if rel else None

    def stats(self) -> IndexStats:
        """Counts per source, tag, sentiment and year over the visible articles."""
        _, view = self._snapshot()
        mask = view.visible(as_of=None, include_drafts=False)

        def counted(name: str) -> tuple[tuple[str, int], ...]:
            counts = view.count(name, mask)
            facet = view.facets[name]
            rows = [(facet.labels[i] if name != "source" else facet.values[i], int(c))
                    for i, c in enumerate(counts) if c]
            return tuple(sorted(rows, key=lambda r: (-r[1], r[0])))

        years = year_of_ordinals(histogram_days(view, mask))
        values, counts = np.unique(years, return_counts=True)
        undated = int((mask & (view.published == MISSING)).sum())
        source = view.facets["source"]
        return IndexStats(
            total=int(mask.sum()),
            by_source=counted("source"),
            by_tag=counted("tags"),
            by_ticker=counted("tickers"),
            by_sentiment=counted("sentiment"),
            by_year=tuple((str(int(v)), int(c)) for v, c in zip(values, counts)),
            extra={
                "source_names": dict(zip(source.values, source.labels)),
                "drafts": int((view.live & view.draft & (view.deleted == MISSING)).sum()),
                "deleted": int((view.live & (view.deleted != MISSING)).sum()),
                "documents": int(view.live.sum()),
                #: articles without a known date: in ``total``, not in ``by_year``
                "undated": undated,
            },
        )

    # ----------------------------------------------------------------------------- parts --

    def _facet(self, query: SearchQuery, view: View, plan: "_Plan", name: str,
               column: StoryColumn | None = None, limit: int | None | str = "default"
               ) -> tuple[FacetValue, ...]:
        counts = count_values(view, name, plan.filtered(without=name), column)
        limit = self.facet_limit if limit == "default" else limit
        facet = view.facets[name]
        chosen = {_index_value(name, v): v for v in getattr(query, name)}
        rows: dict[str, tuple[str, str, int]] = {}
        order = np.argsort(-counts, kind="stable")
        for i in order[:limit]:
            if counts[i] == 0:
                break
            rows[facet.values[i]] = (facet.values[i], facet.labels[i], int(counts[i]))
        for term, spelled in chosen.items():
            i = view.ordinal[name].get(term)
            if i is None:
                rows[term] = (term, _label_of_unknown(name, spelled), 0)
            else:
                rows[term] = (term, facet.labels[i], int(counts[i]))
        ordered = sorted(rows.values(), key=lambda r: (-r[2], r[1].lower(), r[0]))
        values = [chosen.get(term) or _public_value(name, term) for term, _, _ in ordered]
        urls = toggle_urls(query, name, values)
        return tuple(FacetValue(value=value, label=label, count=count, selected=term in chosen,
                                toggle_url=url)
                     for (term, label, count), value, url in zip(ordered, values, urls))

    def _hit(self, searcher: Any, docnum: int, score: float | None,
             terms: dict[str, set[str]] | None, column: StoryColumn | None = None,
             versions: int = 1) -> Hit:
        stored = searcher.stored_fields(docnum)
        published = _local(stored.get("published"), stored.get("published_offset"))
        raw_tags = stored.get("tags") or ()
        tags = tuple(t.strip() for t in (raw_tags.split(",") if isinstance(raw_tags, str) else raw_tags)
                     if t and t.strip())
        raw_tickers = stored.get("tickers") or ""
        sentiment = stored.get("sentiment")
        snippet = ""
        if terms is not None:
            snippet = self._snippet(searcher, stored, terms)
        return Hit(
            id=stored.get("id", ""),
            title=stored.get("title", ""),
            published=published,
            source=stored.get("source", ""),
            source_name=stored.get("source_name") or stored.get("source", ""),
            sentiment=sentiment.upper() if sentiment else None,
            tags=tags,
            lang=stored.get("lang") or "en",
            category=stored.get("category") or None,
            author=stored.get("author") or None,
            url=http_url(stored.get("url")),
            description=stored.get("description") or None,
            snippet=snippet,
            score=round(float(score), 4) if score is not None else None,
            date_source=stored.get("date_source") or None,
            ingested=_aware(stored.get("ingested")),
            tickers=tuple(t for t in raw_tickers.split(",") if t) if isinstance(raw_tickers, str) else (),
            story=column.of(docnum) if column is not None else None,
            versions=versions,
        )

    def _snippet(self, searcher: Any, stored: dict, terms: dict[str, set[str]]) -> str:
        """The body's best passage; the description's when only it matches; else the start."""
        analysis = analysis_for(analysis_language(stored.get("lang")))
        body = self._body(stored)
        wanted = terms.get("body", set()) | terms.get("title", set()) | terms.get("description", set())
        spans = match_spans(body, wanted, analysis)
        if spans or not wanted:
            return make_snippet(body, wanted, analysis, spans)
        description = normalise(stored.get("description") or "")
        found = match_spans(description, wanted, analysis)
        if found:
            return make_snippet(description, wanted, analysis, found)
        return make_snippet(body or description, wanted, analysis, [])

    def _body(self, stored: dict) -> str:
        """The article text for highlights, read from its file (the index does not store it)."""
        relative = stored.get("path")
        if not relative or os.path.isabs(relative) or ".." in Path(relative).parts:
            return ""  # the index only ever holds paths inside the home folder
        try:  # bytes then decode: a third of the cost of read_text's text wrapper
            with open(self.home / relative, "rb") as handle:
                text = handle.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return ""
        parts = split_frontmatter(text)
        return plain_text(parts[1] if parts else text)

    def _suggest(self, query: SearchQuery, searcher: Any, view: View, total: int) -> str | None:
        """A respelling of the query's unknown words that finds more articles, if there is one.

        Bounded work whatever the query: at most ``SUGGEST_WORDS`` words that no article has
        written are respelt,
        each from the ``SUGGEST_CANDIDATES`` nearest index words (``index.spelling``), and at most
        ``SUGGEST_COUNTS`` respelt queries are counted: first every word's best respelling at
        once, then each word's other respellings."""
        reader = searcher.reader()
        languages = tuple(_languages(view))
        text = normalise_text(query.q)
        lexicons = self._lexicons(searcher)
        # a word nobody wrote is respelt, even when a stemmer reads it as a known word (German
        # reads ``bitcoi`` as ``Bitcoin``): only respellings that find more articles are offered
        unknown = [w for w in _plain_words(text)
                   if not any(w.lower() in lexicon for lexicon in lexicons)][:SUGGEST_WORDS]
        if not unknown:
            return None
        options: list[tuple[str, list[str]]] = []
        for word in unknown:
            near: dict[str, int] = {}
            for lexicon in lexicons:
                for edits, other in lexicon.near(word.lower(), SUGGEST_NEAR):
                    near[other] = min(edits, near.get(other, edits))
            counts = {t: _frequency(reader, languages, t) for t in near}
            ranked = sorted((t for t in near if counts[t]), key=lambda t: (near[t], -counts[t], t))
            ranked = ranked[:SUGGEST_CANDIDATES]
            if ranked:
                options.append((word, ranked))
        if not options:
            return None
        best = {word: ranked[0] for word, ranked in options}
        attempts = [best] + [{**best, word: other} for word, ranked in options for other in ranked[1:]]
        found, found_count = None, total
        for choice in attempts[:SUGGEST_COUNTS]:
            attempt = text
            for word, candidate in choice.items():
                attempt = re.sub(rf"(?<![\w:]){re.escape(word)}(?!\w)", candidate, attempt)
            try:
                count = int(_plan(replace(query, q=attempt), searcher, view,
                                  self._stories(view)).filtered().sum())
            except QueryError:
                continue
            if count > found_count:
                found, found_count = attempt, count
        return found

    def _lexicons(self, searcher: Any) -> list[Lexicon]:
        """The spelling words of each segment (title and body), read once per segment."""
        out = []
        wanted = set()
        for reader, _ in searcher.reader().leaf_readers():
            key = _segment_key(reader)
            wanted.add(key)
            with self._lock:
                lexicon = self._spelling.get(key)
            if lexicon is None:
                fields = [searcher.schema[f].spelling_fieldname(f) for f in ("title", "body")]
                lexicon = lexicon_of(reader, fields)
                with self._lock:
                    self._spelling[key] = lexicon
            out.append(lexicon)
        with self._lock:
            for key in [k for k in self._spelling if k not in wanted]:
                del self._spelling[key]
        return out


# ------------------------------------------------------------------------------- the plan --

class _Plan:
    """A query turned into arrays: the matches with visibility and dates, and one mask per
    facet filter; ``filtered(without=...)`` combines them for the disjunctive counts."""

    def __init__(self, wq_query: wq.Query, base: np.ndarray, filters: dict[str, np.ndarray],
                 ranked: bool) -> None:
        self.wq = wq_query
        self.base = base
        self.filters = filters
        self.ranked = ranked
        self._full: np.ndarray | None = None

    def filtered(self, without: str | None = None) -> np.ndarray:
        if without is None and self._full is not None:
            return self._full
        mask = self.base.copy()
        for name, facet_mask in self.filters.items():
            if name != without:
                mask &= facet_mask
        if without is None:
            self._full = mask
        return mask


def _plan(query: SearchQuery, searcher: Any, view: View, column: StoryColumn | None = None) -> _Plan:
    parsed = _expand_prefixes(parse_query(query.q, _languages(view)), searcher)
    base = view.visible(as_of=query.as_of, include_drafts=query.include_drafts)
    if query.story:
        ordinal = _story_ordinal(column, query.story)
        base &= (column.ordinals == ordinal) if ordinal is not None else False
    if not isinstance(parsed, wq.Every):
        base &= match_mask(parsed, searcher, view)
    filters = {}
    dates = _date_mask(query, view)
    if dates is not None:
        filters[DATE_FILTER] = dates
    for name in FACET_PARAMS:
        values = getattr(query, name)
        if values:
            filters[name] = view.facet_mask(name, tuple(_index_value(name, v) for v in values))
    return _Plan(parsed, base, filters, has_positive_terms(parsed, RANKED_FIELDS))


#: the plan's name for the date range and undated choice (counted apart like a facet filter)
DATE_FILTER = "published"


def _date_mask(query: SearchQuery, view: View) -> np.ndarray | None:
    """The documents the date range and ``undated`` choice allow (``None``: all of them).
    Undated documents (no ``published``) are never inside a range: only ``undated=include``
    adds them to one."""
    undated = view.published == MISSING
    if query.undated == "only":
        return undated
    if not (query.date_from or query.date_to):
        return ~undated if query.undated == "exclude" else None
    mask = ~undated
    if query.date_from:
        mask &= view.published >= to_long(query.date_from)
    if query.date_to:
        mask &= view.published < to_long(query.date_to + timedelta(days=1))
    return mask | undated if query.undated == "include" else mask


def _undated_count(query: SearchQuery, view: View, plan: "_Plan") -> UndatedCount:
    """Matches without a date under every filter but the date range (see ``UndatedCount``)."""
    undated = view.published == MISSING
    count = int((plan.filtered(without=DATE_FILTER) & undated).sum())
    included = bool(int((plan.filtered() & undated).sum()) == count)
    return UndatedCount(count=count, included=included,
                        url=query.only_undated().query_string(), selected=query.undated == "only")


def _expand_prefixes(q: wq.Query, searcher: Any) -> wq.Query:
    """``bitco*`` -> the (at most ``MAX_EXPANSIONS``) most frequent index terms it starts."""
    if isinstance(q, wq.Prefix):
        reader = searcher.reader()
        terms = []
        for text in reader.expand_prefix(q.fieldname, q.text):
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            terms.append((reader.doc_frequency(q.fieldname, text), text))
        terms.sort(key=lambda t: (-t[0], t[1]))
        chosen = sorted(t for _, t in terms[:MAX_EXPANSIONS])
        if not chosen:
            return wq.NullQuery
        return wq.Or([wq.Term(q.fieldname, t, boost=q.boost) for t in chosen])
    if isinstance(q, wq.BinaryQuery):
        return q.__class__(_expand_prefixes(q.a, searcher), _expand_prefixes(q.b, searcher))
    if isinstance(q, wq.CompoundQuery):
        subs = [_expand_prefixes(s, searcher) for s in q.subqueries]
        if isinstance(q, wq.Or):
            return wq.Or(subs, boost=q.boost, minmatch=q.minmatch)
        return q.__class__(subs, boost=q.boost)
    if isinstance(q, wq.Not):
        return wq.Not(_expand_prefixes(q.query, searcher))
    return q


def _ranked(searcher: Any, view: View, q: wq.Query, full: np.ndarray, limit: int
            ) -> list[tuple[int, float]]:
    """The first ``limit`` documents of ``full`` by BM25F score (computed over arrays, see
    ``bm25_scores``); equal scores newest first, then by id, so the order does not depend on
    document numbers."""
    if limit <= 0 or not full.any():
        return []
    scores = bm25_scores(searcher, view, scored_terms(q), within=full)
    docs = np.flatnonzero(full)
    found = np.round(scores[docs], 6)
    if len(docs) > limit:
        threshold = -np.partition(-found, limit - 1)[limit - 1]
        keep = found >= threshold  # ties at the threshold stay, the sort below decides
        docs, found = docs[keep], found[keep]
    order = np.lexsort((view.id_rank[docs], -_dated_key(view.published_utc[docs]), -found))[:limit]
    return [(int(d), float(s)) for d, s in zip(docs[order], found[order])]


def _dated_key(published: np.ndarray) -> np.ndarray:
    """Publication instants for "newest first" with the undated (``MISSING``) after the oldest."""
    return np.where(published == MISSING, -1, published)


def _even_sample(docs: np.ndarray, size: int) -> np.ndarray:
    """At most ``size`` of ``docs``, evenly spread (the same documents for the same matches)."""
    if len(docs) <= size:
        return docs
    return docs[np.linspace(0, len(docs) - 1, size).astype(np.int64)]


def _story_ordinal(column: StoryColumn | None, story: str) -> int | None:
    if column is None:
        return None
    at = bisect.bisect_left(column.ids, story)
    return at if at < len(column.ids) and column.ids[at] == story else None


def first_of_each_story(docs: np.ndarray, ordinals: np.ndarray, needed: int) -> np.ndarray:
    """The first document of each story in ``docs`` (in that order), at least the first
    ``needed`` of them: a prefix of ``docs`` is read, doubled until it holds enough stories."""
    if not len(docs):
        return docs
    length = min(len(docs), max(64, 2 * needed))
    while True:
        prefix = docs[:length]
        _, first = np.unique(ordinals[prefix], return_index=True)
        if len(first) >= needed or length == len(docs):
            return prefix[np.sort(first)]
        length = min(len(docs), length * 4)


def _ranked_stories(searcher: Any, view: View, q: wq.Query, full: np.ndarray, ordinals: np.ndarray,
                    limit: int) -> list[tuple[int, float]]:
    """The first ``limit`` stories by their best version's score: the top documents, more of
    them until they hold ``limit`` stories (a story not among them ranks below all that are)."""
    depth = max(64, 2 * limit)
    total = int(full.sum())
    while True:
        ranked = _ranked(searcher, view, q, full, depth)
        seen: set[int] = set()
        out = []
        for docnum, score in ranked:
            story = int(ordinals[docnum])
            if story not in seen:
                seen.add(story)
                out.append((docnum, score))
        if len(out) >= limit or depth >= total:
            return out[:limit]
        depth *= 4


def _newest_first(view: View, mask: np.ndarray) -> np.ndarray:
    """Matching document numbers, newest first, ties by id, undated ones last: the canonical
    order (the fingerprint's)."""
    docs = np.flatnonzero(mask)
    order = np.lexsort((view.id_rank[docs], -_dated_key(view.published_utc[docs])))
    return docs[order]


def _oldest_first(view: View, newest_first: np.ndarray) -> np.ndarray:
    """``newest_first`` reversed for the dated documents; the undated ones stay last (by id)."""
    undated = view.published[newest_first] == MISSING
    return np.concatenate([newest_first[~undated][::-1], newest_first[undated]])


def fingerprint(ids: Any) -> str:
    """A short hash of the ids of all matches in the canonical order (newest first, then id).

    Independent of the sort and the page (the same matches give the same fingerprint) and of
    anything that changes with time, so query + ``as_of`` + fingerprint can be checked later."""
    digest = hashlib.sha256("\n".join(ids.tolist() if hasattr(ids, "tolist") else ids).encode())
    return digest.hexdigest()[:FINGERPRINT_CHARS]


# ------------------------------------------------------------------------------- histogram --

def _histogram(query: SearchQuery, view: View, mask: np.ndarray
               ) -> tuple[tuple[HistogramBucket, ...], str]:
    days = histogram_days(view, mask)
    if not len(days):
        return (), "month"
    first, last = date.fromordinal(int(days.min())), date.fromordinal(int(days.max()))
    interval = choose_interval(first, last)
    edges = bucket_starts(first, last, interval)
    ordinals = np.asarray([e.toordinal() for e in edges], dtype=np.int64)
    counts = np.bincount(np.searchsorted(ordinals, days, side="right") - 1, minlength=len(edges) - 1)
    ranges = []
    for i in range(len(edges) - 1):
        start, end = edges[i], edges[i + 1]
        narrow_from = max(start, query.date_from) if query.date_from else start
        last_day = end - timedelta(days=1)
        narrow_to = min(last_day, query.date_to) if query.date_to else last_day
        ranges.append((narrow_from, narrow_to))
    urls = date_range_urls(query, ranges)
    return tuple(HistogramBucket(start=edges[i], end=edges[i + 1], count=int(counts[i]), url=url)
                 for i, url in enumerate(urls)), interval


#: stand-ins for the values a link changes, replaced in one encoded query string per facet or
#: histogram (a NUL never reaches a real query: parameters are text)
_VALUE, _FROM, _TO = "\0value", date(1, 1, 1), date(1, 1, 2)


def toggle_urls(query: SearchQuery, name: str, values: list[str]) -> list[str]:
    """``query.toggled(name, v).query_string()`` for each value, from one encoded template:
    the query string is built once with a stand-in value and each link substitutes its value
    (encoded as ``urlencode`` encodes it). Selected values (removed by the toggle) and a
    template the stand-in does not occur in exactly once take the plain way."""
    current = getattr(query, name)
    template = replace(query, **{name: (*current, _VALUE)}, page=1).query_string()
    marker = quote_plus(_VALUE)
    if template.count(marker) != 1:
        return [query.toggled(name, v).query_string() for v in values]
    return [query.toggled(name, v).query_string() if v in current
            else template.replace(marker, quote_plus(v)) for v in values]


def date_range_urls(query: SearchQuery, ranges: list[tuple[date, date]]) -> list[str]:
    """``query.with_dates(a, b).query_string()`` for each range, from one encoded template
    (see ``toggle_urls``)."""
    template = query.with_dates(_FROM, _TO).query_string()
    first, last = _FROM.isoformat(), _TO.isoformat()
    if template.count(first) != 1 or template.count(last) != 1:
        return [query.with_dates(a, b).query_string() for a, b in ranges]
    head, rest = template.split(first)
    middle, tail = rest.split(last)
    return [f"{head}{a.isoformat()}{middle}{b.isoformat()}{tail}" for a, b in ranges]


def choose_interval(first: date, last: date) -> str:
    """The smallest of day, week, month, year that gives at most ``MAX_BUCKETS`` buckets."""
    days = (last - first).days + 1
    weeks = ((last - timedelta(days=last.weekday())) - (first - timedelta(days=first.weekday()))).days // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    for interval, count in (("day", days), ("week", weeks), ("month", months)):
        if count <= MAX_BUCKETS:
            return interval
    return "year"


def bucket_starts(first: date, last: date, interval: str) -> list[date]:
    """Bucket edges covering ``first``..``last``: starts of each bucket plus the final end."""
    if interval == "day":
        start = first
        step = lambda d: d + timedelta(days=1)  # noqa: E731
    elif interval == "week":
        start = first - timedelta(days=first.weekday())
        step = lambda d: d + timedelta(days=7)  # noqa: E731
    elif interval == "month":
        start = first.replace(day=1)
        step = lambda d: date(d.year + d.month // 12, d.month % 12 + 1, 1)  # noqa: E731
    else:
        start = date(first.year, 1, 1)
        step = lambda d: date(d.year + 1, 1, 1)  # noqa: E731
    edges = [start]
    while edges[-1] <= last:
        if len(edges) > 10_000:
            break
        edges.append(step(edges[-1]))
    return edges


# ------------------------------------------------------------------------------- helpers --

def _index_value(name: str, value: str) -> str:
    """A filter value as the index holds it (keyword fields and tags are lower case)."""
    return value.strip().lower()


def _public_value(name: str, term: str) -> str:
    """A facet value as URLs and ``SearchQuery`` carry it (``sentiment=POSITIVE``)."""
    return term.upper() if name in ("sentiment", "tickers") else term


def _label_of_unknown(name: str, value: str) -> str:
    return value.upper() if name in ("sentiment", "tags", "tickers") else value


def _local(value: Any, offset: Any) -> datetime | None:
    """The stored local wall time with its offset (minutes; none: UTC) as an aware datetime."""
    if not isinstance(value, datetime):
        return None
    if not offset:
        return value.replace(tzinfo=timezone.utc)
    return value.replace(tzinfo=timezone(timedelta(minutes=int(offset))))


def _aware(value: Any) -> datetime | None:
    """A stored (naive UTC) datetime as an aware one; ``None`` if there is none."""
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


def _docnum_of(view: View, article_id: str) -> int:
    found = np.flatnonzero((view.ids == article_id) & view.live)
    if not len(found):
        raise NotFound(f"no article with id {article_id!r}")
    return int(found[-1])


def _highlight_terms(q: wq.Query) -> dict[str, set[str]]:
    terms: dict[str, set[str]] = {}
    for fieldname, text in positive_words(q):
        if isinstance(text, str):
            terms.setdefault(fieldname, set()).add(text)
    return terms


_PLAIN_WORD = re.compile(r"(?<![\w:\"*])([^\W\d_](?:[^\W\d_]|['-]){2,})(?![\w:*])")


def _plain_words(text: str) -> list[str]:
    """Words of a query that may be misspelt: not operators, not field values, not in quotes."""
    outside = re.sub(r'"[^"]*"', " ", text)
    outside = re.sub(r"\b\w+:(\([^)]*\)|\[[^\]]*\]|\S+)", " ", outside)
    return [w for w in dict.fromkeys(_PLAIN_WORD.findall(outside))
            if w not in ("AND", "OR", "NOT") and not is_cjk(w)]


def _frequency(reader: Any, languages: tuple[str, ...], word: str) -> int:
    """Documents with ``word`` in a text field, in any of the index's languages."""
    return sum(reader.doc_frequency(f, term) for term in word_terms(word, languages)
               for f in DEFAULT_FIELDS)


def _languages(view: View) -> dict[str, tuple[str, ...]]:
    """Analysis language -> the ``lang`` values of the index's articles analysed in it."""
    out: dict[str, list[str]] = {}
    for value in view.facets["lang"].values:
        out.setdefault(analysis_language(value), []).append(value)
    return {language: tuple(values) for language, values in out.items()} or {"en": ("en",)}
