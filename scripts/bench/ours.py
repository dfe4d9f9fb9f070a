"""Our engine behind the same small interface as the baselines: ``build``, ``search``, ``add``.

Searches go through ``index.model.parse_params`` (as the web API and the command line do) and
``index.search.SearchService``; the index is built by ``index.build.reindex`` and single articles
are ingested by ``Store.save`` + ``index.build.update_documents``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from archive.article import Article
from archive.store import Store

from scripts.bench.queries import PER_PAGE, BenchQuery


def reindex_ours(home: Path, procs: int | None = None) -> Any:
    from index.build import reindex

    procs = procs or os.cpu_count() or 1
    return reindex(Path(home), procs=procs)


def params_of(query: BenchQuery) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for name, value in query.to_params():
        params.setdefault(name, []).append(value)
    params["per_page"] = [str(PER_PAGE)]
    return params


class OursEngine:
    name = "ours"
    label = "newsarchive"

    def __init__(self, home: Path) -> None:
        from index.search import SearchService

        self.home = Path(home)
        self.service = SearchService(self.home)

    def search(self, query: BenchQuery) -> dict[str, Any]:
        from index.model import parse_params

        result = self.service.search(parse_params(params_of(query)))
        return {
            "total": result.total,
            "hits": [{"id": hit.id, "title": hit.title, "snippet": hit.snippet} for hit in result.hits],
            "facets": {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()},
            "histogram": [(b.start.isoformat(), b.count) for b in result.histogram],
            "interval": result.interval,
        }

    def add(self, article: Article) -> None:
        """Ingest one article: its file written, then the index updated at once."""
        saved = Store(self.home).save(article)
        update_index(self.home, [saved.article], [saved.path])

    def close(self) -> None:
        close = getattr(self.service, "close", None)
        if close:
            close()


def update_index(home: Path, articles: list[Article], paths: list[Path]) -> Any:
    """``index.build.update_documents(home, [(path, article), ...])`` for just-saved articles."""
    from index.build import update_documents

    return update_documents(Path(home), list(zip(paths, articles)))
