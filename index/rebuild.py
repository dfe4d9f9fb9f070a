"""Rebuilding the index from the article files: a full ``reindex`` into a new folder, swapped in
when complete, and ``reindex --changed``, which updates the live index in place.

A full ``reindex`` builds into a new folder while the current one keeps answering, then replaces
``CURRENT.json`` in one rename (``index.live``). A reindex killed at any point leaves
``CURRENT.json`` as it was; its folder is removed by the next one. The folder that was current
before the swap is kept until the following reindex, so a searcher opened on it keeps working.
The segments come from worker processes (``index.segments``); no segment merge runs at the end.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import whoosh.index
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from archive.errors import IndexUnavailable, IndexWriteError, NewsarchiveError
from archive.store import Store
from index.documents import Loaded, file_hash, load_file, slim, stat_key, tombstone
from index.bulkwriter import BulkSegmentWriter
from index.incremental import index_document, merge_small_segments
from index.live import (INDEX_NAME, REINDEX_LOCK, SWAP_LOCK_TIMEOUT, clean_leftovers,
                        current_index_path, flock, index_root, live_writer, locked_message,
                        new_build_folder, open_folder, open_index, swap_in, write_meta)
from index.schema import build_schema
from index.segments import build_segments, inline_segment, mp_context
from index.story_ids import add_stories, write_stories

#: below this many files a rebuild runs in this process (starting workers costs more)
MIN_FILES_PER_WORKER = 200

Progress = Callable[[int, int], None]


@dataclass
class ReindexReport:
    """What a reindex did. ``failures`` are ``(path relative to home, reason)``."""

    mode: str = "full"  # "full" | "changed"
    files: int = 0
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: ``(id, indexed path, ignored path)`` for files that claim an id already taken
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)
    #: live documents and tombstones in the index afterwards
    documents: int = 0
    tombstones: int = 0
    procs: int = 1
    seconds: float = 0.0
    index_path: str = ""

    @property
    def failed(self) -> int:
        return len(self.failures)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["failed"] = self.failed
        data["failures"] = [{"path": p, "error": e} for p, e in self.failures]
        data["duplicates"] = [{"id": i, "indexed": a, "ignored": b} for i, a, b in self.duplicates]
        data["seconds"] = round(self.seconds, 3)
        return data

@dataclass(frozen=True)
class _Known:
    """What the index already holds for one id."""

    path: str
    file_hash: str | None
    deleted: bool


def _index_state(ix: whoosh.index.Index) -> tuple[dict[str, _Known], dict[str, dict[str, Any]]]:
    """id -> what the index holds, and the stored fields of the tombstones."""
    known: dict[str, _Known] = {}
    tombstones: dict[str, dict[str, Any]] = {}
    with ix.reader() as reader:
        for _, stored in reader.iter_docs():
            article_id = stored.get("id")
            if not article_id:
                continue
            deleted = bool(stored.get("deleted"))
            known[article_id] = _Known(stored.get("path", ""), stored.get("file_hash"), deleted)
            if deleted:
                tombstones[article_id] = stored
    return known, tombstones


#: ``builder(home, folder, rels, entries, progress) -> segments``: writes the segments of a full
#: rebuild into ``folder`` and fills ``entries`` (rel -> what each file gave); ``index.cluster``
#: has one that runs on a Dask cluster
SegmentBuilder = Callable[[Path, Path, list[str], dict[str, Loaded], "Progress | None"], list]


def reindex(home: Path, *, procs: int | None = None, changed_only: bool = False,
            progress: Progress | None = None,
            segment_builder: SegmentBuilder | None = None) -> ReindexReport:
    """Rebuild the index from the article files.

    Full (default): build a new index in a new folder with ``procs`` worker processes (default:
    every core), then swap it in. ``changed_only``: update the live index in place, reading only
    the files whose bytes changed since they were indexed, and turn the documents of deleted
    files into tombstones (a full rebuild when there is no usable index). Files that fail to
    parse are listed in the report with the reason; the index is built from the rest.
    ``segment_builder`` builds the segments of a full rebuild instead of the local workers (a
    cluster); ``changed_only`` always runs here."""
    home = Path(home)
    started = time.monotonic()
    procs = max(1, procs or os.cpu_count() or 1)
    root = index_root(home)
    try:
        root.mkdir(parents=True, exist_ok=True)
        with flock(root / REINDEX_LOCK, timeout=0.0,
                    message="another reindex is running on this home folder; wait for it to finish"):
            clean_leftovers(root)
            report = None
            if changed_only:
                try:
                    ix = open_index(home)
                except IndexUnavailable:
                    ix = None
                if ix is not None:
                    report = _reindex_changed(home, ix, procs, progress)
            if report is None:
                report = _reindex_full(home, procs, progress, segment_builder)
    except OSError as exc:  # a full disk, a read-only home: the build is dropped, never swapped in
        raise IndexWriteError(cannot_write(exc, changed_only)) from None
    report.seconds = time.monotonic() - started
    return report


def cannot_write(exc: OSError, changed_only: bool = False) -> str:
    """One line for an index that could not be written."""
    where = f" ({exc.filename})" if exc.filename else ""
    kept = ("the index is as it was before this update" if changed_only
            else "the previous index is still the one in use")
    return (f"cannot write the index: {exc.strerror or exc}{where}; {kept} and no article file was "
            "changed (free some space or make the home folder writable, then run reindex again)")


def _relative_paths(home: Path) -> list[str]:
    return [p.relative_to(home).as_posix() for p in Store(home).iter_paths()]


def _reindex_full(home: Path, procs: int, progress: Progress | None,
                  segment_builder: SegmentBuilder | None = None) -> ReindexReport:
    root = index_root(home)
    report = ReindexReport(mode="full")
    rels = _relative_paths(home)
    report.files = len(rels)
    try:
        old_ix = open_index(home)
    except IndexUnavailable:
        old_ix = None
    old_known, old_tombstones = _index_state(old_ix) if old_ix is not None else ({}, {})

    folder = new_build_folder(root)
    ix = whoosh.index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
    workers = min(procs, max(1, len(rels) // MIN_FILES_PER_WORKER))
    report.procs = workers
    entries: dict[str, Loaded] = {}  # rel -> what was indexed (id, hashes) or why it failed
    if segment_builder is not None:
        report.procs = 0  # the cluster's workers
        segments = segment_builder(home, folder, rels, entries, progress)
    elif workers == 1:
        segments = inline_segment(home, folder, rels, entries, progress)
    else:
        segments = build_segments(home, folder, rels, workers, entries, progress)
    # The parent's writer adds the workers' segments to the table of contents as they are; what
    # it adds itself (duplicates, tombstones, late changes) is one small extra segment.
    writer = BulkSegmentWriter(ix)
    writer.segments = list(segments)
    writer._setup_doc_offsets()

    # One id per document: a file claiming an id already taken (a crash while a file moved) is
    # left out; the first path in sorted order wins, as in ``Store``.
    first_rel: dict[str, str] = {}
    for rel in sorted(entries):
        loaded = entries[rel]
        if loaded.doc is None:
            report.failures.append((rel, loaded.error or "unknown error"))
            continue
        article_id = loaded.doc["id"]
        if article_id in first_rel:
            report.duplicates.append((article_id, first_rel[article_id], rel))
        else:
            first_rel[article_id] = rel
    for article_id in {d[0] for d in report.duplicates}:
        writer.delete_by_term("id", article_id)
        winner = load_file(home, first_rel[article_id])
        if winner.doc is not None:
            index_document(writer, winner.doc, winner.rel, report.failures)

    # Files that changed while we read (an ingest into the old index): read them again while
    # holding the old index's write lock, so nothing committed there is missing here.
    old_lock = None
    if old_ix is not None:
        old_lock = old_ix.lock("WRITELOCK")
        if not try_for(old_lock.acquire, timeout=SWAP_LOCK_TIMEOUT, delay=0.05):
            writer.cancel()
            shutil.rmtree(folder, ignore_errors=True)
            raise IndexUnavailable(locked_message(SWAP_LOCK_TIMEOUT))
    old_searcher = None
    try:
        _catch_up(home, writer, entries, first_rel, report)
        failed_rels = {rel for rel, _ in report.failures}
        now = datetime.now(timezone.utc)
        for article_id, known in old_known.items():
            if article_id in first_rel:
                old_hash = known.file_hash
                new = entries[first_rel[article_id]].doc
                if known.deleted:
                    report.added += 1
                elif old_hash and new is not None and new.get("file_hash") == old_hash:
                    report.unchanged += 1
                else:
                    report.updated += 1
            elif known.deleted:
                writer.add_document(**old_tombstones[article_id])  # kept for ``as_of`` replays
            elif known.path not in failed_rels:
                if old_searcher is None:
                    old_searcher = old_ix.searcher()
                stored = old_searcher.document(id=article_id)
                if stored is not None:
                    writer.add_document(**tombstone(stored, now, home))
                    report.deleted += 1
        report.added += sum(1 for i in first_rel if i not in old_known)
        writer.commit(mergetype=merge_small_segments)
        _check_and_count(folder, report)
        write_stories(folder, [(i, entries[rel].telling) for i, rel in first_rel.items()],
                      previous=current_index_path(home) if old_ix is not None else None,
                      keep=[i for i in old_known if i not in first_rel])
        write_meta(folder, files=report.files)
        swap_in(root, folder)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    finally:
        if old_searcher is not None:
            old_searcher.close()
        if old_lock is not None:
            old_lock.release()
    report.index_path = str(folder)
    clean_leftovers(root)
    return report


def _check_and_count(folder: Path, report: ReindexReport) -> None:
    """Count the live documents and tombstones of the index in ``folder``, reading all of it a
    search reads (every document's stored fields, the sort and length columns, the ``deleted``
    terms): an index that cannot be read raises ``NewsarchiveError`` and is not swapped in."""
    from whoosh.query import Every

    try:
        ix = open_folder(folder)
        with ix.searcher() as searcher:
            for reader, _ in searcher.reader().leaf_readers():
                count = reader.doc_count_all()
                for _ in reader.iter_docs():
                    pass
                for name in reader.schema.names():
                    if reader.has_column(name):
                        column = reader.column_reader(name, translate=False)
                        if len(column) != count or (count and column[count - 1] is None):
                            raise ValueError(f"column {name!r} has {len(column)} of {count} values")
                    if reader.schema[name].scorable and count:
                        reader.doc_field_length(count - 1, name)
            report.tombstones = sum(1 for _ in searcher.docs_for_query(Every("deleted")))
            report.documents = searcher.doc_count() - report.tombstones
    except Exception as exc:  # noqa: BLE001 - whatever Whoosh raises for a broken segment
        raise NewsarchiveError(f"the new index cannot be read ({type(exc).__name__}: {exc}); the "
                               "previous index stays in place") from None


def _catch_up(home: Path, writer: SegmentWriter, entries: dict[str, Loaded],
              first_rel: dict[str, str], report: ReindexReport) -> None:
    """Index again the files that appeared or changed since they were read; drop the documents
    of files that disappeared (unless the id lives on in another file)."""
    rels = _relative_paths(home)
    present = set(rels)
    changed = [rel for rel in rels
               if rel not in entries or stat_key(home / rel) != (entries[rel].mtime_ns, entries[rel].size)]
    gone = [rel for rel in entries if rel not in present]
    for rel in gone:
        old = entries.pop(rel)
        if old.doc is None:
            report.failures = [(r, e) for r, e in report.failures if r != rel]
            continue
        if first_rel.get(old.doc["id"]) == rel:
            del first_rel[old.doc["id"]]
            writer.delete_by_term("id", old.doc["id"])
    for rel in changed:
        loaded = load_file(home, rel)
        report.failures = [(r, e) for r, e in report.failures if r != rel]
        previous = entries.get(rel)
        if previous is not None and previous.doc is not None and first_rel.get(previous.doc["id"]) == rel:
            del first_rel[previous.doc["id"]]
            writer.delete_by_term("id", previous.doc["id"])
        entries[rel] = slim(loaded)
        if loaded.doc is None:
            report.failures.append((rel, loaded.error or "unknown error"))
            continue
        if index_document(writer, loaded.doc, rel, report.failures):
            first_rel[loaded.doc["id"]] = rel
    report.files = len(present)
    report.failures.sort()


def _reindex_changed(home: Path, ix: whoosh.index.Index, procs: int,
                     progress: Progress | None) -> ReindexReport:
    report = ReindexReport(mode="changed", procs=1)
    known, _ = _index_state(ix)
    live_by_path = {k.path: (i, k.file_hash) for i, k in known.items() if not k.deleted}
    rels = _relative_paths(home)
    report.files = len(rels)
    seen: dict[str, str] = {}  # id -> rel, for the files left as they are
    todo: list[str] = []
    for rel in rels:
        indexed = live_by_path.get(rel)
        if indexed is not None and indexed[1]:
            try:
                data = (home / rel).read_bytes()
            except OSError:
                data = b""
            if file_hash(data) == indexed[1]:
                seen.setdefault(indexed[0], rel)
                continue
        todo.append(rel)
    report.unchanged = len(seen)
    loaded_docs: list[Loaded] = []
    workers = min(procs, max(1, len(todo) // MIN_FILES_PER_WORKER))
    report.procs = workers
    if workers > 1:
        with mp_context().Pool(workers) as pool:
            for done, loaded in enumerate(pool.imap(_load_for_pool, [(str(home), r) for r in todo],
                                                    chunksize=16), 1):
                loaded_docs.append(loaded)
                if progress:
                    progress(report.unchanged + done, len(rels))
    else:
        for done, rel in enumerate(todo, 1):
            loaded_docs.append(load_file(home, rel))
            if progress:
                progress(report.unchanged + done, len(rels))

    refused: set[str] = set()  # ids whose new document the index refused: the old one stays
    writer = live_writer(home, SWAP_LOCK_TIMEOUT, bulk=True)
    changed: list[tuple[str, bytes]] = []
    try:
        for loaded in loaded_docs:
            if loaded.doc is None:
                report.failures.append((loaded.rel, loaded.error or "unknown error"))
                continue
            article_id = loaded.doc["id"]
            if article_id in seen:
                report.duplicates.append((article_id, seen[article_id], loaded.rel))
                continue
            if not index_document(writer, loaded.doc, loaded.rel, report.failures):
                refused.add(article_id)
                continue
            seen[article_id] = loaded.rel
            changed.append((article_id, loaded.telling))
            k = known.get(article_id)
            if k is None or k.deleted:
                report.added += 1
            else:
                report.updated += 1
        failed_rels = {rel for rel, _ in report.failures}
        now = datetime.now(timezone.utc)
        searcher = writer.searcher()
        for article_id, k in known.items():
            if k.deleted or article_id in seen or article_id in refused or k.path in failed_rels:
                continue
            stored = searcher.document(id=article_id)
            if stored is not None:
                writer.update_document(**tombstone(stored, now, home))
                report.deleted += 1
        add_stories(current_index_path(home), changed)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=merge_small_segments)
    report.failures.sort()
    folder = current_index_path(home)
    _check_and_count(folder, report)
    report.index_path = str(folder)
    return report


def _load_for_pool(args: tuple[str, str]) -> Loaded:
    home, rel = args
    return load_file(Path(home), rel)
