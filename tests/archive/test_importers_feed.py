"""Feeds: RSS by URL and Atom from a file, entries' pages served by a real local server."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.article import Source
from archive.errors import InputError
from archive.importers.feed import import_feed
from archive.ingest import Failure, IngestOptions, ingest
from archive.store import Store, read_article
from tests.conftest import FIXTURES
from tests.httpserver import LocalServer

NOW = datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc)
FETCH = {"timeout": 0.5, "deadline": 5.0, "retries": 0, "backoff": 0.01}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def server():
    with LocalServer(slow_seconds=2.0) as srv:
        yield srv


def options(home: Path, **kw) -> IngestOptions:
    return IngestOptions(home=home, now=NOW, fetch=FETCH, **kw)


def test_rss_url_each_entry_fetched_failures_reported_summary_fallback(server, home):
    feed = server.url("/feeds/ledger-markets.rss")
    results = list(ingest([feed], Store(home), options(home, feed=True)))
    assert [(r.input, r.status, r.title, r.error) for r in results] == [
        (feed, "created", "Spot bitcoin ETFs log record weekly inflows as traders eye rate cuts", None),
        (feed, "created", "Copper climbs to a two-year high on supply worries", None),
        (f"{feed} entry 3 ({server.url('/missing')})", "failed", None,
         "HTTP 404 Not Found: no page at this address; the feed's own text for this entry is too short "
         "to keep (only 3 word(s), at least 50 needed)"),
        (feed, "created", "Treasury yields edge lower before the jobs report", None),
    ]
    etf, copper, _, treasuries = (read_article(Path(r.path)) if r.path else None for r in results)
    ledger = Source(name="The Ledger Daily", key="theledgerdaily", type="RSS",
                    url="https://www.ledgerdaily.example/markets")
    # the page gave the text, the feed its own metadata
    assert (etf.source, etf.external_id, etf.published_at, etf.date_source, etf.tags, etf.author,
            etf.url, etf.fetched_at) == (
        ledger, "ledger-2026-03-06-etf-inflows", utc(2026, 3, 6, 14, 30), "provided", ("BITCOIN", "ETF"),
        "Marta Ellison", server.url("/pages/ledger-etf.html"), NOW)
    assert etf.extractor["raw"].startswith("raw/2026/03/")
    assert (copper.source, copper.external_id, copper.published_at, copper.tags, copper.canonical_url) == (
        ledger, "ledger-2026-03-05-copper", utc(2026, 3, 5, 11, 2), ("COMMODITIES",),
        "https://www.ledgerdaily.example/markets/2026/03/copper-two-year-high")
    assert copper.body.startswith("Copper for delivery in three months rose 3% to $10,480 a tonne")
    # /slow timed out: the entry's own content:encoded was long enough to keep
    assert (treasuries.source, treasuries.external_id, treasuries.published_at, treasuries.tags,
            treasuries.url, treasuries.fetched_at, treasuries.extractor) == (
        ledger, "ledger-2026-03-03-treasuries", utc(2026, 3, 3, 13, 20), ("BONDS",),
        server.url("/slow"), None, None)
    assert treasuries.body == (
        "Ten-year Treasury yields slipped two basis points to 4.01% on Tuesday as investors trimmed "
        "positions ahead of Friday's payrolls report, which economists expect to show hiring slowed to "
        "about 140,000 jobs last month.\n\n"
        "Two-year yields, which track expectations for the Federal Reserve's policy rate, were little "
        "changed at 3.62%. Traders said volumes were thin, with many desks waiting for the data before "
        "taking new positions.\n\n"
        "\"Nobody wants to be caught on the wrong side of a big miss,\" said a rates strategist at a "
        "regional bank.\n")

    # the same feed again: nothing changes
    again = list(ingest([feed], Store(home), options(home, feed=True)))
    assert [r.status for r in again] == ["unchanged", "unchanged", "failed", "unchanged"]


def test_atom_file_with_entries_served_locally(server, home, tmp_path):
    template = (FIXTURES / "feeds" / "circuit-wire.atom").read_text(encoding="utf-8")
    path = tmp_path / "circuit-wire.atom"
    path.write_text(template.replace("{base}", server.base), encoding="utf-8")
    drafts = import_feed(path.read_bytes(), name=str(path), options=options(home))
    chips, laptop, phones = drafts
    wire = Source(name="Circuit Wire", key="circuitwire", type="RSS", url="https://circuitwire.example/")
    assert (chips.title, chips.source, chips.external_id, chips.published_at, chips.updated_at,
            chips.date_source, chips.tags, chips.category, chips.author, chips.url) == (
        "Chipmakers brace for new export rules on advanced packaging", wire,
        "tag:circuitwire.example,2025-11-18:chipmakers-export-packaging",
        utc(2025, 11, 18, 7, 15), utc(2025, 11, 18, 9, 0), "provided",
        ("SEMICONDUCTORS", "POLICY", "EXPORT CONTROLS", "PACKAGING"), "SEMICONDUCTORS", "Daniel Okafor",
        server.url("/gzip/circuit-chips.html"))
    assert laptop == Failure(f"entry 2 ({server.url('/image.png')})",
                             "not an HTML page (image/png); the feed's own text for this entry is too "
                             "short to keep (only 4 word(s), at least 50 needed)")
    assert (phones.title, phones.url, phones.external_id, phones.published_at, phones.source) == (
        "Phone makers cut forecasts as memory costs bite", None,
        "tag:circuitwire.example,2025-11-16:phone-forecasts", utc(2025, 11, 16, 12, 30), wire)
    assert phones.body.split("\n\n")[-1] == ("Mid-range models, where margins are thinnest, are expected "
                                             "to be hit hardest.")


@pytest.mark.parametrize("data, message", [
    (b"<rss><channel><title>Empty</title></channel></rss>", "the feed has no entries"),
    (b"this is not a feed at all", "not a valid RSS or Atom feed (syntax error at line 2, column 0)"),
    (b"<?xml version='1.0'?><rss><channel><item><title>x</ti",
     "not a valid RSS or Atom feed (unclosed token at line 1, column 66)"),
])
def test_feeds_without_entries(home, data, message):
    with pytest.raises(InputError) as excinfo:
        import_feed(data, name="f.rss", options=options(home))
    assert excinfo.value.message == message


def test_feed_url_that_is_not_a_feed_page(server, home):
    [result] = list(ingest([server.url("/image.png")], Store(home), options(home, feed=True)))
    assert (result.status, result.error) == ("failed", "not a web page or feed (image/png)")


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([b"", b"<rss><channel><item><title>", b"<feed><entry>"]))
def test_any_bytes_give_entries_failures_or_one_input_error(tmp_path_factory, data, prefix):
    home = tmp_path_factory.mktemp("home")
    try:
        results = import_feed(prefix + data, name="x.rss", options=options(home))
    except InputError:
        return
    assert all(isinstance(r, Failure) or r.title for r in results)


def test_an_entry_with_only_an_update_date(home):
    words = " ".join(["Regulators published a consultation on stablecoin reserves."] * 8)
    atom = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Kestrel Notes</title><id>urn:kn</id>
<updated>2026-02-01T10:00:00Z</updated>
<entry><title>Reserve rules out for comment</title><id>urn:kn:1</id>
<updated>2026-02-01T09:30:00Z</updated><content type="html">&lt;p&gt;{words}&lt;/p&gt;</content></entry>
</feed>""".encode()
    [article] = import_feed(atom, name="kn.atom", options=options(home))
    assert (article.title, article.published_at, article.updated_at, article.date_source, article.source,
            article.external_id, article.url) == (
        "Reserve rules out for comment", utc(2026, 2, 1, 9, 30), None, "provided",
        Source(name="Kestrel Notes", key="kestrelnotes", type="RSS"), "urn:kn:1", None)
