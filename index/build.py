"""Writing the index: bulk rebuilds on every core, incremental updates, tombstones, the swap.

Layout under ``<home>/index``::

    CURRENT.json            {"current": "build-...", "previous": "build-..."}, replaced atomically
    build-<utc>-<pid>-<r>/  one complete Whoosh index each, with newsarchive-index.json inside
                            (the schema version it was built with)
    .reindex.lock           held (flock) by a running reindex; the kernel drops it if it dies

A full ``reindex`` builds into a new folder while the current one keeps answering, then replaces
``CURRENT.json`` in one rename: readers see the old index or the new one, never half of one. A
reindex killed at any point leaves ``CURRENT.json`` as it was; its folder is removed by the next
one. The folder that was current before the swap is kept until the following reindex, so a
searcher opened on it keeps working.

Bulk speed: ``procs`` worker processes each read and parse a share of the files (libyaml through
``archive.store``'s fast path) and write their own Whoosh segment; the parent only adds the
segments to the new index's table of contents. Nothing is pickled between processes but paths and
small reports, and no segment merge runs at the end (see ``_merge_small_segments``).

Incremental: ``update_documents`` after an ingest and ``delete_documents`` (tombstones: the
document stays with ``deleted`` set, for ``as_of`` replays) commit into the live index without
long merges. A writer that finds the index locked waits up to ``timeout`` seconds, then raises
``IndexUnavailable`` with a message saying what to do.

Datetimes are stored naive, in UTC (Whoosh compares naive values).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import json
import multiprocessing
import os
import queue as queue_module
import re
import secrets
import shutil
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import whoosh.index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.util.filelock import try_for
from whoosh.writing import SegmentWriter

from archive.article import Article, compute_content_hash
from archive.identity import derive_id
from archive.errors import FormatError, IndexUnavailable, InputError, NewsarchiveError
from archive.home import index_dir
from archive.store import MAX_FILE_BYTES, Store, atomic_write_text, decode_text, parse_article
from index.bulkwriter import BulkSegmentWriter
from index.schema import SCHEMA_VERSION, build_schema

INDEX_NAME = "MAIN"
POINTER_FILE = "CURRENT.json"
META_FILE = "newsarchive-index.json"
BUILD_PREFIX = "build-"
REINDEX_LOCK = ".reindex.lock"

NO_INDEX = "no index yet: run `newsarchive reindex`"

#: below this many files a rebuild runs in this process (starting workers costs more)
MIN_FILES_PER_WORKER = 200
#: incremental commits merge only segments smaller than this, and only once there are many
SMALL_SEGMENT_DOCS = 2_000
MAX_SMALL_SEGMENTS = 8
#: how long a full reindex waits for an ingest holding the live index before its swap
SWAP_LOCK_TIMEOUT = 120.0

Progress = Callable[[int, int], None]


# ----------------------------------------------------------------------------------- report --

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


# ------------------------------------------------------------------------------ where it is --

def _root(home: Path) -> Path:
    return index_dir(Path(home))


def _read_pointer(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / POINTER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def current_index_path(home: Path) -> Path | None:
    """The folder of the live index, or ``None`` when there is none yet."""
    root = _root(home)
    name = _read_pointer(root).get("current")
    if not isinstance(name, str) or not name.startswith(BUILD_PREFIX) or "/" in name:
        return None
    path = root / name
    return path if path.is_dir() else None


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _older(version: Any) -> IndexUnavailable:
    return IndexUnavailable(
        f"the index was built by an older version (schema {version}): run `newsarchive reindex`"
    )


def _open_folder(folder: Path) -> whoosh.index.Index:
    """Open the index in ``folder`` without mmap: Whoosh copies each mmapped compound sub-file
    into a BytesIO per reader, so every searcher (one per server thread, or the count after a
    rebuild) would hold a copy of the whole index in memory. Plain file reads go through the OS
    page cache, shared by all of them."""
    return FileStorage(str(folder), supports_mmap=False).open_index(INDEX_NAME)


def open_index(home: Path) -> whoosh.index.Index:
    """The live index, checked against this version's schema."""
    root = _root(home)
    path = current_index_path(home)
    if path is None:
        if root.is_dir() and any(root.glob(f"_{INDEX_NAME}_*.toc")):
            raise _older(0)  # a bare Whoosh index from before the versioned layout
        raise IndexUnavailable(NO_INDEX)
    version = _read_meta(path).get("schema_version", 0)
    if version != SCHEMA_VERSION:
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise IndexUnavailable(
                f"the index was built by a newer version (schema {version}, this one reads "
                f"{SCHEMA_VERSION}): upgrade newsarchive or run `newsarchive reindex`"
            )
        raise _older(version)
    try:
        return _open_folder(path)
    except (whoosh.index.IndexError, OSError, EOFError, ValueError) as exc:
        raise IndexUnavailable(
            f"the index in {path} cannot be opened ({exc.__class__.__name__}): "
            "run `newsarchive reindex`"
        ) from None


_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")


def index_generation(home: Path) -> str:
    """A token that changes whenever what a search sees changes: a swap to a new build or a new
    commit into the live one. Costs one small file read and one directory listing."""
    path = current_index_path(home)
    if path is None:
        return "none"
    try:
        generations = [int(m.group(1)) for m in map(_TOC.match, os.listdir(path)) if m]
    except OSError:
        return "none"
    return f"{path.name}:{max(generations, default=-1)}"


# -------------------------------------------------------------------------------- documents --

def _naive_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def _keyword(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return text or None


def document_for(article: Article, path: Path | str, home: Path) -> dict[str, Any]:
    """The Whoosh fields of one article (names as in ``index/schema.py``).

    Keyword fields (``source``, ``category``, ``sentiment``, ``lang``) are lower-cased; ``tags``
    are comma-joined as written (the field lower-cases its terms, the stored value keeps the
    case); datetimes are naive UTC; ``path`` is relative to ``home``. An article without
    ``ingestedAt`` (written by another tool) counts as ingested when it was published."""
    path = Path(path)
    home = Path(home)
    if path.is_absolute():
        try:
            path = path.relative_to(home)
        except ValueError:
            path = Path(os.path.relpath(path, home))
    tags = [t.replace(",", " ").strip() for t in article.tags]
    # an undated article has no ``published`` in the index (the undated contract, index/schema.py)
    published = _naive_utc(article.published)
    doc: dict[str, Any] = {
        "id": article.id or derive_id(article),
        "title": article.title,
        "description": article.description,
        "body": article.body,
        "source": _keyword(article.source_key),
        "source_name": article.source_name,
        "tags": ",".join(t for t in tags if t) or None,
        "category": _keyword(article.category),
        "sentiment": _keyword(article.sentiment),
        "lang": _keyword(article.lang) or "en",
        "author": article.author,
        "url": article.url or article.canonical_url,
        "published": published,
        "date_source": article.date_source,
        "ingested": _naive_utc(article.ingested_at) or _naive_utc(article.published_at),
        "draft": bool(article.draft),
        "content_hash": article.content_hash or compute_content_hash(article.body),
        "path": path.as_posix(),
        "sticky": article.sticky_weight or 0,
    }
    return {name: value for name, value in doc.items() if value is not None}


def _file_hash(data: bytes) -> str:
    return "b2:" + hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class _Loaded:
    rel: str
    doc: dict[str, Any] | None
    error: str | None
    mtime_ns: int
    size: int


def _load(home: Path, rel: str) -> _Loaded:
    """Read, parse and turn one article file into a document; never raises for a bad file."""
    path = home / rel
    try:
        st = os.stat(path)
        if st.st_size > MAX_FILE_BYTES:
            raise InputError(f"the file is {st.st_size // 1024 // 1024} MB; articles are limited to "
                             f"{MAX_FILE_BYTES // 1024 // 1024} MB")
        data = path.read_bytes()
    except OSError as exc:
        return _Loaded(rel, None, f"cannot read the file: {exc.strerror}", 0, -1)
    except InputError as exc:
        return _Loaded(rel, None, exc.message, st.st_mtime_ns, st.st_size)
    try:
        article = parse_article(decode_text(data))
    except (FormatError, InputError) as exc:
        return _Loaded(rel, None, exc.message, st.st_mtime_ns, st.st_size)
    doc = document_for(article, rel, home)
    doc["file_hash"] = _file_hash(data)
    return _Loaded(rel, doc, None, st.st_mtime_ns, st.st_size)


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return 0, -1
    return st.st_mtime_ns, st.st_size


def _tombstone(stored: dict[str, Any], when: datetime, home: Path) -> dict[str, Any]:
    """A document for a deleted article: its stored fields with ``deleted`` set. The body is not
    stored in the index; if the file is still there (deleted from the index only) it is read so
    the tombstone still matches its words."""
    doc = {k: v for k, v in stored.items() if v is not None}
    doc["deleted"] = _naive_utc(when)
    rel = stored.get("path")
    if rel:
        loaded = _load(home, rel)
        if loaded.doc is not None and loaded.doc["id"] == stored.get("id"):
            doc["body"] = loaded.doc["body"]
    return doc


# ---------------------------------------------------------------------------------- locking --

#: descriptors of the locks this process holds; a forked worker closes its copies at once, so
#: the lock is released when the parent dies even if a worker lives on for a moment
_HELD_LOCK_FDS: set[int] = set()


@contextlib.contextmanager
def _flock(path: Path, *, timeout: float, message: str) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``, waited for up to ``timeout`` seconds. The kernel drops
    it when this process dies, however it dies; two holders in one process exclude each other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexUnavailable(message) from None
                time.sleep(0.05)
        _HELD_LOCK_FDS.add(fd)
        yield
    finally:
        _HELD_LOCK_FDS.discard(fd)
        os.close(fd)  # closing drops the lock


def _locked_message(timeout: float) -> str:
    return (f"the index is locked by another writer (an ingest, a delete or a reindex) and stayed "
            f"locked for {timeout:g} s; try again when it has finished")


def _new_build_folder(root: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    folder = root / f"{BUILD_PREFIX}{stamp}-{os.getpid()}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    return folder


def _write_meta(folder: Path, **extra: Any) -> None:
    meta = {"schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), **extra}
    atomic_write_text(folder / META_FILE, json.dumps(meta, indent=2) + "\n")


def _swap(root: Path, folder: Path) -> None:
    """Make ``folder`` the live index in one rename; the one it replaces is kept as previous."""
    old = _read_pointer(root).get("current")
    pointer = {"current": folder.name, "previous": old if old != folder.name else None}
    atomic_write_text(root / POINTER_FILE, json.dumps(pointer) + "\n")


def _clean_leftovers(root: Path) -> None:
    """Remove build folders that are neither current nor previous (interrupted rebuilds, older
    generations). Only called while holding the reindex lock."""
    pointer = _read_pointer(root)
    keep = {pointer.get("current"), pointer.get("previous")}
    for child in root.glob(f"{BUILD_PREFIX}*"):
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)


def _create_empty_index(home: Path, timeout: float) -> None:
    """An empty live index, for the first ingest into a new home folder."""
    root = _root(home)
    with _flock(root / REINDEX_LOCK, timeout=timeout,
                message=f"a reindex has been building the index for more than {timeout:g} s; the "
                        "articles are saved: run `newsarchive reindex --changed` when it is done"):
        if current_index_path(home) is not None:
            return
        folder = _new_build_folder(root)
        whoosh.index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
        _write_meta(folder)
        _swap(root, folder)


def _live_writer(home: Path, timeout: float, *, bulk: bool = False) -> SegmentWriter:
    """A writer on the live index, waiting up to ``timeout`` for the lock. If a reindex swapped
    in a new index while we waited, the writer is moved to the new one."""
    home = Path(home)
    deadline = time.monotonic() + timeout
    for _ in range(20):
        path = current_index_path(home)
        if path is None:
            _create_empty_index(home, max(0.0, deadline - time.monotonic()))
            continue
        ix = open_index(home)
        wait = max(0.0, deadline - time.monotonic())
        try:
            writer = (BulkSegmentWriter(ix, timeout=wait, delay=0.05) if bulk
                      else ix.writer(timeout=wait, delay=0.05))
        except LockError:
            raise IndexUnavailable(_locked_message(timeout)) from None
        if current_index_path(home) == path:
            return writer
        writer.cancel()  # swapped while we waited: write to the new one
    raise IndexUnavailable("the index keeps being replaced; try again when the reindex is done")


# -------------------------------------------------------------------------- merge policy --

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


_merge_small_segments = merge_small_segments


# ------------------------------------------------------------------------ incremental writes --

def update_documents(home: Path, items: list[tuple[Path, Article]], *, timeout: float = 30.0) -> None:
    """Add or replace the documents of just-saved articles in the live index (creating it if
    there is none). Searchable as soon as this returns; a tombstone with the same id is replaced."""
    if not items:
        return
    home = Path(home)
    docs = []
    for path, article in items:
        doc = document_for(article, path, home)
        try:
            doc["file_hash"] = _file_hash((home / doc["path"]).read_bytes())
        except OSError:
            pass  # no hash: the next ``reindex --changed`` reads the file again
        docs.append(doc)
    writer = _live_writer(home, timeout)
    try:
        for doc in docs:
            writer.update_document(**doc)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=_merge_small_segments)


def delete_documents(home: Path, ids: Iterable[str], *, when: datetime, timeout: float = 30.0) -> None:
    """Turn the documents of deleted articles into tombstones: they stay in the index with
    ``deleted`` set (normal searches skip them; an ``as_of`` before ``when`` still finds them).
    Unknown ids and existing tombstones are left alone."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return
    home = Path(home)
    writer = _live_writer(home, timeout)
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
            writer.update_document(**_tombstone(stored, when, home))
            changed += 1
    except BaseException:
        writer.cancel()
        raise
    if changed:
        writer.commit(mergetype=_merge_small_segments)
    else:
        writer.cancel()


# ------------------------------------------------------------------------------- rebuilding --

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


def reindex(home: Path, *, procs: int | None = None, changed_only: bool = False,
            progress: Progress | None = None) -> ReindexReport:
    """Rebuild the index from the article files.

    Full (default): build a new index in a new folder with ``procs`` worker processes (default:
    every core), then swap it in. ``changed_only``: update the live index in place, reading only
    the files whose bytes changed since they were indexed, and turn the documents of deleted
    files into tombstones (a full rebuild when there is no usable index). Files that fail to
    parse are listed in the report with the reason; the index is built from the rest."""
    home = Path(home)
    started = time.monotonic()
    procs = max(1, procs or os.cpu_count() or 1)
    root = _root(home)
    root.mkdir(parents=True, exist_ok=True)
    with _flock(root / REINDEX_LOCK, timeout=0.0,
                message="another reindex is running on this home folder; wait for it to finish"):
        _clean_leftovers(root)
        report = None
        if changed_only:
            try:
                ix = open_index(home)
            except IndexUnavailable:
                ix = None
            if ix is not None:
                report = _reindex_changed(home, ix, procs, progress)
        if report is None:
            report = _reindex_full(home, procs, progress)
    report.seconds = time.monotonic() - started
    return report


def _relative_paths(home: Path) -> list[str]:
    return [p.relative_to(home).as_posix() for p in Store(home).iter_paths()]


def _reindex_full(home: Path, procs: int, progress: Progress | None) -> ReindexReport:
    root = _root(home)
    report = ReindexReport(mode="full")
    rels = _relative_paths(home)
    report.files = len(rels)
    try:
        old_ix = open_index(home)
    except IndexUnavailable:
        old_ix = None
    old_known, old_tombstones = _index_state(old_ix) if old_ix is not None else ({}, {})

    folder = _new_build_folder(root)
    ix = whoosh.index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
    workers = min(procs, max(1, len(rels) // MIN_FILES_PER_WORKER))
    report.procs = workers
    entries: dict[str, _Loaded] = {}  # rel -> what was indexed (id, hashes) or why it failed
    if workers == 1:
        segments = _inline_segment(home, folder, rels, entries, progress)
    else:
        segments = _build_segments(home, folder, rels, workers, entries, progress)
    # The parent's writer adds the workers' segments to the table of contents as they are; what
    # it adds itself (duplicates, tombstones, late changes) is one small extra segment.
    writer = ix.writer()
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
        winner = _load(home, first_rel[article_id])
        if winner.doc is not None:
            writer.add_document(**winner.doc)

    # Files that changed while we read (an ingest into the old index): read them again while
    # holding the old index's write lock, so nothing committed there is missing here.
    old_lock = None
    if old_ix is not None:
        old_lock = old_ix.lock("WRITELOCK")
        if not try_for(old_lock.acquire, timeout=SWAP_LOCK_TIMEOUT, delay=0.05):
            writer.cancel()
            shutil.rmtree(folder, ignore_errors=True)
            raise IndexUnavailable(_locked_message(SWAP_LOCK_TIMEOUT))
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
                    writer.add_document(**_tombstone(stored, now, home))
                    report.deleted += 1
        report.added += sum(1 for i in first_rel if i not in old_known)
        writer.commit(mergetype=_merge_small_segments)
        _write_meta(folder, files=report.files)
        _swap(root, folder)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    finally:
        if old_searcher is not None:
            old_searcher.close()
        if old_lock is not None:
            old_lock.release()
    _count_documents(folder, report)
    report.index_path = str(folder)
    _clean_leftovers(root)
    return report


def _slim(loaded: _Loaded) -> _Loaded:
    """Keep what the rest of the rebuild needs (id, path, hashes), not the body."""
    if loaded.doc is None:
        return loaded
    doc = {k: loaded.doc[k] for k in ("id", "file_hash", "path") if k in loaded.doc}
    return _Loaded(loaded.rel, doc, None, loaded.mtime_ns, loaded.size)


def _count_documents(folder: Path, report: ReindexReport) -> None:
    from whoosh.query import Every

    ix = _open_folder(folder)
    with ix.searcher() as searcher:
        report.tombstones = sum(1 for _ in searcher.docs_for_query(Every("deleted")))
        report.documents = searcher.doc_count() - report.tombstones


def _catch_up(home: Path, writer: SegmentWriter, entries: dict[str, _Loaded],
              first_rel: dict[str, str], report: ReindexReport) -> None:
    """Index again the files that appeared or changed since they were read; drop the documents
    of files that disappeared (unless the id lives on in another file)."""
    rels = _relative_paths(home)
    present = set(rels)
    changed = [rel for rel in rels
               if rel not in entries or _stat(home / rel) != (entries[rel].mtime_ns, entries[rel].size)]
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
        loaded = _load(home, rel)
        report.failures = [(r, e) for r, e in report.failures if r != rel]
        previous = entries.get(rel)
        if previous is not None and previous.doc is not None and first_rel.get(previous.doc["id"]) == rel:
            del first_rel[previous.doc["id"]]
            writer.delete_by_term("id", previous.doc["id"])
        entries[rel] = _slim(loaded)
        if loaded.doc is None:
            report.failures.append((rel, loaded.error or "unknown error"))
            continue
        writer.update_document(**loaded.doc)
        first_rel[loaded.doc["id"]] = rel
    report.files = len(present)
    report.failures.sort()


# ------------------------------------------------------------------------- worker processes --

def _mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` is cheapest (nothing to import again) but unsafe once threads run; then spawn."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _index_chunk(writer: SegmentWriter, home: Path, rels: list[str]) -> list[_Loaded]:
    done = []
    for rel in rels:
        loaded = _load(home, rel)
        if loaded.doc is not None:
            try:
                writer.add_document(**loaded.doc)
            except Exception as exc:  # a value Whoosh refuses: report it, index the rest
                loaded = _Loaded(rel, None, f"cannot be indexed: {exc}", loaded.mtime_ns, loaded.size)
        done.append(_slim(loaded))
    return done


def _finish_segment(writer: SegmentWriter) -> Any:
    """Write out a worker's segment (not the table of contents: the parent does that)."""
    if writer._added:
        return writer._finalize_segment()
    writer._close_segment()
    return None


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Building a segment allocates millions of small containers that live until the flush and
    form no cycles; Python's cyclic collector would scan them again and again (about 15% of the
    CPU of a build). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _inline_segment(home: Path, folder: Path, rels: list[str], entries: dict[str, _Loaded],
                    progress: Progress | None) -> list:
    ix = _open_folder(folder)
    writer = BulkSegmentWriter(ix, _lk=False)
    with _without_cyclic_gc():
        for start in range(0, len(rels), 64):
            for loaded in _index_chunk(writer, home, rels[start:start + 64]):
                entries[loaded.rel] = loaded
            if progress:
                progress(len(entries), len(rels))
        segment = _finish_segment(writer)
    return [segment] if segment is not None else []


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (a reindex killed with SIGKILL);
    elsewhere the ``getppid`` check in the loop does it, one chunk later."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _segment_worker(home: str, folder: str, first: list[str], jobs: Any, results: Any,
                    parent: int) -> None:
    """One worker: take chunks of paths (``first``, then from ``jobs``), parse each file and add
    it to this worker's own segment; at the end, send the segment (its metadata; the files are on
    disk) to the parent."""
    for fd in list(_HELD_LOCK_FDS):  # copies inherited through fork: the parent holds the lock
        with contextlib.suppress(OSError):
            os.close(fd)
    _die_with_parent()
    gc.disable()  # as in ``_without_cyclic_gc``: this process ends with its segment
    try:
        ix = _open_folder(Path(folder))
        writer = BulkSegmentWriter(ix, _lk=False)
        home_path = Path(home)
        if first:
            results.put(("chunk", _index_chunk(writer, home_path, first)))
        while True:
            if os.getppid() != parent:
                return  # the parent was killed: stop, the next reindex removes the folder
            try:
                job = jobs.get(timeout=1.0)
            except queue_module.Empty:
                continue
            if job is None:
                break
            results.put(("chunk", _index_chunk(writer, home_path, job)))
        results.put(("done", _finish_segment(writer)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", traceback.format_exc()))


def _build_segments(home: Path, folder: Path, rels: list[str], workers: int,
                    entries: dict[str, _Loaded], progress: Progress | None) -> list:
    context = _mp_context()
    jobs = context.Queue()
    results = context.Queue()
    chunk = max(8, min(64, len(rels) // (workers * 16) or 8))
    chunks = [rels[start:start + chunk] for start in range(0, len(rels), chunk)]
    # each worker starts with a chunk of its own (one segment per worker, however fast one of
    # them starts), then takes the rest from the shared queue
    processes = [
        context.Process(target=_segment_worker,
                        args=(str(home), str(folder), chunks[n] if n < len(chunks) else [],
                              jobs, results, os.getpid()),
                        daemon=True)
        for n in range(workers)
    ]
    for process in processes:  # before the first put starts the queue's feeder thread
        process.start()
    for job in chunks[workers:]:
        jobs.put(job)
    for _ in range(workers):
        jobs.put(None)
    segments = []
    finished = 0
    try:
        while finished < workers:
            try:
                kind, payload = results.get(timeout=1.0)
            except queue_module.Empty:
                dead = [p for p in processes if p.exitcode not in (None, 0)]
                if dead:
                    raise NewsarchiveError(f"an index worker died (exit code {dead[0].exitcode})")
                continue
            if kind == "chunk":
                for loaded in payload:
                    entries[loaded.rel] = loaded
                if progress:
                    progress(len(entries), len(rels))
            elif kind == "done":
                finished += 1
                if payload is not None:
                    segments.append(payload)
            else:
                raise NewsarchiveError(f"an index worker failed:\n{payload}")
        for process in processes:
            process.join()
    except BaseException:
        for process in processes:
            if process.is_alive():
                process.terminate()
        raise
    return segments


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
            if _file_hash(data) == indexed[1]:
                seen.setdefault(indexed[0], rel)
                continue
        todo.append(rel)
    report.unchanged = len(seen)
    loaded_docs: list[_Loaded] = []
    workers = min(procs, max(1, len(todo) // MIN_FILES_PER_WORKER))
    report.procs = workers
    if workers > 1:
        with _mp_context().Pool(workers) as pool:
            for done, loaded in enumerate(pool.imap(_load_for_pool, [(str(home), r) for r in todo],
                                                    chunksize=16), 1):
                loaded_docs.append(loaded)
                if progress:
                    progress(report.unchanged + done, len(rels))
    else:
        for done, rel in enumerate(todo, 1):
            loaded_docs.append(_load(home, rel))
            if progress:
                progress(report.unchanged + done, len(rels))

    writer = _live_writer(home, SWAP_LOCK_TIMEOUT, bulk=True)
    try:
        for loaded in loaded_docs:
            if loaded.doc is None:
                report.failures.append((loaded.rel, loaded.error or "unknown error"))
                continue
            article_id = loaded.doc["id"]
            if article_id in seen:
                report.duplicates.append((article_id, seen[article_id], loaded.rel))
                continue
            seen[article_id] = loaded.rel
            writer.update_document(**loaded.doc)
            k = known.get(article_id)
            if k is None or k.deleted:
                report.added += 1
            else:
                report.updated += 1
        failed_rels = {rel for rel, _ in report.failures}
        now = datetime.now(timezone.utc)
        searcher = writer.searcher()
        for article_id, k in known.items():
            if k.deleted or article_id in seen or k.path in failed_rels:
                continue
            stored = searcher.document(id=article_id)
            if stored is not None:
                writer.update_document(**_tombstone(stored, now, home))
                report.deleted += 1
    except BaseException:
        writer.cancel()
        raise
    writer.commit(mergetype=_merge_small_segments)
    report.failures.sort()
    folder = current_index_path(home)
    _count_documents(folder, report)
    report.index_path = str(folder)
    return report


def _load_for_pool(args: tuple[str, str]) -> _Loaded:
    home, rel = args
    return _load(Path(home), rel)
