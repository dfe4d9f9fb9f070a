"""The search page and the article page through Flask's test client, on a real fixture index."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import lxml.html
import pytest

from index.model import SearchQuery, parse_params
from tests.index.fixtures import fixture_articles
from web.present import format_day

HTMX = {"HX-Request": "true"}


def parse(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.get_data(as_text=True))


def text(el) -> str:
    return " ".join(el.text_content().split())


def hit_titles(doc) -> list[str]:
    return [text(a) for a in doc.cssselect("ol.hits .hit-title a")]


def test_full_page_then_fragment_then_history_restore(client, service) -> None:
    full = client.get("/search?q=bitcoin")
    assert full.status_code == 200
    assert full.headers["Vary"] == "HX-Request"
    assert "HX-Push-Url" not in full.headers
    doc = parse(full)
    assert doc.cssselect("form#search")[0].get("method") == "get"
    assert doc.cssselect("input#q")[0].get("value") == "bitcoin"
    assert doc.cssselect("#status")[0].get("aria-live") == "polite"
    assert doc.cssselect("#results-area .layout")

    fragment = client.get("/search?q=bitcoin&sort=&from=&to=", headers=HTMX)
    assert fragment.status_code == 200
    assert fragment.headers["Vary"] == "HX-Request"
    assert fragment.headers["HX-Push-Url"] == "/search?q=bitcoin"
    body = fragment.get_data(as_text=True)
    assert body.startswith("<title>bitcoin · newsarchive search</title>")
    assert "<html" not in body and "<form" not in body
    frag = lxml.html.fragment_fromstring(body, create_parent="div")
    assert frag.cssselect("#status")[0].get("hx-swap-oob") == "innerHTML"
    expected = service.search(SearchQuery(q="bitcoin"))
    assert hit_titles(frag) == [h.title for h in expected.hits]

    restore = client.get("/search?q=bitcoin", headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert restore.headers["Vary"] == "HX-Request"
    assert restore.get_data(as_text=True).startswith("<!doctype html>")


def test_results_show_every_part_of_a_hit(client, service) -> None:
    result = service.search(SearchQuery(q="bitcoin", sort="newest"))
    doc = parse(client.get("/search?q=bitcoin&sort=newest"))
    items = doc.cssselect("ol.hits > li.hit")
    assert len(items) == result.total == len(result.hits) == 4
    for item, hit in zip(items, result.hits):
        link = item.cssselect(".hit-title a")[0]
        assert (text(link), link.get("href")) == (hit.title, f"/article/{hit.id}")
        assert text(item.cssselect(".source")[0]) == hit.source_name
        assert text(item.cssselect("time")[0]) == format_day(hit.published)
        assert text(item.cssselect(".badge")[0]) == hit.sentiment.capitalize()
        assert [text(t) for t in item.cssselect(".tags a")] == list(hit.tags)
        snippet = lxml.html.tostring(item.cssselect(".snippet")[0], encoding="unicode")
        assert "<mark>" in snippet.lower()
    assert re.fullmatch(r"4 matches in \d+ ms · showing 1–4", text(doc.cssselect(".count")[0]))


def test_facets_are_links_with_counts_and_toggle(client, service) -> None:
    result = service.search(SearchQuery())
    doc = parse(client.get("/search"))
    for name, values in result.facets.items():
        section = doc.cssselect(f"section.facet[aria-labelledby=facet-{name}]")
        if not values:
            assert section == []
            continue
        links = section[0].cssselect("a.facet-value")
        shown = [(text(a.cssselect(".label")[0]), int(text(a.cssselect(".n")[0]).replace(",", "")),
                  a.get("href"), a.get("hx-get")) for a in links]
        assert shown == [(v.label, v.count, "/search" + v.toggle_url, "/search" + v.toggle_url)
                         for v in values]
    # follow the coindesk link: it is selected, the page is filtered, "clear" removes it
    coindesk = [v for v in result.facets["source"] if v.value == "coindesk"][0]
    page = parse(client.get("/search" + coindesk.toggle_url))
    selected = page.cssselect("a.facet-value.selected")
    assert [text(a.cssselect(".label")[0]) for a in selected] == ["CoinDesk"]
    assert {text(a.cssselect(".source")[0]) for a in page.cssselect(".hit")} == {"CoinDesk"}
    assert page.cssselect('input[type=hidden][name=source]')[0].get("value") == "coindesk"
    clear = page.cssselect("section.facet[aria-labelledby=facet-source] a.facet-clear")[0]
    assert clear.get("href") == "/search?"
    assert page.cssselect(".clear-all a")[0].get("href") == "/search?"


def test_histogram_bars_link_to_narrower_ranges(client, service) -> None:
    result = service.search(SearchQuery())
    doc = parse(client.get("/search"))
    links = doc.cssselect("figure.histogram svg a")
    nonzero = [b for b in result.histogram if b.count]
    assert len(links) == len(nonzero) > 1
    for link, bucket in zip(links, nonzero):
        assert link.get("href") == "/search" + bucket.url
        params = dict(parse_qsl(urlsplit(link.get("href")).query))
        assert params["from"] == bucket.start.isoformat()
        narrowed = parse_params({"from": params["from"], "to": params["to"]})
        assert narrowed.date_from == bucket.start
    # following one bar gives exactly that bucket's count
    first = nonzero[0]
    page = client.get("/api/search" + first.url)
    assert page.json["total"] == first.count


def test_did_you_mean_links_to_the_suggestion(client, service) -> None:
    result = service.search(SearchQuery(q="bitcoi"))
    assert result.suggestion == "bitcoin"
    doc = parse(client.get("/search?q=bitcoi"))
    link = doc.cssselect(".suggestion a")[0]
    assert (text(link), link.get("href")) == ("bitcoin", "/search?q=bitcoin")


def test_empty_states_help(client) -> None:
    doc = parse(client.get("/search?q=zebrafish"))
    assert text(doc.cssselect(".empty h2")[0]) == "No articles match zebrafish"
    doc = parse(client.get("/search?q=zebrafish&source=coindesk"))
    assert doc.cssselect(".empty a")[-1].get("href") == "/search?q=zebrafish"
    doc = parse(client.get("/search?page=99"))
    assert text(doc.cssselect(".empty h2")[0]) == "No more results"
    assert doc.cssselect(".range") == []


def test_pagination(client, service) -> None:
    result = service.search(SearchQuery(per_page=5, page=2))
    assert result.pages == 4
    doc = parse(client.get("/search?per_page=5&page=2"))
    assert hit_titles(doc) == [h.title for h in result.hits]
    assert doc.cssselect("ol.hits")[0].get("start") == "6"
    pager = doc.cssselect("nav.pager")[0]
    assert pager.cssselect("a.prev")[0].get("href") == "/search?per_page=5"
    assert pager.cssselect("a.next")[0].get("href") == "/search?per_page=5&page=3"
    assert text(pager.cssselect("[aria-current=page]")[0]) == "2"
    assert [text(a) for a in pager.cssselect("ul a")] == ["1", "3", "4"]


def test_search_keeps_filters_in_the_form(client) -> None:
    doc = parse(client.get("/search?q=rates&tag=RATES&sentiment=neutral&from=2026-01&to=2026-02&sort=newest"))
    hidden = [(i.get("name"), i.get("value"), i.get("form")) for i in doc.cssselect("input[type=hidden]")]
    # the collapse checkbox's hidden partner says "off" when the box is unticked
    assert hidden == [("collapse", "0", "search"), ("tag", "RATES", "search"), ("sentiment", "NEUTRAL", "search")]
    assert doc.cssselect("#from")[0].get("value") == "2026-01-01"
    assert doc.cssselect("#to")[0].get("value") == "2026-02-28"
    assert doc.cssselect("#sort option[selected]")[0].get("value") == "newest"


@pytest.mark.parametrize("query", ["sort=sideways", "page=0", "page=abc", "from=yesterday",
                                   "from=2026-03-01&to=2026-01-01", 'q=title:("unclosed'])
def test_bad_parameters_are_a_400_page_that_helps(client, query: str) -> None:
    response = client.get("/search?" + query)
    assert response.status_code == 400
    doc = parse(response)
    assert doc.cssselect("form#search")  # the search box is there to fix the query
    assert text(doc.cssselect(".notice-error h2")[0]) == "This search cannot run"
    fragment = client.get("/search?" + query, headers=HTMX)
    assert fragment.status_code == 400
    assert "<html" not in fragment.get_data(as_text=True)
    assert "notice-error" in fragment.get_data(as_text=True)


HOSTILE_PARAMS = [
    "q=%00", "q=%ff%fe", "q=" + "a" * 5000, "q=((((((((((", "q=*", "q=a*", "q=title:", "q=NOT",
    "q=AND OR NOT", "q=published:[2026 TO", "q=published:notadate", "q=%22", "q=<script>alert(1)</script>",
    "page=99999999999999999999", "page=-1", "per_page=100000", "per_page=-5", "per_page=x",
    "from=0000-00-00", "to=9999-99-99", "from=2026-13", "as_of=garbage", "as_of=2026-01-01T00:00:00",
    "sort[]=x", "source=" + "x" * 3000, "tag=%0a%0d", "lang=../../etc/passwd", "sentiment=<b>",
    "q=x&q=y&q=z", "drafts=1", "category=%e2%80%ae", "q=sour*&page=2",
]


@pytest.mark.parametrize("path", ["/search", "/api/search", "/api/facets", "/search.atom",
                                  "/search.csv", "/search.jsonl", "/embed"])
def test_never_a_500_whatever_the_parameters(client, path: str) -> None:
    for params in HOSTILE_PARAMS:
        for headers in ({}, HTMX):
            response = client.get(f"{path}?{params}", headers=headers)
            assert response.status_code in (200, 400), (path, params, response.status_code)
            response.get_data()


def test_not_found_pages(client) -> None:
    for path in ("/article/0000000000000000", "/article/..%2f..%2fetc", "/no/such/page"):
        response = client.get(path)
        assert response.status_code == 404
        assert text(parse(response).cssselect(".notice-error h1")[0]) == "Not found"


def test_index_unavailable_is_503_with_advice(tmp_path) -> None:
    from web.app import create_app

    client = create_app({"HOME": tmp_path}).test_client()
    page = client.get("/search?q=x")
    assert page.status_code == 503
    assert "newsarchive reindex" in page.get_data(as_text=True)
    api = client.get("/api/search")
    assert api.status_code == 503
    assert api.json["ok"] is False and api.json["status"] == 503 and "reindex" in api.json["error"]


def test_article_page(client, service) -> None:
    article = next(a for a in fixture_articles() if a.title.startswith("Chipmakers rally"))
    response = client.get(f"/article/{article.id}")
    assert response.status_code == 200
    doc = parse(response)
    assert text(doc.cssselect("h1")[0]) == article.title
    assert text(doc.cssselect(".standfirst")[0]) == article.description
    assert [text(p) for p in doc.cssselect(".article-body p")] == [
        " ".join(p.split()) for p in article.body.split("\n\n")]
    original = doc.cssselect(".original a")[0]
    assert original.get("href") == article.url
    citation = {text(dt): text(dd) for dt, dd in zip(doc.cssselect(".citation dt"),
                                                      doc.cssselect(".citation dd"))}
    assert citation == {
        "Archive id": article.id,
        "Title": article.title,
        "Source": "Tech Daily",
        "Published": article.published_at.strftime("%Y-%m-%d %H:%M UTC"),
        "URL": article.url,
        "Archive address": f"http://localhost/article/{article.id}",
    }
    similar = service.more_like_this(article.id, limit=5)
    assert [(text(a), a.get("href")) for a in doc.cssselect(".similar li > a")] == [
        (h.title, f"/article/{h.id}") for h in similar]
    assert len(similar) == 5


HOSTILE_PATHS = [
    "/article/" + "a" * 500, "/article/%00", "/article/%ff", "/article/..%2F..%2Fetc%2Fpasswd",
    "/article/<script>", "/api/articles/%E2%80%AE", "/api/articles/" + "9" * 64,
    "/oembed?url=http://[::1/x", "/oembed?url=%00", "/oembed?url=http://localhost/article/%2e%2e",
    "/oembed?url=http://localhost/search?page=-1", "/oembed?url=http://localhost/embed?q=((",
    "/oembed?url=http://localhost/&maxheight=-5", "/embed.js?x=%00", "/static/../web/app.py",
    "/search.atom?q=" + "%22" * 30, "/api/openapi.json?x=1",
]


def test_never_a_500_on_hostile_paths(client) -> None:
    for path in HOSTILE_PATHS:
        response = client.get(path)
        response.get_data()
        response.close()
        assert response.status_code in (200, 400, 404), (path, response.status_code)


def test_every_control_has_a_label_and_the_page_has_landmarks(client) -> None:
    for path in ("/search?q=rates&source=marketwire", "/embed?q=rates", "/search?sort=bad"):
        doc = parse(client.get(path))
        labels = {label.get("for") for label in doc.cssselect("label")}
        controls = [c for c in doc.cssselect("input, select, textarea") if c.get("type") != "hidden"]
        assert controls and all(c.get("id") in labels for c in controls), path
        assert doc.cssselect("[role=search]") and doc.cssselect("[aria-live=polite]"), path
    page = parse(client.get("/search?q=rates"))
    assert page.cssselect("main#main") and page.cssselect("a.skip-link")[0].get("href") == "#main"
    bars = page.cssselect("figure.histogram svg a")
    assert bars and all(re.fullmatch(r".+: \d+ match(es)?", a.get("aria-label")) for a in bars)
