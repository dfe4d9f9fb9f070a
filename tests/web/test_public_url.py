"""Absolute URLs come from the configured public address, never from the client's Host header
(issue 10: it was reflected into OpenSearch templates, Atom ids and links, the oEmbed iframe,
citations and the exports' archive_url); an untrusted Host is refused."""

from __future__ import annotations

import csv
import io
import html
import json
import re
from pathlib import Path

import pytest

from tests.index.fixtures import fixture_articles

PUBLIC = "https://news.example.org"


@pytest.fixture(scope="module")
def public_client(web_home: Path):
    from web.app import create_app

    return create_app({"HOME": web_home, "PUBLIC_URL": PUBLIC + "/"}).test_client()


def absolute_urls(text: str) -> set[str]:
    """Scheme and host of every absolute address in ``text`` (XML, HTML or JSON)."""
    text = html.unescape(text.replace("\\/", "/"))  # an address inside a snippet shown as text
    return set(re.findall(r"(https?://[^/\"'<>\s?]+)", text))


def pages(article_id: str) -> list[str]:
    search = "q=rates"
    return ["/opensearch.xml", f"/search.atom?{search}", f"/search.csv?{search}",
            f"/search.jsonl?{search}", f"/api/articles/{article_id}", "/api/openapi.json",
            f"/article/{article_id}", f"/embed?{search}",
            "/oembed?url=" + PUBLIC + "/search%3Fq%3Drates",
            "/oembed?url=" + PUBLIC + f"/article/{article_id}"]


OWN_ADDRESSES = {PUBLIC}


def test_every_absolute_url_uses_the_public_url(public_client) -> None:
    article = next(a for a in fixture_articles() if a.title.startswith("Fed holds"))
    for path in pages(article.id):
        for host in ("localhost", "evil.example"):
            response = public_client.get(path, base_url=f"http://{host}")
            if host == "evil.example":
                assert response.status_code == 400, path
                assert b"//evil.example" not in response.data, path  # named in the message only
                continue
            assert response.status_code == 200, path
            text = response.data.decode()
            ours = {u for u in absolute_urls(text) if not u.endswith(".example")
                    or u == PUBLIC} - {"http://www.w3.org", "http://a9.com"}
            assert ours == OWN_ADDRESSES, (path, ours)
    oembed = public_client.get("/oembed?url=" + PUBLIC + "/search%3Fq%3Drates").json
    assert oembed["provider_url"] == PUBLIC + "/"
    assert 'src="https://news.example.org/embed?q=rates"' in oembed["html"]
    rows = list(csv.DictReader(io.StringIO(public_client.get("/search.csv?q=rates").data.decode())))
    assert {r["archive_url"].rsplit("/", 1)[0] for r in rows} == {PUBLIC + "/article"}
    line = json.loads(public_client.get("/search.jsonl?q=rates").data.decode().splitlines()[0])
    assert line["archive_url"].startswith(PUBLIC + "/article/")
    page = public_client.get(f"/article/{article.id}").data.decode()
    assert f"{PUBLIC}/article/{article.id}" in page  # the citation


def test_an_untrusted_host_is_refused_without_a_public_url(client) -> None:
    """Before, ``Host: evil.example`` came back in every absolute URL."""
    message = ("this archive does not answer to the host 'evil.example': set "
               "NEWSARCHIVE_PUBLIC_URL to its public address, or list the host in "
               "NEWSARCHIVE_ALLOWED_HOSTS")
    response = client.get("/api/search?q=rates", base_url="http://evil.example")
    assert (response.status_code, response.json) == (400, {"ok": False, "error": message, "status": 400})
    for path in ("/opensearch.xml", "/search.atom", "/search?q=rates", "/embed"):
        assert client.get(path, base_url="http://evil.example").status_code == 400, path
    opensearch = client.get("/opensearch.xml", base_url="http://localhost:8080").data.decode()
    assert absolute_urls(opensearch) - {"http://a9.com"} == {"http://localhost:8080"}


def test_trusted_hosts_are_answered_on_their_own_address(web_home: Path) -> None:
    from web.app import create_app

    client = create_app({"HOME": web_home, "ALLOWED_HOSTS": "archive.example, .news.example"}).test_client()
    for host in ("archive.example", "eu.news.example", "127.0.0.1:8080"):
        feed = client.get("/search.atom?q=rates", base_url=f"http://{host}").data.decode()
        assert f"<id>http://{host}/search.atom?q=rates</id>" in feed, host
    assert client.get("/search.atom", base_url="http://evil.example").status_code == 400


@pytest.mark.parametrize("settings, message", [
    ({"PUBLIC_URL": "news.example.org"}, "NEWSARCHIVE_PUBLIC_URL: 'news.example.org' is not an "
     "address like https://news.example.org (scheme and host, no path)"),
    ({"PUBLIC_URL": "https://news.example.org/archive"}, "NEWSARCHIVE_PUBLIC_URL: "
     "'https://news.example.org/archive' is not an address like https://news.example.org "
     "(scheme and host, no path)"),
    ({"ALLOWED_HOSTS": "evil/x"}, "NEWSARCHIVE_ALLOWED_HOSTS: 'evil/x' is not a host name like "
     "news.example.org or .example.org"),
])
def test_bad_settings_are_named(web_home: Path, settings, message) -> None:
    from archive.errors import NewsarchiveError
    from web.app import create_app

    with pytest.raises(NewsarchiveError) as caught:
        create_app({"HOME": web_home, **settings})
    assert str(caught.value) == message
