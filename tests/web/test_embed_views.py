"""'Embed this' on the search, analysis and timeline pages (issue 11): the snippets, the oEmbed
address (discovery links too) whose answer is the same iframe, the timeline and analysis
embeds, and what /embed says when opened directly or framed from an origin not allowed."""

from __future__ import annotations

import lxml.html
import pytest

from web.security import content_security_policy

WIKI = "https://wiki.example.com"
HOW_TO_ADD = ("To show it on another site, add that site's origin to EMBED_ORIGINS and restart the "
              f'server: NEWSARCHIVE_EMBED_ORIGINS="{WIKI} https://wiki.example" newsarchive serve '
              "(or EMBED_ORIGINS in the config file; several origins are separated by spaces).")


@pytest.fixture(scope="module")
def wiki_client(web_home):
    from web.app import create_app

    return create_app({"HOME": web_home, "EMBED_ORIGINS": WIKI}).test_client()


def words(element) -> str:
    return " ".join(element.text_content().split())


@pytest.mark.parametrize(("page", "iframe", "script", "title"), [
    ("/search?q=bitcoin&tag=FED", "/embed?q=bitcoin&amp;tag=FED",
     'data-q="bitcoin" data-tag="FED"', "newsarchive search: bitcoin"),
    ("/timeline?q1=bitcoin&q2=ether&label2=Ether&measure=share",
     "/embed/timeline?q1=bitcoin&amp;q2=ether&amp;label2=Ether&amp;measure=share",
     'data-view="timeline" data-params="q1=bitcoin&amp;q2=ether&amp;label2=Ether&amp;measure=share"',
     "newsarchive coverage over time: bitcoin, Ether"),
    ("/analysis?q=bitcoin", "/embed/analysis?q=bitcoin", 'data-view="analysis" data-params="q=bitcoin"',
     "newsarchive: what bitcoin talks about"),
])
def test_every_view_offers_its_snippets_and_oembed_gives_the_same_iframe(
        wiki_client, page, iframe, script, title) -> None:
    doc = lxml.html.fromstring(wiki_client.get(page).data)
    snippet = doc.cssselect("#embed-iframe")[0].text_content()
    assert snippet == (f'<iframe src="http://localhost{iframe}" width="600" height="420" '
                       f'title="{title}" loading="lazy" style="border:0"></iframe>')
    assert doc.cssselect("#embed-script")[0].text_content() == (
        f'<script src="http://localhost/embed.js" {script} async></script>')
    oembed = doc.cssselect("#embed-oembed")[0].get("value")
    assert [link.get("href") for link in doc.cssselect('link[type="application/json+oembed"]')] == [oembed]
    assert words(doc.cssselect(".embed-origins")[0]) == (
        f"On pages of http://localhost (this archive), {WIKI}. {HOW_TO_ADD}")
    answer = wiki_client.get(oembed.replace("http://localhost", "")).json
    assert (answer["type"], answer["title"], answer["html"]) == ("rich", title, snippet)


def test_the_timeline_and_analysis_embeds_are_framable_and_show_their_view(wiki_client) -> None:
    framed = {"Sec-Fetch-Dest": "iframe", "Referer": f"{WIKI}/Crypto_desk"}
    response = wiki_client.get("/embed/timeline?q1=bitcoin&q2=ether", headers=framed)
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == content_security_policy((WIKI,))
    assert "X-Frame-Options" not in response.headers
    doc = lxml.html.fromstring(response.data)
    timeline = wiki_client.get("/api/timeline?q1=bitcoin&q2=ether").json
    assert [words(li) for li in doc.cssselect(".legend li")] == [
        f"{s['label']} {s['total']} articles" for s in timeline["series"]]
    assert len(doc.cssselect("svg.chart")) == 1 and doc.cssselect("base")[0].get("target") == "_blank"
    assert doc.cssselect(".embed-help") == [] and doc.cssselect(".embed-this") == []
    assert doc.cssselect(".embed-more a")[0].get("href") == "http://localhost/timeline?q1=bitcoin&q2=ether"
    analysis = lxml.html.fromstring(wiki_client.get("/embed/analysis?q=bitcoin", headers=framed).data)
    page = lxml.html.fromstring(wiki_client.get("/analysis?q=bitcoin").data)
    assert [words(li) for li in analysis.cssselect(".bar-list li")] == [
        words(li) for li in page.cssselect(".bar-list li")]
    assert analysis.cssselect(".embed-this") == [] and page.cssselect(".embed-this")
    assert wiki_client.get("/embed/timeline?q1=x&interval=hourly").status_code == 400


def test_embed_opened_directly_says_which_origins_may_frame_it_and_how_to_add_one(wiki_client) -> None:
    for path in ("/embed?q=bitcoin", "/embed/timeline?q1=bitcoin", "/embed/analysis?q=bitcoin"):
        doc = lxml.html.fromstring(wiki_client.get(path, headers={"Sec-Fetch-Dest": "document"}).data)
        assert words(doc.cssselect(".embed-help")[0]) == (
            f"This is newsarchive's embeddable view, made to sit in another site's page. It may be "
            f"framed by pages of http://localhost (this archive), {WIKI}; elsewhere the browser "
            f"shows an empty or broken frame. {HOW_TO_ADD}"), path
    framed = wiki_client.get("/embed?q=bitcoin", headers={"Sec-Fetch-Dest": "iframe", "Referer": WIKI + "/"})
    assert lxml.html.fromstring(framed.data).cssselect(".embed-help") == []


def test_embed_framed_by_an_origin_not_allowed_explains_instead_of_a_broken_frame(wiki_client) -> None:
    for path, full in (("/embed?q=bitcoin", "/search?q=bitcoin"),
                       ("/embed/timeline?q1=bitcoin", "/timeline?q1=bitcoin"),
                       ("/embed/analysis?q=bitcoin", "/analysis?q=bitcoin")):
        response = wiki_client.get(path, headers={"Sec-Fetch-Dest": "iframe",
                                                  "Referer": "https://other.example/page?x=1"})
        assert response.status_code == 403, path
        # only this explanation may show in any frame; the widget stays refused there
        assert response.headers["Content-Security-Policy"].endswith("frame-ancestors 'self' *")
        doc = lxml.html.fromstring(response.data)
        assert words(doc.cssselect(".embed-refused")[0]) == (
            f"newsarchive may not be shown on this page. Its widget may be framed by pages of "
            f"http://localhost (this archive), {WIKI}, and this page is on https://other.example. "
            f"{HOW_TO_ADD} Open it in newsarchive ›"), path
        assert doc.cssselect(".embed-refused a")[0].get("href") == "http://localhost" + full
        assert doc.cssselect(".embed-hits, svg.chart, .bar-list") == []
    # without a Referer the browser enforces frame-ancestors itself: the widget is served
    plain = wiki_client.get("/embed?q=bitcoin", headers={"Sec-Fetch-Dest": "iframe"})
    assert plain.status_code == 200 and plain.headers["Content-Security-Policy"].endswith(WIKI)


def test_no_inline_script_or_style_in_the_new_pages(wiki_client) -> None:
    for path in ("/embed/timeline?q1=bitcoin", "/embed/analysis?q=bitcoin", "/timeline?q1=bitcoin",
                 "/analysis?q=bitcoin"):
        doc = lxml.html.fromstring(wiki_client.get(path).data)
        assert all(s.get("src", "").startswith("/static/") and not (s.text or "").strip()
                   for s in doc.cssselect("script")), path
        assert doc.cssselect("style") == [] and doc.cssselect("[style]") == [], path
