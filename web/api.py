"""The JSON API under ``/api/``: the same searches as the pages, as data.

Success: ``{"ok": true, ...}``; every error: ``{"ok": false, "error": message, "status": code}``
(see ``web.app.error_response``). CORS headers are added by ``web.security`` when
``CORS_ORIGINS`` is set.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, url_for

from archive.article import Article
from index.model import FACET_PARAMS, MAX_PAGE, MAX_PER_PAGE, SORTS, UNDATED_CHOICES, _jsonable
from web.backend import backend, search_from_params
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
        param("drafts", {"type": "string", "enum": ["1", "true", "yes"]}, "Include drafts."),
    ]
    return params


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
    article["properties"].pop("snippet")
    article["properties"].pop("score")
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
                        "Undated": undated,
                        "SearchResult": search_result, "Article": article,
                        "Error": {"type": "object", "required": ["ok", "error", "status"],
                                  "properties": {"ok": {"const": False},
                                                 "error": {"type": "string"},
                                                 "status": {"type": "integer"}}}},
            "responses": {"Error": {"description": "The error envelope",
                                    "content": json_of("#/components/schemas/Error")}},
        },
    }
