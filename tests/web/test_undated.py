"""Undated articles in every view of the web app: they read "date unknown", sort last, count in
their own histogram bucket and stay out of date ranges unless ``undated=include`` asks."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree as ET

import lxml.html
import pytest

from tests.index.fixtures import undated_articles

ATOM = "{http://www.w3.org/2005/Atom}"
MINERS = "Bitcoin miners weigh a move to cheaper power"


@pytest.fixture(scope="module")
def uclient(undated_home):
    from web.app import create_app

    app = create_app({"HOME": undated_home})
    yield app.test_client()
    app.extensions["newsarchive"].close()


@pytest.fixture(scope="module")
def miners():
    return next(a for a in undated_articles() if a.title == MINERS)


def text(el) -> str:
    return " ".join(el.text_content().split())


def parse(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return lxml.html.fromstring(response.get_data(as_text=True))


def test_article_page_and_citation_say_date_unknown(uclient, miners) -> None:
    doc = parse(uclient.get(f"/article/{miners.id}"))
    meta = doc.cssselect("header .hit-meta")[0]
    assert [text(e) for e in meta.cssselect(".date-unknown")] == ["date unknown"]
    assert not meta.cssselect("time")
    cited = {text(dt): text(dd) for dt, dd in zip(doc.cssselect(".citation dt"), doc.cssselect(".citation dd"))}
    assert cited["Published"] == "date unknown"
    citation = text(doc.cssselect(".cite-text")[0])
    assert citation.startswith(f"CoinDesk. \u201c{MINERS}\u201d. Date unknown. https://coindesk.example/")
    assert "30 Nov 2026" not in doc.text_content() and "2026-11-30" not in doc.text_content()


def test_search_hits_read_date_unknown_and_come_last(uclient) -> None:
    doc = parse(uclient.get("/search?sort=newest&per_page=100"))
    hits = doc.cssselect("ol.hits .hit")
    assert len(hits) == 21
    last = [(text(h.cssselect(".hit-title")[0]), text(h.cssselect(".date-unknown")[0])) for h in hits[-2:]]
    assert sorted(last) == sorted([(MINERS, "date unknown"),
                                   ("Chip makers brace for a memory glut", "date unknown")])
    assert all(h.cssselect("time") for h in hits[:-2])
    oldest = parse(uclient.get("/search?sort=oldest&per_page=100")).cssselect("ol.hits .hit")
    assert {text(h.cssselect(".hit-title")[0]) for h in oldest[-2:]} == {
        MINERS, "Chip makers brace for a memory glut"}


def test_histogram_has_an_undated_bucket_that_links_to_them(uclient) -> None:
    doc = parse(uclient.get("/search"))
    bucket = doc.cssselect(".histogram-undated a")[0]
    assert (text(bucket), bucket.get("href")) == ("Date unknown: 2", "/search?undated=only")
    bars = doc.cssselect(".histogram svg a")
    assert sum(int(b.get("aria-label").split(": ")[1].split()[0]) for b in bars) == 19
    only = parse(uclient.get("/search?undated=only"))
    assert len(only.cssselect("ol.hits .hit")) == 2
    assert only.cssselect(".histogram-undated.selected a")[0].get("href") == "/search?"
    assert only.cssselect('input[type=hidden][name=undated][value=only]')
    ranged = parse(uclient.get("/search?from=2026-01-01"))
    assert text(ranged.cssselect(".histogram-undated")[0]) == "Date unknown: 2 (not in this date range)"
    assert not ranged.cssselect('input#undated[checked]')
    included = parse(uclient.get("/search?from=2026-01-01&undated=include"))
    assert included.cssselect('input#undated[checked]')
    assert text(included.cssselect(".histogram-undated")[0]) == "Date unknown: 2"


def test_api_search_and_article(uclient, miners) -> None:
    data = uclient.get("/api/search?q=miners&sort=newest").json
    assert data["undated"] == {"count": 1, "included": True, "url": "?q=miners&undated=only&sort=newest",
                               "selected": False}
    hit = data["hits"][-1]
    assert (hit["title"], hit["published"], hit["date_source"], hit["ingested"]) == (
        MINERS, None, "ingested", "2026-11-30T10:00:00Z")
    ranged = uclient.get("/api/search?q=miners&from=2026-01-01").json
    assert (ranged["total"], ranged["undated"]["included"]) == (1, False)
    assert uclient.get("/api/search?q=miners&from=2026-01-01&undated=include").json["total"] == 2
    assert uclient.get("/api/facets?undated=only").json["total"] == 2
    article = uclient.get(f"/api/articles/{miners.id}").json["article"]
    assert (article["published"], article["date_source"], article["ingested"]) == (
        None, "ingested", "2026-11-30T10:00:00Z")
    bad = uclient.get("/api/search?undated=perhaps")
    assert (bad.status_code, bad.json) == (400, {
        "ok": False, "status": 400,
        "error": "'undated' must be one of include, exclude, only, not 'perhaps'"})


def test_exports_say_date_unknown(uclient) -> None:
    rows = list(csv.DictReader(io.StringIO(uclient.get("/search.csv?q=miners&sort=newest").get_data(as_text=True))))
    assert [(r["title"], r["published"], r["date_source"]) for r in rows][-1] == (
        MINERS, "date unknown", "ingested")
    lines = uclient.get("/search.jsonl?q=miners&sort=newest").get_data(as_text=True).splitlines()
    last = json.loads(lines[-1])
    assert (last["title"], last["published"], last["date_source"]) == (MINERS, None, "ingested")
    assert len(uclient.get("/search.csv?undated=exclude").get_data(as_text=True).splitlines()) == 20


def test_atom_has_no_published_date_for_them(uclient) -> None:
    root = ET.fromstring(uclient.get("/search.atom?q=miners").data)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries][-1] == MINERS
    undated = entries[-1]
    assert undated.find(f"{ATOM}published") is None
    assert undated.findtext(f"{ATOM}updated") == "2026-11-30T10:00:00.000Z"
    assert undated.findtext(f"{ATOM}summary") == "Publication date unknown."
    assert entries[0].find(f"{ATOM}published") is not None
