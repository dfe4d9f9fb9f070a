"""Collapsed results on the real app: one entry per story, "N versions" that expands in place
(htmx fragment) or, without JavaScript, links to the search listing them."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from index.model import SearchQuery
from index.search import SearchService


@pytest.fixture(scope="module")
def story_client(story_home: Path):
    from web.app import create_app

    return create_app({"HOME": story_home}).test_client()


def _brightwater(home: Path):
    with SearchService(home) as service:
        flat = service.search(SearchQuery(q="brightwater", collapse=False, sort="oldest", per_page=50))
        collapsed = service.search(SearchQuery(q="brightwater", sort="oldest", per_page=50))
    return flat, collapsed


def test_the_page_lists_one_entry_per_story_with_its_versions(story_client, story_home):
    flat, collapsed = _brightwater(story_home)
    doc = lxml.html.fromstring(story_client.get("/search?q=brightwater&sort=oldest").data)
    titles = [a.text_content() for a in doc.cssselect("li.hit h2 a")]
    assert titles == [h.title for h in collapsed.hits]
    assert len(titles) == collapsed.stories < flat.total
    summaries = [d.cssselect("summary")[0].text_content() for d in doc.cssselect("details.versions")]
    assert summaries == [f"{h.versions} versions of this story" for h in collapsed.hits if h.versions > 1]
    assert doc.cssselect("p.count")[0].text_content().split() [:5] == [
        str(flat.total), "matches", "in", str(collapsed.stories), "stories"]


def test_versions_expand_in_place_and_fall_back_to_a_plain_link(story_client, story_home):
    flat, collapsed = _brightwater(story_home)
    first = next(h for h in collapsed.hits if h.versions > 1)
    doc = lxml.html.fromstring(story_client.get("/search?q=brightwater&sort=oldest").data)
    details = doc.cssselect("details.versions")[0]
    fallback = details.cssselect(".versions-list a")[0].get("href")
    assert fallback == f"/search?q=brightwater&sort=oldest&story={first.story}&collapse=0"
    # htmx: the fragment lists every matching version, oldest first
    fragment = story_client.get(details.get("hx-get"), headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    versions = [h for h in flat.hits if h.story == first.story]
    listed = [a.get("href") for a in lxml.html.fromstring(fragment.data).cssselect("li a")]
    assert listed == [f"/article/{h.id}" for h in versions] and len(listed) == first.versions
    # no JavaScript: the link lists them on the search page; the endpoint itself redirects there
    page = lxml.html.fromstring(story_client.get(fallback).data)
    assert [a.get("href") for a in page.cssselect("li.hit h2 a")] == sorted(
        listed, key=lambda href: [h.id for h in flat.hits].index(href.rsplit("/", 1)[1]))
    redirect = story_client.get(details.get("hx-get"))
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith("/search?")


def test_collapse_can_be_switched_off_on_the_page_and_the_api(story_client, story_home):
    flat, collapsed = _brightwater(story_home)
    doc = lxml.html.fromstring(story_client.get("/search?q=brightwater&sort=oldest&collapse=0&per_page=50").data)
    assert len(doc.cssselect("li.hit")) == flat.total and not doc.cssselect("details.versions")
    assert doc.cssselect("#collapse")[0].get("checked") is None
    api = story_client.get("/api/search?q=brightwater&sort=oldest&collapse=off&per_page=50").json
    assert [h["id"] for h in api["hits"]] == [h.id for h in flat.hits]
    assert api["collapse"] is False and api["stories"] == collapsed.stories
    bad = story_client.get("/api/search?collapse=maybe")
    assert bad.status_code == 400 and bad.json == {
        "ok": False, "status": 400, "error": "'collapse' must be on or off (1 or 0), not 'maybe'"}


def test_facets_and_the_histogram_count_stories_on_request(story_client):
    """Valmere: the strike (one feed item ingested twice) and the deal, all from the Coastal
    Post: three articles, two stories; each story counted once, in its first version's day."""
    articles = story_client.get("/api/search?q=valmere").json
    stories = story_client.get("/api/search?q=valmere&unit=stories").json
    assert [(f["value"], f["count"]) for f in articles["facets"]["source"]] == [("coastalpost", 3)]
    assert [(f["value"], f["count"]) for f in stories["facets"]["source"]] == [("coastalpost", 2)]
    assert {b["start"]: b["count"] for b in articles["histogram"] if b["count"]} == {
        "2026-03-03": 2, "2026-03-06": 1}
    assert {b["start"]: b["count"] for b in stories["histogram"] if b["count"]} == {
        "2026-03-03": 1, "2026-03-06": 1}
    assert (articles["total"], articles["stories"]) == (stories["total"], stories["stories"]) == (3, 2)
