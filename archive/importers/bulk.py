"""Bulk exports from news APIs: JSON, JSON lines and CSV records -> draft articles.

Shapes read:

- JSON: a list of records; an object holding the list under ``articles`` (NewsAPI), ``data``,
  ``items``, ``results``, ``records``, ``entries`` or ``news``; or one record;
- JSON lines: one record per line (blank lines skipped), streamed line by line;
- CSV: a header row, then one record per row (UTF-8, with or without BOM), streamed record by
  record (``csv_spans`` finds where each record ends by following the quoting, so a field with
  line breaks is one record and a record larger than ``MAX_RECORD_BYTES`` fails alone).

Large JSON lines and CSV files are cut into ``Slice``s of whole records (``slice_records``) that
the bulk pipeline hands to worker processes; each slice is read on its own (``slice_labelled``).

Each of our fields is looked up in a record under its aliases (``ALIASES``: ``headline`` ->
title, ``content``/``text`` -> body, ``published``/``date`` -> publishedAt, ``link`` -> url...),
unless ``options.mapping`` names the record's key for it (``--map title=headline``). Keys may be
dotted paths into nested records (``source.name``); in CSV a column literally named
``source.name`` is used first. ``options.value_mapping`` maps the export's values to ours
(``--map-value sentiment:bullish=POSITIVE``). HTML entities in one-line fields and addresses are
decoded (``&#39;``, ``&amp;``); lone UTF-16 surrogates in JSON become U+FFFD. A record with a title
and a link or source but no text is a headline-only article (``headlineOnly: true``). A record that
cannot become an article (no title, a date that is not a date) is a
``Failure("record 17 (line 18)", reason)`` and the others go on.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO, Iterable, Iterator, Mapping

from archive.article import SENTIMENTS, Article, Source, parse_datetime, source_key
from archive.errors import FormatError, InputError
from archive.types import HEADLINE_ONLY, Failure, IngestOptions

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
    return [draft for _, draft in labelled_json(data, name=name, options=options)]


def import_jsonl(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]:
    return [draft for _, draft in labelled_jsonl(data, name=name, options=options)]


def import_csv(data: bytes, *, name: str, options: IngestOptions) -> list[Article | Failure]:
    return [draft for _, draft in labelled_csv(data, name=name, options=options)]


def labelled_json(data: bytes, *, name: str, options: IngestOptions) -> list[tuple[str, Article | Failure]]:
    return list(convert_records(json_records(data, name), options))


def labelled_jsonl(data: bytes, *, name: str, options: IngestOptions) -> list[tuple[str, Article | Failure]]:
    return list(convert_records(jsonl_records(io.BytesIO(data)), options))


def labelled_csv(data: bytes, *, name: str, options: IngestOptions) -> list[tuple[str, Article | Failure]]:
    stream = io.BytesIO(data)
    header = read_csv_header(stream, name)
    return list(convert_records(csv_records(stream, header, start=stream.tell()), options))


# ------------------------------------------------------------------------------- reading --

#: a record larger than this fails alone, and the records after it go on (a news article is a
#: few tens of KB; a whole book fits)
MAX_RECORD_BYTES = 16 * 1024 * 1024
csv.field_size_limit(MAX_RECORD_BYTES)
#: how much of a file is read at a time while streaming
_BLOCK = 1 << 20

#: ``(label, record)``: the record as read (a mapping), or the ``Failure`` that reading it gave
Labelled = tuple[str, Any]


@dataclass(frozen=True)
class Span:
    """Where one record of a JSON lines or CSV file is: bytes ``start:end``, its first line, and
    its bytes (``None`` when it is larger than ``MAX_RECORD_BYTES``, or not kept)."""

    start: int
    end: int
    line: int
    data: bytes | None
    #: an empty line (JSON lines: only white space)
    blank: bool = False


def _label(number: int, line: int) -> str:
    return f"record {number} (line {line})"


def _oversized(span: Span) -> str:
    return (f"the record is {(span.end - span.start) / 1e6:.0f} MB, more than the "
            f"{MAX_RECORD_BYTES // 1024 // 1024} MB a record may hold")


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first",
                         source=name) from None


# -- JSON: one document

def json_records(data: bytes, name: str) -> Iterator[Labelled]:
    """The records of a JSON document, each labelled with the line it starts on."""
    text = _decode(data, name)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", source=name) from None
    except RecursionError:
        raise InputError("the JSON is nested too deeply", source=name) from None
    records, key = _records_of(document, name)
    fix = scrub if _SURROGATE_ESCAPE.search(data) else _as_is
    if key is None and not isinstance(document, list):  # one record: the whole document
        yield _label(1, 1 + text.count("\n", 0, len(text) - len(text.lstrip()))), fix(records[0])
        return
    lines = _json_list_lines(text, key)
    for number, record in enumerate(records, start=1):
        line = lines[number - 1] if lines is not None and number <= len(lines) else None
        yield (_label(number, line) if line else f"record {number}"), fix(record)


def _records_of(document: Any, name: str) -> tuple[list[Any], str | None]:
    """The list of records, and the key of the object that holds it (``None``: the document)."""
    if isinstance(document, list):
        return document, None
    if isinstance(document, dict):
        for key in LIST_KEYS:
            if isinstance(document.get(key), list):
                return document[key], key
        if any(_lookup(document, alias) is not None for alias in ALIASES["title"]):
            return [document], None
        if document.get("status") == "error" and document.get("message"):
            raise InputError(f"the export is an API error, not articles: {document['message']}", source=name)
    raise InputError("no records found: expected a list of articles, or an object with an "
                     f"'articles' (or {', '.join(repr(k) for k in LIST_KEYS[1:])}) list", source=name)


_WS = re.compile(r"[ \t\r\n]*")


def _json_list_lines(text: str, key: str | None) -> list[int] | None:
    """The line each element of the records list starts on (the document's own list, or the one
    under ``key`` of the top-level object); ``None`` if the text is not laid out as expected."""
    decoder = json.JSONDecoder()
    at = _WS.match(text).end()
    try:
        if key is not None:  # walk the top-level object's members to the list under ``key``
            if text[at] != "{":
                return None
            at = _WS.match(text, at + 1).end()
            while True:
                member, at = decoder.raw_decode(text, at)
                at = _WS.match(text, at).end()
                at = _WS.match(text, at + 1).end()  # the ':'
                if member == key and text[at] == "[":
                    break
                _, at = decoder.raw_decode(text, at)
                at = _WS.match(text, at).end() + 1  # the ','
                at = _WS.match(text, at).end()
        if text[at] != "[":
            return None
        lines: list[int] = []
        line, counted = 1, 0
        at = _WS.match(text, at + 1).end()
        while text[at] != "]":
            line += text.count("\n", counted, at)
            counted = at
            lines.append(line)
            _, at = decoder.raw_decode(text, at)
            at = _WS.match(text, at).end()
            if text[at] == ",":
                at = _WS.match(text, at + 1).end()
        return lines
    except (ValueError, IndexError):
        return None


# -- JSON lines: one record per line

def jsonl_spans(stream: BinaryIO, *, start: int = 0, line: int = 1, stop: int | None = None,
                keep: bool = True) -> Iterator[Span]:
    """Every line from ``start`` (a line's first byte) to ``stop``, read line by line; a line
    longer than ``MAX_RECORD_BYTES`` is skipped to its end, never held whole."""
    stream.seek(start)
    offset = start
    while stop is None or offset < stop:
        limit = MAX_RECORD_BYTES + 1 if stop is None else min(MAX_RECORD_BYTES + 1, stop - offset)
        data = stream.readline(limit)
        if not data:
            return
        end = offset + len(data)
        if len(data) > MAX_RECORD_BYTES and not data.endswith(b"\n"):
            while True:  # the rest of the oversized line
                rest = stream.readline(_BLOCK)
                end += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield Span(offset, end, line, None)
        else:
            blank = not data.strip()
            yield Span(offset, end, line, data if keep else b"", blank)
        offset = end
        line += 1


def jsonl_records(stream: BinaryIO, *, start: int = 0, stop: int | None = None, first: int = 1,
                  line: int = 1) -> Iterator[Labelled]:
    """``(label, record or Failure)`` per non-blank line, numbered from ``first``."""
    number = first
    for span in jsonl_spans(stream, start=start, line=line, stop=stop):
        if span.blank:
            continue
        label = _label(number, span.line)
        number += 1
        yield label, _jsonl_record(span, label)


def _jsonl_record(span: Span, label: str) -> Any:
    if span.data is None:
        return Failure(label, _oversized(span))
    line = span.data.strip()
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return Failure(label, "the line is not valid UTF-8")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        return Failure(label, f"not valid JSON (column {exc.colno}: {exc.msg})")
    except RecursionError:
        return Failure(label, "the JSON is nested too deeply")
    return scrub(record) if _SURROGATE_ESCAPE.search(line) else record


# -- CSV: a header row, then one record per row (a quoted field may hold line breaks)

def csv_spans(stream: BinaryIO, *, start: int = 0, line: int = 1, stop: int | None = None,
              keep: bool = True) -> Iterator[Span]:
    """The records of a CSV file from ``start`` (a record's first byte) to ``stop``, found by
    following the quoting the ``csv`` module reads (a ``"`` opens a quoted field only at a field's
    start; ``""`` inside one is a quote), without parsing the fields. A record longer than
    ``MAX_RECORD_BYTES`` is skipped to its end, never held whole."""
    stream.seek(start)
    buf = b""
    base = start            # file offset of buf[0]
    pos = 0                 # where the scan is, in buf
    rec_start, rec_line = start, line
    in_quotes = after_quote = oversized = False
    eof = False
    while True:
        if pos >= len(buf):
            if eof:
                break
            want = _BLOCK if stop is None else min(_BLOCK, stop - base - len(buf))
            chunk = stream.read(want) if want > 0 else b""
            if not chunk:
                eof = True
                continue
            # keep the current record (or, once it is too large, only the byte before the scan)
            keep_from = max(0, pos - 1) if oversized else rec_start - base
            buf, base, pos = buf[keep_from:] + chunk, base + keep_from, pos - keep_from
            continue
        if in_quotes:
            close = buf.find(b'"', pos)
            stop_at = len(buf) if close < 0 else close
            line += buf.count(b"\n", pos, stop_at)
            if close < 0:
                pos = len(buf)
            else:
                in_quotes, after_quote, pos = False, True, close + 1
        elif after_quote:
            after_quote = False
            if buf[pos:pos + 1] == b'"':  # "" inside a quoted field
                in_quotes, pos = True, pos + 1
        else:
            match = _CSV_UNQUOTED.search(buf, pos)
            if match is None:
                pos = len(buf)
            elif match.group() == b'"':
                at = match.start()
                if base + at == rec_start or buf[at - 1:at] in (b",", b"\n"):
                    in_quotes = True
                pos = at + 1
            else:  # the end of the record
                end = base + match.end()
                data = None if oversized else buf[rec_start - base:match.end()]
                blank = data is not None and not data.strip(b"\r\n")
                yield Span(rec_start, end, rec_line, data if keep or data is None else b"", blank)
                line += 1
                rec_start, rec_line, oversized, pos = end, line, False, match.end()
        if not oversized and base + pos - rec_start > MAX_RECORD_BYTES:
            oversized = True
    if base + len(buf) > rec_start:  # the last record, without a line break
        data = None if oversized else buf[rec_start - base:]
        blank = data is not None and not data.strip(b"\r\n")
        yield Span(rec_start, base + len(buf), rec_line, data if keep or data is None else b"", blank)


_CSV_UNQUOTED = re.compile(rb'[\n"]')


def read_csv_header(stream: BinaryIO, name: str) -> tuple[str, ...]:
    """The column names (the first record); leaves the stream at the first data record."""
    stream.seek(0)
    span = next(csv_spans(stream), None)
    if span is None or span.data is None:
        raise InputError("the CSV file has no header row" if span is None
                         else "the CSV header row is too large", source=name)
    try:
        text = span.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"the file is not valid UTF-8 (byte {exc.start}); convert it to UTF-8 first",
                         source=name) from None
    try:
        header = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        raise InputError(f"cannot read the CSV header ({exc})", source=name) from None
    if not any(h.strip() for h in header):
        raise InputError("the CSV file has no header row", source=name)
    stream.seek(span.end)
    return tuple(h.strip() for h in header)


def csv_records(stream: BinaryIO, header: tuple[str, ...], *, start: int, stop: int | None = None,
                first: int = 1, line: int = 2) -> Iterator[Labelled]:
    """``(label, record or Failure)`` per row from ``start``; blank rows are skipped."""
    number = first
    for span in csv_spans(stream, start=start, line=line, stop=stop):
        if span.blank:
            continue
        label = _label(number, span.line)
        number += 1
        yield label, _csv_record(span, header, label)


def _csv_record(span: Span, header: tuple[str, ...], label: str) -> Any:
    if span.data is None:
        return Failure(label, _oversized(span))
    try:
        text = span.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Failure(label, f"not valid UTF-8 (byte {span.start + exc.start} of the file)")
    try:
        row = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error as exc:
        return Failure(label, f"cannot read the CSV row ({exc})")
    record: dict[Any, Any] = dict.fromkeys(header)
    record.update(zip(header, row))
    if len(row) > len(header):
        record[None] = row[len(header):]
    return record


# -- slicing a large file into units of work

@dataclass(frozen=True)
class Slice:
    """A run of whole records of one file: bytes ``start:stop``, the number of its first record
    and the line that record starts on, and how many records it holds."""

    start: int
    stop: int
    first: int
    line: int
    records: int


def slice_records(stream: BinaryIO, shape: str, size: int, *, name: str) -> Iterator[Slice]:
    """Cut a JSON lines or CSV file into slices of about ``size`` records (reading it once, not
    holding it)."""
    if shape == "csv":
        read_csv_header(stream, name)
        spans = csv_spans(stream, start=stream.tell(), line=2, keep=False)
    else:
        spans = jsonl_spans(stream, keep=False)
    number, start, line, count, end = 1, None, 1, 0, 0
    for span in spans:
        if start is None:
            start, line = span.start, span.line
        end = span.end
        if span.blank:
            continue
        count += 1
        if count == size:
            yield Slice(start, end, number, line, count)
            number, start, count = number + count, None, 0
    if start is not None and count:
        yield Slice(start, end, number, line, count)


def slice_labelled(path: Path, shape: str, piece: Slice, header: tuple[str, ...] | None) -> list[Labelled]:
    """The labelled records of one slice of a file."""
    with path.open("rb") as stream:
        if shape == "csv":
            return list(csv_records(stream, header or (), start=piece.start, stop=piece.stop,
                                    first=piece.first, line=piece.line))
        return list(jsonl_records(stream, start=piece.start, stop=piece.stop, first=piece.first,
                                  line=piece.line))


def _as_is(value: Any) -> Any:
    return value


def scrub(value: Any) -> Any:
    """JSON may hold lone UTF-16 surrogates (``"\\ud83d"`` without its pair), which no UTF-8
    file can store: each becomes U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, dict):
        return {scrub(k): scrub(v) for k, v in value.items()}
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\[uU][dD][89a-fA-F]")


# ---------------------------------------------------------------------------- converting --

def convert_records(records: Iterable[Labelled], options: IngestOptions) -> Iterator[tuple[str, Article | Failure]]:
    """``(label, draft or Failure)`` per record."""
    mapping = check_mapping(options.mapping)
    values = check_value_mapping(options.value_mapping)
    for label, record in records:
        if isinstance(record, Failure):
            yield label, record
            continue
        try:
            yield label, record_to_article(record, mapping, values)
        except (InputError, FormatError) as exc:
            yield label, Failure(label, exc.message)


def check_mapping(mapping: Mapping[str, str]) -> dict[str, str]:
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown field(s) in the mapping: {', '.join(unknown)}; "
                         f"map any of: {', '.join(FIELDS)}")
    return dict(mapping)


def check_value_mapping(values: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    """``{field: {export's value: ours}}``, with the export's values compared case-insensitively."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise InputError(f"unknown field(s) in the value mapping: {', '.join(unknown)}; "
                         f"map values of any of: {', '.join(FIELDS)}")
    return {field: {str(k).strip().casefold(): v for k, v in table.items()}
            for field, table in values.items()}


#: a record with a title and one of these, but no text, is kept as a headline-only article
HEADLINE_FIELDS = ("url", "source")


def record_to_article(record: Any, mapping: Mapping[str, str],
                      values: Mapping[str, Mapping[str, str]] | None = None) -> Article:
    """One record -> one draft article; ``InputError`` says what is missing or wrong.

    A record with a description but no body gives a draft with the description as ``description``
    and an empty body (``finish_article`` makes the record's own summary the text, uncleaned). A
    record with a title and an address or source but no text at all is a headline-only draft
    (``headlineOnly: true``)."""
    if not isinstance(record, Mapping):
        raise InputError(f"a record must be an object of fields, not {_kind(record)}")
    values = values or {}

    def get(field: str) -> Any:
        keys = (mapping[field],) if field in mapping else ALIASES[field]
        for key in keys:
            value = _lookup(record, key)
            if value is not None and value != "" and value != []:
                table = values.get(field)
                if table and isinstance(value, str) and value.strip().casefold() in table:
                    return table[value.strip().casefold()] or None
                return value
        return None

    title = _line(get("title"), "title")
    if not title:
        raise InputError("no title")
    body = _str(get("body"), "body")
    description = _line(get("description"), "description")
    if body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        body = _TRUNCATED.sub(" …", body).strip() if _TRUNCATED.search(body) else body
    if body and body == description:
        description = None
    source_value = get("source")
    source = None
    if isinstance(source_value, Mapping):
        source_value = source_value.get("name") or source_value.get("id")
    source_name = _line(source_value, "source")
    if source_name:
        source = Source(name=source_name, key=source_key(source_name), type="API")
    url = _url(get("url"))
    extra: dict[str, Any] = {}
    if not body and not description:
        if not (url or source):
            raise InputError("no text (no body, content or description) and no link or source "
                             "to keep it as a headline")
        extra[HEADLINE_ONLY] = True
    sentiment = _str(get("sentiment"), "sentiment")
    if sentiment and sentiment.upper() not in SENTIMENTS:
        raise InputError(f"sentiment {sentiment!r} is not one of {', '.join(SENTIMENTS)} "
                         "(map the export's values with --map-value sentiment:VALUE=POSITIVE)")
    score = get("score")
    if score is not None:
        try:
            score = float(score)
        except (TypeError, ValueError):
            raise InputError(f"score {score!r} is not a number") from None
    image = _url(get("image"))
    published = _date(get("publishedAt"), "publishedAt")
    return Article(
        title=title,
        body=body or "",
        description=description,
        published_at=published,
        date_source="provided" if published else None,
        updated_at=_date(get("updatedAt"), "updatedAt"),
        url=url,
        canonical_url=_url(get("canonicalUrl")),
        author=_author(get("author")),
        source=source,
        category=_line(get("category"), "category"),
        tags=_tags(get("tags")),
        external_id=_str(get("externalId"), "externalId"),
        lang=(_str(get("lang"), "lang") or "").lower()[:2] or None,
        sentiment=sentiment.upper() if sentiment else None,
        score=score,
        cover_image={"raw": image} if image else None,
        extra=extra,
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


def _line(value: Any, field: str) -> str | None:
    """A one-line field as the export gives it, HTML entities decoded (``&#39;`` -> ``'``)."""
    text = _str(value, field)
    return html.unescape(text).strip() or None if text and "&" in text else text


def _url(value: Any) -> str | None:
    text = _line(value, "url")
    return text if text and text.startswith(("http://", "https://")) else None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [str(v.get("name") if isinstance(v, Mapping) else v).strip() for v in value]
        return html.unescape(", ".join(n for n in names if n and n != "None")) or None
    if isinstance(value, Mapping):
        value = value.get("name")
    return _line(value, "author")


def _tags(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else re.split(r"[,;|]", str(value))
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name") or item.get("term") or item.get("label")
        text = html.unescape(str(item)).strip() if item is not None else ""
        if text and text.upper() not in out:
            out.append(text.upper())
    return tuple(out)
