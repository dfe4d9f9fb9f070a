"""archive.fetch against a real HTTP server on 127.0.0.1 (tests/httpserver.py)."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

import pytest

from archive.errors import FetchError, InputError
from archive.fetch import FEED_TYPES, HTML_TYPES, USER_AGENT, FetchSettings, fetch_page
from tests.conftest import FIXTURES
from tests.httpserver import LocalServer

#: generous enough for a loaded CI machine; the tests about timeouts set their own
FAST = {"timeout": 2.5, "deadline": 10.0, "retries": 0, "backoff": 0.01}
PAGE = (FIXTURES / "html" / "ledger-etf.html").read_bytes()


@pytest.fixture(scope="module")
def server():
    with LocalServer(slow_seconds=2.0, flaky_failures=1) as srv:
        yield srv


def message(excinfo: pytest.ExceptionInfo) -> str:
    return str(excinfo.value)


def test_fetches_a_page_with_our_user_agent(server):
    before = datetime.now(timezone.utc).replace(microsecond=0)
    page = fetch_page(server.url("/pages/ledger-etf.html"), **FAST)
    assert page.content == PAGE
    assert page.status == 200
    assert page.url == page.final_url == server.url("/pages/ledger-etf.html")
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert page.redirects == (server.url("/pages/ledger-etf.html"),)
    assert before <= page.fetched_at <= datetime.now(timezone.utc)
    path, headers = [r for r in server.requests if r[0] == "/pages/ledger-etf.html"][-1]
    assert headers["user-agent"] == USER_AGENT
    assert USER_AGENT.startswith("newsarchive/0.1 (+https://")
    assert headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("route, encoding", [("/gzip/ledger-etf.html", "gzip"),
                                             ("/deflate/ledger-etf.html", "deflate"),
                                             ("/raw-deflate/ledger-etf.html", "deflate")])
def test_decodes_gzip_and_deflate(server, route, encoding):
    page = fetch_page(server.url(route), **FAST)
    assert page.content == PAGE
    assert page.headers["content-encoding"] == encoding


def test_corrupt_compression(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/bad-gzip"), **FAST)
    assert message(excinfo) == f"{server.url('/bad-gzip')}: the page's gzip compression is corrupt"


def test_slow_server_times_out_with_the_seconds_in_the_message(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/slow"), **{**FAST, "timeout": 0.5})
    assert message(excinfo) == (f"{server.url('/slow')}: timed out after 0.5 s waiting for the "
                                "server to answer")


def test_a_server_trickling_bytes_is_cut_off_by_the_deadline(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/trickle"), timeout=0.5, deadline=0.8, retries=0)
    assert message(excinfo) == (f"{server.url('/trickle')}: gave up after the 0.8 s time limit "
                                "while reading the page")


def test_404_is_not_retried(server):
    count = len([r for r in server.requests if r[0] == "/missing"])
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/missing"), timeout=0.5, retries=3, backoff=0.01)
    assert message(excinfo) == f"{server.url('/missing')}: HTTP 404 Not Found: no page at this address"
    assert len([r for r in server.requests if r[0] == "/missing"]) == count + 1


def test_410(server):
    with pytest.raises(FetchError, match=r"HTTP 410 Gone: the page was removed$"):
        fetch_page(server.url("/gone"), **FAST)


def test_5xx_is_retried_then_succeeds(server):
    page = fetch_page(server.url("/flaky"), timeout=0.5, retries=2, backoff=0.01)
    assert page.content == PAGE
    assert [r[0] for r in server.requests].count("/flaky") == 2


def test_persistent_500_gives_up_after_the_retries(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/error"), timeout=0.5, retries=2, backoff=0.01)
    assert message(excinfo) == (f"{server.url('/error')}: HTTP 500 Internal Server Error: the server "
                                "had an error (tried 3 times)")
    assert [r[0] for r in server.requests].count("/error") == 3


def test_429_is_retried(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/busy"), timeout=0.5, retries=1, backoff=0.01)
    assert message(excinfo) == (f"{server.url('/busy')}: HTTP 429 Too Many Requests: the server says "
                                "too many requests; try again later (tried 2 times)")


def test_redirects_are_followed(server):
    page = fetch_page(server.url("/hops/3"), **FAST)
    assert page.content == PAGE
    assert page.final_url == server.url("/pages/ledger-etf.html")
    assert page.redirects == (server.url("/hops/3"), server.url("/hops/2"), server.url("/hops/1"),
                              server.url("/pages/ledger-etf.html"))
    assert fetch_page(server.url("/moved"), **FAST).final_url == server.url("/pages/ledger-etf.html")


def test_too_many_redirects(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/hops/4"), max_redirects=2, **FAST)
    assert message(excinfo) == f"{server.url('/hops/4')}: too many redirects (more than 2)"


def test_redirect_loop(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/loop/a"), **FAST)
    assert message(excinfo) == (f"{server.url('/loop/a')}: redirect loop: {server.url('/loop/a')} "
                                "redirects back to itself after 1 redirect(s)")


@pytest.mark.parametrize("route, target", [
    ("/to-file", "file:///etc/passwd"),
    ("/to-ftp", "ftp://127.0.0.1/pub/page.html"),
])
def test_redirect_to_another_scheme_is_refused(server, route, target):
    scheme = target.split(":")[0]
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url(route), **FAST)
    assert message(excinfo) == (f"{server.url(route)}: redirected to a {scheme}: address ({target}); "
                                "only http and https are followed")


@pytest.mark.parametrize("route, ctype", [("/image.png", "image/png"),
                                          ("/download.bin", "application/octet-stream")])
def test_binary_content_is_refused_before_download(server, route, ctype):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url(route), **FAST)
    assert message(excinfo) == f"{server.url(route)}: not an HTML page ({ctype})"


def test_binary_without_content_type(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/no-type"), **FAST)
    assert message(excinfo) == f"{server.url('/no-type')}: not an HTML page (binary content, no content type)"


def test_feeds_are_accepted_when_asked_for(server):
    with pytest.raises(FetchError, match=r"not an HTML page \(application/rss\+xml\)$"):
        fetch_page(server.url("/feeds/ledger-markets.rss"), **FAST)
    page = fetch_page(server.url("/feeds/ledger-markets.rss"), accept=HTML_TYPES + FEED_TYPES, **FAST)
    assert page.content_type == "application/rss+xml"
    assert server.base.encode() in page.content


def test_huge_streamed_page_stops_at_the_cap(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/huge"), max_bytes=256 * 1024, **FAST)
    assert message(excinfo) == f"{server.url('/huge')}: the page is larger than the 256 KB limit"


def test_declared_size_over_the_cap_is_refused_before_reading(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/huge-declared"), max_bytes=1024 * 1024, **FAST)
    assert message(excinfo) == f"{server.url('/huge-declared')}: the page is larger than the 1 MB limit (50 MB)"


def test_gzip_bomb_stops_at_the_cap(server):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(server.url("/gzip-bomb"), max_bytes=1024 * 1024, **FAST)
    assert message(excinfo) == f"{server.url('/gzip-bomb')}: the page is larger than the 1 MB limit"
    assert len(gzip.decompress(server.bomb())) == 20 * 1024 * 1024  # the bomb is real


def test_connection_refused_is_retried_then_explained():
    srv = LocalServer()
    url = srv.url("/pages/ledger-etf.html")
    srv.httpd.server_close()  # nothing listens on that port now
    with pytest.raises(FetchError) as excinfo:
        fetch_page(url, timeout=0.5, retries=1, backoff=0.01)
    host = url.split("/")[2]
    assert message(excinfo) == (f"{url}: cannot connect to {host} (connection refused); is the address "
                                "right and the site up? (tried 2 times)")


@pytest.mark.parametrize("url, expected", [
    ("ftp://example.com/x", "ftp://example.com/x: only http:// and https:// addresses can be fetched"),
    ("file:///etc/passwd", "file:///etc/passwd: only http:// and https:// addresses can be fetched"),
    ("http:///nohost", "http:///nohost: the address has no host name: 'http:///nohost'"),
    ("http://127.0.0.1:99999/", "http://127.0.0.1:99999/: not a valid address: 'http://127.0.0.1:99999/'"),
])
def test_bad_addresses(url, expected):
    with pytest.raises(FetchError) as excinfo:
        fetch_page(url, **FAST)
    assert message(excinfo) == expected


def test_settings_are_checked():
    assert FetchSettings.from_mapping({"timeout": 2}).timeout == 2
    with pytest.raises(InputError) as excinfo:
        FetchSettings.from_mapping({"timout": 2})
    assert excinfo.value.message.startswith("unknown fetch setting(s): timout; known: accept, allow_private, backoff,")
    with pytest.raises(InputError, match="'timeout' must be a positive number of seconds"):
        FetchSettings.from_mapping({"timeout": 0})
