"""The analysis pages: coverage over time (``/timeline``), as a page, an htmx fragment and CSV.

One data function (``timeline_from_params`` -> ``Timeline``) behind the page, the fragment, the
CSV here and ``/api/timeline``; the chart is server-rendered SVG (``web.chart``), so it works
with JavaScript off, and every point links to the search narrowed to its bucket.
"""

from __future__ import annotations

import csv
import io

from dataclasses import replace

from flask import Blueprint, Response, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from archive.errors import QueryError
from index.model import FACET_PARAMS, parse_params
from index.timeline import INTERVALS, MAX_SERIES, SPLITS, parse_timeline_params
from web.backend import backend, timeline_from_params
from web.chart import line_chart
from web.embedding import embed_offer, view_title
from web.present import bucket_label, spreadsheet_safe
from web.views import is_fragment_request, timeline_of

bp = Blueprint("analysis", __name__)

MEASURES = ("count", "share")


def measure_of(args) -> str:
    value = (args.get("measure") or "count").strip().lower()
    if value not in MEASURES:
        raise QueryError(f"'measure' must be one of {', '.join(MEASURES)}, not {value[:40]!r}")
    return value


@bp.get("/timeline")
def timeline() -> Response:
    """The page (or, for htmx, the part below the form)."""
    fragment = is_fragment_request()
    status, context = timeline_context(request.args)
    result, measure = context["result"], context["measure"]
    context.update(form=_form_values(request.args), intervals=INTERVALS, splits=SPLITS,
                   max_series=MAX_SERIES, fragment=fragment)
    if result is not None:
        context["embed"] = embed_offer("timeline", context["embed_params"],
                                       view_title("timeline", result.spec))
    template = "_timeline.html" if fragment else "timeline.html"
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    if fragment and result is not None:
        response.headers["HX-Push-Url"] = url_for("analysis.timeline") + "?" + context["embed_params"]
    return response


def timeline_context(args) -> tuple[int, dict]:
    """The status and what a timeline's templates print (the page's and the embed's)."""
    status, error, result, chart = 200, None, None, None
    try:
        measure = measure_of(args)
        spec = parse_timeline_params(args)
        if spec.queries:
            result = timeline_from_params(args)
            chart = line_chart(result, measure, url_for("pages.search"))
    except QueryError as exc:
        status, error, measure = 400, exc.message, "count"
    qs = result.spec.query_string().rstrip("?") if result else ""
    return status, dict(
        result=result, chart=chart, error=error, status=status, measure=measure,
        bucket_label=bucket_label, qs=qs, rows=result.rows() if result else [],
        embed_params=qs.lstrip("?") + ("&measure=share" if measure == "share" else ""))


@bp.get("/timeline.csv")
def timeline_csv() -> Response:
    result = timeline_from_params(request.args)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in result.rows():
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="newsarchive-timeline.csv"'
    return response


# ------------------------------------------------------------- what the matches talk about --

#: bars per list on the analysis page (the facet's "show all" lists every value)
BAR_VALUES = 15


@bp.get("/analysis")
def analysis() -> Response:
    """What a search's matches talk about: significant terms, top sources and tags as bars."""
    context = analysis_context(request.args)
    query = context["query"]
    context.update(fragment=is_fragment_request(), embed=embed_offer(
        "analysis", query.query_string().lstrip("?"), view_title("analysis", query)))
    template = "_analysis.html" if context["fragment"] else "analysis.html"
    return Response(render_template(template, **context), mimetype="text/html")


def analysis_context(args) -> dict:
    """What the analysis templates print (the page's and the embed's)."""
    query = parse_params(args)
    service = backend().service()
    terms = service.terms(query)
    result = service.search(replace(query, page=1))
    return dict(query=query, terms=terms, result=result, bars=_bars(result, ("source", "tags")),
                search_url=url_for("pages.search"), timeline_qs=timeline_of(query))


def _bars(result, names) -> dict:
    out = {}
    for name in names:
        values = result.facets.get(name, ())[:BAR_VALUES]
        top = max((v.count for v in values), default=0) or 1
        out[name] = [(v, round(100 * v.count / top, 1)) for v in values]
    return out


@bp.get("/facet/<name>")
def facet(name: str) -> Response:
    """Every value of one facet for a search, with counts, filterable by typing (``contains``:
    a GET form without JavaScript, htmx as you type with it)."""
    param = {"tags": "tag"}.get(name, name)
    facet_name = next((n for n, p in FACET_PARAMS.items() if p == param or n == name), None)
    if facet_name is None:
        raise QueryError(f"there is no facet {name[:40]!r}; the facets are "
                         f"{', '.join(FACET_PARAMS.values())}")
    args = MultiDict(request.args)
    contains = (args.pop("contains", "") or "")[:100]
    query = parse_params(args)
    values = backend().service().facet_values(query, facet_name, contains=contains)
    context = dict(query=query, name=facet_name, param=FACET_PARAMS[facet_name], values=values,
                   contains=contains, fragment=is_fragment_request(),
                   search_url=url_for("pages.search"), qs=query.query_string().rstrip("?"))
    template = "_facet_values.html" if context["fragment"] else "facet.html"
    return Response(render_template(template, **context), mimetype="text/html")


def _form_values(args) -> dict[str, str]:
    """What the form fields hold: the parameters as typed (one value each)."""
    out = {}
    for name in args:
        values = [v for v in args.getlist(name) if isinstance(v, str)]
        out[name] = values[-1][:1000] if values else ""
    return out
