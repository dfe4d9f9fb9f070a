"""Article files as Whoosh documents: the fields of one article, a file read and parsed (never
raising for a bad file), and tombstones of deleted articles.

Datetimes are stored naive, in UTC (Whoosh compares naive values).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archive.article import Article, compute_content_hash
from archive.errors import FormatError, InputError
from archive.identity import derive_id
from archive.store import MAX_FILE_BYTES, decode_text, parse_article
from index.analysis import LangText, article_text
from index.schema import INDEX_FIELD_OF, build_schema
from index.story_ids import telling_bytes

#: index field -> the frontmatter key that messages name
FRONTMATTER_KEY = {field: key for key, field in INDEX_FIELD_OF.items()}


def naive_utc(value: datetime | None, field: str = "date") -> datetime | None:
    """``value`` in UTC without a time zone (how Whoosh compares datetimes); a ``FormatError``
    naming ``field`` when UTC is outside the years 1 to 9999."""
    if value is None:
        return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        except OverflowError:
            raise FormatError(f"'{FRONTMATTER_KEY.get(field, field)}' is outside the years 1 to "
                              f"9999 in UTC: {value.isoformat()}") from None
    return value


@functools.cache
def _number_range(field: str) -> tuple[int, int]:
    spec = build_schema()[field]
    return spec.min_value, spec.max_value


def _number(value: Any, field: str) -> int | float:
    """A value for a ``NUMERIC`` field, or a ``FormatError`` naming it: finite, in the field's
    range (Whoosh fails the document, or writes a segment that cannot be read, otherwise)."""
    low, high = _number_range(field)
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
          and (isinstance(value, int) or math.isfinite(value)) and low <= value <= high)
    if not ok:
        raise FormatError(f"'{FRONTMATTER_KEY.get(field, field)}' must be a finite number from "
                          f"{low} to {high}, got {value!r}")
    return value


def _keyword(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    return text or None


def document_for(article: Article, path: Path | str, home: Path) -> dict[str, Any]:
    """The Whoosh fields of one article (names as in ``index/schema.py``).

    Keyword fields (``source``, ``category``, ``sentiment``, ``lang``) are lower-cased; ``tags``
    are comma-joined as written (the field lower-cases its terms, the stored value keeps the
    case); datetimes are naive UTC, except ``published``: the publisher's local wall time (its
    day is the day the page gave), with ``published_utc`` (the instant, for ordering) and
    ``published_offset`` (minutes) beside it; ``path`` is relative to ``home``. An article
    without ``ingestedAt`` (written by another tool) counts as ingested when it was published.
    A value the index cannot hold raises ``FormatError`` naming its frontmatter key."""
    path = Path(path)
    home = Path(home)
    if path.is_absolute():
        try:
            path = path.relative_to(home)
        except ValueError:
            path = Path(os.path.relpath(path, home))
    tags = [t.replace(",", " ").strip() for t in article.tags]
    # an undated article has no ``published`` in the index (the undated contract, index/schema.py)
    published = article.published
    offset = published.utcoffset() if published is not None else None
    doc: dict[str, Any] = {
        "id": article.id or derive_id(article),
        # analysed in the article's language (``index.analysis``), stored as plain text
        "title": article_text(article.title, article.lang),
        "description": article_text(article.description, article.lang),
        "body": article_text(article.body, article.lang),
        "source": _keyword(article.source_key),
        "source_name": article.source_name,
        "tags": ",".join(t for t in tags if t) or None,
        "tickers": ",".join(article.tickers) or None,
        "category": _keyword(article.category),
        "sentiment": _keyword(article.sentiment),
        "lang": _keyword(article.lang) or "en",
        "author": article.author,
        "url": article.url or article.canonical_url,
        "published": published.replace(tzinfo=None) if published is not None else None,
        "published_utc": naive_utc(published, "published"),
        "published_offset": int(offset.total_seconds() // 60) if offset else None,
        "date_source": article.date_source,
        "ingested": (naive_utc(article.ingested_at, "ingested")
                     or naive_utc(article.published_at, "published")),
        "draft": bool(article.draft),
        "content_hash": article.content_hash or compute_content_hash(article.body),
        "path": path.as_posix(),
        "sticky": _number(article.sticky_weight or 0, "sticky"),
    }
    return _stored_plain({name: value for name, value in doc.items() if value is not None})


def _stored_plain(doc: dict[str, Any]) -> dict[str, Any]:
    """Stored fields as plain strings: a ``LangText`` is analysed in its language but stored as
    the text alone (``_stored_<field>``), so the index holds nothing of ours."""
    for name in ("title", "description"):
        if isinstance(doc.get(name), LangText):
            doc["_stored_" + name] = str(doc[name])
    return doc


def file_hash(data: bytes) -> str:
    return "b2:" + hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Loaded:
    rel: str
    doc: dict[str, Any] | None
    error: str | None
    mtime_ns: int
    size: int
    #: what the story table keeps of the article (``index.story_ids``)
    telling: bytes = b""


def load_file(home: Path, rel: str) -> Loaded:
    """Read, parse and turn one article file into a document; never raises for a bad file."""
    path = home / rel
    try:
        st = os.stat(path)
        if st.st_size > MAX_FILE_BYTES:
            raise InputError(f"the file is {st.st_size // 1024 // 1024} MB; articles are limited to "
                             f"{MAX_FILE_BYTES // 1024 // 1024} MB")
        data = path.read_bytes()
    except OSError as exc:
        return Loaded(rel, None, f"cannot read the file: {exc.strerror}", 0, -1)
    except InputError as exc:
        return Loaded(rel, None, exc.message, st.st_mtime_ns, st.st_size)
    try:
        article = parse_article(decode_text(data))
        doc = document_for(article, rel, home)
    except (FormatError, InputError) as exc:
        return Loaded(rel, None, exc.message, st.st_mtime_ns, st.st_size)
    except Exception as exc:  # noqa: BLE001 - one file's problem, whatever it is, fails that file
        return Loaded(rel, None, f"cannot be read ({type(exc).__name__}: {exc})",
                      st.st_mtime_ns, st.st_size)
    doc["file_hash"] = file_hash(data)
    return Loaded(rel, doc, None, st.st_mtime_ns, st.st_size, telling_bytes(article))


def stat_key(path: Path) -> tuple[int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return 0, -1
    return st.st_mtime_ns, st.st_size


def tombstone(stored: dict[str, Any], when: datetime, home: Path) -> dict[str, Any]:
    """A document for a deleted article: its stored fields with ``deleted`` set. The body is not
    stored in the index; if the file is still there (deleted from the index only) it is read so
    the tombstone still matches its words."""
    doc = {k: v for k, v in stored.items() if v is not None}
    for name in ("title", "description"):
        if name in doc:
            doc[name] = article_text(doc[name], doc.get("lang"))
    _stored_plain(doc)
    doc["deleted"] = naive_utc(when)
    rel = stored.get("path")
    if rel:
        loaded = load_file(home, rel)
        if loaded.doc is not None and loaded.doc["id"] == stored.get("id"):
            doc["body"] = loaded.doc["body"]
    return doc



def slim(loaded: Loaded) -> Loaded:
    """Keep what a rebuild needs of a loaded file (id, path, hashes), not the body."""
    if loaded.doc is None:
        return loaded
    doc = {k: loaded.doc[k] for k in ("id", "file_hash", "path") if k in loaded.doc}
    return Loaded(loaded.rel, doc, None, loaded.mtime_ns, loaded.size, loaded.telling)
