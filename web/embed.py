"""Search inside other sites: the compact ``/embed`` view (framed by the origins in
``EMBED_ORIGINS``), the ``/embed.js`` snippet that frames it and keeps it sized, and ``/oembed``."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, Response, current_app, g, jsonify, render_template, request, \
    send_from_directory, url_for
from werkzeug.datastructures import MultiDict

from archive.errors import NewsarchiveError, NotFound, QueryError
from index.model import parse_params
from web.backend import backend, search_from_params
from web.embedding import DISCOVERABLE, EMBED_HEIGHT, EMBED_VIEWS, EMBED_WIDTH, allowed_origins, \
    embed_src, embedder_origin, framing, how_to_add_origin, iframe_html, oembed_url, view_title
from web.security import public_host, public_root
from web.views import render_search

bp = Blueprint("embed", __name__)


@bp.get("/embed")
def embed() -> Response:
    full_url = url_for("pages.search", _external=True) + replace(
        parse_params(request.args), per_page=20).query_string().rstrip("?") \
        if framing() == "refused" else None
    if full_url is not None:
        return refused(full_url)
    result = search_from_params(request.args, per_page=current_app.config["EMBED_PER_PAGE"])
    # no HX-Push-Url: inside a wiki's iframe, Back belongs to the wiki page
    return render_search(result, "embed.html", "_embed_results.html", url_for("embed.embed"),
                         push_url=False, full_url=url_for("pages.search", _external=True) + replace(
                             result.query, per_page=20).query_string().rstrip("?"))


@bp.get("/embed/timeline")
def timeline() -> Response:
    """The chart of a timeline (and its legend), for a frame."""
    from web.analysis import timeline_context

    full_url = url_for("analysis.timeline", _external=True) + _qs()
    if framing() == "refused":
        return refused(full_url)
    status, context = timeline_context(request.args)
    return Response(render_template("embed_timeline.html", full_url=full_url, **context),
                    status=status, mimetype="text/html")


@bp.get("/embed/analysis")
def analysis() -> Response:
    """What a search's matches talk about (terms, sources, tags), for a frame."""
    from web.analysis import analysis_context

    full_url = url_for("analysis.analysis", _external=True) + _qs()
    if framing() == "refused":
        return refused(full_url)
    context = analysis_context(request.args)
    return Response(render_template("embed_analysis.html", full_url=full_url, **context),
                    mimetype="text/html")


def _qs() -> str:
    return ("?" + request.query_string.decode("ascii", "replace")) if request.query_string else ""


def refused(full_url: str) -> Response:
    """In a frame of a page whose origin may not frame the widget: a page saying which origins
    may and how to add one, which any page may frame (it only explains; the widget itself
    stays refused), instead of the browser's broken frame."""
    g.frame_anyone = True
    return Response(render_template("embed_refused.html", embedder=embedder_origin(),
                                    origins=allowed_origins(), how_to_add=how_to_add_origin(),
                                    full_url=full_url), status=403, mimetype="text/html")


@bp.app_context_processor
def embedding_context() -> dict:
    """``embed_help``: on an embed view opened as a page, which origins may frame it and how to
    add one; ``oembed_discovery``: the oEmbed address of a page that can be embedded."""
    endpoint = request.endpoint or ""
    help_ = None
    if endpoint in EMBED_VIEWS.values() and framing() == "direct":
        help_ = {"origins": allowed_origins(), "how_to_add": how_to_add_origin()}
    return {"embed_help": help_,
            "oembed_discovery": oembed_url() if endpoint in DISCOVERABLE
            and not g.get("error_page") else None}


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
    params = MultiDict([(k, v) for k, vs in parse_qs(parts.query).items() for v in vs])
    if path in ("/", "/search", "/embed"):
        query = parse_params(params)  # a bad search URL is a 400, like the page would give
        src = embed_src("search", query.query_string().lstrip("?"))
        title = view_title("search", query)
    elif path in ("/timeline", "/embed/timeline"):
        from index.timeline import parse_timeline_params
        from web.analysis import measure_of

        spec = parse_timeline_params(params)
        if not spec.queries:
            raise QueryError("a timeline address needs at least q1=")
        measure = measure_of(params)
        src = embed_src("timeline", spec.query_string().lstrip("?")
                        + ("&measure=share" if measure == "share" else ""))
        title = view_title("timeline", spec)
    elif path in ("/analysis", "/embed/analysis"):
        query = parse_params(params)
        src = embed_src("analysis", query.query_string().lstrip("?"))
        title = view_title("analysis", query)
    else:
        raise NotFound("that address is neither an article nor a search of this archive")
    return jsonify({**base, "type": "rich", "title": title,
                    "html": iframe_html(src, title, width, height), "width": width, "height": height})


def bounded(value: str | None, default: int) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        raise QueryError("'maxwidth' and 'maxheight' must be whole numbers") from None
    return max(100, min(number, default))
