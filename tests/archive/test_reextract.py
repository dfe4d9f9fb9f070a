"""Raw snapshots (archive.raw) and re-extraction from them (archive.reextract, the command)."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.errors import FormatError, InputError
from archive.ingest import IngestOptions, ingest
from archive.raw import gunzip_bounded, read_raw, save_raw
from archive.reextract import ReextractResult, reextract
from archive.store import Store, atomic_write_text, read_article, render_article
from scripts.cli import main
from tests.conftest import FIXTURES
from tests.httpserver import LocalServer

NOW = datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 4, 1, 12, 0, tzinfo=timezone.utc)
FETCH = {"timeout": 0.5, "deadline": 5.0, "retries": 0}
LEDGER = (FIXTURES / "html" / "ledger-etf.html").read_bytes()


@pytest.fixture(scope="module")
def server():
    with LocalServer(slow_seconds=2.0) as srv:
        yield srv


# ------------------------------------------------------------------------------------- raw --

def test_save_and_read_a_snapshot(home):
    rel = save_raw(home, LEDGER, url="https://a.example/x", final_url="https://a.example/y",
                   fetched_at=NOW, content_type="text/html; charset=UTF-8", status=200)
    snapshot = read_raw(home, rel)
    assert (snapshot.path, snapshot.content, snapshot.url, snapshot.final_url, snapshot.fetched_at,
            snapshot.content_type, snapshot.charset) == (
        rel, LEDGER, "https://a.example/x", "https://a.example/y", NOW, "text/html; charset=UTF-8", "utf-8")
    assert sorted(p.name for p in (home / "raw" / "2026" / "03").iterdir()) == [
        Path(rel).name, Path(rel).name.replace(".html.gz", ".json")]
    # the same bytes again: nothing new written
    assert save_raw(home, LEDGER, url="https://a.example/x", fetched_at=NOW) == rel


def test_snapshot_without_sidecar_still_reads(home):
    rel = save_raw(home, b"<html>x</html>", url=None, fetched_at=NOW)
    (home / rel.replace(".html.gz", ".json")).unlink()
    snapshot = read_raw(home, rel)
    assert (snapshot.content, snapshot.url, snapshot.fetched_at) == (b"<html>x</html>", None, None)


def test_gzip_bomb_in_raw_is_refused_without_inflating_it(home):
    bomb = home / "raw" / "2026" / "03" / "bomb.html.gz"
    bomb.parent.mkdir(parents=True)
    bomb.write_bytes(gzip.compress(b"\0" * (64 * 1024 * 1024), compresslevel=9))
    assert bomb.stat().st_size < 100 * 1024
    with pytest.raises(InputError) as excinfo:
        read_raw(home, "raw/2026/03/bomb.html.gz")
    assert str(excinfo.value) == ("raw/2026/03/bomb.html.gz: the raw snapshot decompresses to more than "
                                  "32 MB; it is corrupt or a compression bomb, and was not read")


@pytest.mark.parametrize("packed, message", [
    (b"not gzip at all", "the raw snapshot is not valid gzip data"),
    (gzip.compress(b"<html>" * 1000)[:40], "the raw snapshot is truncated (incomplete gzip data)"),
])
def test_broken_snapshots(packed, message):
    with pytest.raises(InputError) as excinfo:
        gunzip_bounded(packed, max_bytes=1024 * 1024)
    assert excinfo.value.message == message


@pytest.mark.parametrize("rel", ["../outside.html.gz", "raw/../../etc/passwd.html.gz", "/etc/x.html.gz",
                                 "articles/2026/03/a.md", "raw/2026/03/a.txt"])
def test_snapshot_paths_outside_raw_are_refused(home, rel):
    with pytest.raises(FormatError) as excinfo:
        read_raw(home, rel)
    assert rel in excinfo.value.message


def test_missing_snapshot(home):
    with pytest.raises(InputError) as excinfo:
        read_raw(home, "raw/2026/03/nothing.html.gz")
    assert str(excinfo.value) == "raw/2026/03/nothing.html.gz: the raw snapshot is missing"


# ------------------------------------------------------------------------------- reextract --

def ingest_urls(server, home, urls, **kw):
    opts = IngestOptions(home=home, now=NOW, fetch=FETCH, **kw)
    return list(ingest([server.url(u) for u in urls], Store(home), opts))


def test_nothing_changed_means_unchanged(server, home):
    [result] = ingest_urls(server, home, ["/pages/ledger-etf.html"])
    before = Path(result.path).read_bytes()
    summary = reextract(Store(home), now=LATER)
    assert summary.results == [ReextractResult(result.id, "unchanged", path=result.path,
                                               title=result.title)]
    assert summary.counts() == {"created": 0, "updated": 0, "unchanged": 1, "failed": 0, "skipped": 0}
    assert Path(result.path).read_bytes() == before


def test_a_changed_snapshot_updates_the_article_and_keeps_what_it_must(server, home):
    [result] = ingest_urls(server, home, ["/pages/ledger-etf.html"], tags=("watchlist",))
    old = read_article(Path(result.path))
    # a better extractor would find more (or other) text in the same page; simulate with an edit
    raw = home / old.extractor["raw"]
    page = LEDGER.replace(b"Analysts cautioned", b"Strategists cautioned")
    raw.write_bytes(gzip.compress(page))
    summary = reextract(Store(home), now=LATER)
    assert [(r.id, r.status) for r in summary.results] == [(old.id, "updated")]
    new = read_article(Path(result.path))
    assert new.body == old.body.replace("Analysts cautioned", "Strategists cautioned")
    assert new.content_hash != old.content_hash
    assert new.replace(body=old.body, content_hash=old.content_hash) == old  # all else kept
    assert (new.id, new.ingested_at, new.fetched_at, new.tags) == (old.id, NOW, NOW, ("BITCOIN", "ETF", "WATCHLIST"))


def test_feed_metadata_survives_reextract(server, home):
    results = ingest_urls(server, home, ["/feeds/ledger-markets.rss"], feed=True)
    etf = read_article(Path(results[0].path))
    assert (etf.source.type, etf.external_id, etf.date_source) == ("RSS", "ledger-2026-03-06-etf-inflows",
                                                                   "provided")
    summary = reextract(Store(home), now=LATER)
    # ETF and copper came from pages (snapshots); the treasuries entry from the feed's own text
    assert summary.counts() == {"created": 0, "updated": 0, "unchanged": 2, "failed": 0, "skipped": 1}
    assert read_article(Path(results[0].path)) == etf


def test_failures_are_reported_per_article(server, home):
    [etf, chips] = ingest_urls(server, home, ["/pages/ledger-etf.html", "/pages/circuit-chips.html"])
    # one snapshot replaced by a gzip bomb, one article pointing outside raw/
    bomb = home / read_article(Path(etf.path)).extractor["raw"]
    bomb.write_bytes(gzip.compress(b"\0" * (40 * 1024 * 1024), compresslevel=9))
    article = read_article(Path(chips.path))
    atomic_write_text(Path(chips.path), render_article(article.replace(
        extractor={**article.extractor, "raw": "raw/../../secrets.html.gz"})))
    summary = reextract(Store(home), ids=[etf.id, chips.id, "0000000000000000"], now=LATER)
    assert summary.results == [
        ReextractResult(etf.id, "failed", title=etf.title,
                        error="the raw snapshot decompresses to more than 32 MB; it is corrupt or a "
                              "compression bomb, and was not read"),
        ReextractResult(chips.id, "failed", title=chips.title,
                        error="the raw snapshot path 'raw/../../secrets.html.gz' is not a raw/…/*.html.gz "
                              "path in the home folder"),
        ReextractResult("0000000000000000", "failed", error="no article with id '0000000000000000'"),
    ]


def test_command(server, home):
    [result] = ingest_urls(server, home, ["/pages/ledger-etf.html"])
    runner = CliRunner()
    out = runner.invoke(main, ["reextract", "--home", str(home)])
    assert (out.exit_code, out.output) == (
        0, "0 created, 0 updated, 1 unchanged, 0 failed (0 without a raw snapshot skipped)\n")
    out = runner.invoke(main, ["reextract", "--home", str(home), "--id", "nope", "--json"])
    assert out.exit_code == 1
    assert json.loads(out.output) == {
        "counts": {"created": 0, "updated": 0, "unchanged": 0, "failed": 1, "skipped": 0},
        "results": [{"id": "nope", "status": "failed", "path": None, "title": None,
                     "error": "no article with id 'nope'"}],
        "index": {"updated": 0, "error": None, "refused": []},
    }
    help_text = runner.invoke(main, ["reextract", "--help"]).output
    assert "Re-run extraction on the raw HTML kept under HOME/raw" in help_text


def test_command_sends_updated_articles_to_the_index(server, home):
    from index.build import reindex as build_index
    from index.model import SearchQuery
    from index.search import SearchService

    [result] = ingest_urls(server, home, ["/pages/ledger-etf.html"])
    build_index(home)
    raw = home / read_article(Path(result.path)).extractor["raw"]
    raw.write_bytes(gzip.compress(LEDGER.replace(b"Analysts cautioned", b"Strategists cautioned")))
    out = CliRunner().invoke(main, ["reextract", "--home", str(home), "--json"])
    report = json.loads(out.output)
    assert (out.exit_code, report["counts"]["updated"], report["index"]) == (
        0, 1, {"updated": 1, "error": None, "refused": []})
    with SearchService(home) as service:
        found = service.search(SearchQuery(q="strategists"))
    assert (found.total, [hit.id for hit in found.hits]) == (1, [result.id])
