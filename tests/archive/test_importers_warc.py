"""WARC files built with warcio in the test: every HTML 200 response becomes an article."""

from __future__ import annotations

import gzip
import io
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.errors import InputError
from archive.importers.warc import import_warc
from archive.ingest import Failure, IngestOptions, ingest
from archive.store import Store, read_article
from tests.conftest import FIXTURES
from tests.httpserver import PNG

NOW = datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc)
LEDGER = (FIXTURES / "html" / "ledger-etf.html").read_bytes()
CHIPS = (FIXTURES / "html" / "circuit-chips.html").read_bytes()


def build_warc(*, gzipped: bool) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)

    def response(uri: str, status: str, ctype: str, body: bytes, date: str) -> None:
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), length=len(body),
                                           http_headers=http,
                                           warc_headers_dict={"WARC-Date": date})
        writer.write_record(record)

    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "test"}))
    request = StatusAndHeaders("GET /markets/etf HTTP/1.1", [("Host", "www.ledgerdaily.example")],
                               is_http_request=True)
    writer.write_record(writer.create_warc_record(
        "https://www.ledgerdaily.example/markets/etf", "request", http_headers=request))
    response("https://www.ledgerdaily.example/markets/etf", "200 OK", "text/html; charset=utf-8", LEDGER,
             "2026-03-06T15:00:00Z")
    response("https://www.ledgerdaily.example/img/chart.png", "200 OK", "image/png", PNG,
             "2026-03-06T15:00:01Z")
    response("https://www.ledgerdaily.example/old", "404 Not Found", "text/html", b"<html>gone</html>",
             "2026-03-06T15:00:02Z")
    response("https://www.ledgerdaily.example/", "200 OK", "text/html",
             b"<html><head><title>Home</title></head><body><nav>Markets | Crypto</nav></body></html>",
             "2026-03-06T15:00:03Z")
    response("https://circuitwire.example/news/chips", "200 OK", "text/html", CHIPS, "2025-11-19T08:00:00Z")
    writer.write_record(writer.create_warc_record(
        "https://circuitwire.example/news/chips", "metadata", payload=io.BytesIO(b"outlinks: 12"), length=12,
        warc_content_type="application/warc-fields"))
    return out.getvalue()


@pytest.mark.parametrize("gzipped", [False, True])
def test_every_html_response_and_only_those(home, gzipped):
    drafts = import_warc(build_warc(gzipped=gzipped), name="crawl.warc", options=IngestOptions(home=home, now=NOW))
    ledger, home_page, chips = drafts
    assert (ledger.title, ledger.url, ledger.fetched_at, ledger.published_at, ledger.source.name) == (
        "Spot bitcoin ETFs log record weekly inflows as traders eye rate cuts",
        "https://www.ledgerdaily.example/markets/etf", datetime(2026, 3, 6, 15, tzinfo=timezone.utc),
        datetime(2026, 3, 6, 14, 30, tzinfo=timezone.utc), "The Ledger Daily")
    assert home_page == Failure("record 6 (https://www.ledgerdaily.example/)",
                                "no article text found in the page (only 3 word(s) of text)")
    assert (chips.title, chips.url, chips.fetched_at) == (
        "Chipmakers brace for new export rules on advanced packaging", "https://circuitwire.example/news/chips",
        datetime(2025, 11, 19, 8, tzinfo=timezone.utc))
    # raw snapshots kept by the WARC's own dates, for reextract
    assert ledger.extractor["raw"].startswith("raw/2026/03/")
    assert chips.extractor["raw"].startswith("raw/2025/11/")
    assert gzip.decompress((home / ledger.extractor["raw"]).read_bytes()) == LEDGER


def test_ingest_a_warc_file(home, tmp_path):
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(build_warc(gzipped=True))
    results = list(ingest([str(path)], Store(home), IngestOptions(home=home, now=NOW)))
    assert [(r.input, r.status, r.error) for r in results] == [
        (str(path), "created", None),
        (f"{path} record 6 (https://www.ledgerdaily.example/)", "failed",
         "no article text found in the page (only 3 word(s) of text)"),
        (str(path), "created", None),
    ]
    ledger = read_article(Path(results[0].path))
    assert (ledger.url, ledger.canonical_url, ledger.date_source) == (
        "https://www.ledgerdaily.example/markets/etf",
        "https://www.ledgerdaily.example/markets/2026/03/spot-bitcoin-etfs-record-weekly-inflows", "structured")


@pytest.mark.parametrize("data, message", [
    (b"WARC/1.0\r\nthis is not a warc header block\r\n\r\n",
     "not a readable WARC file: no WARC records found"),
    (b"PK\x03\x04 a zip file, not a WARC",
     "not a WARC file (it should start with 'WARC/', or be gzip-compressed WARC)"),
    (gzip.compress(b"<html>a gzipped page</html>"),
     "not a WARC file (it should start with 'WARC/', or be gzip-compressed WARC)"),
])
def test_unreadable_warc(home, data, message):
    with pytest.raises(InputError) as excinfo:
        import_warc(data, name="bad.warc", options=IngestOptions(home=home, now=NOW))
    assert (excinfo.value.message, excinfo.value.source) == (message, "bad.warc")


def test_truncated_warc_keeps_what_was_read(home):
    data = build_warc(gzipped=False)
    cut = data[: data.index(b"https://circuitwire.example/news/chips") + 400]
    drafts = import_warc(cut, name="cut.warc", options=IngestOptions(home=home, now=NOW))
    assert [d if isinstance(d, Failure) else d.title for d in drafts] == [
        "Spot bitcoin ETFs log record weekly inflows as traders eye rate cuts",
        Failure("record 6 (https://www.ledgerdaily.example/)",
                "no article text found in the page (only 3 word(s) of text)"),
        # the cut-off page: its first few hundred bytes hold no text
        Failure("record 7 (https://circuitwire.example/news/chips)", "no article text found in the page"),
    ]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([b"", b"WARC/1.0\r\n", b"WARC/1.1\r\nWARC-Type: response\r\n"]))
def test_any_bytes_give_records_failures_or_one_input_error(tmp_path_factory, data, prefix):
    home = tmp_path_factory.mktemp("home")
    try:
        results = import_warc(prefix + data, name="x.warc", options=IngestOptions(home=home, now=NOW))
    except InputError:
        return
    assert all(isinstance(r, Failure) or r.title for r in results)
