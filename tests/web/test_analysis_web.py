"""What the matches talk about (/analysis, /api/terms) and every value of a facet (/facet/NAME)
on the real app: links that add a term, bars, "show all" filterable with and without htmx."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from index.model import SearchQuery
from index.search import SearchService


@pytest.fixture(scope="module")
def client(story_home: Path):
    from web.app import create_app

    return create_app({"HOME": story_home}).test_client()


def test_the_api_and_the_page_show_the_same_terms(client, story_home):
    with SearchService(story_home) as service:
        expected = service.terms(SearchQuery(q="halvard")).to_dict()
    data = client.get("/api/terms?q=halvard").json
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == {"ok": True, **expected}
    assert data["terms"][:2] == [
        {"text": "hvd", "phrase": False, "count": 7, "background": 7, "score": pytest.approx(7.67, abs=0.01),
         "url": "?q=halvard+hvd"},
        {"text": "sec", "phrase": False, "count": 7, "background": 7, "score": pytest.approx(7.67, abs=0.01),
         "url": "?q=halvard+sec"}]
    doc = lxml.html.fromstring(client.get("/analysis?q=halvard").data)
    links = [(a.get("href"), a.cssselect(".label")[0].text_content(), a.cssselect(".n")[0].text_content())
             for a in doc.cssselect("section.terms li a")]
    assert links == [("/search" + t["url"], f'“{t["text"]}”' if t["phrase"] else t["text"], str(t["count"]))
                     for t in data["terms"]]


def test_sources_and_tags_are_bar_lists_linking_to_the_filter(client):
    doc = lxml.html.fromstring(client.get("/analysis?q=halvard").data)
    sources = [(a.cssselect(".label")[0].text_content(), a.cssselect(".n")[0].text_content(),
                a.cssselect("rect")[0].get("width"), a.get("href"))
               for a in doc.cssselect("#bars-source + ol a")]
    assert sources == [("Blockframe", "3", "100.0", "/search?q=halvard&source=blockframe"),
                       ("The Ledger Wire", "2", "66.7", "/search?q=halvard&source=ledgerwire"),
                       ("CryptoBrief", "1", "33.3", "/search?q=halvard&source=cryptobrief"),
                       ("Token Tribune", "1", "33.3", "/search?q=halvard&source=tokentribune")]


def test_every_facet_has_show_all_filterable_by_typing(client):
    page = lxml.html.fromstring(client.get("/search").data)
    alls = [a.get("href") for a in page.cssselect(".facet-all-link a")]
    assert alls == ["/facet/source", "/facet/tag", "/facet/category", "/facet/lang"]  # no sentiments here
    full = lxml.html.fromstring(client.get("/facet/source").data)
    labels = [a.cssselect(".label")[0].text_content() for a in full.cssselect("ul.facet-all a")]
    assert len(labels) == 11 and labels[:2] == ["The Ledger Wire", "Blockframe"]  # most first
    # without JavaScript: the form's GET; with htmx: the same URL answers with the list only
    form = full.cssselect("form.facet-filter")[0]
    assert (form.get("method"), form.get("action")) == ("get", "/facet/source")
    filtered = lxml.html.fromstring(client.get("/facet/source?contains=post").data)
    assert [a.cssselect(".label")[0].text_content() for a in filtered.cssselect("ul.facet-all a")] == ["Coastal Post"]
    fragment = client.get("/facet/source?q=halvard&contains=WIRE", headers={"HX-Request": "true"})
    doc = lxml.html.fromstring(fragment.data)
    assert not doc.cssselect("form")
    assert [(a.get("href"), a.cssselect(".n")[0].text_content()) for a in doc.cssselect("ul.facet-all a")] == [
        ("/search?q=halvard&source=ledgerwire", "2")]


def test_a_facet_that_does_not_exist_is_a_400(client):
    response = client.get("/facet/colour")
    assert response.status_code == 400
    assert b"there is no facet" in response.data
