"""HTML importers end to end: a real local HTTP server, the real pipeline and store."""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
import trafilatura

from archive.errors import InputError
from archive.importers.html import import_html
from archive.ingest import IngestOptions, InputResult, ingest
from archive.store import Store, read_article
from tests.conftest import FIXTURES
from tests.httpserver import LocalServer

NOW = datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc)
FETCH = {"timeout": 0.5, "deadline": 5.0, "retries": 0, "backoff": 0.01, "max_bytes": 512 * 1024}
LEDGER = (FIXTURES / "html" / "ledger-etf.html").read_bytes()
LEDGER_KEY = hashlib.sha256(LEDGER).hexdigest()[:20]


@pytest.fixture(scope="module")
def server():
    with LocalServer(slow_seconds=2.0) as srv:
        yield srv


def options(home: Path, **kw) -> IngestOptions:
    return IngestOptions(home=home, now=NOW, fetch=FETCH, **kw)


def run(inputs: list[str], home: Path, **kw) -> list[InputResult]:
    return list(ingest(inputs, Store(home), options(home, **kw)))


def test_ingest_a_url_writes_the_exact_file_and_keeps_the_raw_page(server, home):
    url = server.url("/pages/ledger-etf.html")
    [result] = run([url], home)
    rel = "articles/2026/03/spot-bitcoin-etfs-log-record-weekly-inflows-as-traders-eye-rate-cuts.en.md"
    assert result == InputResult(url, "created", id="606b263695e27282", path=str(home / rel),
                                 title="Spot bitcoin ETFs log record weekly inflows as traders eye rate cuts")
    text = (home / rel).read_text(encoding="utf-8")
    frontmatter = text.split("---\n")[1]
    assert frontmatter == f"""\
title: Spot bitcoin ETFs log record weekly inflows as traders eye rate cuts
description: Funds tracking the largest cryptocurrency pulled in $2.1 billion in five trading days, the most since their launch.
publishedAt: '2026-03-06T14:30:00.000Z'
updatedAt: '2026-03-06T16:05:00.000Z'
lang: en
source:
  name: The Ledger Daily
  key: theledgerdaily
  type: WEB
  url: https://www.ledgerdaily.example/
category: MARKETS
tags:
  - BITCOIN
  - ETF
stickyWeight: 0
sentiment: POSITIVE
draft: false
canonicalUrl: https://www.ledgerdaily.example/markets/2026/03/spot-bitcoin-etfs-record-weekly-inflows
coverImage:
  raw: https://img.ledgerdaily.example/2026/03/etf-inflows-chart.jpg
ai: null
id: 606b263695e27282
url: {url}
author: Marta Ellison
fetchedAt: '2026-03-07T09:00:00.000Z'
ingestedAt: '2026-03-07T09:00:00.000Z'
dateSource: structured
dateConfidence: 0.71
sentimentSource: computed
sentimentModel:
  name: newsarchive-finlex
  version: '2'
tickers:
  - BTC
  - ETH
contentHash: sha256:6cfc17eab44e79fed4f9068f0f6489f7d7caab734b7d04a7cef447498a653cd1
extractor:
  name: trafilatura
  version: {trafilatura.__version__}
  raw: raw/2026/03/{LEDGER_KEY}.html.gz
"""
    body = text.split("---\n", 2)[2]
    assert body.startswith("U.S. spot bitcoin exchange-traded funds took in $2.1 billion")
    assert body.endswith("pushes rate expectations back.\n")
    for furniture in ("Share on", "Subscribe", "Advertisement", "Related stories", "Comments (42)",
                      "BTC $91,240", "© 2024", "Morning Brief"):
        assert furniture not in body

    # the raw page: the exact bytes, gzip-compressed, with a sidecar
    raw = home / "raw" / "2026" / "03" / f"{LEDGER_KEY}.html.gz"
    assert gzip.decompress(raw.read_bytes()) == LEDGER
    sidecar = json.loads(raw.with_name(f"{LEDGER_KEY}.json").read_text())
    requested = sidecar.pop("requestedAt")
    assert requested.endswith("Z") and requested[:4] >= "2026"
    assert sidecar == {"url": url, "finalUrl": url, "fetchedAt": "2026-03-07T09:00:00.000Z",
                       "contentType": "text/html; charset=utf-8", "status": 200, "size": len(LEDGER),
                       "sha256": hashlib.sha256(LEDGER).hexdigest()}

    # the same URL again changes nothing, in articles/ or raw/
    before = sorted((p, p.stat().st_mtime_ns) for p in home.rglob("*") if p.is_file())
    [again] = run([url], home)
    assert (again.status, again.id) == ("unchanged", "606b263695e27282")
    assert sorted((p, p.stat().st_mtime_ns) for p in home.rglob("*") if p.is_file()) == before


def test_redirected_url_is_recorded_as_the_final_address(server, home):
    [result] = run([server.url("/hops/2")], home)
    article = read_article(Path(result.path))
    assert article.url == server.url("/pages/ledger-etf.html")
    assert result.status == "created"


def test_gzip_page_is_ingested(server, home):
    [result] = run([server.url("/gzip/circuit-chips.html")], home)
    article = read_article(Path(result.path))
    assert (article.title, article.source.name, article.published_at, article.date_source) == (
        "Chipmakers brace for new export rules on advanced packaging", "Circuit Wire",
        datetime(2025, 11, 18, 7, 15, tzinfo=timezone.utc), "metadata")
    assert "Read more:" not in article.body  # cleanup ran on the fetched text


def test_every_fetch_failure_is_one_clear_line_and_the_batch_goes_on(server, home):
    routes = ["/slow", "/missing", "/loop/a", "/to-file", "/image.png", "/huge", "/gzip-bomb",
              "/pages/ledger-etf.html"]
    results = run([server.url(r) for r in routes], home)
    assert [(r.input, r.status, r.error) for r in results] == [
        (server.url("/slow"), "failed", "timed out after 0.5 s waiting for the server to answer"),
        (server.url("/missing"), "failed", "HTTP 404 Not Found: no page at this address"),
        (server.url("/loop/a"), "failed",
         f"redirect loop: {server.url('/loop/a')} redirects back to itself after 1 redirect(s)"),
        (server.url("/to-file"), "failed",
         "redirected to a file: address (file:///etc/passwd); only http and https are followed"),
        (server.url("/image.png"), "failed", "not a web page or feed (image/png)"),
        (server.url("/huge"), "failed", "the page is larger than the 512 KB limit"),
        (server.url("/gzip-bomb"), "failed", "the page is larger than the 512 KB limit"),
        (server.url("/pages/ledger-etf.html"), "created", None),
    ]
    assert len(list((home / "articles").rglob("*.md"))) == 1
    assert len(list((home / "raw").rglob("*.html.gz"))) == 1  # nothing kept of the failures


def test_saved_html_file(home, tmp_path):
    saved = tmp_path / "circuit.html"
    saved.write_bytes((FIXTURES / "html" / "circuit-chips.html").read_bytes())
    [result] = run([str(saved)], home)
    article = read_article(Path(result.path))
    assert (result.status, article.title, article.url, article.fetched_at, article.canonical_url) == (
        "created", "Chipmakers brace for new export rules on advanced packaging", None, None,
        "https://circuitwire.example/news/chipmakers-brace-export-rules-packaging")
    assert article.extractor["raw"].startswith("raw/2026/03/")  # kept for reextract too


def test_saved_html_without_an_article(home):
    with pytest.raises(InputError) as excinfo:
        import_html(b"<html><body><nav>Home | About</nav></body></html>", name="menu.html",
                    options=options(home))
    assert excinfo.value.message == "no article text found in the page (only 3 word(s) of text)"


def test_a_page_without_a_site_name_takes_source_from_the_command_line_else_the_host(server, home):
    [result] = run([server.url("/pages/undated-blog.html")], home, source="Kestrel Notes",
                   tags=("stablecoins",))
    article = read_article(Path(result.path))
    assert (article.source.to_dict(), article.tags, article.date_source, article.published_at) == (
        {"name": "Kestrel Notes", "key": "kestrelnotes", "type": "WEB", "url": server.base + "/"},
        ("STABLECOINS",), "ingested", NOW)
    [result] = run([server.url("/pages/undated-blog.html")], home / "other")
    assert read_article(Path(result.path)).source.to_dict() == {
        "name": "127.0.0.1", "key": "127001", "type": "WEB", "url": server.base + "/"}


def test_a_url_serving_a_feed_is_read_as_one(server, home):
    feed = server.url("/feeds/ledger-markets.rss")
    results = run([feed], home)  # no --feed
    assert [(r.status, r.title) for r in results] == [
        ("created", "Spot bitcoin ETFs log record weekly inflows as traders eye rate cuts"),
        ("created", "Copper climbs to a two-year high on supply worries"),
        ("failed", None),
        ("created", "Treasury yields edge lower before the jobs report"),
    ]
