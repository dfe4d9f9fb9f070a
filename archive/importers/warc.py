"""WARC files (how researchers' web archives are stored): every HTML page response in them.

warcio iterates the records (gzip per record or uncompressed). A ``response`` record whose HTTP
status is 200 and whose content type is HTML is extracted like a fetched page: ``url`` is the
record's ``WARC-Target-URI``, ``fetchedAt`` its ``WARC-Date``, and the page is kept as a raw
snapshot (``archive.raw``) so it can be re-extracted later. Other records (requests, metadata,
images, redirects, errors) are skipped silently; an HTML response that yields no article is a
``Failure`` naming the record and its address, and the rest of the file goes on.
"""

from __future__ import annotations

import io
import zlib
from datetime import datetime
from typing import Any

from archive.article import Article, parse_datetime
from archive.errors import FormatError, InputError, NewsarchiveError
from archive.extract import decode_html, extract_article, prepare, web_source
from archive.fetch import HTML_TYPES, media_type
from archive.importers.html import with_raw
from archive.types import Failure, IngestOptions
from archive.raw import save_raw
from archive.timelimit import time_limit

#: HTML payloads larger than this are skipped with a Failure (same cap as fetching)
MAX_PAYLOAD_BYTES = 5 * 1024 * 1024


def import_warc(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]:
    return [draft for _, draft in warc_drafts(data, name=name, options=options)]


def warc_drafts(data: bytes, *, name: str, options: IngestOptions) -> list[tuple[str, Article | Failure]]:
    """``(label, draft or Failure)`` per HTML page response, ``record 12 (https://...)``."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    if not _looks_like_warc(data):
        raise InputError("not a WARC file (it should start with 'WARC/', or be gzip-compressed WARC)",
                         source=name)
    results: list[tuple[str, Article | Failure]] = []
    number = 0
    known = 0
    records = iter(ArchiveIterator(io.BytesIO(data)))
    while True:
        # warcio parses hostile bytes; whatever it raises while reading is a damaged file, and
        # only the reading is inside this try (our extraction reports its own errors)
        try:
            record = next(records, None)
            if record is None:
                break
            number += 1
            page = _html_response(record)
            if page is not None:
                known += 1
                uri, headers, warc_date = page
                payload = record.content_stream().read(MAX_PAYLOAD_BYTES + 1)
            elif record.rec_type in RECORD_TYPES:
                known += 1
                continue
            else:
                continue
        except ArchiveLoadFailed as exc:
            where = f" after record {number}" if number else ""
            raise InputError(f"not a readable WARC file{where}: {_reason(exc)}", source=name) from None
        except (ValueError, EOFError, OSError, AttributeError, TypeError, KeyError, IndexError,
                zlib.error) as exc:
            where = f" at record {number}" if number else ""
            raise InputError(f"the WARC file is damaged{where} ({exc.__class__.__name__})",
                             source=name) from None
        label = f"record {number} ({uri})" if uri else f"record {number}"
        if len(payload) > MAX_PAYLOAD_BYTES:
            results.append((label, Failure(label, f"the page is larger than {MAX_PAYLOAD_BYTES // 1024 // 1024} MB")))
            continue
        try:
            results.append((label, _record_article(payload, uri, headers, warc_date, options)))
        except NewsarchiveError as exc:
            results.append((label, Failure(label, exc.message)))
    if known == 0:
        raise InputError("not a readable WARC file: no WARC records found", source=name)
    return results


RECORD_TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion",
                "continuation"}


def _looks_like_warc(data: bytes) -> bool:
    head = data[:8]
    if head[:2] == b"\x1f\x8b":  # gzip: look at the start of the first member
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[:65536], 16)
        except zlib.error:
            return False
    return head.lstrip(b"\r\n").startswith(b"WARC/")


def _html_response(record: Any) -> tuple[str | None, Any, str | None] | None:
    """``(target URI, HTTP headers, WARC-Date)`` of an HTML page response (status 200), else None."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode()
    ctype = media_type(record.http_headers.get_header("Content-Type"))
    if status != "200" or ctype not in HTML_TYPES:
        return None
    return (record.rec_headers.get_header("WARC-Target-URI"), record.http_headers,
            record.rec_headers.get_header("WARC-Date"))


def _record_article(payload: bytes, uri: str | None, headers: Any, warc_date: str | None,
                    options: IngestOptions) -> Article:
    content_type = headers.get_header("Content-Type")
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    prepare()  # the first page's loading is not that page's time
    with time_limit(options.extract_timeout):
        draft = extract_article(decode_html(payload, charset), url=uri)
    fetched = _warc_date(warc_date)
    draft = draft.replace(url=uri, fetched_at=fetched)
    if draft.source is None:
        draft = draft.replace(source=web_source(draft.canonical_url or uri, options.source))
    if options.home is not None:
        raw = save_raw(options.home, payload, url=uri, fetched_at=fetched or options.now,
                       content_type=content_type, status=200, requested_at=fetched)
        draft = with_raw(draft, raw)
    return draft


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parse_datetime(value)
    except FormatError:
        return None


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else exc.__class__.__name__
