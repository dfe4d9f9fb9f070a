"""Fetching reaches only public addresses unless the user allows more (issue 9, finding 8): the
first request, every redirect, every feed entry and a watch's webhook, through the real command
and real local servers. ``tests/conftest.py`` allows private addresses for the other tests; these
unset it."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from archive.errors import FetchError, InputError
from archive.fetch import ALLOW_PRIVATE_ENV, address_kind, fetch_page, post_json
from scripts.cli import main
from tests.httpserver import LocalServer

PAGE = "/pages/ledger-etf.html"


@pytest.fixture
def public_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ALLOW_PRIVATE_ENV, raising=False)


def ingest(home: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--json", *args])
    return json.loads(result.stdout)["results"]


@pytest.mark.parametrize("address, kind", [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("::ffff:127.0.0.1", "loopback"),
    ("10.1.2.3", "private"), ("192.168.0.10", "private"), ("172.16.5.4", "private"),
    ("fc00::1", "private"), ("169.254.169.254", "link-local"), ("fe80::1", "link-local"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("100.64.0.1", "non-public"),
    ("240.0.0.1", "private"), ("::ffff:10.0.0.1", "private"),
    ("8.8.8.8", None), ("2606:4700:4700::1111", None), ("::ffff:1.1.1.1", None),
])
def test_what_counts_as_a_public_address(address, kind):
    assert address_kind(address) == kind


def test_a_loopback_page_is_refused_before_any_connection(public_only, home):
    with LocalServer() as server:
        url = server.url(PAGE)
        results = ingest(home, url)
        assert server.requests == []  # refused on the resolved address: never connected
    assert [(r["status"], r["error"]) for r in results] == [("failed", (
        "refused: 127.0.0.1 is a loopback address, and fetching private addresses is off "
        f"(for an intranet archive: --allow-private-addresses or {ALLOW_PRIVATE_ENV}=1)"))]


def test_the_option_allows_private_addresses_for_an_intranet_archive(public_only, home):
    with LocalServer() as server:
        results = ingest(home, "--allow-private-addresses", server.url(PAGE))
        host = dict(server.requests[0][1])["host"]
    assert [r["status"] for r in results] == ["created"]
    assert host == server.base.removeprefix("http://")  # sent to the checked address, same Host


def test_a_redirect_to_a_private_address_is_refused(public_only, home, monkeypatch):
    """An allowed intranet server (127.0.0.2, allowed by network) that redirects to another
    private address (127.0.0.1, not allowed): the redirect's host is checked too."""
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "127.0.0.2/32")
    with LocalServer(host="127.0.0.2") as intranet, LocalServer() as internal:
        url = intranet.url("/redirect-to/" + quote(internal.url(PAGE), safe=""))
        results = ingest(home, url)
        assert internal.requests == []
        assert [p for p, _ in intranet.requests] == [url.removeprefix(intranet.base)]
    assert results[0]["status"] == "failed"
    assert results[0]["error"].startswith("refused: 127.0.0.1 is a loopback address")


def test_a_feed_entry_pointing_at_a_private_address_is_not_fetched(public_only, home, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "127.0.0.2")
    with LocalServer(host="127.0.0.2") as intranet, LocalServer() as internal:
        feed = intranet.url("/feed-to/" + quote(internal.url(PAGE), safe=""))
        results = ingest(home, "--feed", feed)
        assert internal.requests == []  # the "internal only" page was never requested
    assert [(r["status"], r["input"].endswith(f"entry 1 ({internal.url(PAGE)})")) for r in results] == [
        ("failed", True)]
    assert results[0]["error"].startswith("refused: 127.0.0.1 is a loopback address")


def test_a_bad_network_list_is_a_clear_error(public_only, monkeypatch):
    monkeypatch.setenv(ALLOW_PRIVATE_ENV, "intranet")
    with pytest.raises(InputError, match=rf"{ALLOW_PRIVATE_ENV} must be 1 .* not 'intranet'"):
        fetch_page("http://127.0.0.1:9/")


def test_a_webhook_at_a_private_address_is_refused(public_only):
    with LocalServer() as server:
        with pytest.raises(FetchError, match="refused: 127.0.0.1 is a loopback address"):
            post_json(server.url("/hook"), {"id": "x"})
        assert server.posts == []
