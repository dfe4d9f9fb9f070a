"""What the web layer reads: one shared search service and the article files.

The ``SearchService`` is opened on first use and shared by every request thread (it refreshes its
own searcher when the index changes). ``Store``'s id catalogue is read once, and again when an id
is not found and the index has changed since (an article ingested or a reindex meanwhile).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterator

from flask import current_app

from archive.article import Article, is_valid_id
from archive.errors import FormatError, IndexUnavailable, InputError, NotFound
from archive.store import Store, read_article
from index.model import Hit, SearchQuery, SearchResult, parse_params

#: seconds between two re-reads of the article catalogue caused by unknown ids
CATALOG_REFRESH = 2.0


class Backend:
    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self._lock = threading.Lock()
        self._service: Any = None
        self._store = Store(self.home)
        self._store_read = 0.0
        #: the index generation when the catalogue was last read (None: not yet compared)
        self._store_generation: str | None = None

    # -- search
    def service(self) -> Any:
        with self._lock:
            if self._service is None:
                from index.search import SearchService

                self._service = SearchService(self.home)  # raises IndexUnavailable
            return self._service

    def search(self, query: SearchQuery) -> SearchResult:
        return self.service().search(query)

    def timeline(self, spec: Any) -> Any:
        return self.service().timeline(spec)

    def iter_hits(self, query: SearchQuery, cap: int) -> Iterator[Hit]:
        return self.service().iter_hits(query, cap)

    def count(self, query: SearchQuery) -> int:
        return self.service().count(query)

    def more_like_this(self, article_id: str, limit: int) -> tuple[Hit, ...]:
        if limit <= 0:
            return ()
        return tuple(self.service().more_like_this(article_id, limit=limit))

    def close(self) -> None:
        with self._lock:
            if self._service is not None:
                self._service.close()
                self._service = None

    # -- articles
    def article(self, article_id: str) -> Article:
        """The article file with this id: found through the index's stored path, else through the
        folder's id catalogue. The catalogue is read again on a miss only when the index changed
        since it was read (an ingest or a reindex happened) and not more often than every
        ``CATALOG_REFRESH`` seconds, so unknown ids cost nothing."""
        if not is_valid_id(article_id):
            raise NotFound(f"no article with id {article_id[:40]!r}")
        found = self._article_from_index(article_id)
        if found is not None:
            return found
        from index.build import index_generation

        if self._store_generation is None:
            with self._lock:
                if self._store_generation is None:  # the catalogue is read by the get below
                    self._store_generation = index_generation(self.home)
        try:
            return self._store.get(article_id)
        except NotFound:
            with self._lock:
                now = time.monotonic()
                generation = index_generation(self.home)
                if generation == self._store_generation or now - self._store_read < CATALOG_REFRESH:
                    raise
                self._store_read, self._store_generation = now, generation
                self._store = Store(self.home)
            return self._store.get(article_id)


    def _article_from_index(self, article_id: str) -> Article | None:
        """The article through the index's stored path (no folder scan); ``None`` when the index
        is missing, doesn't know the id, or the file moved or changed its id since."""
        try:
            path = self.service().article_path(article_id)
        except IndexUnavailable:
            return None
        if path is None or not path.is_file():
            return None
        try:
            article = read_article(path)
        except (InputError, FormatError):
            return None
        return article if article.id == article_id else None


def backend() -> Backend:
    return current_app.extensions["newsarchive"]


def timeline_from_params(params: Any) -> Any:
    """The one function behind every timeline face: parameters -> ``Timeline``."""
    from index.timeline import parse_timeline_params

    return backend().timeline(parse_timeline_params(params))


def search_from_params(params: Any, **changes: Any) -> SearchResult:
    """The one function behind every search face: parameters -> ``SearchResult``."""
    query = parse_params(params)
    if changes:
        query = replace(query, **changes)
    return backend().search(query)
