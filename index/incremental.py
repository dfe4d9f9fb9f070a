"""Incremental writes into the live index: documents of just-saved articles, tombstones of
deleted ones, and the merge policy of their commits.

``update_documents`` after an ingest and ``delete_documents`` (tombstones: the document stays
with ``deleted`` set, for ``as_of`` replays) commit into the live index without long merges.
A writer that finds the index locked waits up to ``timeout`` seconds, then raises
``IndexUnavailable`` with a message saying what to do.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from archive.article import Article
from archive.errors import FormatError
from index.bulkwriter import UnindexableValue
from index.documents import FRONTMATTER_KEY, document_for, file_hash, tombstone
from index.live import current_index_path, live_writer
from index.story_ids import add_stories, telling_bytes

#: incremental commits merge only segments smaller than this, and only once there are many
SMALL_SEGMENT_DOCS = 2_000
MAX_SMALL_SEGMENTS = 8


def merge_small_segments(writer: SegmentWriter, segments: list, *,
                         small_docs: int = SMALL_SEGMENT_DOCS,
                         max_small: int = MAX_SMALL_SEGMENTS) -> list:
    """Whoosh merge policy for commits in the request path: leave big segments alone and merge
    the small ones (under ``small_docs`` documents) only once there are more than ``max_small``
    of them (at most ``small_docs * max_small`` documents: a bounded, short merge)."""
    small = sorted((s for s in segments if s.doc_count_all() < small_docs),
                   key=lambda s: s.doc_count_all())
    if len(small) <= max_small:
        return segments
    merged = {id(s) for s in small}
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [s for s in segments if id(s) not in merged]


def index_document(writer: SegmentWriter, doc: dict[str, Any], rel: str,
                   failures: list[tuple[str, str]]) -> bool:
    """``writer.update_document(**doc)`` (a ``BulkSegmentWriter``: all or nothing); a document
    the index refuses is added to ``failures`` as ``(rel, reason naming the field)`` and the
    writer goes on. True when it was indexed."""
    try:
        writer.update_document(**doc)
    except UnindexableValue as exc:
        field = FRONTMATTER_KEY.get(exc.field, exc.field)
        failures.append((rel, f"'{field}' cannot be indexed: {exc.reason}"))
        return False
    return True


def update_documents(home: Path, items: list[tuple[Path, Article]], *,
                     timeout: float = 30.0) -> list[tuple[str, str]]:
    """Add or replace the documents of just-saved articles in the live index (creating it if
    there is none). Searchable as soon as this returns; a tombstone with the same id is replaced.

    Returns ``(path relative to home, reason)`` for each article the index cannot hold (a value
    out of range); the others are indexed."""
    failures: list[tuple[str, str]] = []
    if not items:
        return failures
    home = Path(home)
    docs: list[dict[str, Any]] = []
    tellings: dict[str, bytes] = {}
    for path, article in items:
        try:
            doc = document_for(article, path, home)
        except FormatError as exc:
            failures.append((_rel(path, home), exc.message))
            continue
        tellings[doc["id"]] = telling_bytes(article)
        try:
            doc["file_hash"] = file_hash((home / doc["path"]).read_bytes())
        except OSError:
            pass  # no hash: the next ``reindex --changed`` reads the file again
        docs.append(doc)
    if not docs:
        return failures
    writer = live_writer(home, timeout, bulk=True)
    try:
        indexed = [doc["id"] for doc in _last_per_id(docs)
                   if index_document(writer, doc, doc["path"], failures)]
        add_stories(current_index_path(home), [(i, tellings[i]) for i in indexed])
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=merge_small_segments)
    return failures


def _rel(path: Path, home: Path) -> str:
    try:
        return Path(path).relative_to(home).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _last_per_id(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One document per id, the last one given (a writer replaces committed documents only)."""
    return list({doc["id"]: doc for doc in docs}.values())


def delete_documents(home: Path, ids: Iterable[str], *, when: datetime, timeout: float = 30.0) -> None:
    """Turn the documents of deleted articles into tombstones: they stay in the index with
    ``deleted`` set (normal searches skip them; an ``as_of`` before ``when`` still finds them).
    Unknown ids and existing tombstones are left alone."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    home = Path(home)
    writer = live_writer(home, timeout, bulk=True)
    try:
        changed = 0
        searcher = writer.searcher()
        for article_id in ids:
            docnum = searcher.document_number(id=article_id)
            if docnum is None:
                continue
            stored = searcher.stored_fields(docnum)
            if stored.get("deleted"):
                continue
            writer.update_document(**tombstone(stored, when, home))
            changed += 1
    except BaseException:
        writer.cancel()
        raise
    if changed:
        writer.commit(mergetype=merge_small_segments)
    else:
        writer.cancel()
