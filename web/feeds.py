"""Other formats of any search: Atom (newest first), CSV and JSONL exports of all matches
(streamed, capped by ``EXPORT_CAP``), and the OpenSearch description."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Iterator
from xml.etree import ElementTree as ET

from flask import Blueprint, Response, current_app, request, stream_with_context, url_for

from archive.article import format_datetime
from archive.errors import QueryError
from index.model import Hit, parse_params
from web.backend import backend
from web.present import EXPORT_COLUMNS, cap_note, export_row, http_url, jsonl_record, \
    spreadsheet_safe, xml_text

bp = Blueprint("feeds", __name__)

ATOM = "http://www.w3.org/2005/Atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"

CSV_COLUMNS = EXPORT_COLUMNS


# ------------------------------------------------------------------------------------- Atom --

@bp.get("/search.atom")
def atom() -> Response:
    return atom_response(replace(parse_params(request.args), page=1))


def atom_response(asked: Any, title: str | None = None, self_url: str | None = None) -> Response:
    """The Atom feed of a search (newest first): ``/search.atom`` and each saved search's."""
    query = replace(asked, sort="newest")
    # the hits alone (no facets, no snippets): a feed shows titles, dates and descriptions
    hits = list(backend().iter_hits(query, current_app.config["FEED_SIZE"]))
    total = backend().count(query)
    ET.register_namespace("", ATOM)
    site = current_app.config["SITE_NAME"]
    feed = ET.Element(f"{{{ATOM}}}feed")

    def sub(parent: ET.Element, tag: str, text: object = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attrs.items()})
        if text is not None:
            el.text = xml_text(text)
        return el

    qs = asked.query_string().rstrip("?")
    page_qs = replace(asked, sort="relevance").query_string().rstrip("?")
    self_url = self_url or url_for("feeds.atom", _external=True) + qs
    sub(feed, "id", self_url)
    sub(feed, "title", title or (f"{site}: {query.q}" if query.q else f"{site}: newest articles"))
    sub(feed, "subtitle", f"{total:,} matching articles, newest first")
    newest = max((hit.published or hit.ingested for hit in hits
                  if hit.published or hit.ingested), default=None)
    sub(feed, "updated", format_datetime(newest or datetime.now(timezone.utc)))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html",
        href=url_for("pages.search", _external=True) + page_qs)
    sub(sub(feed, "author"), "name", site)
    sub(feed, "generator", "newsarchive")
    for hit in hits:
        entry = sub(feed, "entry")
        address = url_for("pages.article", article_id=hit.id, _external=True)
        sub(entry, "id", address)
        sub(entry, "title", hit.title, type="text")
        sub(entry, "link", rel="alternate", type="text/html", href=address)
        original = http_url(hit.url)
        if original:
            sub(entry, "link", rel="related", type="text/html", href=original)
        if hit.published:
            sub(entry, "published", format_datetime(hit.published))
        # Atom requires <updated>: for an undated article, when the archive stored it; no
        # <published>, and the summary says the date is unknown (readers show <updated>)
        changed = hit.published or hit.ingested or datetime.now(timezone.utc)
        sub(entry, "updated", format_datetime(changed))
        sub(sub(entry, "author"), "name", hit.author or hit.source_name)
        for tag in hit.tags:
            sub(entry, "category", term=tag)
        summary = hit.description or ""
        if not hit.published:
            summary = f"Publication date unknown. {summary}".strip()
        if summary:
            sub(entry, "summary", summary, type="text")
    body = ET.tostring(feed, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    mimetype="application/atom+xml")


# ---------------------------------------------------------------------------------- exports --

def export_rows() -> tuple[Iterator[Hit], int, int]:
    """Every match of the request's search (order as asked, page ignored), at most the cap, the
    cap and the number of matches. The first hit is read before the response starts so that
    errors get a proper status."""
    query = replace(parse_params(request.args), page=1)
    cap = current_app.config["EXPORT_CAP"]
    total = backend().count(query)
    hits = backend().iter_hits(query, cap)
    first = next(hits, None)

    def all_hits() -> Iterator[Hit]:
        if first is not None:
            yield first
            yield from hits

    return all_hits(), cap, total


def export_response(body: Iterator[str], mimetype: str, extension: str, cap: int,
                    total: int) -> Response:
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="newsarchive-search.{extension}"'
    # a client can tell a capped export from a complete one
    response.headers["X-Export-Cap"] = str(cap)
    response.headers["X-Total-Count"] = str(total)
    return response


def hit_row(hit: Hit) -> dict[str, object]:
    return export_row(hit, url_for("pages.article", article_id=hit.id, _external=True))


@bp.get("/search.csv")
def export_csv() -> Response:
    hits, cap, total = export_rows()

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for n, hit in enumerate(hits, 1):
            row = hit_row(hit)
            writer.writerow([spreadsheet_safe(row[c]) for c in CSV_COLUMNS])
            if n % 200 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        if total > cap:  # the file says it is not every match, not only a header
            writer.writerow(["# " + cap_note(cap, total)])
        yield buffer.getvalue()

    return export_response(generate(), "text/csv", "csv", cap, total)


@bp.get("/search.jsonl")
def export_jsonl() -> Response:
    hits, cap, total = export_rows()

    def generate() -> Iterator[str]:
        for hit in hits:
            data = jsonl_record(hit, url_for("pages.article", article_id=hit.id, _external=True))
            yield json.dumps(data, ensure_ascii=False, allow_nan=False) + "\n"
        if total > cap:
            yield json.dumps({"export": {"complete": False, "rows": cap, "total": total,
                                         "note": cap_note(cap, total)}}) + "\n"

    return export_response(generate(), "application/x-ndjson", "jsonl", cap, total)


# --------------------------------------------------------------------------- saved searches --

@bp.get("/watches")
def watches() -> Response:
    """The saved searches of the home (``newsarchive watch``), read-only, each with its feed."""
    from flask import render_template

    from archive.watches import load_watches, watches_path

    items = []
    for w in load_watches(backend().home):
        try:
            query = parse_params(w.search)
        except QueryError as exc:
            items.append((w, None, exc.message))
            continue
        items.append((w, query, None))
    return Response(render_template("watches.html", items=items,
                                    path=str(watches_path(backend().home))), mimetype="text/html")


@bp.get("/watches/<name>.atom")
def watch_atom(name: str) -> Response:
    from archive.watches import find_watch

    watch = find_watch(backend().home, name)
    site = current_app.config["SITE_NAME"]
    return atom_response(replace(parse_params(watch.search), page=1), title=f"{site}: {watch.name}",
                         self_url=url_for("feeds.watch_atom", name=watch.name, _external=True))


# ------------------------------------------------------------------------------- OpenSearch --

@bp.get("/opensearch.xml")
def opensearch() -> Response:
    ET.register_namespace("", OPENSEARCH)
    site = current_app.config["SITE_NAME"]
    root = ET.Element(f"{{{OPENSEARCH}}}OpenSearchDescription")

    def sub(tag: str, text: str | None = None, **attrs: str) -> None:
        el = ET.SubElement(root, f"{{{OPENSEARCH}}}{tag}", attrs)
        if text is not None:
            el.text = xml_text(text)

    sub("ShortName", site[:16])
    sub("Description", f"Search the {site} news archive")
    sub("InputEncoding", "UTF-8")
    search = url_for("pages.search", _external=True)
    sub("Url", type="text/html", method="get", template=search + "?q={searchTerms}")
    sub("Url", type="application/atom+xml",
        template=url_for("feeds.atom", _external=True) + "?q={searchTerms}")
    sub("Url", type="application/opensearchdescription+xml", rel="self",
        template=url_for("feeds.opensearch", _external=True))
    body = ET.tostring(root, encoding="unicode")
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body,
                    mimetype="application/opensearchdescription+xml")
