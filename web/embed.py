"""Search inside other sites: the compact ``/embed`` view (framed by the origins in
``EMBED_ORIGINS``), the ``/embed.js`` snippet that frames it and keeps it sized, and ``/oembed``."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory, url_for
from werkzeug.datastructures import MultiDict

from archive.errors import NewsarchiveError, NotFound, QueryError
from index.model import parse_params
from web.backend import backend, search_from_params
from web.security import public_host, public_root
from web.views import render_search

bp = Blueprint("embed", __name__)

EMBED_WIDTH = 600
EMBED_HEIGHT = 420


@bp.get("/embed")
def embed() -> Response:
    result = search_from_params(request.args, per_page=current_app.config["EMBED_PER_PAGE"])
    # no HX-Push-Url: inside a wiki's iframe, Back belongs to the wiki page
    return render_search(result, "embed.html", "_embed_results.html", url_for("embed.embed"),
                         push_url=False, full_url=url_for("pages.search", _external=True) + replace(
                             result.query, per_page=20).query_string().rstrip("?"))


@bp.get("/embed.js")
def embed_script() -> Response:
    response = send_from_directory(current_app.static_folder or "static", "embed.js",
                                   mimetype="text/javascript", max_age=3600)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


class OEmbedFormatError(NewsarchiveError):
    status = 501


@bp.get("/oembed")
def oembed() -> Response:
    """oEmbed (JSON only): an article URL gives a ``link``, a search URL a ``rich`` iframe."""
    if (request.args.get("format") or "json") != "json":
        raise OEmbedFormatError("only format=json is offered")
    url = (request.args.get("url") or "").strip()
    if not url:
        raise QueryError("'url' is required: the address of an article or a search in this archive")
    try:
        parts = urlsplit(url)
        host = parts.netloc
    except ValueError:
        raise QueryError("'url' is not a valid address") from None
    if parts.scheme not in ("http", "https") or host.lower() != public_host().lower():
        raise NotFound("that address is not in this archive")
    width = bounded(request.args.get("maxwidth"), EMBED_WIDTH)
    height = bounded(request.args.get("maxheight"), EMBED_HEIGHT)
    site = current_app.config["SITE_NAME"]
    base = {"version": "1.0", "provider_name": site,
            "provider_url": public_root() + request.script_root + "/"}
    path = parts.path.rstrip("/") or "/"
    if path.startswith("/article/"):
        item = backend().article(path[len("/article/"):])
        return jsonify({**base, "type": "link", "title": item.title,
                        "author_name": item.author or item.source_name})
    if path in ("/", "/search", "/embed"):
        params = MultiDict([(k, v) for k, vs in parse_qs(parts.query).items() for v in vs])
        query = parse_params(params)  # a bad search URL is a 400, like the page would give
        src = url_for("embed.embed", _external=True) + query.query_string().rstrip("?")
        title = f"{site} search: {query.q}" if query.q else f"{site} search"
        from markupsafe import escape

        html = (f'<iframe src="{escape(src)}" width="{width}" height="{height}" '
                f'title="{escape(title)}" loading="lazy" style="border:0"></iframe>')
        return jsonify({**base, "type": "rich", "title": title, "html": html,
                        "width": width, "height": height})
    raise NotFound("that address is neither an article nor a search of this archive")


def bounded(value: str | None, default: int) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        raise QueryError("'maxwidth' and 'maxheight' must be whole numbers") from None
    return max(100, min(number, default))
