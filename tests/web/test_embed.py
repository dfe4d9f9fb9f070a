"""The embed view, the embed snippet, oEmbed, and the security headers on every response."""

from __future__ import annotations

import lxml.html

from index.model import SearchQuery
from tests.index.fixtures import fixture_articles
from web.security import content_security_policy

STRICT_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
              "frame-ancestors 'self'")


def test_embed_view_is_compact_and_framable_by_configured_origins(web_home, service) -> None:
    from web.app import create_app

    client = create_app({"HOME": web_home,
                         "EMBED_ORIGINS": "https://wiki.example.com http://localhost:8000"}).test_client()
    response = client.get("/embed?q=bitcoin&sort=newest")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == content_security_policy(
        ("https://wiki.example.com", "http://localhost:8000"))
    assert response.headers["Content-Security-Policy"].endswith(
        "frame-ancestors 'self' https://wiki.example.com http://localhost:8000")
    assert "X-Frame-Options" not in response.headers
    doc = lxml.html.fromstring(response.data)
    expected = service.search(SearchQuery(q="bitcoin", sort="newest", per_page=5))
    links = doc.cssselect(".embed-hits li > a")
    assert [(a.text_content(), a.get("href"), a.get("target")) for a in links] == [
        (h.title, f"http://localhost/article/{h.id}", "_blank") for h in expected.hits]
    assert doc.cssselect(".embed-more a")[0].get("href") == "http://localhost/search?q=bitcoin&sort=newest"
    assert doc.cssselect("#embed-root")[0] is not None
    fragment = client.get("/embed?q=bitcoin", headers={"HX-Request": "true"})
    assert fragment.headers["Vary"] == "HX-Request"
    assert "HX-Push-Url" not in fragment.headers  # the wiki page's history stays the wiki's
    assert "<html" not in fragment.get_data(as_text=True)
    # the other pages can only be framed by the archive itself
    page = client.get("/search")
    assert page.headers["Content-Security-Policy"] == STRICT_CSP
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_default_embed_is_self_only(client) -> None:
    assert client.get("/embed").headers["Content-Security-Policy"] == STRICT_CSP


def test_security_headers_on_every_response(client) -> None:
    article = fixture_articles()[0]
    for path in ("/", "/search?q=x", f"/article/{article.id}", "/api/search", "/search.csv",
                 "/search.atom", "/embed", "/embed.js", "/oembed", "/opensearch.xml",
                 "/static/app.css", "/nope", "/search?sort=bad"):
        response = client.get(path)
        response.close()
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert "script-src 'self';" in response.headers["Content-Security-Policy"], path
        assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"], path


def test_no_inline_script_or_style_in_any_page(client) -> None:
    article = fixture_articles()[0]
    for path in ("/search?q=bitcoin", f"/article/{article.id}", "/embed?q=x", "/nope"):
        doc = lxml.html.fromstring(client.get(path).data)
        scripts = doc.cssselect("script")
        assert scripts and all(s.get("src", "").startswith("/static/") and not (s.text or "").strip()
                                for s in scripts), path
        assert doc.cssselect("style") == [] and doc.cssselect("[style]") == [], path
        assert not [el for el in doc.iter() if isinstance(el.tag, str)
                    and any(a.startswith("on") for a in el.attrib)], path


def test_embed_script(client) -> None:
    response = client.get("/embed.js")
    body = response.get_data(as_text=True)
    response.close()
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert 'new URL(view === "timeline" || view === "analysis" ? "embed/" + view : "embed", script.src)' in body
    assert "event.origin !== origin" in body


def test_oembed(client) -> None:
    article = next(a for a in fixture_articles() if a.title.startswith("Fed holds"))
    response = client.get("/oembed", query_string={"url": f"http://localhost/article/{article.id}"})
    assert response.json == {
        "version": "1.0", "provider_name": "newsarchive", "provider_url": "http://localhost/",
        "type": "link", "title": article.title, "author_name": "Marketwire Staff"}
    search = client.get("/oembed", query_string={"url": "http://localhost/search?q=rate+cut&tag=FED",
                                                 "maxwidth": "480"})
    src = "http://localhost/embed?q=rate+cut&amp;tag=FED"
    assert search.json == {
        "version": "1.0", "provider_name": "newsarchive", "provider_url": "http://localhost/",
        "type": "rich", "title": "newsarchive search: rate cut",
        "html": f'<iframe src="{src}" width="480" height="420" title="newsarchive search: rate cut" '
                'loading="lazy" style="border:0"></iframe>',
        "width": 480, "height": 420}
    errors = {
        "": (400, "'url' is required: the address of an article or a search in this archive"),
        "?url=https://elsewhere.example/article/x": (404, "that address is not in this archive"),
        "?url=http://localhost/about": (404, "that address is neither an article nor a search of this archive"),
        "?url=http://localhost/article/0000000000000000": (404, "no article with id '0000000000000000'"),
        "?url=http://localhost/search?sort=bad": (400, "'sort' must be one of relevance, newest, oldest, not 'bad'"),
        "?url=http://localhost/&format=xml": (501, "only format=json is offered"),
        "?url=http://localhost/&maxwidth=wide": (400, "'maxwidth' and 'maxheight' must be whole numbers"),
        "?url=http://[::1/x": (400, "'url' is not a valid address"),
        "?url=javascript:alert(1)": (404, "that address is not in this archive"),
    }
    for qs, (status, message) in errors.items():
        response = client.get("/oembed" + qs)
        assert (response.status_code, response.json) == (
            status, {"ok": False, "error": message, "status": status}), qs
