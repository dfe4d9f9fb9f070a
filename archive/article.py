"""The one article type that flows through the whole pipeline, and its frontmatter mapping.

``Article`` holds the known fields of ``shared/FORMAT.md`` as typed attributes (snake_case), the
fields nobody here knows in ``extra`` (kept in their order, written back unchanged) and the
Markdown body. The mapping between attribute names and frontmatter keys lives here and nowhere
else (``FIELDS``); the index and the web layer use the frontmatter names (``publishedAt`` becomes
``published`` only where the issue texts say so, see ``index/``).

Pure code: no disk, no network.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping

from archive.errors import FormatError, OutOfRange

SENTIMENTS = ("POSITIVE", "NEGATIVE", "NEUTRAL")
#: ``dateSource``: how ``publishedAt`` was found. ``provided``: the input said so (frontmatter, a
#: feed entry, a bulk record, ``--date``); from a page: ``metadata`` (``<meta>`` tags such as
#: ``article:published_time``), ``structured`` (JSON-LD ``datePublished``, microdata), ``url`` (a
#: ``/YYYY/MM/DD/`` address), ``dateline`` (a visible date line or date element of the page or
#: text), ``text`` (a full date found in the page's text); ``inferred``: a day and month from
#: the text with the year taken from context; ``ingested``: unknown (see ``UNDATED_SOURCE``).
#: ``extracted`` is what version 1 wrote for every page date; it is still read.
DATE_SOURCES = ("provided", "metadata", "structured", "url", "dateline", "text", "inferred",
                "ingested", "extracted")
#: the ``dateSource`` of an article whose publication date is unknown: its file keeps a
#: ``publishedAt`` (the format requires one; it holds the ingest time), but nothing may read it
#: as a publication date (see ``Article.is_dated``)
UNDATED_SOURCE = "ingested"
SENTIMENT_SOURCES = ("provided", "computed")
#: ``titleSource``: how ``title`` was found when the input did not state it. Not written (the
#: default): the input's own title (the page's ``<title>``/``og:title``/``<h1>``, a frontmatter
#: ``title``, a feed entry's or a record's title, a text's first line that reads as a headline).
#: ``heading``: a Markdown file without ``title``: its first heading, or its first line when
#: that reads as a headline. ``derived``: no headline anywhere (a plain text, or a Markdown file
#: without ``title``): written from the text's first sentence (``headline_from_sentence``),
#: which stays in the body.
TITLE_SOURCES = ("heading", "derived")


@dataclass(frozen=True)
class Source:
    """The outlet: display name, short key (``coindesk``) and how the article came (``RSS``...)."""

    name: str
    key: str
    type: str = "FILE"
    url: str | None = None
    #: keys of the source map that the format does not name, kept as they were
    extra: Mapping[Any, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "key": self.key, "type": self.type}
        if self.url:
            out["url"] = self.url
        out.update(self.extra)
        return out

    @classmethod
    def from_value(cls, value: Any) -> "Source | None":
        if value is None:
            return None
        if isinstance(value, str):  # a bare name, as some tools write it
            name = value.strip()
            return cls(name=name, key=source_key(name)) if name else None
        if not isinstance(value, Mapping):
            raise FormatError(f"'source' must be a map of name, key and type, not {type(value).__name__}")
        name = _opt_str(value.get("name")) or _opt_str(value.get("key")) or ""
        if not name:
            raise FormatError("'source' has neither a name nor a key")
        key = _opt_str(value.get("key")) or source_key(name)
        known = {"name", "key", "type", "url"}
        return cls(
            name=name,
            key=key,
            type=_opt_str(value.get("type")) or "FILE",
            url=_opt_str(value.get("url")),
            extra={k: v for k, v in value.items() if k not in known},
        )


def source_key(name: str) -> str:
    """``"The Block"`` -> ``"theblock"``: the short key for a source display name."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "", folded) or "unknown"


@dataclass(frozen=True)
class Article:
    """One article: frontmatter fields, unknown fields (``extra``) and the Markdown body."""

    title: str
    #: None only between an importer and ``archive.ingest.finish_article``, which always sets it
    published_at: datetime | None = None
    body: str = ""
    description: str | None = None
    updated_at: datetime | None = None
    #: ISO 639-1; ``None`` until known (the format's default, ``en``, is written for it)
    lang: str | None = None
    external_id: str | None = None
    source: Source | None = None
    category: str | None = None
    tags: tuple[str, ...] = ()
    sticky_weight: float = 0
    sentiment: str | None = None
    score: float | None = None
    draft: bool = False
    canonical_url: str | None = None
    cover_image: Mapping[str, Any] | None = None
    ai: Mapping[str, Any] | None = None
    # fields the archive adds
    id: str | None = None
    url: str | None = None
    author: str | None = None
    #: how the title was found, when the input did not state it (``TITLE_SOURCES``)
    title_source: str | None = None
    #: who re-published the article, when it came through an aggregator (``aicoin.com``)
    via: str | None = None
    fetched_at: datetime | None = None
    ingested_at: datetime | None = None
    date_source: str | None = None
    #: how likely ``published_at`` is the right day, 0..1 (``archive.dates.DATE_CONFIDENCE``)
    date_confidence: float | None = None
    sentiment_source: str | None = None
    sentiment_model: Mapping[str, Any] | None = None
    #: symbols of the assets and companies the article names (``archive.tickers``), upper case
    tickers: tuple[str, ...] = ()
    content_hash: str | None = None
    extractor: Mapping[str, Any] | None = None
    #: frontmatter fields this version does not know, in file order; written back unchanged
    extra: Mapping[Any, Any] = field(default_factory=dict)

    def replace(self, **changes: Any) -> "Article":
        return dataclasses.replace(self, **changes)

    @property
    def is_dated(self) -> bool:
        """True when the publication date is known; False for ``dateSource: ingested``, whose
        ``publishedAt`` is only the ingest time kept for the format's sake."""
        return self.published_at is not None and self.date_source != UNDATED_SOURCE

    @property
    def published(self) -> datetime | None:
        """The publication date when it is known, else ``None`` ("date unknown")."""
        return self.published_at if self.is_dated else None

    @property
    def source_key(self) -> str:
        return self.source.key if self.source else "unknown"

    @property
    def source_name(self) -> str:
        return self.source.name if self.source else "Unknown"


# (attribute, frontmatter key, kind) in the order they are written. Fields of the existing format
# first, in the order the seed files use, then the fields the archive adds.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "title", "str"),
    ("description", "description", "str"),
    ("published_at", "publishedAt", "datetime"),
    ("updated_at", "updatedAt", "datetime"),
    ("lang", "lang", "str"),
    ("external_id", "externalId", "str"),
    ("source", "source", "source"),
    ("category", "category", "str"),
    ("tags", "tags", "tags"),
    ("sticky_weight", "stickyWeight", "number"),
    ("sentiment", "sentiment", "sentiment"),
    ("score", "score", "number"),
    ("draft", "draft", "bool"),
    ("canonical_url", "canonicalUrl", "str"),
    ("cover_image", "coverImage", "map"),
    ("ai", "ai", "map"),
    ("id", "id", "str"),
    ("url", "url", "str"),
    ("author", "author", "str"),
    ("title_source", "titleSource", "str"),
    ("via", "via", "str"),
    ("fetched_at", "fetchedAt", "datetime"),
    ("ingested_at", "ingestedAt", "datetime"),
    ("date_source", "dateSource", "str"),
    ("date_confidence", "dateConfidence", "number"),
    ("sentiment_source", "sentimentSource", "str"),
    ("sentiment_model", "sentimentModel", "map"),
    ("tickers", "tickers", "tickers"),
    ("content_hash", "contentHash", "str"),
    ("extractor", "extractor", "map"),
)
KEY_OF = {attr: key for attr, key, _ in FIELDS}
ATTR_OF = {key: attr for attr, key, _ in FIELDS}
KIND_OF = {attr: kind for attr, _, kind in FIELDS}
#: keys written even when empty, because the existing format's tools expect them (null or default)
ALWAYS_WRITTEN = {"title", "publishedAt", "lang", "source", "tags", "stickyWeight", "draft",
                  "canonicalUrl", "coverImage", "ai"}


def format_datetime(value: datetime, *, name: str = "date") -> str:
    """Millisecond precision in the value's own offset: ``2026-02-04T15:48:06.000Z`` for UTC (as
    the seeds write it), ``2020-04-07T17:10:46.000-07:00`` for a publisher's local time (the day
    its readers saw; the instant is the same). A naive value is UTC; the year always has four
    digits (``0999-06-01T...``); a moment outside the years 1 to 9999 in UTC is refused."""
    to_utc(value, name=name)  # the range check
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    offset = value.utcoffset() or timedelta(0)
    text = (f"{value.year:04d}-" + value.strftime("%m-%dT%H:%M:%S.")
            + f"{value.microsecond // 1000:03d}")
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return text + f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def to_utc(value: datetime, *, name: str = "date") -> datetime:
    """Aware UTC; a moment that is not in the years 1 to 9999 in UTC is a ``FormatError``."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    try:
        return value.astimezone(timezone.utc)
    except OverflowError:
        raise OutOfRange(f"'{name}' is outside the years 1 to 9999 in UTC: {value.isoformat()}") from None


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(value: Any, *, name: str = "date") -> datetime:
    """Read an ISO 8601 date or datetime (a string, a ``date`` or a ``datetime``) as an aware
    datetime that keeps its offset (``-07:00`` stays the publisher's local time); without an
    offset, and for a bare date, UTC."""
    if isinstance(value, datetime):
        return _with_zone(value, name)
    if hasattr(value, "isoformat") and not isinstance(value, str):  # a date
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    if not isinstance(value, str) or not value.strip():
        raise FormatError(f"'{name}' must be an ISO 8601 date, got {value!r}")
    text = value.strip()
    if _ISO_DATE.match(text):
        text += "T00:00:00"
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise FormatError(f"'{name}' is not an ISO 8601 date: {value!r}") from None
    return _with_zone(parsed, name)


def _with_zone(value: datetime, name: str) -> datetime:
    """``value`` with its own offset (UTC when it has none), checked to be a moment of the years
    1 to 9999 in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    to_utc(value, name=name)
    return value


def _opt_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip()
    return text or None


#: the largest ``stickyWeight``: the index (and the site's tools) keep it as a 32-bit integer
STICKY_WEIGHT_LIMIT = 2**31 - 1
#: numeric fields with a narrower range than "any finite number"
NUMBER_LIMITS = {"stickyWeight": STICKY_WEIGHT_LIMIT}


def _number(value: Any, key: str) -> float | int | None:
    if value is None:
        return None
    given = value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(str(value))
        except ValueError:
            raise FormatError(f"'{key}' must be a number, got {value!r}") from None
    return check_number(value, key, given=given)


def check_number(value: float | int, key: str, *, given: Any = None) -> float | int:
    """``value`` if it is finite and in the field's range, else ``OutOfRange`` naming the field
    and the value as given (``1e400``, ``.inf`` and ``.nan`` are numbers to YAML, not here)."""
    try:
        finite = math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        finite = False
    limit = NUMBER_LIMITS.get(key)
    if not finite or (limit is not None and abs(value) > limit):
        shown = _yaml_number(value if given is None else given)
        span = f"a number from -{limit} to {limit}" if limit is not None else "a finite number"
        raise OutOfRange(f"'{key}' must be {span}, got {shown}")
    return value


def _yaml_number(value: Any) -> str:
    """A number as the file would say it (``.inf``, ``.nan``), cut when very long."""
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if value != value else ("-.inf" if value < 0 else ".inf")
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _tickers(value: Any) -> tuple[str, ...]:
    """``tickers``: a list (or one comma-separated string) of symbols, stored upper case."""
    from archive.tickers import normalize_ticker

    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)):
        raise FormatError(f"'tickers' must be a list of symbols, got {type(value).__name__}")
    out = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        symbol = normalize_ticker(item)
        if symbol is None:
            raise FormatError(f"'tickers' must hold symbols (letters, digits, '.'), got {str(item)[:40]!r}")
        out.append(symbol)
    return tuple(dict.fromkeys(out))


def article_from_mapping(meta: Mapping[str, Any], body: str) -> Article:
    """Build an ``Article`` from parsed frontmatter; unknown keys go to ``extra`` in order."""
    if not isinstance(meta, Mapping):
        raise FormatError("the frontmatter must be a map of fields")
    values: dict[str, Any] = {}
    extra: dict[Any, Any] = {}
    for key, value in meta.items():
        attr = ATTR_OF.get(key) if isinstance(key, str) else None
        if attr is None:
            extra[key] = value  # as it was: a null, integer or date key stays one
            continue
        kind = KIND_OF[attr]
        if value is None:
            continue
        if kind == "str":
            values[attr] = _opt_str(value)
        elif kind == "datetime":
            values[attr] = parse_datetime(value, name=key)
        elif kind == "number":
            values[attr] = _number(value, key)
        elif kind == "bool":
            if not isinstance(value, bool):
                raise FormatError(f"'{key}' must be true or false, got {value!r}")
            values[attr] = value
        elif kind == "tags":
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, (list, tuple)):
                raise FormatError(f"'tags' must be a list, got {type(value).__name__}")
            values[attr] = tuple(t for t in (_opt_str(v) for v in value) if t)
        elif kind == "tickers":
            values[attr] = _tickers(value)
        elif kind == "source":
            values[attr] = Source.from_value(value)
        elif kind == "sentiment":
            text = str(value).strip().upper()
            if text not in SENTIMENTS:
                raise FormatError(f"'sentiment' must be one of {', '.join(SENTIMENTS)}, got {value!r}")
            values[attr] = text
        elif kind == "map":
            if not isinstance(value, Mapping):
                raise FormatError(f"'{key}' must be a map, got {type(value).__name__}")
            values[attr] = dict(value)
    if not values.get("title"):
        raise FormatError("the frontmatter has no 'title'")
    if "published_at" not in values:
        raise FormatError("the frontmatter has no 'publishedAt'")
    return Article(body=body, extra=extra, **values)


def article_to_mapping(article: Article) -> dict[str, Any]:
    """The frontmatter of an article, in the canonical key order, ready for YAML."""
    out: dict[str, Any] = {}
    for attr, key, kind in FIELDS:
        value = getattr(article, attr)
        if key == "lang" and not value:
            value = "en"
        if value is None or (value == () and key not in ALWAYS_WRITTEN):
            if key in ALWAYS_WRITTEN:
                out[key] = None
            continue
        if kind == "datetime":
            value = format_datetime(value, name=key)
        elif kind == "number":
            value = check_number(value, key)
        elif kind == "source":
            value = value.to_dict()
        elif kind in ("tags", "tickers"):
            value = list(value)
        elif kind == "map":
            value = dict(value)
        out[key] = value
    for key, value in article.extra.items():
        if key not in out:
            out[key] = value
    return out


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: bidirectional overrides and isolates: they can make a title display as something else
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean_line(text: str) -> str:
    """A one-line field (title, description, author) without control characters, bidi overrides
    or line breaks: what a terminal or a page shows is what the text says."""
    text = _BIDI.sub("", _CONTROL.sub(" ", text))
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """A body without control characters (tabs and line breaks kept)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def normalise_body(body: str) -> str:
    """The body as the hash sees it: NFC, whitespace collapsed, Markdown emphasis kept."""
    text = unicodedata.normalize("NFC", body)
    return re.sub(r"\s+", " ", text).strip()


def compute_content_hash(body: str) -> str:
    return "sha256:" + hashlib.sha256(normalise_body(body).encode("utf-8")).hexdigest()


def normalise_url(url: str) -> str:
    """Scheme and host lower-cased, fragment and trailing slash dropped: for identity, not display."""
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://([^/?#]*)([^#]*)", url.strip())
    if not match:
        return url.strip()
    scheme, host, rest = match.groups()
    rest = rest.rstrip("/") if rest not in ("", "/") else ""
    return f"{scheme.lower()}://{host.lower()}{rest}"


def http_url(value: str | None) -> str | None:
    """``value`` if it is an http(s) address, else None: only these are ever offered as links
    (``javascript:``, ``data:`` and friends never are)."""
    if not value:
        return None
    text = value.strip()
    return text if re.match(r"^https?://[^\s]+$", text, re.IGNORECASE) else None


_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def is_valid_id(value: str) -> bool:
    """Ids are URL- and path-safe: letters, digits, ``-`` and ``_`` only (no ``../``)."""
    return bool(_ID.match(value or ""))


def slugify(title: str, *, max_length: int = 80) -> str:
    """``"Bitcoin falls back to $74,000"`` -> ``"bitcoin-falls-back-to-74000"``; safe as a file name."""
    folded = unicodedata.normalize("NFKD", title)
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    ascii_text = re.sub(r"(?<=\d)[,.](?=\d)", "", ascii_text)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "article"
