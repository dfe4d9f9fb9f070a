"""What the search page and the embed share: full page or fragment, and the data the templates print.

The same URL serves the whole page or, for htmx, only the part below the search box: the fragment
when ``HX-Request`` is set and ``HX-History-Restore-Request`` is not (a history restore needs the
whole page). Every such response says ``Vary: HX-Request`` (added in ``web.app``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

import nh3
from flask import Response, current_app, render_template, request, url_for
from markupsafe import Markup

from index.model import FACET_PARAMS, SearchQuery, SearchResult
from web.chart import Frame, bar_chart
from web.embedding import embed_offer, view_title

FACET_TITLES = {"source": "Source", "tags": "Tags", "tickers": "Tickers", "sentiment": "Sentiment",
                "category": "Category", "lang": "Language"}
#: the search page's histogram: a small chart with the timeline's axes
HISTOGRAM_FRAME = Frame(width=560, height=112, left=40, right=6, top=6, bottom=32)
SORT_TITLES = {"relevance": "Best match", "newest": "Newest first", "oldest": "Oldest first"}


def is_fragment_request() -> bool:
    return (request.headers.get("HX-Request") == "true"
            and request.headers.get("HX-History-Restore-Request") != "true")


def clean_snippet(html: str | None) -> Markup:
    """The index's snippet is escaped text with ``<mark>``; keep exactly that and nothing else."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str
    current: bool


def pager_links(query: SearchQuery, pages: int, base: str, window: int = 2) -> list[PageLink | None]:
    """Page numbers around the current one, first and last always; ``None`` marks a gap."""
    current = query.page
    wanted = {1, pages, *range(current - window, current + window + 1)}
    numbers = sorted(n for n in wanted if 1 <= n <= pages)
    links: list[PageLink | None] = []
    previous = 0
    for n in numbers:
        if n - previous > 1:
            links.append(None)
        links.append(PageLink(n, base + query.with_page(n).query_string(), n == current))
        previous = n
    return links


def search_context(result: SearchResult | None, base: str, *, query_text: str = "",
                   error: str | None = None, status: int = 200) -> dict[str, Any]:
    """Everything ``search.html`` / ``_results.html`` print, computed once."""
    query = result.query if result else SearchQuery(q=query_text)
    context: dict[str, Any] = {
        "result": result,
        "query": query,
        "query_text": query_text or query.q,
        "base": base,
        "error": error,
        "status": status,
        "facet_titles": FACET_TITLES,
        "facet_params": FACET_PARAMS,
        "sort_titles": SORT_TITLES,
        "fragment": is_fragment_request(),
        "has_filters": any(query.filters().values()) or bool(query.date_from or query.date_to
                                                              or query.undated),
        "qs": query.query_string,
    }
    if result is not None:
        context.update(
            histogram=bar_chart(result.histogram, result.interval, base,
                                "stories" if query.unit == "stories" else "matches",
                                HISTOGRAM_FRAME),
            pager=pager_links(query, result.pages, base) if result.pages > 1 else [],
            first=(query.page - 1) * query.per_page + 1,
            last=(query.page - 1) * query.per_page + len(result.hits),
            suggestion_url=(base + replace(query, q=result.suggestion, page=1).query_string()
                            if result.suggestion else None),
            clear_all_url=base + query.cleared().query_string(),
            whole_result_qs=replace(query, story=None, collapse=True, page=1).query_string(),
            timeline_qs=timeline_of(query),
            citation=citation_of(result, base),
            export_cap=current_app.config["EXPORT_CAP"],
            embed=embed_offer("search", replace(query, page=1).query_string().lstrip("?"),
                              view_title("search", query))
            if request.endpoint == "pages.search" else None,
        )
    context["status_text"] = status_text(result, error)
    context["page_title"] = page_title(query, error)
    return context


@dataclass(frozen=True)
class Citation:
    """What "cite this search" offers, and what a replay says about itself."""

    fingerprint: str
    #: the instant the permalink replays (the page's own time for a live search)
    as_of: datetime
    permalink: str
    text: str
    replay: bool
    #: a replay of a citation: does its fingerprint match the cited one (None: nothing cited)
    matches_cited: bool | None
    live_url: str


def citation_of(result: SearchResult, base: str) -> Citation:
    query = result.query
    as_of = query.as_of or datetime.now(timezone.utc).replace(microsecond=0)
    cited = replace(query, as_of=as_of, cited=result.fingerprint, page=1)
    permalink = url_for("pages.search", _external=True) + cited.query_string()
    filters = "; ".join(f"{FACET_TITLES.get(name, name).lower()}: {', '.join(values)}"
                        for name, values in query.filters().items() if values)
    if query.date_from or query.date_to:
        span = f"{query.date_from or '…'} to {query.date_to or '…'}"
        filters = f"{filters}; published {span}" if filters else f"published {span}"
    stamp = as_of.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    what = f"search for \u201c{query.q}\u201d" if query.q else "all articles"
    text = (f"{current_app.config['SITE_NAME']}, {what}{f' ({filters})' if filters else ''}: "
            f"{result.total:,} {'match' if result.total == 1 else 'matches'} as of {stamp}, "
            f"result fingerprint {result.fingerprint}. {permalink}")
    return Citation(
        fingerprint=result.fingerprint, as_of=as_of, permalink=permalink, text=text,
        replay=query.as_of is not None,
        matches_cited=None if not query.cited else query.cited == result.fingerprint,
        live_url=base + replace(query, as_of=None, cited=None, page=1).query_string(),
    )


def timeline_of(query: SearchQuery) -> str:
    """``?q1=...``: the timeline of this search (its query and filters as series 1)."""
    from urllib.parse import urlencode

    kept = ("q", *FACET_PARAMS.values(), "from", "to")
    params = [(f"{k}1", v) for k, v in query.to_params() if k in kept]
    return "?" + urlencode(params or [("q1", "")])


def status_text(result: SearchResult | None, error: str | None) -> str:
    if error:
        return "The search could not run."
    if result is None:
        return ""
    total = result.total
    noun = "match" if total == 1 else "matches"
    stories = ""
    if result.query.collapse and result.stories != total:
        stories = f" in {result.stories:,} {'story' if result.stories == 1 else 'stories'}"
    return f"{total:,} {noun}{stories} in {result.took_ms:,.0f} ms"


def page_title(query: SearchQuery, error: str | None) -> str:
    site = current_app.config["SITE_NAME"]
    if error:
        return f"Search error · {site}"
    return f"{query.q} · {site} search" if query.q else f"Search · {site}"


def render_search(result: SearchResult, template: str, fragment_template: str, base: str, *,
                  push_url: bool = True, **extra: Any) -> Response:
    context = {**search_context(result, base), **extra}
    fragment = context["fragment"]
    response = Response(render_template(fragment_template if fragment else template, **context),
                        mimetype="text/html")
    if fragment and push_url:
        # the address bar shows the search in its short form (no empty fields)
        response.headers["HX-Push-Url"] = base + result.query.query_string().rstrip("?")
    return response


def render_search_error(status: int, message: str) -> Response:
    embed = request.endpoint == "embed.embed"
    base = url_for("embed.embed") if embed else url_for("pages.search")
    q = request.args.get("q", "")[:1000] if isinstance(request.args.get("q"), str) else ""
    context = search_context(None, base, query_text=q, error=message, status=status)
    context["reindex"] = status == 503
    if embed:
        template = "_embed_results.html" if context["fragment"] else "embed.html"
    else:
        template = "_results.html" if context["fragment"] else "search.html"
    return Response(render_template(template, **context), status=status, mimetype="text/html")
