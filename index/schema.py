"""The Whoosh schema: which article fields are indexed, how, and under which name.

Index field names follow the file format, with one renaming kept here and nowhere else:
``publishedAt`` -> ``published``, ``ingestedAt`` -> ``ingested`` (the names of the query language,
``published:2026-02``), ``source.key`` -> ``source``, ``source.name`` -> ``source_name``,
``dateSource`` -> ``date_source``.

**Undated articles** (the contract every view builds on): an article whose publication date is
unknown (``dateSource: ingested``; its file keeps the ingest time in ``publishedAt`` for the
format's sake) has **no ``published`` value in the index**. That one field decides everything:
``View.published == MISSING`` in ``index.facets``, ``Hit.published is None`` in results; such
articles sort after every dated one (newest and oldest first), are counted apart from the
histogram (``SearchResult.undated``), and are left out of ``from``/``to`` date filters unless
``SearchQuery.undated`` asks for them (see ``index.model.UNDATED_CHOICES``).
"""

from __future__ import annotations

from whoosh.fields import BOOLEAN, DATETIME, ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from index.analysis import ArticleAnalyzer

#: bump when the schema or the meaning of a field changes; an older index asks for a reindex
#: (2: segments of version 1's bulk writer held no posting values for id, keyword, date, number,
#: boolean and spelling terms, and merging them failed; 3: undated articles have no
#: ``published``, and ``date_source`` is a field; 4: title, description and body analysed in each
#: article's language, ``index.analysis``; 5: ``published`` is the publisher's local wall time,
#: ``published_utc`` the instant; 6: the ``tickers`` field)
SCHEMA_VERSION = 6

#: frontmatter key -> index field, for the fields whose names differ
INDEX_FIELD_OF = {
    "publishedAt": "published",
    "ingestedAt": "ingested",
    "contentHash": "content_hash",
    "source.key": "source",
    "source.name": "source_name",
    "dateSource": "date_source",
    "stickyWeight": "sticky",
}

#: fields the query language accepts with ``name:``; aliases map to the index field
QUERY_FIELDS = {
    "title": "title",
    "description": "description",
    "body": "body",
    "source": "source",
    "tag": "tags",
    "tags": "tags",
    "ticker": "tickers",
    "tickers": "tickers",
    "sentiment": "sentiment",
    "author": "author",
    "lang": "lang",
    "category": "category",
    "url": "url",
    "published": "published",
    "ingested": "ingested",
}

#: title and description rank above the body
TITLE_BOOST = 3.0
DESCRIPTION_BOOST = 1.5


def build_schema(language: str = "en") -> Schema:
    """Keyword-like fields (``source``, ``category``, ``sentiment``, ``lang``) hold lower-cased
    values: the builder lower-cases them, the query side does the same.

    Title, description and body are analysed in each article's language (``index.analysis``);
    ``language`` is the one for plain strings (the query side builds one schema per language).
    A query word of several terms (``比特币``, ``covid-19``) is the phrase of them."""
    text = ArticleAnalyzer(language)
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=text, stored=True, field_boost=TITLE_BOOST, spelling=True,
                   multitoken_query="phrase"),
        description=TEXT(analyzer=text, stored=True, field_boost=DESCRIPTION_BOOST,
                         multitoken_query="phrase"),
        body=TEXT(analyzer=text, stored=False, spelling=True, multitoken_query="phrase"),
        source=ID(stored=True),
        source_name=STORED(),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, scorable=True),
        #: upper-case symbols in the files, lower-case terms here (``ticker:cifr`` = ``ticker:CIFR``)
        tickers=KEYWORD(stored=True, commas=True, lowercase=True),
        category=ID(stored=True),
        sentiment=ID(stored=True),
        lang=ID(stored=True),
        author=TEXT(stored=True),
        url=ID(stored=True),
        #: the publication time as the publisher stated it (local wall time, naive): dates,
        #: ranges, ``published:`` and the histogram use its day; absent when the date is
        #: unknown (see above)
        published=DATETIME(stored=True, sortable=True),
        #: the same instant in UTC: the order of newest/oldest first, ties and fingerprints
        published_utc=DATETIME(stored=True, sortable=True),
        #: the local time's offset from UTC in minutes (absent: UTC)
        published_offset=STORED(),
        #: how the date was found (``dateSource``), shown beside it
        date_source=ID(stored=True),
        ingested=DATETIME(stored=True, sortable=True),
        #: when the file was deleted: the document stays as a tombstone for ``as_of`` replays
        deleted=DATETIME(stored=True),
        draft=BOOLEAN(stored=True),
        content_hash=ID(stored=True),
        #: hash of the whole article file as indexed: ``reindex --changed`` skips files whose
        #: bytes did not change (a frontmatter-only edit changes it, unlike ``content_hash``)
        file_hash=STORED(),
        #: the article file, relative to the home folder (highlights read the body from it)
        path=STORED(),
        sticky=NUMERIC(stored=True),
    )
