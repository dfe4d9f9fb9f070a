"""Pure helpers that turn search data into what the pages print: labels, the
article body as safe HTML, spreadsheet-safe cells, XML-safe text. No Flask, no disk."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Iterable

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from archive.article import http_url  # noqa: F401 - the pages' name for it
from index.model import HistogramBucket

# ------------------------------------------------------------------------------------ dates --

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(value: date | datetime | None) -> str:
    """``4 Feb 2026``; ``date unknown`` for ``None`` (an undated article)."""
    if value is None:
        return "date unknown"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_stamp(value: datetime) -> str:
    """``2026-02-04 15:48 UTC``, or in the publisher's offset: ``2020-04-07 17:10 (UTC−07:00)``."""
    offset = value.utcoffset()
    if not offset:
        return value.strftime("%Y-%m-%d %H:%M UTC")
    minutes = int(offset.total_seconds() // 60)
    sign = "\u2212" if minutes < 0 else "+"
    return value.strftime("%Y-%m-%d %H:%M") + f" (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def bucket_label(bucket: HistogramBucket, interval: str) -> str:
    """How one histogram bucket reads: ``2026``, ``Feb 2026``, ``week of 2 Feb 2026``, ``4 Feb 2026``."""
    start = bucket.start
    if interval == "year":
        return str(start.year)
    if interval == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    if interval == "week":
        return f"week of {format_day(start)}"
    return format_day(start)


# ---------------------------------------------------------------------------------- markdown --

_ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
    "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "s",
    "sup", "sub",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def image_as_link(renderer, tokens, idx, options, env):  # noqa: ANN001 - markdown-it hook
        # pictures stay on their site: a link instead of a request to a third party from the page
        token = tokens[idx]
        src = token.attrGet("src") or ""
        alt = token.content or "image"
        return f'<a href="{escape(src)}">[image: {escape(alt)}]</a>'

    md.add_render_rule("image", image_as_link)
    return md


_MD = _markdown()


def render_markdown(text: str) -> Markup:
    """The article body as HTML: Markdown with raw HTML off (it shows as text), then nh3 keeps only
    harmless tags and http(s)/mailto links, which open as external links."""
    html = _MD.render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


# -------------------------------------------------------------------------------- exports --

#: a cell starting with one of these is a formula to a spreadsheet
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: formulas get a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text that XML 1.0 can carry (control characters other than tab and newlines removed)."""
    return _XML_INVALID.sub("", "" if value is None else str(value))


def join_nonempty(parts: Iterable[str | None], sep: str = ". ") -> str:
    return sep.join(p.strip().rstrip(".") for p in parts if p and p.strip())


# ---------------------------------------------------------------------------------- exports --

#: the columns of a CSV export (the web's and ``newsarchive export``'s)
EXPORT_COLUMNS = ("id", "title", "published", "date_source", "source", "source_name", "sentiment",
                  "tags", "lang", "category", "author", "url", "description", "archive_url")
#: the ``published`` cell of an article whose date is unknown (JSON says ``null``)
UNKNOWN_DATE = "date unknown"


def export_row(hit, archive_url: str | None) -> dict[str, object]:
    """One hit as an export row (CSV columns ``EXPORT_COLUMNS``)."""
    from archive.article import format_datetime

    return {
        "id": hit.id, "title": hit.title,
        "published": format_datetime(hit.published) if hit.published else UNKNOWN_DATE,
        "date_source": hit.date_source,
        "source": hit.source, "source_name": hit.source_name, "sentiment": hit.sentiment,
        "tags": ";".join(hit.tags), "lang": hit.lang, "category": hit.category,
        "author": hit.author, "url": hit.url, "description": hit.description,
        "archive_url": archive_url,
    }


def jsonl_record(hit, archive_url: str | None) -> dict[str, object]:
    """One hit as a JSON lines record: every field of the hit, and its archive address."""
    from dataclasses import asdict

    from index.model import _jsonable

    data = _jsonable(asdict(hit))
    data["archive_url"] = archive_url
    return data


def cap_note(cap: int, total: int) -> str:
    return (f"capped: the first {cap:,} of {total:,} matches; `newsarchive export` on the "
            f"command line writes every match")
