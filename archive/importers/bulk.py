"""Bulk exports from news APIs: JSON, JSON lines and CSV records -> draft articles.

Shapes read:

- JSON: a list of records; an object holding the list under ``articles`` (NewsAPI), ``data``,
  ``items``, ``results``, ``records``, ``entries`` or ``news``; or one record;
- JSON lines: one record per line (blank lines skipped), read line by line;
- CSV: a header row, then one record per row (UTF-8, with or without BOM), read row by row.

Each of our fields is looked up in a record under its aliases (``ALIASES``: ``headline`` ->
title, ``content``/``text`` -> body, ``published``/``date`` -> publishedAt, ``link`` -> url...),
unless ``options.mapping`` names the record's key for it (``--map title=headline``). Keys may be
dotted paths into nested records (``source.name``); in CSV a column literally named
``source.name`` is used first. A record that cannot become an article (no title, no text, a date
that is not a date) is a ``Failure("record 17", reason)`` and the others go on.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Iterable, Iterator, Mapping

from archive.article import SENTIMENTS, Article, Source, parse_datetime, source_key
from archive.errors import FormatError, InputError
from archive.types import Failure, IngestOptions

#: our field -> the keys tried, in order, when the mapping does not name one
ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "name", "heading"),
    "body": ("body", "content", "text", "article", "fullText", "full_text", "maintext", "articleBody"),
    "description": ("description", "summary", "abstract", "standfirst", "excerpt", "dek", "snippet"),
    "publishedAt": ("publishedAt", "published_at", "published", "pubDate", "date", "datePublished",
                    "publication_date", "created_at", "time", "timestamp"),
    "updatedAt": ("updatedAt", "updated_at", "updated", "dateModified", "modified"),
    "url": ("url", "link", "href", "uri", "webUrl"),
    "canonicalUrl": ("canonicalUrl", "canonical_url", "canonical"),
    "author": ("author", "byline", "creator", "authors", "writer"),
    "source": ("source.name", "source", "source_name", "site", "publisher", "outlet", "domain"),
    "category": ("category", "section", "sectionName"),
    "tags": ("tags", "keywords", "topics", "categories"),
    "externalId": ("externalId", "id", "guid", "uuid", "article_id", "_id"),
    "lang": ("lang", "language"),
    "sentiment": ("sentiment",),
    "score": ("score",),
    "image": ("urlToImage", "image", "image_url", "imageUrl", "thumbnail"),
}
FIELDS = tuple(ALIASES)
LIST_KEYS = ("articles", "data", "items", "results", "records", "entries", "news")
#: NewsAPI truncates ``content`` and says so: "… [+2345 chars]"
_TRUNCATED = re.compile(r"\s*(?:…|\.\.\.)?\s*\[\+\d+ chars\]\s*$")
#: a CSV cell may hold a whole article body
csv.field_size_limit(16 * 1024 * 1024)


def import_json(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]:
    text = _decode(data, name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", source=name) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply", source=name) from None
    records = _records_of(document, name)
    return list(_convert(((f"record {n}", r) for n, r in enumerate(records, start=1)), options))


def import_jsonl(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]:
    return list(_convert(_jsonl_records(data, name), options))


def import_csv(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]:
    return list(_convert(_csv_records(data, name), options))


# ------------------------------------------------------------------------------- reading --

def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first",
                         source=name) from None


def _records_of(document: Any, name: str) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key]
        if any(_lookup(document, alias) is not None for alias in ALIASES["title"]):
            return [document]
        if document.get("status") == "error" and document.get("message"):
            raise InputError(f"the export is an API error, not articles: {document['message']}", source=name)
    raise InputError("no records found: expected a list of articles, or an object with an "
                     f"'articles' (or {', '.join(repr(k) for k in LIST_KEYS[1:])}) list", source=name)


def _jsonl_records(data: bytes, name: str) -> Iterator[tuple[str, Any]]:
    """``(label, record or Failure)`` per non-blank line, without loading all records first."""
    number = 0
    for line_number, raw_line in enumerate(io.BytesIO(data), start=1):
        line = raw_line.strip()
        if not line:
            continue
        number += 1
        label = f"record {number} (line {line_number})"
        try:
            text = line.decode("utf-8-sig")
        except UnicodeDecodeError:
            yield label, Failure(label, "the line is not valid UTF-8")
            continue
        try:
            yield label, json.loads(text)
        except json.JSONDecodeError as exc:
            yield label, Failure(label, f"not valid JSON (column {exc.colno}: {exc.msg})")
        except RecursionError:
            yield label, Failure(label, "the JSON is nested too deeply")


def _csv_records(data: bytes, name: str) -> Iterator[tuple[str, Any]]:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data[:65536].rsplit(b"\n", 1)[0])
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first",
                         source=name) from None
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.DictReader(stream)
    try:
        header = reader.fieldnames
    except (csv.Error, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the CSV header ({exc})", source=name) from None
    if not header or not any(h and h.strip() for h in header):
        raise InputError("the CSV file has no header row", source=name)
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            yield f"record {number}", Failure(f"record {number}", f"not valid UTF-8 (byte {exc.start} of the file)")
            return
        except csv.Error as exc:
            yield f"record {number}", Failure(f"record {number}", f"cannot read the CSV row ({exc})")
            return
        yield f"record {number}", {(k.strip() if isinstance(k, str) else k): v for k, v in row.items()}


# ---------------------------------------------------------------------------- converting --

def _convert(records: Iterable[tuple[str, Any]], options: IngestOptions) -> Iterator[Article | Failure]:
    mapping = _check_mapping(options.mapping)
    for label, record in records:
        if isinstance(record, Failure):
            yield record
            continue
        try:
            yield record_to_article(record, mapping)
        except (InputError, FormatError) as exc:
            yield Failure(label, exc.message)


def _check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown field(s) in the mapping: {', '.join(unknown)}; "
                         f"map any of: {', '.join(FIELDS)}")
    return dict(mapping)


def record_to_article(record: Any, mapping: Mapping[str, str]) -> Article:
    """One record -> one draft article; ``InputError`` says what is missing or wrong."""
    if not isinstance(record, Mapping):
        raise InputError(f"a record must be an object of fields, not {_kind(record)}")

    def get(field: str) -> Any:
        keys = (mapping[field],) if field in mapping else ALIASES[field]
        for key in keys:
            value = _lookup(record, key)
            if value is not None and value != "" and value != []:
                return value
        return None

    title = _str(get("title"), "title")
    if not title:
        raise InputError("no title")
    body = _str(get("body"), "body")
    description = _str(get("description"), "description")
    if body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        body = _TRUNCATED.sub(" …", body).strip() if _TRUNCATED.search(body) else body
    if not body:
        body = description  # many API exports carry only a summary
    if not body:
        raise InputError("no text (no body, content or description)")
    source_value = get("source")
    source = None
    if isinstance(source_value, Mapping):
        source_value = source_value.get("name") or source_value.get("id")
    source_name = _str(source_value, "source")
    if source_name:
        source = Source(name=source_name, key=source_key(source_name), type="API")
    sentiment = _str(get("sentiment"), "sentiment")
    if sentiment and sentiment.upper() not in SENTIMENTS:
        raise InputError(f"sentiment {sentiment!r} is not one of {', '.join(SENTIMENTS)}")
    score = get("score")
    if score is not None:
        try:
            score = float(score)
        except (TypeError, ValueError):
            raise InputError(f"score {score!r} is not a number") from None
    image = _str(get("image"), "image")
    published = _date(get("publishedAt"), "publishedAt")
    return Article(
        title=title,
        body=body,
        description=description if description != body else None,
        published_at=published,
        date_source="provided" if published else None,
        updated_at=_date(get("updatedAt"), "updatedAt"),
        url=_url(get("url")),
        canonical_url=_url(get("canonicalUrl")),
        author=_author(get("author")),
        source=source,
        category=_str(get("category"), "category"),
        tags=_tags(get("tags")),
        external_id=_str(get("externalId"), "externalId"),
        lang=(_str(get("lang"), "lang") or "").lower()[:2] or None,
        sentiment=sentiment.upper() if sentiment else None,
        score=score,
        cover_image={"raw": image} if image and image.startswith(("http://", "https://")) else None,
    )


def _lookup(record: Any, key: str) -> Any:
    """``record[key]``, else a dotted path (``source.name``) into nested objects."""
    if not isinstance(record, Mapping):
        return None
    if key in record:
        return record[key]
    if "." in key:
        value: Any = record
        for part in key.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
        return value
    return None


def _kind(value: Any) -> str:
    return {list: "a list", str: "a string", type(None): "null"}.get(type(value), type(value).__name__)


def _str(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or isinstance(value, (dict, list)):
        raise InputError(f"{field} must be text, not {_kind(value)}")
    text = str(value).strip()
    return text or None


def _date(value: Any, field: str) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 10**11 else value  # epoch milliseconds
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise InputError(f"{field} {value!r} is not a date") from None
    text = str(value).strip()
    try:
        return parse_datetime(re.sub(r"^(\d{4}-\d{2}-\d{2}) (\d)", r"\1T\2", text), name=field)
    except FormatError:
        pass
    try:
        parsed = parsedate_to_datetime(text)  # RFC 822, as in RSS: "Fri, 06 Mar 2026 14:30:00 GMT"
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parse_datetime(parsed)
    raise InputError(f"{field} {text[:60]!r} is not a date (use ISO 8601, e.g. 2026-03-06T14:30:00Z)")


def _url(value: Any) -> str | None:
    text = _str(value, "url")
    return text if text and text.startswith(("http://", "https://")) else None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [str(v.get("name") if isinstance(v, Mapping) else v).strip() for v in value]
        return ", ".join(n for n in names if n and n != "None") or None
    if isinstance(value, Mapping):
        value = value.get("name")
    return _str(value, "author")


def _tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else re.split(r"[,;|]", str(value))
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("term") or item.get("label")
        text = str(item).strip() if item is not None else ""
        if text and text.upper() not in out:
            out.append(text.upper())
    return tuple(out)
