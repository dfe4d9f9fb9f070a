"""Property tests (hypothesis): importers, the query parser and the web never fail unhandled.

Whatever the bytes, an importer gives articles or a ``NewsarchiveError``; whatever the query
text, search gives a result or a ``QueryError``; whatever the parameters, a page or API answers
200 or 400, never 500.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.errors import NewsarchiveError, QueryError
from archive.ingest import Failure, IngestOptions, _importer, finish_article
from index.model import SearchQuery
from index.search import SearchService
from tests.index.fixtures import build_fixture_index

OPTIONS = IngestOptions(now=datetime(2026, 3, 1, tzinfo=timezone.utc))
SHAPES = ["markdown", "text", "html", "feed", "json", "jsonl", "csv", "warc"]

# inputs that look a little like each shape, so the fuzzer gets past the first check
_PREFIXES = st.sampled_from([
    b"", b"---\n", b"---\ntitle: x\npublishedAt: 2025-01-01\n---\n", b"<html><body><p>",
    b"<?xml version='1.0'?><rss><channel><item><title>", b"{\"articles\": [", b"[{\"title\": ",
    b"title,body,url\n", b"WARC/1.0\r\n", b"Source: Wire Original: \"{title}\"\n",
])
_BODIES = st.one_of(st.binary(max_size=600), st.text(max_size=600).map(lambda s: s.encode("utf-8")))


@pytest.mark.parametrize("shape", SHAPES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=_PREFIXES, data=_BODIES)
def test_importers_never_fail_unhandled(shape: str, prefix: bytes, data: bytes) -> None:
    try:
        drafts = _importer(shape)(prefix + data, name="fuzz", options=OPTIONS)
    except NewsarchiveError as exc:
        assert exc.message
        return
    for _, draft in drafts:
        if isinstance(draft, Failure):
            assert draft.message
            continue
        try:
            finish_article(draft, OPTIONS)
        except NewsarchiveError as exc:
            assert exc.message


@pytest.fixture(scope="module")
def fixture_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("fuzz-home")
    build_fixture_index(home)
    return home


_QUERY_ALPHABET = st.sampled_from(list('abc xyz"()*:[]-+~^?\\/!&|{}') + [
    " AND ", " OR ", " NOT ", "title:", "tag:", "source:", "published:", "2026-02", " TO ",
    "bitcoin", "ether", "\u00e9", "\x00", "\u202e"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_QUERY_ALPHABET, max_size=12).map("".join))
def test_any_query_gives_a_result_or_an_explained_error(fixture_home: Path, text: str) -> None:
    with SearchService(fixture_home) as service:
        try:
            result = service.search(SearchQuery(q=text))
        except QueryError as exc:
            assert exc.message and len(exc.message) < 500
            return
    assert result.total >= 0


_PARAM = st.sampled_from(["q", "source", "tag", "sentiment", "category", "lang", "from", "to",
                          "sort", "page", "per_page", "as_of", "drafts", "url", "format", "maxwidth",
                          "callback", "junk"])
_VALUE = st.one_of(st.text(max_size=40), st.integers().map(str),
                   st.sampled_from(["-1", "0", "99999999999999999999", "2026-13-45", "newest", "'\"><script>"]))
_PATHS = ["/search", "/", "/api/search", "/api/facets", "/search.csv", "/search.jsonl", "/search.atom",
          "/embed", "/oembed"]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(_PATHS), params=st.lists(st.tuples(_PARAM, _VALUE), max_size=6),
       htmx=st.booleans())
def test_any_parameters_never_give_a_500(fixture_home: Path, path: str,
                                         params: list[tuple[str, str]], htmx: bool) -> None:
    from web.app import create_app

    client = _client(fixture_home, create_app)
    response = client.get(path, query_string=params, headers={"HX-Request": "true"} if htmx else {})
    # oEmbed answers 501 for a format it does not serve, as its specification says
    allowed = (200, 400, 404, 501) if path == "/oembed" else (200, 400, 404)
    assert response.status_code in allowed, (path, params, response.status_code)
    response.close()


_CLIENTS: dict[Path, object] = {}


def _client(home: Path, create_app):  # one app per module run: building it per example is slow
    if home not in _CLIENTS:
        _CLIENTS[home] = create_app({"HOME": home, "TESTING": True}).test_client()
    return _CLIENTS[home]
