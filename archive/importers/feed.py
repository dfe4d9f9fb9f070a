"""RSS and Atom feeds: ``import_feed`` for a feed file, ``import_feed_url`` for a feed's address.

feedparser reads the feed. For each entry, the page it links to is fetched and extracted (like
``newsarchive ingest URL``, raw snapshot included), then the feed's own metadata is laid over it:

- ``source``: the feed's title (``type: RSS``, ``url``: the feed's site link); when the feed's
  title is the page's site name plus a section (``The Ledger Daily – Markets``), the site name;
- ``externalId``: the entry's id (``<guid>``/``<id>``);
- ``publishedAt``/``updatedAt``: the entry's dates as the feed gives them (``dateSource:
  provided``), else the page's; an entry with only an update date and a page without a date
  takes the update date;
- ``title``: the entry's title, else the page's; ``tags``: the entry's categories, then the page's.

An entry whose page cannot be fetched or read falls back to the entry's own text (``content``,
else ``summary``) when it is substantial (``MIN_FALLBACK_WORDS``); otherwise it is a ``Failure``
with the reason, and the rest of the feed goes on.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timezone
from typing import Any

from archive.article import Article, Source, source_key
from archive.errors import InputError, NewsarchiveError
from archive.fetch import FEED_TYPES, HTML_TYPES, fetch_page
from archive.importers.html import article_from_page
from archive.types import Failure, IngestOptions

#: an entry's own text is kept instead of its page only if it has at least this many words
MIN_FALLBACK_WORDS = 50
MAX_ENTRIES = 1000


def import_feed(data: bytes, *, name: str, options: IngestOptions, url: str | None = None) -> list[Article | Failure]:
    """Every entry of an RSS/Atom document (its pages fetched) as drafts or ``Failure``s."""
    import feedparser

    headers = {"content-location": url} if url else {}
    parsed = feedparser.parse(data, response_headers=headers, sanitize_html=True,
                              resolve_relative_uris=True)
    entries = [e for e in parsed.entries
               if any(_get(e, key) for key in ("title", "link", "summary", "content"))]
    if not entries:
        if parsed.get("bozo"):
            raise InputError(f"not a valid RSS or Atom feed{_problem(parsed.get('bozo_exception'))}",
                             source=name)
        raise InputError("the feed has no entries", source=name)
    feed_title = _text(parsed.feed.get("title"))
    feed_link = _text(parsed.feed.get("link"))
    if feed_link and not feed_link.startswith(("http://", "https://")):
        feed_link = None  # feedparser falls back to the feed's <id> (a urn: or tag: name)
    results: list[Article | Failure] = []
    for number, entry in enumerate(entries[:MAX_ENTRIES], start=1):
        link = _text(_get(entry, "link"))
        label = f"entry {number} ({link})" if link else f"entry {number}"
        try:
            results.append(_entry_article(entry, options))
        except NewsarchiveError as exc:
            results.append(Failure(label, exc.message))
    if feed_title:
        # one source for the whole feed: the site's name when the feed is one of its sections
        # ("The Ledger Daily – Markets" of "The Ledger Daily"), else the feed's title
        sites = [r.source.name for r in results if isinstance(r, Article) and r.source
                 and r.source.type == "WEB" and _is_section_of(feed_title, r.source.name)]
        name = sites[0] if sites else feed_title
        source = Source(name=name, key=source_key(name), type="RSS", url=feed_link)
        results = [r.replace(source=source) if isinstance(r, Article) else r for r in results]
    if len(entries) > MAX_ENTRIES:
        results.append(Failure(f"entries {MAX_ENTRIES + 1}-{len(entries)}",
                               f"a feed is read up to {MAX_ENTRIES} entries; the rest were skipped"))
    return results


def import_feed_url(url: str, *, options: IngestOptions) -> list[Article | Failure]:
    """Fetch a feed (``options.fetch`` settings), then import it like a file."""
    settings = {**dict(options.fetch), "accept": HTML_TYPES + FEED_TYPES}
    page = fetch_page(url, **settings)
    return import_feed(page.content, name=url, options=options, url=page.final_url)


def _entry_article(entry: Any, options: IngestOptions) -> Article:
    link = _text(_get(entry, "link"))
    page_error: str | None = None
    draft: Article | None = None
    if link and link.startswith(("http://", "https://")):
        try:
            page = fetch_page(link, **dict(options.fetch))
            draft = article_from_page(page, options)
        except NewsarchiveError as exc:
            page_error = exc.message
    elif link:
        page_error = f"the entry's link is not a web address ({link})"
    else:
        page_error = "the entry has no link"
    if draft is None:
        draft = _fallback_article(entry, link, page_error or "")

    published = _entry_date(entry, "published_parsed")
    updated = _entry_date(entry, "updated_parsed")
    if published is None and draft.published_at is None:
        published = updated  # an Atom entry with only <updated>: the feed's only date for it
    changes: dict[str, Any] = {}
    if published is not None:
        changes.update(published_at=published, date_source="provided")
    if updated is not None and updated != published:
        changes["updated_at"] = updated
    title = _text(_get(entry, "title"))
    if title:
        changes["title"] = title
    entry_id = _text(_get(entry, "id"))
    if entry_id:
        changes["external_id"] = entry_id
    if not draft.author and _text(_get(entry, "author")):
        changes["author"] = _text(_get(entry, "author"))
    tags: list[str] = []
    for tag in [t.get("term") for t in _get(entry, "tags") or []] + list(draft.tags):
        text = _text(tag)
        if text and text.upper() not in tags:
            tags.append(text.upper())
    changes["tags"] = tuple(tags)
    return draft.replace(**changes)


def _fallback_article(entry: Any, link: str | None, page_error: str) -> Article:
    """The entry's own text, when its page could not be had and the text is long enough."""
    html = ""
    for content in _get(entry, "content") or []:
        if isinstance(content, dict) and len(content.get("value") or "") > len(html):
            html = content["value"]
    summary = _get(entry, "summary") or ""
    if len(summary) > len(html):
        html = summary
    body = html_fragment_to_text(html)
    words = len(body.split())
    if words < MIN_FALLBACK_WORDS:
        have = f"only {words} word(s)" if words else "no text"
        raise InputError(f"{page_error}; the feed's own text for this entry is too short to keep "
                         f"({have}, at least {MIN_FALLBACK_WORDS} needed)")
    title = _text(_get(entry, "title"))
    if not title:
        raise InputError(f"{page_error}; the entry has no title either")
    return Article(title=title, body=body,
                   url=link if link and link.startswith(("http://", "https://")) else None)


def html_fragment_to_text(html: str) -> str:
    """Paragraphs of an HTML fragment (a feed's summary) as plain text, one blank line apart."""
    if not html.strip():
        return ""
    import lxml.html
    from lxml import etree

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", html).strip()
    blocks = []
    for element in root.iter("p", "li", "h1", "h2", "h3", "h4", "blockquote"):
        text = re.sub(r"\s+", " ", element.text_content()).strip()
        if text:
            blocks.append(("- " if element.tag == "li" else "") + text)
    if not blocks:
        text = re.sub(r"\s+", " ", root.text_content()).strip()
        blocks = [text] if text else []
    return "\n\n".join(blocks)


def _is_section_of(feed_title: str, site: str) -> bool:
    """``"The Ledger Daily – Markets"`` is a section feed of ``"The Ledger Daily"``."""
    rest = feed_title[len(site):] if feed_title.lower().startswith(site.lower()) else None
    return rest is not None and (rest == "" or bool(re.match(r"^\s*[-–—|:·]", rest)))


def _entry_date(entry: Any, key: str) -> datetime | None:
    value = _get(entry, key)
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return None


def _get(entry: Any, key: str) -> Any:
    """``entry[key]`` without feedparser's deprecated key aliasing (``updated_parsed`` falling
    back to ``published_parsed`` warns, and would blur the two dates)."""
    return dict.get(entry, key)


def _problem(exc: Any) -> str:
    if exc is None:
        return ""
    message = exc.getMessage() if hasattr(exc, "getMessage") else str(exc)
    if hasattr(exc, "getLineNumber"):
        return f" ({message} at line {exc.getLineNumber()}, column {exc.getColumnNumber()})"
    return f" ({message})"


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", " ", value).strip()
    return text or None
