"""HTML importers: a saved page (``import_html``) and a URL (``import_url``).

Both hand the HTML string to ``archive.extract.extract_article``. A fetched page is kept
compressed under ``<home>/raw`` (see ``archive.raw``) and the article's ``extractor.raw`` points
at it, so ``newsarchive reextract`` can re-read it later without fetching. A saved file is kept
the same way (its address unknown), so a better extractor can improve it too.
"""

from __future__ import annotations

from typing import Any

from archive.article import Article
from archive.extract import decode_html, extract_article, prepare, web_source
from archive.fetch import FEED_TYPES, HTML_TYPES, FetchedPage, fetch_page
from archive.types import Failure, IngestOptions
from archive.raw import save_raw
from archive.timelimit import time_limit


def import_html(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]:
    """One saved HTML page -> one draft article (``InputError`` if it has no article text)."""
    html = decode_html(data)
    prepare()  # the first page's loading is not that page's time
    with time_limit(options.extract_timeout):
        draft = extract_article(html, url=None)
    if draft.source is None and draft.canonical_url:
        draft = draft.replace(source=web_source(draft.canonical_url, options.source))
    if options.home is not None:
        raw = save_raw(options.home, data, url=None, fetched_at=options.now,
                       content_type="text/html")
        draft = with_raw(draft, raw)
    return [draft]


def import_url(url: str, *, options: IngestOptions) -> list[Article | Failure]:
    """Fetch ``url`` (``options.fetch`` settings), keep the raw page, extract the article.

    A URL that turns out to serve an RSS/Atom feed is read as one (as with ``--feed``)."""
    page = fetch_page(url, **{**dict(options.fetch), "accept": HTML_TYPES + FEED_TYPES})
    if page.content_type in FEED_TYPES:
        from archive.importers.feed import import_feed

        return import_feed(page.content, name=url, options=options, url=page.final_url)
    return [article_from_page(page, options)]


def article_from_page(page: FetchedPage, options: IngestOptions) -> Article:
    """The draft article of a fetched page, with ``url``, ``fetchedAt`` and its raw snapshot.

    ``fetchedAt`` is the batch's clock (``options.now``, like ``ingestedAt``); the sidecar of the
    raw snapshot keeps the exact time of the request."""
    prepare()  # the first page's loading is not that page's time
    with time_limit(options.extract_timeout):
        draft = extract_article(decode_html(page.content, page.charset), url=page.final_url)
    draft = draft.replace(url=page.final_url, fetched_at=options.now)
    if draft.source is None:
        draft = draft.replace(source=web_source(draft.canonical_url or page.final_url, options.source))
    if options.home is not None:
        raw = save_raw(options.home, page.content, url=page.url, final_url=page.final_url,
                       fetched_at=options.now, content_type=page.headers.get("content-type"),
                       status=page.status, requested_at=page.fetched_at)
        draft = with_raw(draft, raw)
    return draft


def with_raw(draft: Article, raw: str) -> Article:
    extractor: dict[str, Any] = dict(draft.extractor or {})
    extractor["raw"] = raw
    return draft.replace(extractor=extractor)
