"""The pages people read: the search page (``/`` and ``/search``) and the article page."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, request, url_for

from archive.errors import FormatError, IndexUnavailable, InputError, NotFound
from index.stories import version_labels
from web.backend import backend, search_from_params
from web.present import format_day, http_url, join_nonempty, render_markdown
from web.views import is_fragment_request, render_search

bp = Blueprint("pages", __name__)

#: versions of a story listed on an article page
MAX_VERSIONS = 10


@bp.get("/")
@bp.get("/search")
def search() -> Response:
    result = search_from_params(request.args)
    return render_search(result, "search.html", "_results.html", url_for("pages.search"))


#: versions listed when a story expands in place
MAX_LISTED_VERSIONS = 50


@bp.get("/story/<story_id>")
def story_versions(story_id: str) -> Response:
    """The matching versions of one story: the htmx fragment that a result's "N versions"
    expands into; without htmx, the search page listing them."""
    params = request.args.copy()
    params["story"] = story_id
    params["collapse"] = "0"
    params["per_page"] = str(MAX_LISTED_VERSIONS)
    result = search_from_params(params, sort="oldest", page=1)
    all_url = url_for("pages.search") + result.query.query_string()
    if not is_fragment_request():
        return redirect(all_url)
    return Response(render_template("_versions.html", result=result, all_url=all_url),
                    mimetype="text/html")


@bp.get("/article/<article_id>")
def article(article_id: str) -> Response:
    try:
        item = backend().article(article_id)
    except NotFound:
        gone = _tombstone(article_id)
        if gone is None:
            raise
        hit, deleted = gone
        return Response(render_template("departed.html", hit=hit, deleted=deleted,
                                        address=url_for("pages.article", article_id=hit.id,
                                                        _external=True)),
                        status=410, mimetype="text/html")
    count = current_app.config["SIMILAR_COUNT"]
    try:
        versions = backend().service().versions(item.id or article_id, limit=MAX_VERSIONS)
        # versions are listed on their own: the similar list shows other stories
        shown = {hit.id for hit in versions}
        similar = tuple(hit for hit in backend().more_like_this(item.id or article_id,
                                                                count + len(shown))
                        if hit.id not in shown)[:count]
    except (IndexUnavailable, NotFound):
        versions, similar = (), ()  # the page still shows the article; the index is only for the extras
    address = url_for("pages.article", article_id=item.id, _external=True)
    original = http_url(item.canonical_url) or http_url(item.url)
    citation = join_nonempty((
        item.source_name,
        f"\u201c{item.title}\u201d",
        format_day(item.published).capitalize(),  # "Date unknown" when it is
        original,
        f"Archived in {current_app.config['SITE_NAME']} as {item.id}: {address}",
    )) + "."
    return Response(render_template(
        "article.html",
        article=item,
        body=render_markdown(item.body),
        similar=similar,
        versions=[(hit, version_badges(hit.id)) for hit in versions],
        own_badges=version_labels(item.ai, item.extra),
        address=address,
        citation=citation,
        original=original,
    ), mimetype="text/html")


def _tombstone(article_id: str):
    """A deleted article the index remembers (its cited metadata and when it left)."""
    from archive.article import is_valid_id

    if not is_valid_id(article_id):
        return None
    try:
        return backend().service().tombstone(article_id)
    except IndexUnavailable:
        return None


def version_badges(article_id: str) -> tuple[str, ...]:
    """"AI rewrite" / "Repost" for a version, from its file (the index does not hold these)."""
    try:
        other = backend().article(article_id)
    except (NotFound, InputError, FormatError):
        return ()
    return version_labels(other.ai, other.extra)
