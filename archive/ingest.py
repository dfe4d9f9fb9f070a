"""Ingest: any input (URL, file, folder, ``-``) -> importer -> ``finish_article`` -> ``Store``.

``finish_article`` is the one place every draft from every importer goes through: the command
line's overrides, the publication date (provided / extracted / inferred / ingested), cleanup of
page furniture, language, sentiment, content hash and id. ``ingest`` runs a batch: one bad input
never stops it and each input reports created / updated / unchanged / failed with the reason.
"""

from __future__ import annotations

import sys
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from archive import cleanup, dates, enrich
from archive.article import Article, Source, clean_line, clean_text, source_key
from archive.errors import InputError, NewsarchiveError
from archive.identity import derive_id, scope_input_id
from archive.store import MAX_FILE_BYTES, SaveResult, Store
from archive.types import HEADLINE_ONLY, Failure, IngestOptions, InputResult, context_year, utcnow

__all__ = ["FORMATS", "EXTENSIONS", "Failure", "IngestOptions", "InputResult", "context_year",
           "expand_inputs", "finish_article", "guess_format", "import_input", "ingest", "utcnow"]

#: shapes ``--format`` accepts; ``auto`` looks at the name and the first bytes
FORMATS = ("auto", "markdown", "text", "html", "feed", "json", "jsonl", "csv", "warc")

#: file name endings -> shape, for folders and for ``--format auto``
EXTENSIONS = {
    ".md": "markdown", ".markdown": "markdown", ".mdx": "markdown",
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".rss": "feed", ".atom": "feed", ".xml": "feed",
    ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv",
    ".warc": "warc", ".warc.gz": "warc", ".arc.gz": "warc",
}


# --------------------------------------------------------------------------- finish_article --

def finish_article(draft: Article, options: IngestOptions) -> Article:
    """Make an importer's draft a complete article, the same way for every input shape."""
    article = draft.replace(
        title=clean_line(draft.title),
        description=clean_line(draft.description) or None if draft.description else None,
        author=clean_line(draft.author) or None if draft.author else None,
        body=clean_text(draft.body),
    )
    if not article.title:
        raise InputError("the article has no title (only control characters or spaces)")
    # a draft with a description and no body (a bulk record's own summary) has that summary as
    # its text; it is the publisher's, not page furniture, so cleanup leaves it alone
    own_text = not article.body.strip() and bool(article.description)
    if own_text:
        article = article.replace(body=article.description, description=None)
    headline_only = article.extra.get(HEADLINE_ONLY) is True
    if article.source is None and options.source:
        article = article.replace(source=Source(name=options.source, key=source_key(options.source)))
    if options.tags:
        merged = list(article.tags)
        for tag in options.tags:
            if tag.upper() not in (t.upper() for t in merged):
                merged.append(tag.upper())
        article = article.replace(tags=tuple(merged))

    # the date, from the rawest text we have (before cleanup removes a dateline or caption)
    if article.published_at is None:
        found = dates.infer_date(article.body, year=context_year(options), now=options.now)
        if found is not None:
            article = article.replace(published_at=found.when, date_source=found.source)
        elif options.date is not None:
            given = datetime.combine(options.date, time(0, 0), tzinfo=timezone.utc)
            article = article.replace(published_at=given, date_source="provided")
        else:
            article = article.replace(published_at=options.now, date_source="ingested")
    elif article.date_source is None:
        article = article.replace(date_source="provided")
    if article.date_confidence is None:
        article = article.replace(date_confidence=dates.DATE_CONFIDENCE.get(article.date_source))

    if own_text or headline_only:
        body = article.body
    else:
        body = cleanup.clean_body(article.body, source_key=article.source.key if article.source else None,
                                  rules=cleanup.rules_for_home(options.home),
                                  title=article.title, description=article.description)
    if not body.strip() and not headline_only:
        raise InputError("no article text left after removing page furniture", source=article.title)
    article = article.replace(body=body)

    if not article.lang:
        article = article.replace(lang=enrich.detect_language(f"{article.title}\n{body}") or "en")
    if article.sentiment is None:
        # the classifier reads English only; other languages stay unclassified, never guessed
        if article.lang.lower().startswith("en"):
            label, model = enrich.classify_sentiment(body, title=article.title)
            article = article.replace(sentiment=label, sentiment_source="computed",
                                      sentiment_model=model)
    elif article.sentiment_source is None:
        article = article.replace(sentiment_source="provided")
    if not article.tickers:  # a record's own list (a bulk export's currencies) is kept as given
        text = f"{article.description}\n\n{body}" if article.description else body
        article = article.replace(tickers=enrich.extract_tickers(text, title=article.title))
    article = article.replace(
        content_hash=enrich.compute_content_hash(body),
        ingested_at=article.ingested_at or options.now,
    )
    # an id the draft brought stays (``Store.save(..., trust_id=False)`` checks one an input
    # brought); else derived (without the date when it is unknown: see ``archive.identity``)
    return article if article.id else article.replace(id=derive_id(article))


# ----------------------------------------------------------------------------------- inputs --

def guess_format(name: str, head: bytes) -> str:
    """The shape of an input from its name, else from its first bytes."""
    lower = name.lower()
    for ending in sorted(EXTENSIONS, key=len, reverse=True):
        if lower.endswith(ending):
            shape = EXTENSIONS[ending]
            if shape == "feed" and b"<html" in head[:2048].lower():
                return "html"
            return shape
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    lowered = text.lower()
    if text.startswith(b"---"):
        return "markdown"
    if text.startswith(b"WARC/"):
        return "warc"
    if lowered.startswith(b"<?xml") or lowered.startswith(b"<rss") or lowered.startswith(b"<feed"):
        return "html" if b"<html" in lowered else "feed"
    if lowered.startswith(b"<"):
        return "html"
    if text.startswith((b"{", b"[")):
        return "jsonl" if text.startswith(b"{") and b"\n{" in head else "json"
    return "text"


#: ``(label, draft or Failure)`` per article an input gives; the label names a record of a
#: multi-record input (``record 3 (line 4)``), "" for an input that is one article
Labelled = tuple[str, "Article | Failure"]


def _importer(shape: str) -> Callable[..., list[Labelled]]:
    """The importer function for a shape, labelling each draft (imported lazily: trafilatura is
    slow to import)."""
    if shape in ("json", "jsonl", "csv"):
        from archive.importers import bulk
        return {"json": bulk.labelled_json, "jsonl": bulk.labelled_jsonl, "csv": bulk.labelled_csv}[shape]
    if shape == "warc":
        from archive.importers.warc import warc_drafts
        return warc_drafts
    if shape == "markdown":
        from archive.importers.markdown import import_markdown as one
    elif shape == "text":
        from archive.importers.text import import_text as one
    elif shape == "html":
        from archive.importers.html import import_html as one
    elif shape == "feed":
        from archive.importers.feed import import_feed as one
    else:
        raise InputError(f"unknown format {shape!r}; use one of {', '.join(FORMATS)}")
    return lambda data, *, name, options: [_unlabelled(d) for d in one(data, name=name, options=options)]


def _unlabelled(draft: "Article | Failure") -> Labelled:
    return (draft.label if isinstance(draft, Failure) else ""), draft


def is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def expand_inputs(inputs: Iterable[str],
                  skipped: list[tuple[str, str]] | None = None) -> Iterator[str]:
    """URLs and files as given; folders become the supported files inside them, sorted (hidden
    files and a folder's README, LICENSE, CHANGELOG... left out). A symbolic link inside a
    folder is followed only when its target is inside that folder too: one that leaves it is
    left out and, with ``skipped``, added there as ``(path, reason)`` (a link to /etc/passwd in
    a folder of articles must not become an article); a link loop is read once."""
    for item in inputs:
        if item == "-" or is_url(item):
            yield item
            continue
        path = Path(item)
        if path.is_dir():
            for child in _folder_files(path, skipped if skipped is not None else []):
                if not child.name.startswith(".") and _known_ending(child.name) \
                        and not _is_project_document(child):
                    yield str(child)
        else:
            yield item


def _folder_files(folder: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    """The files under ``folder`` (sorted), following links whose target stays inside it."""
    root = folder.resolve()
    found: list[Path] = []
    seen: set[Path] = set()

    def walk(current: Path) -> None:
        real = current.resolve()
        if real in seen:  # a link back to a folder already read (a loop)
            return
        seen.add(real)
        try:
            children = sorted(current.iterdir())
        except OSError as exc:
            skipped.append((str(current), f"cannot read the folder ({exc.strerror or exc})"))
            return
        for child in children:
            if child.is_symlink():
                target = child.resolve()
                if target != root and root not in target.parents:
                    if not child.name.startswith("."):
                        skipped.append((str(child), f"a link to {target}, outside {folder}: "
                                                    "links that leave the folder are not followed"))
                    continue
            if child.is_dir():
                if not child.name.startswith("."):
                    walk(child)
            elif child.is_file():
                found.append(child)

    walk(folder)
    return sorted(found)


#: files of a repository or site folder that are about the folder, not articles (skipped when a
#: folder is read; named explicitly they are ingested like any file)
PROJECT_DOCUMENTS = frozenset({"readme", "license", "licence", "changelog", "changes", "history",
                               "contributing", "code_of_conduct", "security", "authors", "notice",
                               "copying", "todo"})


def _is_project_document(path: Path) -> bool:
    return path.name.split(".", 1)[0].lower() in PROJECT_DOCUMENTS


def _known_ending(name: str) -> bool:
    return any(name.lower().endswith(ending) for ending in EXTENSIONS)


def import_input(item: str, options: IngestOptions) -> list[Article | Failure]:
    """Run the right importer on one input; raises ``NewsarchiveError`` when it gives nothing."""
    return [draft for _, draft in import_labelled(item, options)]


def import_labelled(item: str, options: IngestOptions) -> list[Labelled]:
    """``import_input`` with each draft's label (see ``Labelled``)."""
    if is_url(item):
        if options.feed or options.format == "feed":
            from archive.importers.feed import import_feed_url
            return [_unlabelled(d) for d in import_feed_url(item, options=options)]
        from archive.importers.html import import_url
        return [_unlabelled(d) for d in import_url(item, options=options)]
    if item == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        name = "<stdin>"
    else:
        path = Path(item)
        if not path.exists():
            raise InputError("no such file or folder", source=item)
        if not path.is_file():
            raise InputError("not a regular file", source=item)
        size = path.stat().st_size
        shape_by_name = options.format if options.format != "auto" else guess_format(item, b"")
        limit = MAX_INPUT_BYTES.get(shape_by_name, MAX_FILE_BYTES)
        if size > limit:
            raise InputError(f"the file is {size / 1e6:.0f} MB, more than the {limit / 1e6:.0f} MB "
                             "limit for this kind of input", source=item)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror}", source=item) from None
        name = item
    if not data.strip():
        raise InputError("the input is empty", source=name)
    shape = options.format if options.format != "auto" else guess_format(name, data[:4096])
    if shape not in ("json", "jsonl", "csv", "warc", "feed") and len(data) > MAX_FILE_BYTES:
        raise InputError(f"the input is larger than {MAX_FILE_BYTES // 1024 // 1024} MB", source=name)
    return _importer(shape)(data, name=name, options=options)


#: bulk shapes may be much larger than one article
MAX_INPUT_BYTES = {"json": 512 * 1024 * 1024, "jsonl": 512 * 1024 * 1024, "csv": 512 * 1024 * 1024,
                   "warc": 2 * 1024 * 1024 * 1024}


def ingest(
    inputs: Iterable[str],
    store: Store,
    options: IngestOptions,
    *,
    on_saved: Callable[[SaveResult], None] | None = None,
) -> Iterator[InputResult]:
    """Ingest every input; yields one result per article (or per failed input or record)."""
    for item in expand_inputs(inputs):
        for result, saved in ingest_input(item, store, options):
            if saved is not None and on_saved is not None:
                on_saved(saved)
            yield result


def ingest_input(item: str, store: Store, options: IngestOptions,
                 drafts: Iterable[Labelled] | None = None) -> Iterator[tuple[InputResult, SaveResult | None]]:
    """One input (or the ``drafts`` already read from it): finish and save each draft. Yields
    the result of each, with what was saved (``None`` for a failure)."""
    if drafts is None:
        try:
            drafts = import_labelled(item, options)
        except NewsarchiveError as exc:
            yield InputResult(item, "failed", error=exc.message), None
            return
        except Exception as exc:  # noqa: BLE001 - a bug met by one input must not stop the batch
            yield InputResult(item, "failed", error=_unexpected(exc)), None
            return
        if not drafts:
            yield InputResult(item, "failed", error="no article found in this input"), None
            return
    for label, draft in drafts:
        where = f"{item} {label}".strip()
        if isinstance(draft, Failure):
            yield InputResult(where, "failed", error=draft.message), None
            continue
        try:
            article = finish_article(scope_input_id(draft), options)
            saved = store.save(article, trust_id=False)
        except NewsarchiveError as exc:
            yield InputResult(where, "failed", title=draft.title, error=exc.message), None
            continue
        except Exception as exc:  # noqa: BLE001 - as above
            yield InputResult(where, "failed", title=draft.title, error=_unexpected(exc)), None
            continue
        yield InputResult(item, saved.status, id=saved.article.id, path=str(saved.path),
                          title=saved.article.title), saved


def _unexpected(exc: Exception) -> str:
    """The message for an error nobody planned for: what it was, and that it is ours to fix."""
    return f"unexpected error ({type(exc).__name__}: {exc}); this is a bug, please report it"
