"""The pages people read: the search page (``/`` and ``/search``) and the article page."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request, url_for

from archive.errors import IndexUnavailable, NotFound
from web.backend import backend, search_from_params
from web.present import format_day, http_url, join_nonempty, render_markdown
from web.views import render_search

bp = Blueprint("pages", __name__)


@bp.get("/")
@bp.get("/search")
def search() -> Response:
    result = search_from_params(request.args)
    return render_search(result, "search.html", "_results.html", url_for("pages.search"))


@bp.get("/article/<article_id>")
def article(article_id: str) -> Response:
    item = backend().article(article_id)
    try:
        similar = backend().more_like_this(item.id or article_id,
                                           current_app.config["SIMILAR_COUNT"])
    except (IndexUnavailable, NotFound):
        similar = ()  # the page still shows the article; the index is only for the extras
    address = url_for("pages.article", article_id=item.id, _external=True)
    original = http_url(item.canonical_url) or http_url(item.url)
    citation = join_nonempty((
        item.source_name,
        f"\u201c{item.title}\u201d",
        format_day(item.published_at),
        original,
        f"Archived in {current_app.config['SITE_NAME']} as {item.id}: {address}",
    )) + "."
    return Response(render_template(
        "article.html",
        article=item,
        body=render_markdown(item.body),
        similar=similar,
        address=address,
        citation=citation,
        original=original,
    ), mimetype="text/html")
