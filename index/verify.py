"""Check a home folder: the files parse, ids are unique, and the index agrees with the files.

The index agrees with a file when its live document has the file's path and the hash of the
file's bytes (``file_hash``, as a reindex stores it): a hand edit anywhere in the file (the body
too, which leaves ``contentHash`` as it was) makes the document stale. A file without an ``id``
line (written by another tool) is checked under the id the index gives it (``derive_id``).

``verify_home`` only reads. With ``repair=True`` it brings the index in line with the files
(adds missing and stale documents, turns documents without a file into tombstones) and removes
temporary files left by interrupted writes; it never deletes or changes an article file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archive.article import Article
from archive.errors import FormatError, IndexUnavailable
from archive.identity import derive_id
from archive.store import Store
from index import build
from index.documents import document_for, file_hash
from index.live import REINDEX_LOCK, flock, index_root, pointer_leftovers


@dataclass
class VerifyReport:
    files: int = 0
    #: (path, reason) of article files that do not parse
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    #: id -> the files that claim it (only ids claimed more than once)
    duplicate_ids: dict[str, list[str]] = field(default_factory=dict)
    #: leftovers of interrupted writes (``.name.xxxx.tmp``); never read as articles
    temp_files: list[str] = field(default_factory=list)
    #: ids with a file but no live document in the index
    missing: list[str] = field(default_factory=list)
    #: ids with a live document but no file
    extra: list[str] = field(default_factory=list)
    #: ids whose document is not the file as it is now (its bytes or its path changed)
    stale: list[str] = field(default_factory=list)
    index_error: str | None = None
    repaired: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.unreadable or self.duplicate_ids or self.temp_files or self.missing
                    or self.extra or self.stale or self.index_error)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "files": self.files,
            "unreadable": [{"path": p, "error": e} for p, e in self.unreadable],
            "duplicate_ids": self.duplicate_ids,
            "temp_files": self.temp_files,
            "missing": self.missing,
            "extra": self.extra,
            "stale": self.stale,
            "index_error": self.index_error,
            "repaired": self.repaired,
        }


def verify_home(home: Path, *, repair: bool = False, timeout: float = 30.0) -> VerifyReport:
    home = Path(home)
    report = VerifyReport()
    store = Store(home)
    articles: dict[str, tuple[Path, Article]] = {}
    hashes: dict[str, str] = {}
    claims: dict[str, list[str]] = {}
    for path, data, article, error in store.iter_files():
        report.files += 1
        rel = path.relative_to(home).as_posix()
        if article is None or data is None:
            report.unreadable.append((rel, getattr(error, "message", str(error))))
            continue
        try:  # a value the index cannot hold makes the file as unusable as a parse error
            document_for(article, path, home)
        except FormatError as exc:
            report.unreadable.append((rel, exc.message))
            continue
        article_id = article.id or derive_id(article)
        claims.setdefault(article_id, []).append(rel)
        if article_id not in articles:
            articles[article_id] = (path, article)
            hashes[article_id] = file_hash(data)
    report.duplicate_ids = {i: paths for i, paths in claims.items() if len(paths) > 1}
    if store.articles_dir.is_dir():
        report.temp_files = sorted(
            p.relative_to(home).as_posix() for p in store.articles_dir.rglob(".*.tmp") if p.is_file()
        )
    report.temp_files += [p.relative_to(home).as_posix() for p in pointer_leftovers(index_root(home))]

    try:
        documents = _live_documents(home)
    except IndexUnavailable as exc:
        report.index_error = exc.message
        documents = None
    if documents is not None:
        for article_id, (path, article) in articles.items():
            doc = documents.get(article_id)
            if doc is None:
                report.missing.append(article_id)
            elif (doc.get("file_hash") != hashes[article_id]
                  or doc.get("path") != path.relative_to(home).as_posix()):
                report.stale.append(article_id)
        # the document of a file that cannot be read stays as it was (as in ``reindex``)
        unreadable = {rel for rel, _ in report.unreadable}
        report.extra = sorted(i for i, doc in documents.items()
                              if i not in articles and doc.get("path") not in unreadable)
        report.missing.sort()
        report.stale.sort()

    if repair:
        _repair(home, report, articles, timeout=timeout)
    return report


def _live_documents(home: Path) -> dict[str, dict[str, Any]]:
    """id -> stored fields of every document that is not a tombstone."""
    ix = build.open_index(home)
    try:
        with ix.searcher() as searcher:
            return {
                fields["id"]: fields
                for fields in searcher.all_stored_fields()
                if fields.get("id") and not fields.get("deleted")
            }
    finally:
        ix.close()


def _repair(home: Path, report: VerifyReport, articles: dict[str, tuple[Path, Article]],
            *, timeout: float) -> None:
    pointers = {p.relative_to(home).as_posix() for p in pointer_leftovers(index_root(home))}
    for rel in report.temp_files:
        if rel not in pointers:
            (home / rel).unlink(missing_ok=True)
    if pointers:  # under the reindex lock: a rebuild's own swap is never cut short
        with flock(index_root(home) / REINDEX_LOCK, timeout=timeout,
                   message=f"a reindex has held the index for more than {timeout:g} s; run "
                           "`newsarchive verify --repair` again when it is done"):
            for leftover in pointer_leftovers(index_root(home)):
                leftover.unlink(missing_ok=True)
    report.repaired["temp_files_removed"] = len(report.temp_files)
    if report.index_error is not None:
        # no usable index: build one from the files (the old one, if any, stays until the swap)
        build.reindex(home)
        report.repaired["reindexed"] = len(articles)
        return
    todo = [articles[i] for i in report.missing + report.stale]
    if todo:
        build.update_documents(home, todo, timeout=timeout)
    if report.extra:
        build.delete_documents(home, report.extra, when=datetime.now(timezone.utc))
    report.repaired.update(indexed=len(todo), tombstoned=len(report.extra))
