"""The JSON API: same data as the pages, one error envelope, OpenAPI, CORS only when configured."""

from __future__ import annotations

from dataclasses import asdict

from index.model import SearchQuery, _jsonable, parse_params
from tests.index.fixtures import fixture_articles


def without_timing(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


def test_search_is_the_search_result_itself(client, service) -> None:
    args = {"q": "rates", "tag": ["RATES", "FED"], "sort": "newest", "per_page": "3"}
    response = client.get("/api/search", query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    expected = service.search(parse_params(args)).to_dict()
    data = response.json
    assert data["ok"] is True
    assert without_timing(data) == {"ok": True, **without_timing(expected)}
    assert list(data) == ["ok", "query", "total", "stories", "collapse", "unit", "page", "per_page",
                          "hits", "facets", "histogram", "interval", "undated", "suggestion", "fingerprint",
                          "as_of", "took_ms"]
    assert [h["title"] for h in data["hits"]] == [h.title for h in service.search(parse_params(args)).hits]


def test_facets(client, service) -> None:
    response = client.get("/api/facets?source=coindesk&source=theblock")
    expected = service.search(SearchQuery(source=("coindesk", "theblock"), per_page=1)).to_dict()
    assert without_timing(response.json) == {
        "ok": True, "query": expected["query"], "total": expected["total"],
        "facets": expected["facets"], "histogram": expected["histogram"],
        "interval": expected["interval"], "undated": expected["undated"]}
    assert [(f["value"], f["selected"]) for f in response.json["facets"]["source"]][:2] == [
        (v.value, v.selected) for v in service.search(
            SearchQuery(source=("coindesk", "theblock"))).facets["source"]][:2]


def test_article(client) -> None:
    article = next(a for a in fixture_articles() if a.title.startswith("Fed holds"))
    response = client.get(f"/api/articles/{article.id}")
    assert response.json == {"ok": True, "article": {
        "id": article.id,
        "title": "Fed holds rates steady and markets barely move",
        "description": "Policymakers signal patience on inflation.",
        "published": "2026-01-28T19:00:00Z",
        "date_source": "provided",
        "updated": None,
        "ingested": "2026-01-28T21:00:00Z",
        "source": "marketwire",
        "source_name": "Market Wire",
        "source_url": None,
        "sentiment": "NEUTRAL",
        "tags": ["FED", "RATES", "MARKETS"],
        "tickers": [],
        "lang": "en",
        "category": "MACRO",
        "author": "Marketwire Staff",
        "url": "https://marketwire.example/2026/01/fed-holds-rates-markets-calm",
        "canonical_url": None,
        "draft": False,
        "content_hash": article.content_hash,
        "body": "The Federal Reserve held interest rates steady. Policymakers said inflation is easing "
                "slowly and that they will be patient. Treasury yields and the dollar barely moved.\n",
        "archive_url": f"http://localhost/article/{article.id}",
    }}


def test_errors_are_one_envelope(client) -> None:
    cases = {
        "/api/search?sort=up": (400, "'sort' must be one of relevance, newest, oldest, not 'up'"),
        "/api/search?page=0": (400, "'page' must be between 1 and 10000, not 0"),
        "/api/articles/0000000000000000": (404, "no article with id '0000000000000000'"),
        "/api/nothing-here": (404, "There is no page at this address."),
    }
    for path, (status, message) in cases.items():
        response = client.get(path)
        assert (response.status_code, response.json) == (
            status, {"ok": False, "error": message, "status": status}), path
    assert client.post("/api/search").json == {
        "ok": False, "error": "This address only answers GET requests.", "status": 405}


def test_openapi_describes_every_api_route(app, client) -> None:
    spec = client.get("/api/openapi.json").json
    assert spec["openapi"] == "3.1.0"
    routes = {r.rule.replace("<article_id>", "{id}") for r in app.url_map.iter_rules()
              if r.rule.startswith("/api/")}
    assert set(spec["paths"]) == routes == {"/api/search", "/api/facets", "/api/articles/{id}",
                                            "/api/timeline", "/api/terms", "/api/openapi.json"}
    names = [p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]]
    assert names == ["q", "source", "tag", "ticker", "sentiment", "category", "lang", "from", "to", "undated", "sort",
                     "page", "per_page", "as_of", "cited", "drafts", "collapse", "unit", "story"]
    # every $ref resolves
    def refs(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k == "$ref":
                    yield v
                else:
                    yield from refs(v)
        elif isinstance(node, list):
            for v in node:
                yield from refs(v)
    for ref in refs(spec):
        _, section, kind, name = ref.split("/")
        assert name in spec[section][kind], ref
    hit_fields = set(spec["components"]["schemas"]["Hit"]["properties"])
    sample = client.get("/api/search?per_page=1").json["hits"][0]
    assert hit_fields == set(sample)
    article = client.get(f"/api/articles/{sample['id']}").json["article"]
    assert set(spec["components"]["schemas"]["Article"]["properties"]) == set(article)


def test_cors_is_off_unless_configured(client, web_home) -> None:
    from web.app import create_app

    plain = client.get("/api/search", headers={"Origin": "https://wiki.example.com"})
    assert "Access-Control-Allow-Origin" not in plain.headers
    configured = create_app({"HOME": web_home, "CORS_ORIGINS": "https://wiki.example.com"}).test_client()
    allowed = configured.get("/api/search", headers={"Origin": "https://wiki.example.com"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://wiki.example.com"
    assert "Origin" in allowed.headers["Vary"]
    other = configured.get("/api/search", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = configured.options("/api/search", headers={
        "Origin": "https://wiki.example.com", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://wiki.example.com"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    page = configured.get("/search", headers={"Origin": "https://wiki.example.com"})
    assert "Access-Control-Allow-Origin" not in page.headers


def test_hit_json_matches_dataclass(client, service) -> None:
    hit = service.search(SearchQuery(per_page=1)).hits[0]
    assert client.get("/api/search?per_page=1").json["hits"][0] == _jsonable(asdict(hit))
