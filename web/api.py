"""The JSON API under ``/api/``: the same searches as the pages, as data.

Success: ``{"ok": true, ...}``; every error: ``{"ok": false, "error": message, "status": code}``
(see ``web.app.error_response``). CORS headers are added by ``web.security`` when
``CORS_ORIGINS`` is set.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from archive.article import Article
from index.model import FACET_PARAMS, MAX_PAGE, MAX_PER_PAGE, SORTS, UNDATED_CHOICES, UNITS, _jsonable
from web.backend import backend, search_from_params, timeline_from_params
from web.present import http_url
from web.security import public_root

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/search")
def search() -> Response:
    result = search_from_params(request.args)
    return jsonify({"ok": True, **result.to_dict()})


@bp.get("/facets")
def facets() -> Response:
    result = search_from_params(request.args, page=1, per_page=1)
    data = result.to_dict()
    return jsonify({"ok": True, "query": data["query"], "total": data["total"],
                    "facets": data["facets"], "histogram": data["histogram"],
                    "interval": data["interval"], "undated": data["undated"],
                    "took_ms": data["took_ms"]})


@bp.get("/timeline")
def timeline() -> Response:
    """Coverage over time of up to six searches (see ``index.timeline``)."""
    return jsonify({"ok": True, **timeline_from_params(request.args).to_dict()})


@bp.get("/terms")
def terms() -> Response:
    """The words and phrases unusually frequent in a search's matches (``index.terms``)."""
    from index.model import parse_params

    return jsonify({"ok": True, **backend().service().terms(parse_params(request.args)).to_dict()})


@bp.get("/articles/<article_id>")
def article(article_id: str) -> Response:
    item = backend().article(article_id)
    return jsonify({"ok": True, "article": article_json(item)})


def article_json(item: Article) -> dict[str, Any]:
    """An article with the same names as a search hit, plus its Markdown body and addresses."""
    source = item.source
    return _jsonable({
        "id": item.id,
        "title": item.title,
        "description": item.description,
        # null when the date is unknown (dateSource: ingested); the file's publishedAt is then
        # only the ingest time, given as "ingested"
        "published": item.published,
        "date_source": item.date_source,
        "updated": item.updated_at,
        "ingested": item.ingested_at,
        "source": item.source_key,
        "source_name": item.source_name,
        "source_url": source.url if source else None,
        "sentiment": item.sentiment,
        "tags": list(item.tags),
        "tickers": list(item.tickers),
        "lang": item.lang or "en",
        "category": item.category,
        "author": item.author,
        "url": http_url(item.url),
        "canonical_url": http_url(item.canonical_url),
        "draft": item.draft,
        "content_hash": item.content_hash,
        "body": item.body,
        "archive_url": url_for("pages.article", article_id=item.id, _external=True),
    })


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_spec(current_app.config["SITE_NAME"], public_root() + request.script_root))


# ----------------------------------------------------------------------------------- OpenAPI --

def search_parameters() -> list[dict[str, Any]]:
    """The page's URL parameters, the same for the page, the API, the exports and the feed."""
    def param(name: str, schema: dict[str, Any], description: str, *, many: bool = False) -> dict:
        if many:
            schema = {"type": "array", "items": schema}
        out = {"name": name, "in": "query", "required": False, "schema": schema,
               "description": description}
        if many:
            out.update(style="form", explode=True)
        return out

    params = [param("q", {"type": "string", "maxLength": 1000},
                    'Query: words (all must match), "phrases", AND/OR/NOT, fields like title: '
                    "source: tag: sentiment: author: lang:, published:2026-02 or ranges.")]
    for name, key in FACET_PARAMS.items():
        params.append(param(key, {"type": "string"},
                            f"Filter on {name}; repeat for several values (OR).", many=True))
    params += [
        param("from", {"type": "string"}, "First publication day (YYYY, YYYY-MM or YYYY-MM-DD)."),
        param("to", {"type": "string"}, "Last publication day (YYYY, YYYY-MM or YYYY-MM-DD)."),
        param("undated", {"type": "string", "enum": [c for c in UNDATED_CHOICES if c]},
              "Articles whose publication date is unknown: by default listed (last) without a "
              "date range and left out by one; include: also within a date range; exclude: "
              "never; only: only they (no from/to then)."),
        param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"}, "Order."),
        param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "Page."),
        param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
              "Hits per page (larger values are bounded)."),
        param("as_of", {"type": "string", "format": "date-time"},
              "Only what had been ingested by this instant (replays a citation)."),
        param("cited", {"type": "string", "pattern": "^[0-9a-f]{16}$"},
              "The fingerprint a citation recorded: the search page of a replay says whether "
              "its result still has it (the search itself is the same)."),
        param("drafts", {"type": "string", "enum": ["1", "true", "yes"]}, "Include drafts."),
        param("collapse", {"type": "string", "enum": ["1", "0", "on", "off"], "default": "1"},
              "One hit per story (its first version in this order, with the number of "
              "versions); 0 lists every article."),
        param("unit", {"type": "string", "enum": list(UNITS), "default": "articles"},
              "What facet counts and the histogram count."),
        param("story", {"type": "string"}, "Only the versions of this story (a story id)."),
    ]
    return params


def timeline_parameters() -> list[dict[str, Any]]:
    """The shared filters (the search's names), each series' (the same with 1..6 appended) and
    the options of ``/api/timeline`` (see ``index.timeline``)."""
    shared = [p for p in search_parameters()
              if p["name"] in ("q", *FACET_PARAMS.values(), "from", "to", "as_of", "drafts")]
    for p in shared:
        p["description"] = "Shared filter (and the base of the shares): " + p["description"]
    series = []
    for i in range(1, 7):
        series.append({"name": f"q{i}", "in": "query", "required": i == 1,
                       "schema": {"type": "string", "maxLength": 1000},
                       "description": f"Query {i}: a whole search in the query language; "
                                      f"source{i}, tag{i}, sentiment{i}, category{i}, lang{i}, "
                                      f"from{i}, to{i} filter it, label{i} names it."})
    options = [
        {"name": "interval", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["auto", "day", "week", "month", "year"], "default": "auto"},
         "description": "Bucket size (auto: at most 60 buckets; at most 400 in all)."},
        {"name": "unit", "in": "query", "required": False,
         "schema": {"type": "string", "enum": list(UNITS), "default": "articles"},
         "description": "Count articles, or each story once at its first matching version."},
        {"name": "split", "in": "query", "required": False,
         "schema": {"type": "string", "enum": ["sentiment", "source"]},
         "description": "Split every series by this (sources: the 8 largest, then other)."},
    ]
    return shared + series + options


def timeline_schema() -> dict[str, Any]:
    counts = {"type": "array", "items": {"type": "integer"}}
    return {
        "type": "object",
        "required": ["ok", "interval", "unit", "buckets", "base", "series"],
        "properties": {
            "ok": {"const": True}, "query": {"type": "object"},
            "interval": {"type": "string", "enum": ["day", "week", "month", "year"]},
            "unit": {"type": "string", "enum": list(UNITS)},
            "split": {"type": ["string", "null"]},
            "buckets": {"type": "array", "items": {"type": "object", "properties": {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date", "description": "exclusive"}}}},
            "base": {"type": "object", "description": "All coverage matching the shared filters",
                     "properties": {"counts": counts, "undated": {"type": "integer"}}},
            "series": {"type": "array", "items": {"type": "object", "properties": {
                "label": {"type": "string"}, "index": {"type": "integer"},
                "split_value": {"type": ["string", "null"]}, "split_label": {"type": ["string", "null"]},
                "counts": counts,
                "shares": {"type": "array", "items": {"type": ["number", "null"]},
                           "description": "count / base per bucket (null: no coverage at all)"},
                "total": {"type": "integer"},
                "undated": {"type": "integer", "description": "without a known date: in no bucket"},
                "urls": {"type": "array", "items": {"type": "string"},
                         "description": "the search narrowed to each bucket (a query string)"}}}},
            "took_ms": {"type": "number"},
        },
    }


def openapi_spec(site_name: str, server: str) -> dict[str, Any]:
    error = {"$ref": "#/components/responses/Error"}
    hit = {
        "type": "object",
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"},
            "published": {"type": ["string", "null"], "format": "date-time",
                          "description": "null when the publication date is unknown"},
            "date_source": {"type": ["string", "null"],
                            "description": "how the date was found; 'ingested': unknown"},
            "source": {"type": "string"}, "source_name": {"type": "string"},
            "sentiment": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "tickers": {"type": "array", "items": {"type": "string"}},
            "lang": {"type": "string"}, "category": {"type": ["string", "null"]},
            "author": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
            "description": {"type": ["string", "null"]},
            "snippet": {"type": "string", "description": "HTML: escaped text, matches in <mark>"},
            "score": {"type": ["number", "null"]},
            "ingested": {"type": ["string", "null"], "format": "date-time",
                         "description": "when the archive first stored it"},
            "story": {"type": ["string", "null"],
                      "description": "Story id: the id of the story's first article"},
            "versions": {"type": "integer",
                         "description": "Matching articles of this story (1 when not collapsed)"},
        },
    }
    facet_value = {
        "type": "object",
        "properties": {"value": {"type": "string"}, "label": {"type": "string"},
                       "count": {"type": "integer"}, "selected": {"type": "boolean"},
                       "toggle_url": {"type": "string"}},
    }
    bucket = {
        "type": "object",
        "properties": {"start": {"type": "string", "format": "date"},
                       "end": {"type": "string", "format": "date"},
                       "count": {"type": "integer"}, "url": {"type": "string"}},
    }
    undated = {
        "type": "object",
        "description": "Matches without a known publication date, counted apart from the "
                       "histogram (under every filter but the date range); 'included': whether "
                       "they are in 'total' and the hits; 'url': the search for them only.",
        "properties": {"count": {"type": "integer"}, "included": {"type": "boolean"},
                       "url": {"type": "string"}, "selected": {"type": "boolean"}},
    }
    facets = {"type": "object",
              "properties": {name: {"type": "array", "items": {"$ref": "#/components/schemas/FacetValue"}}
                             for name in FACET_PARAMS}}
    search_result = {
        "type": "object",
        "required": ["ok", "query", "total", "page", "per_page", "hits", "facets", "histogram"],
        "properties": {
            "ok": {"const": True}, "query": {"type": "object"}, "total": {"type": "integer"},
            "stories": {"type": "integer", "description": "Distinct stories among the matches"},
            "collapse": {"type": "boolean"}, "unit": {"type": "string", "enum": list(UNITS)},
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
            "facets": {"$ref": "#/components/schemas/Facets"},
            "histogram": {"type": "array", "items": {"$ref": "#/components/schemas/Bucket"}},
            "interval": {"type": "string", "enum": ["day", "week", "month", "year"]},
            "undated": {"$ref": "#/components/schemas/Undated"},
            "suggestion": {"type": ["string", "null"]}, "fingerprint": {"type": "string"},
            "as_of": {"type": ["string", "null"]}, "took_ms": {"type": "number"},
        },
    }
    article = {
        "type": "object",
        "properties": {**hit["properties"],
                       "updated": {"type": ["string", "null"], "format": "date-time"},
                       "ingested": {"type": ["string", "null"], "format": "date-time"},
                       "source_url": {"type": ["string", "null"]},
                       "canonical_url": {"type": ["string", "null"]},
                       "draft": {"type": "boolean"},
                       "content_hash": {"type": ["string", "null"]},
                       "body": {"type": "string", "description": "Markdown"},
                       "archive_url": {"type": "string"}},
    }
    for name in ("snippet", "score", "story", "versions"):
        article["properties"].pop(name)
    json_of = lambda ref: {"application/json": {"schema": {"$ref": ref}}}  # noqa: E731
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{site_name} API", "version": "1",
                 "description": "Search the news archive: the same parameters and data as the "
                                "search page. Every error is {ok: false, error, status}."},
        "servers": [{"url": server}],
        "paths": {
            "/api/search": {"get": {
                "summary": "Search: ranked hits, facet counts and the date histogram",
                "operationId": "search", "parameters": search_parameters(),
                "responses": {"200": {"description": "The result",
                                      "content": json_of("#/components/schemas/SearchResult")},
                              "400": error, "503": error}}},
            "/api/facets": {"get": {
                "summary": "Facet counts and the date histogram of a search (no hits)",
                "operationId": "facets", "parameters": search_parameters(),
                "responses": {"200": {"description": "Counts", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "ok": {"const": True}, "query": {"type": "object"},
                        "total": {"type": "integer"},
                        "facets": {"$ref": "#/components/schemas/Facets"},
                        "histogram": {"type": "array",
                                      "items": {"$ref": "#/components/schemas/Bucket"}},
                        "interval": {"type": "string"},
                        "undated": {"$ref": "#/components/schemas/Undated"},
                        "took_ms": {"type": "number"}}}}}},
                              "400": error, "503": error}}},
            "/api/timeline": {"get": {
                "summary": "Coverage over time of up to six searches, with shares of all coverage",
                "operationId": "timeline", "parameters": timeline_parameters(),
                "responses": {"200": {"description": "The timeline",
                                      "content": json_of("#/components/schemas/Timeline")},
                              "400": error, "503": error}}},
            "/api/terms": {"get": {
                "summary": "Words and two-word phrases unusually frequent in a search's matches",
                "operationId": "terms", "parameters": search_parameters(),
                "responses": {"200": {"description": "Significant terms (JLH score), with counts",
                                      "content": {"application/json": {"schema": {
                                          "type": "object", "properties": {
                                              "ok": {"const": True}, "total": {"type": "integer"},
                                              "read": {"type": "integer"},
                                              "background": {"type": "integer"},
                                              "terms": {"type": "array", "items": {"type": "object"}},
                                              "took_ms": {"type": "number"}}}}}},
                              "400": error, "503": error}}},
            "/api/articles/{id}": {"get": {
                "summary": "One article with its Markdown body",
                "operationId": "article",
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}}],
                "responses": {"200": {"description": "The article", "content": {"application/json": {
                    "schema": {"type": "object", "properties": {
                        "ok": {"const": True},
                        "article": {"$ref": "#/components/schemas/Article"}}}}}},
                              "404": error}}},
            "/api/openapi.json": {"get": {
                "summary": "This description", "operationId": "openapi",
                "responses": {"200": {"description": "OpenAPI 3.1 document"}}}},
        },
        "components": {
            "schemas": {"Hit": hit, "FacetValue": facet_value, "Bucket": bucket, "Facets": facets,
                        "Undated": undated, "Timeline": timeline_schema(),
                        "SearchResult": search_result, "Article": article,
                        "Error": {"type": "object", "required": ["ok", "error", "status"],
                                  "properties": {"ok": {"const": False},
                                                 "error": {"type": "string"},
                                                 "status": {"type": "integer"}}}},
            "responses": {"Error": {"description": "The error envelope",
                                    "content": json_of("#/components/schemas/Error")}},
        },
    }
