"""Markdown files, with or without a YAML frontmatter block.

The archive's own files (seed 001) are read as they are: every field kept, unknown ones too, and
the body exactly. Files written by other tools (an Astro or Hugo content folder, a static site)
are read leniently where the meaning is plain:

- ``pubDate``/``date``/``published``/``publishDate``… give ``publishedAt`` when it is missing, and
  ``updatedDate``/``updated``/``lastmod``/``modified``… give ``updatedAt``; the original keys stay
  in the file as unknown fields (nothing is lost). Besides ISO 8601, RFC 2822 dates
  (``Wed, 04 Feb 2026 15:48:06 GMT``) and written dates with a year (``February 4, 2026``) are read.
- ``summary``/``excerpt``/``subtitle`` give ``description``; ``language``/``locale`` give ``lang``;
  ``authors`` gives ``author``; an author list or ``{name: …}`` map becomes the name(s).
- ``tags`` as one string is split at commas; ``draft: "true"`` is a boolean.
- no ``id``: one is derived on ingest; no ``title``: the first ``# heading`` of the body (removed
  from the body) or its first line; no date at all: it is inferred from the text like any other
  shape (``dateSource: inferred``), else ``--date``, else the ingest time.

A date given in the file is ``dateSource: provided``; a ``sentiment`` given in the file is kept
(``sentimentSource: provided``). A body that starts with an ``# H1`` equal to the title loses that
duplicate line. Malformed input (broken YAML, aliases, ``!!python`` tags, invalid UTF-8, an empty
file, an unclosed ``---`` block) gives one ``FormatError``/``InputError`` with the reason.
"""

from __future__ import annotations

import email.utils
import re
from typing import TYPE_CHECKING, Any, Mapping

from archive import dates
from archive.article import Article, article_from_mapping, parse_datetime
from archive.errors import FormatError, InputError, OutOfRange
from archive.importers.text import first_sentence, headline_from_sentence, reads_as_headline
from archive.store import decode_text, load_yaml, split_frontmatter

if TYPE_CHECKING:  # pragma: no cover
    from archive.types import Failure, IngestOptions

#: other tools' names for our fields, tried in this order when our own key is missing
ALIASES: dict[str, tuple[str, ...]] = {
    "publishedAt": ("pubDate", "pubdate", "date", "published", "publishDate", "publishedDate",
                    "publish_date", "published_at", "datePublished", "created", "createdAt"),
    "updatedAt": ("updatedDate", "updated", "updated_at", "lastmod", "lastModified", "modified",
                  "dateModified", "updateDate"),
    "description": ("summary", "excerpt", "subtitle", "standfirst", "abstract"),
    "lang": ("language", "locale"),
    "author": ("authors", "byline"),
}
_DATE_KEYS = ("publishedAt", "updatedAt")
_OPENING = re.compile(r"\A\ufeff?---[ \t]*\r?\n")
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")


def import_markdown(data: bytes, *, name: str, options: "IngestOptions") -> list[Article | "Failure"]:
    text = decode_text(data, name=name)
    if not text.strip():
        raise InputError("the input is empty", source=name)
    try:
        return [draft_from_markdown(text)]
    except FormatError as exc:
        raise FormatError(exc.message, source=name) from None


def draft_from_markdown(text: str) -> Article:
    """The draft article of a Markdown text (see the module docstring)."""
    parts = split_frontmatter(text)
    if parts is None:
        if _OPENING.match(text):
            raise FormatError("the frontmatter block opened by '---' on the first line is never "
                              "closed by a '---' line")
        meta: Mapping[str, Any] = {}
        body = text.lstrip("\ufeff")
    else:
        yaml_text, body = parts
        loaded = load_yaml(yaml_text)
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, Mapping):
            raise FormatError("the frontmatter must be a map of fields (key: value lines), "
                              f"not a {type(loaded).__name__}")
        meta = loaded
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    meta = normalise_fields(meta)

    title = meta.get("title")
    if title is None or not str(title).strip():
        title, rest = title_from_body(body)
        if not title:
            raise FormatError("no title: the frontmatter has no 'title' and the text no heading "
                              "or first line to take it from")
        # a heading or first line taken off the body, else written from the first sentence
        meta = {**meta, "titleSource": "heading" if rest != body else "derived"}
        body = rest
    else:
        body = _drop_duplicate_heading(body, str(title))
    undated = meta.get("publishedAt") is None
    # article_from_mapping requires a date; an undated file gets one in finish_article instead
    mapping = {**meta, "title": title, "publishedAt": "1970-01-01" if undated else meta["publishedAt"]}
    article = article_from_mapping(mapping, body)
    if undated:
        article = article.replace(published_at=None, date_source=None, date_confidence=None)
    return article


def normalise_fields(meta: Mapping[Any, Any]) -> dict[Any, Any]:
    """Other tools' field names and shapes mapped onto ours; their keys kept as they were."""
    out = dict(meta)  # keys as they are: a null, integer or date key is not a string
    for ours, theirs in ALIASES.items():
        if out.get(ours) is not None:
            continue
        for alias in theirs:
            if out.get(alias) is not None:
                out[ours] = out[alias]
                break
    for key in _DATE_KEYS:
        if out.get(key) is not None:
            out[key] = _read_date(out[key], key)
    author = out.get("author")
    if isinstance(author, Mapping):
        out["author"] = author.get("name")
    elif isinstance(author, list):
        names = [a.get("name") if isinstance(a, Mapping) else a for a in author]
        out["author"] = ", ".join(str(n).strip() for n in names if n is not None and str(n).strip())
    tags = out.get("tags")
    if isinstance(tags, str):
        out["tags"] = [t.strip() for t in tags.split(",") if t.strip()]
    draft = out.get("draft")
    if isinstance(draft, str) and draft.strip().lower() in ("true", "false"):
        out["draft"] = draft.strip().lower() == "true"
    lang = out.get("lang")
    if isinstance(lang, str) and "lang" not in meta:  # from language/locale: "en-US" -> "en"
        out["lang"] = re.split(r"[-_]", lang.strip())[0].lower() or None
    return out


def _read_date(value: Any, key: str) -> Any:
    """ISO 8601 as it is; RFC 2822 and written dates with a year turned into ISO 8601."""
    if not isinstance(value, str):
        return value
    try:
        parse_datetime(value, name=key)
        return value
    except OutOfRange:
        raise  # an ISO 8601 date, only one that cannot be kept
    except FormatError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        return parsed.isoformat()
    found = dates.find_dates(value)
    if len(found) == 1 and found[0].year is not None and len(value.strip()) <= 60:
        return dates.mention_datetime(found[0], found[0].year).isoformat()
    raise FormatError(f"'{key}' is not a date this archive can read: {value!r} "
                      "(use ISO 8601, e.g. 2026-02-04T15:48:06Z)")


def title_from_body(body: str) -> tuple[str | None, str]:
    """``(title, body without it)``: the first heading if the text opens with one, else the first
    line when it reads as a headline (then removed too), else a headline made from the first
    sentence (which stays)."""
    lines = body.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return None, body
    first = lines[index]
    atx = _ATX.match(first)
    if atx and atx.group(2).strip():
        return _plain(atx.group(2)), _without(lines, index, 1)
    if index + 1 < len(lines) and _SETEXT.match(lines[index + 1]) and first.strip():
        return _plain(first), _without(lines, index, 2)
    paragraph_end = next((i for i in range(index, len(lines)) if not lines[i].strip()), len(lines))
    paragraph = " ".join(line.strip() for line in lines[index:paragraph_end])
    plain = _plain(paragraph)
    if reads_as_headline(plain) and paragraph_end < len(lines) and "\n".join(lines[paragraph_end:]).strip():
        return plain.rstrip(".") if not plain.endswith("..") else plain, _without(
            lines, index, paragraph_end - index)
    return headline_from_sentence(first_sentence(plain)) or None, body


def _drop_duplicate_heading(body: str, title: str) -> str:
    lines = body.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return body
    atx = _ATX.match(lines[index])
    if atx and len(atx.group(1)) == 1 and _plain(atx.group(2)).casefold() == title.strip().casefold():
        return _without(lines, index, 1)
    return body


def _without(lines: list[str], index: int, count: int) -> str:
    rest = lines[:index] + lines[index + count:]
    return "\n".join(rest).strip("\n") + ("\n" if rest and lines[-1] == "" else "")


def _plain(text: str) -> str:
    """Markdown inline markup removed: ``**bold**``, ``_em_``, `` `code` ``, ``[text](url)``."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__|\*|_|`)(.+?)\1", r"\2", text)
    return re.sub(r"\s+", " ", text).strip()
