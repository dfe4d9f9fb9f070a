"""Which article is this input, and where is its file: the one place that decides.

Every write path (``newsarchive ingest``, bulk ingest in worker processes, reextract, the cluster
path) goes through here, in two steps:

1. ``scope_input_id(draft)`` - pure, for drafts that came from an input (run it in a worker if
   you like), before ``archive.ingest.finish_article``. An ``id`` an input brings is ours only if
   it has the archive's shape, 16 lowercase hex digits (``e544e9d223c7c1b3``: what
   ``derive_id`` gives). Any other id (``42``, ``release-2026-1``) is the publisher's: it becomes
   the article's ``externalId`` (when the input has none; else the input's ``externalId`` is the
   publisher's id and this one is not kept), so it is scoped by source like every
   ``externalId``, and the id is derived.
2. ``place(article, store, trust_id=...)`` - with the store's write lock held (``Store.save``
   takes it: the decision and the write are one step across processes). It gives the article
   its id, finds the file that already holds that id, keeps what the stored version knew, and
   chooses where the file goes (the store then writes it, or reports it ``unchanged`` when
   nothing but volatile fields differ). With ``trust_id=False`` (ingest) an id of our shape that is not
   the derived one is checked: it is kept only when no file holds it yet or the file holding it
   has the same source key; otherwise it is another source's article, and the id is treated as
   the publisher's (step 1).

The id: ``derive_id`` hashes ``identity_key``: the article's address (``canonicalUrl``, else
``url``), else the publisher's id scoped by source (``ext:<source key>:<externalId>``), else
source + day + title. An article whose date is unknown (``dateSource: ingested``) is identified
without its date, so the same text ingested tomorrow is the same article. Once given, an id never
changes (an update keeps it even when the title or the address changed).

Where: ``articles/YYYY/MM/<slug>.<lang>.md`` by ``publishedAt`` (the publisher's local date, as
its offset states it: the month a reader of the page saw; four-digit year) and the title. A path that holds another article (another id, or a file without an id line) is never
overwritten: the article goes to the first free one of ``<slug>-<id[:8]>``, ``<slug>-<id>``,
``<slug>-<id>-2``, ``-3``... A known article keeps ``ingestedAt``, the unknown fields it had
(the new version's win), and, when this input has no date, the date it was stored with.

The store passed in answers ``path_of(id)`` (the file holding that id, checked against the
file's ``id:`` line; through the index when the store was given a locator), ``id_at(path)``
and ``read(path)`` (the article, ``None`` when the file is unreadable).
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from archive.article import Article, is_valid_id, normalise_url, slugify, to_utc
from archive.errors import InputError, StoreError

if TYPE_CHECKING:  # pragma: no cover
    from archive.store import Store

#: the shape of the ids the archive gives (``derive_id``)
_OWN_ID = re.compile(r"^[0-9a-f]{16}$")
#: how many ``-2``, ``-3``... suffixes are tried before giving up (never reached in practice)
MAX_SUFFIXES = 1000


# ---------------------------------------------------------------------------------- the id --

def identity_key(article: Article) -> str:
    """What makes two inputs the same article: its address, else the publisher's id scoped by
    source, else source + day + title (without the day when the date is unknown)."""
    if article.canonical_url:
        return "url:" + normalise_url(article.canonical_url)
    if article.url:
        return "url:" + normalise_url(article.url)
    if article.external_id:
        return f"ext:{article.source_key}:{article.external_id}"
    title = re.sub(r"\W+", " ", unicodedata.normalize("NFKC", article.title).casefold()).strip()
    known = article.published_at is not None and article.date_source != "ingested"
    # the UTC day, as every version before kept dates in UTC: a re-ingest finds the same id
    when = to_utc(article.published_at) if known else None
    day = f"{when.year:04d}-{when:%m-%d}" if when is not None else "undated"
    return f"title:{article.source_key}:{day}:{title}"


def derive_id(article: Article) -> str:
    """16 hex characters, URL-safe, like the seed file names (``e544e9d223c7c1b3``)."""
    return hashlib.sha256(identity_key(article).encode("utf-8")).hexdigest()[:16]


def is_own_id(value: str | None) -> bool:
    """Has the shape of the ids the archive gives."""
    return bool(value and _OWN_ID.match(value))


def scope_input_id(draft: Article) -> Article:
    """An importer's draft with the id it brought scoped (module docstring, step 1). Pure."""
    if draft.id is None or is_own_id(draft.id):
        return draft
    return draft.replace(id=None, external_id=draft.external_id or draft.id)


# ------------------------------------------------------------------------------- the path --

def relative_path(article: Article) -> Path:
    """``articles/YYYY/MM/<slug>.<lang>.md`` by ``publishedAt`` (its local date) and the title."""
    lang = re.sub(r"[^a-z-]", "", (article.lang or "en").lower())[:8].strip("-") or "und"
    if article.published_at is None:
        raise InputError("the article has no publication date", source=article.title)
    when = to_utc(article.published_at, name="publishedAt")
    return Path("articles", f"{when.year:04d}", f"{when.month:02d}", f"{slugify(article.title)}.{lang}.md")


def candidate_paths(path: Path, article_id: str) -> Iterator[Path]:
    """Where an article may go, in order: its path, then with the id in the slug. Ids with a
    hyphen or underscore at the cut never leave one at the end of the slug."""
    stem, lang = path.name[: -len(".md")].rsplit(".", 1)
    short = article_id[:8].strip("-_") or article_id.strip("-_") or "x"
    full = article_id.strip("-_") or "x"
    yield path
    yield path.with_name(f"{stem}-{short}.{lang}.md")
    if full != short:
        yield path.with_name(f"{stem}-{full}.{lang}.md")
    for n in range(2, MAX_SUFFIXES):
        yield path.with_name(f"{stem}-{full}-{n}.{lang}.md")


# -------------------------------------------------------------------------- the decision --

@dataclass(frozen=True)
class Placement:
    """What ``place`` decided for one article."""

    #: the article as it is to be written, with its id
    article: Article
    #: where its file goes
    path: Path
    #: the file that holds it now, if any (removed once the new one is written, when it moves)
    previous: Path | None = None
    #: the article as that file has it (``None``: new, or the file is unreadable)
    old: Article | None = None

    @property
    def status(self) -> str:
        """``created`` or ``updated``; the store says ``unchanged`` when the file would not change."""
        return "created" if self.previous is None else "updated"


def place(article: Article, store: "Store", *, trust_id: bool = True) -> Placement:
    """The decision for one article (module docstring, step 2). Call it with the store's write
    lock held; ``Store.save`` does."""
    if article.published_at is None:
        raise InputError("the article has no publication date", source=article.title)
    if not article.id:
        article = article.replace(id=derive_id(article))
    elif not trust_id and article.id != derive_id(article):
        article = _checked_input_id(article, store)
    if not is_valid_id(article.id or ""):
        raise InputError(f"invalid article id {article.id!r}")
    article_id = article.id or ""
    previous = _existing_file(article, store)
    old = store.read(previous) if previous is not None else None
    if old is not None:
        article = article.replace(
            ingested_at=old.ingested_at or article.ingested_at,
            extra={**old.extra, **article.extra},
        )
        if article.date_source == "ingested":  # no date this time: keep the one it was stored with
            article = article.replace(published_at=old.published_at, date_source=old.date_source,
                                      date_confidence=old.date_confidence)
    target = _free_path(store, store.home / relative_path(article), article_id, previous)
    return Placement(article, target, previous, old)


def _checked_input_id(article: Article, store: "Store") -> Article:
    """An input's id: ours if it has our shape and no other source's article holds it."""
    article_id = article.id or ""
    if is_own_id(article_id):
        holder = _existing_file(article, store)
        old = store.read(holder) if holder is not None else None
        if old is None or old.source_key == article.source_key:
            return article
    foreign = article.replace(id=None, external_id=article.external_id or article_id)
    return foreign.replace(id=derive_id(foreign))


def _existing_file(article: Article, store: "Store") -> Path | None:
    """The file holding the article's id: the store's answer, else (an index behind the files)
    where the article would be written."""
    article_id = article.id or ""
    found = store.path_of(article_id)
    if found is not None or store.knows_every_file:
        return found
    expected = store.home / relative_path(article)
    for candidate in itertools.islice(candidate_paths(expected, article_id), 3):
        if store.id_at(candidate) == article_id:
            return candidate
    return None


def _free_path(store: "Store", path: Path, article_id: str, own: Path | None) -> Path:
    """The first candidate that is the article's own file, holds nothing, or holds its id."""
    for candidate in candidate_paths(path, article_id):
        if candidate == own or not candidate.exists() or store.id_at(candidate) == article_id:
            return candidate
    raise StoreError(f"no free file name for {path.name} (more than {MAX_SUFFIXES} articles share it)")
