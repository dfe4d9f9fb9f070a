"""Atom, CSV and JSONL of any search, and the OpenSearch description."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import feedparser
import pytest

from archive.article import format_datetime
from index.model import SearchQuery, parse_params
from tests.web.conftest import FORMULA_TITLE, HOSTILE_TITLE

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def hostile_client(hostile_home):
    from web.app import create_app

    return create_app({"HOME": hostile_home, "FEED_SIZE": 5}).test_client()


def test_atom_feed_is_valid_and_newest_first(client, service) -> None:
    response = client.get("/search.atom?q=bitcoin")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    expected = service.search(SearchQuery(q="bitcoin", sort="newest", per_page=50))
    entries = root.findall(f"{ATOM}entry")
    assert [(e.findtext(f"{ATOM}title"), e.findtext(f"{ATOM}id"), e.findtext(f"{ATOM}published"))
            for e in entries] == [
        (h.title, f"http://localhost/article/{h.id}", format_datetime(h.published))
        for h in expected.hits]
    published = [e.findtext(f"{ATOM}published") for e in entries]
    assert published == sorted(published, reverse=True) and len(published) == 4
    assert root.findtext(f"{ATOM}updated") == published[0]
    assert root.findtext(f"{ATOM}subtitle") == "4 matching articles, newest first"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/search.atom?q=bitcoin"
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://localhost/search?q=bitcoin"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo
    assert [e.title for e in parsed.entries] == [h.title for h in expected.hits]


def test_atom_escapes_hostile_text(hostile_client) -> None:
    response = hostile_client.get("/search.atom?q=token")
    root = ET.fromstring(response.data)
    titles = [e.findtext(f"{ATOM}title") for e in root.findall(f"{ATOM}entry")]
    assert titles == [FORMULA_TITLE, HOSTILE_TITLE]  # newest first, text exactly as written
    assert b"<script>" not in response.data
    assert len(root.findall(f"{ATOM}entry")) == 2
    everything = hostile_client.get("/search.atom")
    assert len(ET.fromstring(everything.data).findall(f"{ATOM}entry")) == 5  # FEED_SIZE


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_csv_export_has_every_match_in_order(client, service) -> None:
    response = client.get("/search.csv?sort=newest&per_page=2&page=3")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="newsarchive-search.csv"'
    assert response.is_streamed
    rows = read_csv(response.data)
    expected = list(service.iter_hits(SearchQuery(sort="newest"), 10_000))
    assert len(rows) == len(expected) == service.search(SearchQuery()).total
    assert rows[0] == {
        "id": expected[0].id, "title": expected[0].title,
        "published": format_datetime(expected[0].published), "date_source": "provided",
        "source": expected[0].source,
        "source_name": expected[0].source_name, "sentiment": expected[0].sentiment or "",
        "tags": ";".join(expected[0].tags), "lang": expected[0].lang,
        "category": expected[0].category or "", "author": expected[0].author or "",
        "url": expected[0].url or "", "description": expected[0].description or "",
        "archive_url": f"http://localhost/article/{expected[0].id}",
    }
    assert [r["id"] for r in rows] == [h.id for h in expected]


def test_csv_neutralises_formulas(hostile_client) -> None:
    rows = read_csv(hostile_client.get("/search.csv?q=formula").data)
    assert len(rows) == 1
    row = rows[0]
    assert (row["title"], row["description"], row["tags"], row["author"]) == (
        "'" + FORMULA_TITLE, "'-2+3 cmd|' /C calc'!A0", "'@SUM(A1);TOKENS", "'+Formula Author")


def test_export_cap(web_home) -> None:
    from web.app import create_app

    client = create_app({"HOME": web_home, "EXPORT_CAP": 3}).test_client()
    response = client.get("/search.csv")
    assert (response.headers["X-Export-Cap"], response.headers["X-Total-Count"]) == ("3", "19")
    rows = read_csv(response.data)  # 3 hits, then the line saying the file is not every match
    assert len(rows) == 4 and rows[-1]["id"].startswith("# capped: the first 3 of 19 matches")
    lines = client.get("/search.jsonl").data.splitlines()
    assert len(lines) == 4 and json.loads(lines[-1])["export"]["complete"] is False


def test_jsonl_export(client, service) -> None:
    response = client.get("/search.jsonl?q=rates&sort=oldest")
    assert response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.data.decode().splitlines()]
    expected = list(service.iter_hits(parse_params({"q": "rates", "sort": "oldest"}), 100))
    assert [(d["id"], d["title"], d["archive_url"]) for d in lines] == [
        (h.id, h.title, f"http://localhost/article/{h.id}") for h in expected]
    assert list(lines[0]) == ["id", "title", "published", "source", "source_name", "sentiment",
                              "tags", "lang", "category", "author", "url", "description",
                              "snippet", "score", "date_source", "ingested", "tickers", "story", "versions",
                              "archive_url"]


def test_empty_export_still_has_the_header(client) -> None:
    assert client.get("/search.csv?q=zebrafish").data.decode().splitlines() == [
        "id,title,published,date_source,source,source_name,sentiment,tags,lang,category,author,url,description,archive_url"]
    assert client.get("/search.jsonl?q=zebrafish").data == b""


def test_opensearch_description(client) -> None:
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    ns = "{http://a9.com/-/spec/opensearch/1.1/}"
    root = ET.fromstring(response.data)
    assert root.findtext(f"{ns}ShortName") == "newsarchive"
    assert [(u.get("type"), u.get("template")) for u in root.findall(f"{ns}Url")] == [
        ("text/html", "http://localhost/search?q={searchTerms}"),
        ("application/atom+xml", "http://localhost/search.atom?q={searchTerms}"),
        ("application/opensearchdescription+xml", "http://localhost/opensearch.xml"),
    ]
    page = client.get("/search").get_data(as_text=True)
    assert '<link rel="search" type="application/opensearchdescription+xml" title="newsarchive" href="/opensearch.xml">' in page
