"""Hostile requests (issue 10): each answered with a 400 that says what is wrong, or with valid
output, never a 500, never a response that grows with the junk sent, never a script link."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.store import Store
from index.model import MAX_PARAMS, MAX_SEARCH_CHARS, MAX_VALUE_CHARS, MAX_VALUES, SEARCH_PARAMS

SCRIPT_URL = "javascript:alert(document.domain)//"
SEARCH_FACES = ("/api/search", "/search", "/search.atom", "/search.csv", "/search.jsonl", "/embed",
                "/api/facets")


def script_link_article() -> Article:
    body = "A report on the phishing wave that hit token holders this week."
    article = Article(
        title="Phishing wave hits token holders",
        published_at=datetime(2026, 2, 13, 8, 0, tzinfo=timezone.utc),
        body=body,
        lang="en",
        source=Source(name="Link Wire", key="linkwire", type="WEB"),
        url=SCRIPT_URL,
        canonical_url="JavaScript:alert(1)",
        ingested_at=datetime(2026, 2, 13, 9, 0, tzinfo=timezone.utc),
        content_hash=compute_content_hash(body),
    )
    return article.replace(id=derive_id(article))


@pytest.fixture(scope="module")
def link_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from index.build import reindex
    from tests.index.fixtures import write_fixture_articles

    home = tmp_path_factory.mktemp("links") / "home"
    home.mkdir()
    write_fixture_articles(home)
    Store(home).save(script_link_article())
    assert not reindex(home, procs=1).failed
    return home


@pytest.fixture(scope="module")
def link_client(link_home: Path):
    from web.app import create_app

    return create_app({"HOME": link_home}).test_client()


def error_of(response) -> dict:
    assert response.mimetype == "application/json"
    return response.json


# ---------------------------------------------------------------- (2) amplification --

def test_junk_filter_values_are_refused_small(client) -> None:
    """1 real and 49 junk 4 KB ``source=`` values: 197 KB in, 37 MB (API) and 102 MB (page) out
    before; now a 400 of a few hundred bytes from every face."""
    junk = [("source", "coindesk")] + [("source", f"{i:02d}" + "x" * 4094) for i in range(49)]
    for path in SEARCH_FACES:
        response = client.get(path, query_string=junk)
        assert response.status_code == 400, path
        assert len(response.data) < 20_000, path
    assert error_of(client.get("/api/search", query_string=junk)) == {
        "ok": False, "status": 400, "error": "a 'source' value is longer than 100 characters"}


@pytest.mark.parametrize("args, message", [
    ([("source", "x" * (MAX_VALUE_CHARS + 1))], "a 'source' value is longer than 100 characters"),
    ([("q", "bitcoin " * 130)], "the query is longer than 1,000 characters"),
    ([("tag", f"t{i}") for i in range(MAX_PARAMS + 1)], "a search takes at most 60 parameters, not 61"),
    ([(p, "y" * 90) for p in ("source", "tag", "category", "lang") for _ in range(6)],
     "the parameters of a search hold at most 2,000 characters together, not 2,160"),
    ([("from", "2026-01-01" + " " * 5 + "x" * 100)], "'from' is longer than 100 characters"),
])
def test_each_limit_is_a_400_naming_it(client, args, message) -> None:
    response = client.get("/api/search", query_string=args)
    assert (response.status_code, error_of(response)["error"]) == (400, message)


def test_the_largest_accepted_search_gives_a_bounded_page(client) -> None:
    """At the limits (2,000 characters of values), every link of the page repeats the search:
    the page stays within a few hundred kilobytes."""
    args = [("q", "rates " + "x" * 994)] + [("tag", f"{i:02d}" + "t" * 48) for i in range(MAX_VALUES)]
    assert sum(len(v) for _, v in args) == MAX_SEARCH_CHARS
    for path in ("/search", "/api/search"):
        response = client.get(path, query_string=args)
        assert response.status_code == 200, path
        assert len(response.data) < 600_000, (path, len(response.data))


# ------------------------------------------------------------ unknown parameters --

@pytest.mark.parametrize("args, message", [
    ({"q": "hack", "tags": "HACKS"},
     "unknown parameter 'tags': did you mean 'tag'? The parameters are " + ", ".join(SEARCH_PARAMS)),
    ({"q": "rates", "limit": "2"},
     "unknown parameter 'limit': did you mean 'per_page'? The parameters are " + ", ".join(SEARCH_PARAMS)),
    ({"Q": "rates"}, "unknown parameter 'Q': did you mean 'q'? The parameters are " + ", ".join(SEARCH_PARAMS)),
    ({"wibble": "1"}, "unknown parameter 'wibble'; the parameters are " + ", ".join(SEARCH_PARAMS)),
    ({"per_page": "0"}, "'per_page' must be between 1 and 100, not 0"),
    ({"per_page": "-3"}, "'per_page' must be between 1 and 100, not -3"),
])
def test_unknown_and_misspelt_parameters_are_named(client, args, message) -> None:
    for path in SEARCH_FACES:
        response = client.get(path, query_string=args)
        assert response.status_code == 400, path
        assert message.encode() in response.data.replace(b"&#39;", b"'"), path
    assert error_of(client.get("/api/search", query_string=args)) == {
        "ok": False, "error": message, "status": 400}


def test_tracking_parameters_and_large_pages_still_work(client, service) -> None:
    from index.model import SearchQuery

    response = client.get("/api/search?q=rates&utm_source=newsletter&fbclid=abc&per_page=500")
    assert response.status_code == 200
    assert response.json["per_page"] == 100
    assert response.json["total"] == service.search(SearchQuery(q="rates")).total


# ------------------------------------------------------------ (4) always valid JSON --

def test_an_infinite_boost_is_refused_and_json_stays_json(client, web_home: Path) -> None:
    from scripts.cli import main

    q = "bitcoin^1" + "0" * 400
    message = "a boost ('word^2') must be a number from 0 to 100"
    response = client.get("/api/search", query_string={"q": q})
    assert json.loads(response.data) == {"ok": False, "error": message, "status": 400}
    assert client.get("/search.jsonl", query_string={"q": q}).status_code == 400
    result = CliRunner().invoke(main, ["search", "--home", str(web_home), "--json", q])
    assert (result.exit_code, result.output.strip().splitlines()[-1]) == (1, f"Error: {message}")
    ok = client.get("/api/search", query_string={"q": "bitcoin^100"})
    assert ok.status_code == 200
    json.loads(ok.data)  # strict: NaN and Infinity are not JSON
    assert all(isinstance(h["score"], float) for h in ok.json["hits"])


def test_non_finite_numbers_become_null() -> None:
    from index.model import _jsonable

    assert _jsonable({"a": float("inf"), "b": [float("-inf"), float("nan"), 1.5]}) == {
        "a": None, "b": [None, None, 1.5]}


# ------------------------------------------------------------- (5) dates out of range --

RANGE = "between 1000-01-01 and 2999-12-31"


@pytest.mark.parametrize("args, message", [
    ({"to": "9999-12-31"}, f"'to' must be {RANGE}, not 9999-12-31"),
    ({"to": "9999"}, f"'to' must be {RANGE}, not 9999-12-31"),
    ({"from": "0001-01-01"}, f"'from' must be {RANGE}, not 0001-01-01"),
    ({"to": "9999-12"}, f"'to' must be {RANGE}, not 9999-12-01"),
    ({"as_of": "0001-01-01T00:00:00+01:00"}, f"'as_of' must be {RANGE}, not 0001-01-01T00:00:00+01:00"),
    ({"as_of": "9999-12-31T23:59:59-10:00"}, f"'as_of' must be {RANGE}, not 9999-12-31T23:59:59-10:00"),
    ({"q": "published:9999-12-31"},
     "'9999-12-31' in 'published:' is outside the dates an archive can hold: 1000-01-01 to 2999-12-31"),
])
def test_dates_outside_the_range_are_a_400_with_the_range(client, args, message) -> None:
    for path in SEARCH_FACES:
        response = client.get(path, query_string=args)
        assert response.status_code == 400, path
    assert error_of(client.get("/api/search", query_string=args)) == {
        "ok": False, "error": message, "status": 400}


def test_dates_at_the_ends_of_the_range_work(client) -> None:
    for args in ({"to": "2999-12-31"}, {"to": "2999"}, {"from": "1000"},
                 {"as_of": "2999-12-30T23:59:59-10:00"}, {"as_of": "1000-01-02T00:00:00+14:00"}):
        for path in SEARCH_FACES:
            assert client.get(path, query_string=args).status_code == 200, (path, args)


# ------------------------------------------------------------- (7) only http(s) links --

def test_script_urls_are_never_offered(link_client, link_home: Path) -> None:
    from scripts.cli import main

    article = script_link_article()
    hits = link_client.get("/api/search?q=phishing").json["hits"]
    assert [(h["id"], h["url"]) for h in hits] == [(article.id, None)]
    rows = list(csv.DictReader(io.StringIO(link_client.get("/search.csv?q=phishing").data.decode())))
    assert [(r["id"], r["url"]) for r in rows] == [(article.id, "")]
    lines = link_client.get("/search.jsonl?q=phishing").data.decode().splitlines()
    assert [(json.loads(l)["id"], json.loads(l)["url"]) for l in lines] == [(article.id, None)]
    assert link_client.get(f"/api/articles/{article.id}").json["article"]["url"] is None
    for path in ("/search?q=phishing", f"/article/{article.id}", "/search.atom?q=phishing",
                 "/embed?q=phishing"):
        assert b"javascript:" not in link_client.get(path).data.lower(), path
    for flag in ("--json", "--csv"):
        result = CliRunner().invoke(main, ["search", "--home", str(link_home), flag, "phishing"])
        assert result.exit_code == 0
        assert "javascript:" not in result.output.lower()
