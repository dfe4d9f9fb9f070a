"""Re-extraction: run the current extractor again on the raw snapshots kept in ``<home>/raw``,
without fetching anything (``newsarchive reextract``).

For every article whose ``extractor.raw`` names a snapshot, the snapshot is read (bounded, see
``archive.raw``), extracted again and finished like a new ingest. What the extractor does not
decide is kept from the stored article: ``id``, ``ingestedAt``, ``fetchedAt``, ``url``, the
feed's ``externalId`` and ``source`` when it came from a feed or the command line, a date that
was ``provided`` (by the input or ``--date``), a ``provided`` sentiment, the tags (the new ones
are added), and the unknown fields. The store then writes the file only if something changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from archive.article import Article
from archive.errors import NewsarchiveError
from archive.extract import decode_html, extract_article
from archive.ingest import finish_article
from archive.types import IngestOptions, utcnow
from archive.raw import read_raw
from archive.store import SaveResult, Store


@dataclass(frozen=True)
class ReextractResult:
    """One article's outcome: ``updated``, ``unchanged`` or ``failed`` (with the reason)."""

    id: str
    status: str
    path: str | None = None
    title: str | None = None
    error: str | None = None


@dataclass
class ReextractSummary:
    results: list[ReextractResult] = field(default_factory=list)
    #: articles without a raw snapshot (typed in, imported from files before snapshots...)
    skipped: int = 0

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    def counts(self) -> dict[str, int]:
        return {s: self.count(s) for s in ("created", "updated", "unchanged", "failed")} | {
            "skipped": self.skipped}


def reextract(
    store: Store,
    *,
    ids: Iterable[str] = (),
    now: datetime | None = None,
    on_result: Callable[[ReextractResult], None] | None = None,
    on_saved: Callable[[SaveResult], None] | None = None,
) -> ReextractSummary:
    """Re-extract the articles with ``ids`` (all articles with a snapshot when empty).

    ``on_saved`` gets every ``SaveResult`` (the command line sends them to the index)."""
    wanted = list(dict.fromkeys(ids))
    options = IngestOptions(now=now or utcnow(), home=store.home)
    summary = ReextractSummary()

    def report(result: ReextractResult) -> None:
        summary.results.append(result)
        if on_result is not None:
            on_result(result)

    if wanted:
        candidates: list[tuple[str, Article | None, str | None]] = []
        for article_id in wanted:
            try:
                candidates.append((article_id, store.get(article_id), None))
            except NewsarchiveError as exc:
                candidates.append((article_id, None, exc.message))
    else:
        candidates = [
            (article.id if article else str(path), article, str(error) if error else None)
            for path, article, error in store.iter_articles()
        ]
    for article_id, article, error in candidates:
        if article is None:
            if wanted:  # an article asked for by id that cannot be read is a failure
                report(ReextractResult(article_id, "failed", error=error))
            continue
        raw = (article.extractor or {}).get("raw")
        if not raw:
            if wanted:
                report(ReextractResult(article_id, "failed", title=article.title,
                                       error="the article has no raw snapshot (it was not fetched "
                                             "from a page)"))
            else:
                summary.skipped += 1
            continue
        try:
            saved = store.save(reextract_article(article, store.home, options))
        except NewsarchiveError as exc:
            report(ReextractResult(article_id, "failed", title=article.title, error=exc.message))
            continue
        if on_saved is not None:
            on_saved(saved)
        report(ReextractResult(article_id, saved.status, path=str(saved.path), title=saved.article.title))
    return summary


def reextract_article(old: Article, home: Path, options: IngestOptions) -> Article:
    """The stored article extracted afresh from its snapshot, finished, with what it keeps."""
    rel = str((old.extractor or {}).get("raw"))
    snapshot = read_raw(home, rel)
    url = old.url or snapshot.final_url or snapshot.url
    fresh = extract_article(decode_html(snapshot.content, snapshot.charset), url=url)
    extractor = {**dict(old.extractor or {}), **dict(fresh.extractor or {}), "raw": rel}
    changes: dict = {
        "id": old.id,
        "ingested_at": old.ingested_at,
        "fetched_at": old.fetched_at or snapshot.fetched_at,
        "url": old.url or fresh.url,
        "extractor": extractor,
        "extra": old.extra,
        "draft": old.draft,
        "sticky_weight": old.sticky_weight,
        "ai": old.ai,
        "score": old.score,
        "tags": tuple(dict.fromkeys(list(old.tags) + list(fresh.tags))),
    }
    if old.external_id:
        changes["external_id"] = old.external_id
    if old.source is not None and (old.source.type != "WEB" or fresh.source is None):
        changes["source"] = old.source  # from a feed, an export or --source: not the page's to say
    if old.date_source == "provided" or fresh.published_at is None:
        changes["published_at"] = old.published_at
        changes["date_source"] = old.date_source
        changes["date_confidence"] = old.date_confidence
    if old.source is not None and old.source.type == "RSS":
        changes["title"] = old.title  # the feed's headline, as at ingest
    if old.sentiment_source == "provided":
        changes["sentiment"] = old.sentiment
        changes["sentiment_source"] = "provided"
    if old.category and not fresh.category:
        changes["category"] = old.category
    draft = fresh.replace(**changes)
    if draft.published_at is None:
        draft = draft.replace(published_at=old.published_at, date_source=old.date_source,
                              date_confidence=old.date_confidence)
    return finish_article(draft, options)
