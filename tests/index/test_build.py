"""Building the index on a real Whoosh index in tmp_path: full rebuilds, ``--changed``,
incremental updates, tombstones, schema versions, the atomic swap, interrupted rebuilds, locks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from whoosh.query import Every, Term

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.errors import IndexUnavailable
from archive.store import Store, render_article
from index import build, rebuild
from index.documents import file_hash
from index.live import flock
from index.build import (
    current_index_path,
    delete_documents,
    document_for,
    index_generation,
    open_index,
    reindex,
    update_documents,
)
from index.schema import SCHEMA_VERSION
from tests.conftest import REPO
from tests.index.fixtures import fixture_articles, write_fixture_articles

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


def new_article(n: int, **changes) -> Article:
    body = f"Quarterly results number {n} beat estimates as zebrafish exports grew."
    article = Article(
        title=f"Zebrafish exporter {n} beats estimates",
        published_at=datetime(2026, 2, 20, 9, n % 60, tzinfo=timezone.utc),
        body=body,
        lang="en",
        source=Source(name="Harbour Post", key="harbourpost"),
        tags=("TRADE",),
        sentiment="POSITIVE",
        url=f"https://harbourpost.example/zebrafish-{n}",
        ingested_at=datetime(2026, 2, 20, 12, 0, tzinfo=timezone.utc),
        content_hash=compute_content_hash(body),
    ).replace(**changes)
    return article.replace(id=derive_id(article))


def save(home: Path, article: Article) -> tuple[Path, Article]:
    result = Store(home).save(article)
    return result.path, result.article


def stored_docs(home: Path) -> dict[str, dict]:
    ix = open_index(home)
    with ix.searcher() as searcher:
        return {d["id"]: d for d in searcher.all_stored_fields()}


def ids_matching(home: Path, field: str, text: str) -> set[str]:
    ix = open_index(home)
    (term,) = ix.schema[field].process_text(text, mode="query")  # as the field analyses it
    with ix.searcher() as searcher:
        return {searcher.stored_fields(n)["id"] for n in searcher.docs_for_query(Term(field, term))}


def counts(report: build.ReindexReport) -> dict:
    data = report.to_dict()
    return {k: data[k] for k in ("mode", "files", "added", "updated", "deleted", "unchanged",
                                 "failed", "documents", "tombstones")}


# ---------------------------------------------------------------------------- documents --

def test_document_for_maps_every_field() -> None:
    article = fixture_articles()[0]
    home = Path("/srv/news")
    doc = document_for(article, home / "articles/2026/02/bitcoin.en.md", home)
    assert doc == {
        "id": article.id,
        "title": "Bitcoin slips below $74,000 as tech stocks drag crypto lower",
        "description": "Miners tied to AI data centres fall hardest.",
        "body": article.body,
        "source": "coindesk",
        "source_name": "CoinDesk",
        "tags": "BTC,MARKETS",
        "category": "btc",
        "sentiment": "negative",
        "lang": "en",
        "author": "Coindesk Staff",
        "url": "https://coindesk.example/2026/02/bitcoin-slips-below-74000",
        "published": datetime(2026, 2, 4, 15, 48),
        "published_utc": datetime(2026, 2, 4, 15, 48),
        "date_source": "provided",
        "ingested": datetime(2026, 2, 4, 17, 48),
        "draft": False,
        "content_hash": article.content_hash,
        "path": "articles/2026/02/bitcoin.en.md",
        "sticky": 0,
    }


def test_document_for_defaults_and_odd_values() -> None:
    article = Article(title="Bare", published_at=datetime(2026, 1, 1, tzinfo=timezone.utc), body="Text.",
                      tags=("A, B", "c"), canonical_url="https://x.example/bare", draft=True)
    doc = document_for(article, "articles/2026/01/bare.en.md", Path("/h"))
    assert doc == {
        "id": derive_id(article),
        "title": "Bare",
        "body": "Text.",
        "source": "unknown",
        "source_name": "Unknown",
        "tags": "A  B,c",
        "lang": "en",
        "url": "https://x.example/bare",
        "published": datetime(2026, 1, 1),
        "published_utc": datetime(2026, 1, 1),
        "ingested": datetime(2026, 1, 1),  # no ingestedAt: counts as ingested when published
        "draft": True,
        "content_hash": compute_content_hash("Text."),
        "path": "articles/2026/01/bare.en.md",
        "sticky": 0,
    }


# --------------------------------------------------------------------------- full build --

def test_full_build_indexes_every_file(home: Path) -> None:
    articles = write_fixture_articles(home)
    report = reindex(home, procs=1)
    assert counts(report) == {"mode": "full", "files": 20, "added": 20, "updated": 0, "deleted": 0,
                              "unchanged": 0, "failed": 0, "documents": 20, "tombstones": 0}
    docs = stored_docs(home)
    assert sorted(docs) == sorted(a.id for a in articles)
    path = Store(home).path_of(articles[3].id)
    expected = document_for(articles[3], path, home)
    expected.pop("body")  # not stored
    expected["file_hash"] = file_hash(path.read_bytes())
    assert docs[articles[3].id] == expected
    meta = json.loads((current_index_path(home) / build.META_FILE).read_text())
    assert meta["schema_version"] == SCHEMA_VERSION
    assert meta["files"] == 20


def test_parallel_build_matches_inline_build(home: Path, tmp_path: Path, monkeypatch) -> None:
    write_fixture_articles(home)
    reindex(home, procs=1)
    inline = stored_docs(home)
    monkeypatch.setattr(rebuild, "MIN_FILES_PER_WORKER", 5)
    report = reindex(home, procs=2)
    assert report.procs == 2
    assert counts(report) == {"mode": "full", "files": 20, "added": 0, "updated": 0, "deleted": 0,
                              "unchanged": 20, "failed": 0, "documents": 20, "tombstones": 0}
    assert stored_docs(home) == inline
    assert ids_matching(home, "body", "miner") == {a.id for a in fixture_articles()
                                                    if "miners" in a.body.lower()}
    ix = open_index(home)
    assert len(ix._segments()) == 2  # one segment per worker, not merged


def test_bad_files_are_reported_and_the_rest_indexed(home: Path) -> None:
    write_fixture_articles(home)
    bad = home / "articles/2026/02/broken.en.md"
    bad.write_text("---\ntitle: [unclosed\n---\nBody\n", encoding="utf-8")
    (home / "articles/2026/02/nofront.en.md").write_text("Just text.\n", encoding="utf-8")
    report = reindex(home, procs=1)
    assert report.failures == [
        ("articles/2026/02/broken.en.md",
         "the frontmatter is not valid YAML at line 1, column 17: expected ',' or ']', but got '<stream end>'"),
        ("articles/2026/02/nofront.en.md", "the file has no YAML frontmatter block (--- ... ---)"),
    ]
    assert (report.files, report.documents) == (22, 20)


def test_duplicate_ids_keep_the_first_file(home: Path) -> None:
    articles = write_fixture_articles(home)
    first = Store(home).path_of(articles[0].id)
    copy = first.with_name("zz-copy.en.md")
    copy.write_text(render_article(articles[0].replace(title="A moved copy")), encoding="utf-8")
    report = reindex(home, procs=1)
    rel = first.relative_to(home).as_posix()
    assert report.duplicates == [(articles[0].id, rel, copy.relative_to(home).as_posix())]
    assert report.documents == 20
    assert stored_docs(home)[articles[0].id]["title"] == articles[0].title


# -------------------------------------------------------------------------------- --changed --

def test_changed_adds_updates_and_tombstones(indexed_home) -> None:
    home, articles = indexed_home
    store = Store(home)
    save(home, articles[1].replace(tags=("ETH", "STAKING")))  # frontmatter-only change
    gone = store.path_of(articles[2].id)
    gone.unlink()
    path, added = save(home, new_article(1))
    generation = index_generation(home)

    report = reindex(home, changed_only=True)
    assert counts(report) == {"mode": "changed", "files": 20, "added": 1, "updated": 1, "deleted": 1,
                              "unchanged": 18, "failed": 0, "documents": 20, "tombstones": 1}
    assert index_generation(home) != generation
    docs = stored_docs(home)
    assert docs[articles[1].id]["tags"] == "ETH,STAKING"
    assert docs[added.id]["path"] == path.relative_to(home).as_posix()
    tomb = docs[articles[2].id]
    assert tomb["deleted"] > datetime(2026, 1, 1)
    assert {k: v for k, v in tomb.items() if k != "deleted"} == {
        k: v for k, v in stored_docs_before_delete(articles[2], home).items()}
    # a tombstone still matches its stored fields (as_of replays), and stays one on a rebuild
    assert articles[2].id in ids_matching(home, "source", "theblock")
    again = reindex(home, changed_only=True)
    assert counts(again)["unchanged"] == 20 and again.deleted == 0 and again.tombstones == 1
    full = reindex(home, procs=1)
    assert (full.documents, full.tombstones, full.deleted) == (20, 1, 0)
    assert stored_docs(home)[articles[2].id]["deleted"] == tomb["deleted"]


def stored_docs_before_delete(article: Article, home: Path) -> dict:
    """What the index held for ``article`` before its file went (its fixture file path)."""
    from archive.store import relative_path

    doc = document_for(article, home / relative_path(article), home)
    doc.pop("body")
    rendered = render_article(article).encode("utf-8")
    doc["file_hash"] = file_hash(rendered)
    return doc


def test_changed_without_an_index_builds_one(home: Path) -> None:
    write_fixture_articles(home)
    report = reindex(home, changed_only=True)
    assert (report.mode, report.added, report.documents) == ("full", 20, 20)


def test_a_deleted_file_that_comes_back_is_live_again(indexed_home) -> None:
    home, articles = indexed_home
    path = Store(home).path_of(articles[5].id)
    text = path.read_text(encoding="utf-8")
    path.unlink()
    reindex(home, changed_only=True)
    path.write_text(text, encoding="utf-8")
    report = reindex(home, changed_only=True)
    assert (report.added, report.deleted, report.tombstones) == (1, 0, 0)
    assert "deleted" not in stored_docs(home)[articles[5].id]


# ---------------------------------------------------------------------- incremental writes --

def test_update_documents_creates_the_index_and_is_searchable_at_once(home: Path) -> None:
    assert index_generation(home) == "none"
    path, article = save(home, new_article(2))
    update_documents(home, [(path, article)])
    first = index_generation(home)
    assert ids_matching(home, "body", "zebrafish") == {article.id}
    path, changed = save(home, article.replace(body="Now about herring exports only."))
    update_documents(home, [(path, changed)])
    assert index_generation(home) != first
    assert ids_matching(home, "body", "zebrafish") == set()
    assert ids_matching(home, "body", "herring") == {article.id}
    assert len(stored_docs(home)) == 1


def test_delete_documents_keeps_a_tombstone_that_still_matches(indexed_home) -> None:
    home, articles = indexed_home
    target = articles[4]
    delete_documents(home, [target.id, "no-such-id"], when=NOW)
    docs = stored_docs(home)
    assert docs[target.id]["deleted"] == datetime(2026, 3, 1, 12, 0)
    assert len(docs) == 20
    # the file was still there: the tombstone keeps its body words
    assert target.id in ids_matching(home, "body", "patient")
    generation = index_generation(home)
    delete_documents(home, [target.id], when=datetime(2026, 4, 1, tzinfo=timezone.utc))
    assert index_generation(home) == generation  # already a tombstone: nothing written
    update_documents(home, [(Store(home).path_of(target.id), target)])
    assert "deleted" not in stored_docs(home)[target.id]


def test_small_commits_do_not_pile_up_segments(home: Path) -> None:
    for n in range(build.MAX_SMALL_SEGMENTS + 4):
        update_documents(home, [save(home, new_article(n))])
    ix = open_index(home)
    assert len(ix._segments()) <= build.MAX_SMALL_SEGMENTS + 1
    assert ix.doc_count() == build.MAX_SMALL_SEGMENTS + 4


def test_a_locked_index_makes_writers_wait_then_explain(indexed_home) -> None:
    home, _ = indexed_home
    item = save(home, new_article(3))
    holder = open_index(home).writer()
    started = time.monotonic()
    with pytest.raises(IndexUnavailable) as info:
        update_documents(home, [item], timeout=0.5)
    assert time.monotonic() - started >= 0.5
    assert str(info.value) == ("the index is locked by another writer (an ingest, a delete or a "
                               "reindex) and stayed locked for 0.5 s; try again when it has finished")
    releaser = threading.Timer(0.3, holder.cancel)
    releaser.start()
    update_documents(home, [item], timeout=10)  # waits for the lock, then writes
    releaser.join()
    assert item[1].id in stored_docs(home)


# ------------------------------------------------------------------------ versions, errors --

def test_no_index_and_older_schemas_say_to_reindex(home: Path) -> None:
    with pytest.raises(IndexUnavailable) as info:
        open_index(home)
    assert str(info.value) == "no index yet: run `newsarchive reindex`"
    write_fixture_articles(home)
    reindex(home, procs=1)
    meta = current_index_path(home) / build.META_FILE
    meta.write_text(json.dumps({"schema_version": SCHEMA_VERSION - 1 if SCHEMA_VERSION > 1 else 0}))
    with pytest.raises(IndexUnavailable) as info:
        open_index(home)
    old = SCHEMA_VERSION - 1 if SCHEMA_VERSION > 1 else 0
    assert str(info.value) == f"the index was built by an older version (schema {old}): run `newsarchive reindex`"
    assert info.value.status == 503
    with pytest.raises(IndexUnavailable, match="older version"):
        update_documents(home, [save(home, new_article(4))])
    reindex(home, procs=1)  # a rebuild fixes it
    assert open_index(home).doc_count() == 21


def test_generation_is_stable_until_something_changes(indexed_home) -> None:
    home, _ = indexed_home
    first = index_generation(home)
    assert first == index_generation(home)
    open_index(home).writer().cancel()  # a writer that commits nothing changes nothing
    assert index_generation(home) == first
    reindex(home, procs=1)
    assert index_generation(home) != first


# ------------------------------------------------------------------------ swap, crashes --

def test_swap_under_a_concurrent_reader(indexed_home) -> None:
    home, articles = indexed_home
    old_ix = open_index(home)
    old_folder = current_index_path(home)
    with old_ix.searcher() as searcher:
        assert searcher.doc_count() == 20
        save(home, new_article(5))
        reindex(home, procs=1)
        # the old searcher still answers from the old index, complete
        assert searcher.doc_count() == 20
        hits = searcher.search(Term("source", "coindesk"), limit=None)
        assert len(hits) == 4
        assert {h["id"] for h in hits} == {a.id for a in articles if a.source_key == "coindesk"}
    assert current_index_path(home) != old_folder
    assert old_folder.is_dir()  # kept as the previous index until the next rebuild
    assert open_index(home).doc_count() == 21
    reindex(home, procs=1)
    assert not old_folder.exists()


def test_an_ingest_during_a_rebuild_is_not_lost(indexed_home) -> None:
    home, _ = indexed_home
    added = []

    def ingest_midway(done: int, total: int) -> None:
        if not added:  # while the new index is being built, an ingest updates the live one
            added.append(save(home, new_article(6)))
            update_documents(home, [added[0]])

    report = reindex(home, procs=1, progress=ingest_midway)
    assert report.documents == 21
    assert added[0][1].id in stored_docs(home)


def write_many(home: Path, n: int) -> None:
    """``n`` synthetic article files, written directly (no fsync): enough work for a slow rebuild."""
    words = ("harbour crane freight tariff container vessel port customs ledger quota " * 40).split()
    for i in range(n):
        body = " ".join(words[i % 7:]) + f" item{i}"
        article = new_article(i, title=f"Freight note {i}", body=body, url=f"https://f.example/{i}",
                              content_hash=compute_content_hash(body))
        article = article.replace(id=derive_id(article))
        path = home / "articles" / "2026" / "02" / f"freight-note-{i}.en.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_article(article), encoding="utf-8")


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (forked workers keep their parent's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode("utf-8", "replace")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if text in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


def test_a_killed_rebuild_leaves_the_old_index(indexed_home) -> None:
    home, articles = indexed_home
    before = current_index_path(home)
    write_many(home, 800)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    child = subprocess.Popen([sys.executable, "-c",
                              "import sys; from index.build import reindex; reindex(sys.argv[1], procs=2)",
                              str(home)], cwd=REPO, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill once it has a new folder with segment data
            new = [p for p in (home / "index").glob("build-*") if p != before]
            if new and any(p.suffix in (".seg", ".tmp", ".trm", ".pst") or p.is_dir()
                           for p in new[0].iterdir() if p.name != build.META_FILE):
                break
            time.sleep(0.05)
        time.sleep(0.1)  # inside the build: the workers need about a second for 800 articles
        assert child.poll() is None, "the rebuild finished before it could be killed"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert current_index_path(home) == before
    ix = open_index(home)
    with ix.searcher() as searcher:
        assert searcher.doc_count() == 20
        assert len(searcher.search(Term("sentiment", "positive"), limit=None)) == 9
    leftovers = [p for p in (home / "index").glob("build-*") if p != before]
    assert leftovers
    time.sleep(0.5)
    assert processes_mentioning(str(home)) == []  # the workers died with their parent
    report = reindex(home, procs=1)
    assert report.documents == 820
    assert sorted(p.name for p in (home / "index").glob("build-*")) == sorted(
        [before.name, current_index_path(home).name])
    assert not any(p.exists() for p in leftovers)


def test_a_second_reindex_at_once_is_refused_clearly(indexed_home) -> None:
    home, _ = indexed_home
    with flock(home / "index" / build.REINDEX_LOCK, timeout=0, message="held"):
        with pytest.raises(IndexUnavailable) as info:
            reindex(home, procs=1)
    assert str(info.value) == "another reindex is running on this home folder; wait for it to finish"


def test_tombstones_are_excluded_by_the_deleted_field(indexed_home) -> None:
    home, articles = indexed_home
    delete_documents(home, [articles[0].id, articles[1].id], when=NOW)
    ix = open_index(home)
    with ix.searcher() as searcher:
        deleted = {searcher.stored_fields(n)["id"] for n in searcher.docs_for_query(Every("deleted"))}
    assert deleted == {articles[0].id, articles[1].id}
