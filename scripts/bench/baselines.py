"""What a user would pick instead, doing the same work as our engine on the same files.

- ``Fts5Engine``: Python's sqlite3 with an FTS5 table (porter stemming), tuned as SQLite's docs
  recommend for reads (``PRAGMA mmap_size`` and ``cache_size``), facet counts by
  ``GROUP BY`` (disjunctive: each facet counted under the other facets' filters), a monthly date
  histogram by ``GROUP BY strftime``, ``bm25`` ranking and ``snippet()`` highlights (escaped).
- ``PlainWhooshEngine``: Whoosh used the plain way: one writer with ``procs=2, multisegment=True``,
  the body stored, ``MultifieldParser`` over title/description/body, ``searcher.search_page`` with
  ``groupedby`` facets (counts only), the monthly histogram as a facet on a ``month`` column (the
  documented ``DateRangeFacet`` costs ~30x more), ``hit.highlights`` of the stored body. The
  multi-valued ``tags`` facet has term vectors (``vector=True``): Whoosh's overlapping facet reads
  them instead of rebuilding per-document lists from the postings on every search.
- ``TantivyEngine`` (``tantivy`` on PyPI, the fast reference): its ``en_stem`` analysis, facets
  and the month as fast fields counted by ``terms`` aggregations, ``SnippetGenerator`` highlights.

Both read the article files with the product's own parser (``archive.store.read_article``), so a
full reindex measures the same work for every engine: files in, searchable index out.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sqlite3
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from archive.article import Article
from archive.store import Store

from scripts.bench.queries import FACETS, PER_PAGE, BenchQuery

#: FTS5's read tuning: bytes memory-mapped, KiB of page cache per connection
MMAP_BYTES = 2**31 - 2**16
CACHE_KIB = 256 * 1024


#: our analyzer's tokenizer (Whoosh's default pattern)
_TOKENS = re.compile(r"\w+(?:\.?\w+)*")


def analysed_text(text: str) -> str:
    """``text`` as our analyzer's tokenizer and stop filter leave it, words joined by spaces.

    Our engine (Whoosh's ``StemmingAnalyzer``) drops its 34 stop words and one-letter tokens and
    numbers the remaining words as if those had never been there, so ``"keatahout growth"``
    also matches "keatahout *the* growth". FTS5 and Tantivy index the text this function
    returns, so that every engine's phrases (and word positions) mean the same thing."""
    from whoosh.analysis import STOP_WORDS

    return " ".join(t for t in _TOKENS.findall(text) if len(t) > 1 and t.lower() not in STOP_WORDS)


def iter_corpus(home: Path) -> Iterator[Article]:
    for _path, article, _error in Store(home).iter_articles():
        if article is not None:
            yield article


def _naive_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def _epoch(value: datetime) -> int:
    return int(value.timestamp())


# ------------------------------------------------------------------------------------ FTS5 --

class Fts5Engine:
    name = "fts5"
    label = "SQLite FTS5"

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self._local = threading.local()

    # -- building
    def build(self, home: Path) -> int:
        if self.db_path.exists():
            self.db_path.unlink()
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.db_path)
        con.executescript("""
            PRAGMA journal_mode=WAL;
            CREATE TABLE docs(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, title TEXT,
                              description TEXT, published INTEGER, source TEXT, source_name TEXT,
                              sentiment TEXT, category TEXT, lang TEXT, url TEXT);
            CREATE TABLE doc_tags(doc INTEGER, tag TEXT);
            CREATE VIRTUAL TABLE fts USING fts5(title, description, body,
                                                tokenize='porter unicode61');
        """)
        count = 0
        with con:
            for count, article in enumerate(iter_corpus(home), start=1):
                self._insert(con, count, article)
        con.executescript("""
            CREATE INDEX docs_published ON docs(published);
            CREATE INDEX tags_by_tag ON doc_tags(tag, doc);
            CREATE INDEX tags_by_doc ON doc_tags(doc, tag);
            INSERT INTO fts(fts) VALUES('optimize');
            ANALYZE;
        """)
        con.close()
        return count

    @staticmethod
    def _insert(con: sqlite3.Connection, rowid: int, article: Article) -> None:
        con.execute(
            "INSERT INTO docs VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (rowid, article.id, article.title, article.description, _epoch(article.published_at),
             article.source_key, article.source_name, article.sentiment, article.category,
             article.lang or "en", article.url))
        con.executemany("INSERT INTO doc_tags VALUES (?,?)", [(rowid, t) for t in article.tags])
        con.execute("INSERT INTO fts(rowid, title, description, body) VALUES (?,?,?,?)",
                    (rowid, analysed_text(article.title), analysed_text(article.description or ""),
                     analysed_text(article.body)))

    def add(self, article: Article) -> None:
        """Ingest one article (its own transaction, committed)."""
        con = self._con()
        with con:
            rowid = con.execute("SELECT coalesce(max(rowid), 0) + 1 FROM docs").fetchone()[0]
            self._insert(con, rowid, article)

    # -- searching
    def _con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            con = sqlite3.connect(self.db_path, check_same_thread=False)
            # the read tuning of SQLite's docs: the database file memory-mapped (up to SQLite's
            # default ceiling of 2 GB) and a page cache of 256 MB per connection
            con.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
            con.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            con.execute("CREATE TEMP TABLE m(doc INTEGER PRIMARY KEY)")
            self._local.con = con
        return con

    def search(self, query: BenchQuery) -> dict[str, Any]:
        con = self._con()
        con.execute("DELETE FROM m")
        base_where, base_params = [], []
        for name, value in query.keywords.items():
            if name == "tags":
                base_where.append("EXISTS (SELECT 1 FROM doc_tags t WHERE t.doc = d.rowid AND t.tag = ?)")
            else:
                base_where.append(f"d.{name} = ?")
            base_params.append(value)
        if query.date_from:
            base_where.append("d.published >= ?")
            base_params.append(int(datetime(query.date_from.year, query.date_from.month,
                                            query.date_from.day, tzinfo=timezone.utc).timestamp()))
        if query.date_to:
            base_where.append("d.published < ?")
            base_params.append(int(datetime(query.date_to.year, query.date_to.month,
                                            query.date_to.day, tzinfo=timezone.utc).timestamp()) + 86400)
        if query.fts:
            sql = "INSERT INTO m SELECT fts.rowid FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?"
            params: list[Any] = [query.fts]
        else:
            sql = "INSERT INTO m SELECT d.rowid FROM docs d WHERE 1"
            params = []
        if base_where:
            sql += " AND " + " AND ".join(base_where)
        con.execute(sql, params + base_params)

        def filter_sql(skip: str | None) -> tuple[str, list[Any]]:
            where, args = [], []
            for facet, values in query.filters.items():
                if facet == skip or not values:
                    continue
                marks = ",".join("?" * len(values))
                if facet == "tags":
                    where.append(f"EXISTS (SELECT 1 FROM doc_tags t2 WHERE t2.doc = d.rowid AND t2.tag IN ({marks}))")
                else:
                    where.append(f"d.{facet} IN ({marks})")
                args.extend(values)
            return (" WHERE " + " AND ".join(where)) if where else "", args

        facets: dict[str, list[tuple[str, int]]] = {}
        for facet in FACETS:
            where, args = filter_sql(facet)
            if facet == "tags":
                rows = con.execute(
                    "SELECT t.tag, count(*) AS c FROM m CROSS JOIN docs d ON d.rowid = m.doc "
                    f"CROSS JOIN doc_tags t ON t.doc = m.doc{where} GROUP BY t.tag ORDER BY c DESC, t.tag",
                    args).fetchall()
            else:
                rows = con.execute(
                    f"SELECT d.{facet}, count(*) AS c FROM m CROSS JOIN docs d ON d.rowid = m.doc{where} "
                    f"GROUP BY d.{facet} ORDER BY c DESC", args).fetchall()
            facets[facet] = rows
        where, args = filter_sql(None)
        histogram = con.execute(
            "SELECT strftime('%Y-%m', d.published, 'unixepoch') AS b, count(*) FROM m "
            f"CROSS JOIN docs d ON d.rowid = m.doc{where} GROUP BY b ORDER BY b", args).fetchall()
        total = sum(count for _, count in histogram)
        offset = (query.page - 1) * PER_PAGE
        if query.fts and query.sort == "relevance":
            # ranked once by the MATCH alone (materialized: else SQLite probes the FTS index
            # per candidate rowid, ~300x slower), then joined to the filtered matches
            page_ids = [r[0] for r in con.execute(
                "WITH r AS MATERIALIZED (SELECT rowid, bm25(fts, 3.0, 1.5, 1.0) AS score "
                "FROM fts WHERE fts MATCH ?) "
                "SELECT r.rowid FROM r CROSS JOIN m ON m.doc = r.rowid "
                f"CROSS JOIN docs d ON d.rowid = r.rowid{where} "
                "ORDER BY r.score LIMIT ? OFFSET ?",
                [query.fts, *args, PER_PAGE, offset])]
        else:
            order = "DESC" if query.sort != "oldest" else "ASC"
            page_ids = [r[0] for r in con.execute(
                f"SELECT d.rowid FROM m CROSS JOIN docs d ON d.rowid = m.doc{where} "
                f"ORDER BY d.published {order} LIMIT ? OFFSET ?", [*args, PER_PAGE, offset])]
        # stored fields and snippets for the page only (computing snippet() in the ranked query
        # would make SQLite build one for every match before the LIMIT)
        marks = ",".join("?" * len(page_ids))
        fields = {r[0]: r for r in con.execute(
            "SELECT d.rowid, d.id, d.title, d.published, d.source, d.source_name, d.sentiment, "
            f"d.description FROM docs d WHERE d.rowid IN ({marks})", page_ids)}
        snippets: dict[int, str] = {}
        if query.fts and page_ids:
            snippets = dict(con.execute(
                "SELECT rowid, snippet(fts, 2, char(1), char(2), '…', 24) FROM fts "
                f"WHERE fts MATCH ? AND rowid IN ({marks})", [query.fts, *page_ids]).fetchall())
        rows = [(*fields[i], snippets.get(i) or html.escape((fields[i][7] or "")[:200])) for i in page_ids]
        hits = [{"id": r[1], "title": r[2], "published": r[3], "source": r[4], "source_name": r[5],
                 "sentiment": r[6], "snippet": _mark(r[8]) if r[0] in snippets else r[8]} for r in rows]
        return {"total": total, "hits": hits, "facets": facets, "histogram": histogram}

    def close(self) -> None:
        con = getattr(self._local, "con", None)
        if con is not None:
            con.close()
            self._local.con = None


def _mark(snippet: str) -> str:
    return html.escape(snippet or "").replace("\x01", "<mark>").replace("\x02", "</mark>")


# ------------------------------------------------------------------------------ plain Whoosh --

def plain_schema() -> Any:
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

    analyzer = StemmingAnalyzer()
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, field_boost=3.0),
        description=TEXT(analyzer=analyzer, stored=True, field_boost=1.5),
        body=TEXT(analyzer=analyzer, stored=True),
        source=ID(stored=True, sortable=True),
        source_name=STORED(),
        tags=KEYWORD(stored=True, commas=True, lowercase=True, vector=True),
        sentiment=ID(stored=True, sortable=True),
        category=ID(stored=True, sortable=True),
        lang=ID(stored=True, sortable=True),
        author=TEXT(stored=True),
        url=ID(stored=True),
        published=DATETIME(stored=True, sortable=True),
        #: "2024-03": the histogram's bucket as a column (a DateRangeFacet of 84 month ranges
        #: costs ~30x more per search; a plain user would soon add this field)
        month=ID(sortable=True),
    )


#: the tag of an article without tags in plain Whoosh: Whoosh's overlapping facet reads each
#: document's term vector and fails on a document that has none (its counts are left out)
NO_TAGS = "no-tags"


def _plain_document(article: Article) -> dict[str, Any]:
    doc = {
        "id": article.id, "title": article.title, "description": article.description or "",
        "body": article.body, "source": article.source_key, "source_name": article.source_name,
        "tags": ",".join(article.tags) or NO_TAGS, "sentiment": article.sentiment or "",
        "category": article.category or "", "lang": article.lang or "en",
        "url": article.url or "", "published": _naive_utc(article.published_at),
        "month": f"{_naive_utc(article.published_at):%Y-%m}",
    }
    if article.author:
        doc["author"] = article.author
    return doc


class PlainWhooshEngine:
    name = "whoosh"
    label = "plain Whoosh"

    def __init__(self, index_dir: Path, procs: int = 2) -> None:
        self.index_dir = Path(index_dir)
        self.procs = procs
        self._local = threading.local()
        self._ix: Any = None

    def build(self, home: Path) -> int:
        from whoosh import index

        shutil.rmtree(self.index_dir, ignore_errors=True)
        self.index_dir.mkdir(parents=True)
        ix = index.create_in(str(self.index_dir), plain_schema())
        writer = ix.writer(procs=self.procs, multisegment=True, limitmb=256)
        count = 0
        for count, article in enumerate(iter_corpus(home), start=1):
            writer.add_document(**_plain_document(article))
        writer.commit()
        return count

    def add(self, article: Article) -> None:
        writer = self._open().writer()
        writer.update_document(**_plain_document(article))
        writer.commit()

    def _open(self) -> Any:
        if self._ix is None:
            from whoosh import index

            self._ix = index.open_dir(str(self.index_dir))
        return self._ix

    def _searcher(self) -> Any:
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._open().searcher()
        else:
            searcher = searcher.refresh()  # picks up commits, like a long-running server would
        self._local.searcher = searcher
        return searcher

    def search(self, query: BenchQuery) -> dict[str, Any]:
        from whoosh import highlight, sorting
        from whoosh.qparser import MultifieldParser
        from whoosh.query import And, DateRange, Every, Or, Term

        searcher = self._searcher()
        schema = searcher.schema
        parsed = MultifieldParser(["title", "description", "body"], schema).parse(query.text) \
            if query.text else Every()
        ranked = query.has_text
        date_filter = None
        if query.date_from or query.date_to:
            start = datetime(query.date_from.year, query.date_from.month, query.date_from.day) \
                if query.date_from else None
            end = datetime(query.date_to.year, query.date_to.month, query.date_to.day, 23, 59, 59) \
                if query.date_to else None
            date_filter = DateRange("published", start, end)

        def filters(skip: str | None) -> Any:
            parts = [date_filter] if date_filter is not None else []
            for facet, values in query.filters.items():
                if facet == skip or not values:
                    continue
                values = [v.lower() for v in values] if facet == "tags" else list(values)
                parts.append(Or([Term(facet, v) for v in values]))
            return And(parts) if parts else None

        def facet(name: str) -> Any:
            if name == "tags":
                return sorting.FieldFacet("tags", allow_overlap=True, maptype=sorting.Count)
            return sorting.FieldFacet(name, maptype=sorting.Count)

        groups = {name: facet(name) for name in FACETS}
        groups["histogram"] = sorting.FieldFacet("month", maptype=sorting.Count)
        kwargs: dict[str, Any] = {"filter": filters(None), "groupedby": groups}
        if query.sort != "relevance" or not ranked:
            kwargs["sortedby"] = "published"
            kwargs["reverse"] = query.sort != "oldest"
        page = searcher.search_page(parsed, query.page, pagelen=PER_PAGE, **kwargs)
        results = page.results
        results.fragmenter = highlight.ContextFragmenter(maxchars=200, surround=40)
        results.formatter = highlight.HtmlFormatter(tagname="mark")
        facets = {name: sorted(((k, v) for k, v in results.groups(name).items() if k != NO_TAGS),
                               key=lambda kv: -kv[1]) for name in FACETS}
        for name, values in query.filters.items():  # disjunctive counts for filtered facets
            if values:
                other = searcher.search(parsed, limit=1, filter=filters(name),
                                        groupedby={name: facet(name)})
                facets[name] = sorted(((k, v) for k, v in other.groups(name).items() if k != NO_TAGS),
                                      key=lambda kv: -kv[1])
        hits = []
        for hit in page:
            fields = hit.fields()
            snippet = hit.highlights("body", top=2) if ranked else ""
            hits.append({"id": fields["id"], "title": fields["title"], "published": fields["published"],
                         "source": fields["source"], "source_name": fields.get("source_name"),
                         "sentiment": fields.get("sentiment"),
                         "snippet": snippet or html.escape(fields.get("description", "")[:200])})
        histogram = sorted((k, v) for k, v in results.groups("histogram").items() if v)
        return {"total": page.total, "hits": hits, "facets": facets, "histogram": histogram}

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None


# ------------------------------------------------------------------------------------ Tantivy --

#: Tantivy's writer: total heap (split between its threads) and threads
TANTIVY_HEAP = 512 * 1024 * 1024
TANTIVY_FIELDS = ("title", "description", "body")
TANTIVY_BOOSTS = {"title": 3.0, "description": 1.5}


class TantivyEngine:
    name = "tantivy"
    label = "Tantivy"

    def __init__(self, index_dir: Path, threads: int = 2) -> None:
        self.index_dir = Path(index_dir)
        self.threads = threads
        self._index: Any = None

    @staticmethod
    def schema() -> Any:
        import tantivy

        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        for name in TANTIVY_FIELDS:
            sb.add_text_field(name, stored=True, tokenizer_name="en_stem")
        for name in (*FACETS, "month"):
            # facets as fast fields of raw (untokenised) values: what its aggregations count
            sb.add_text_field(name, stored=name != "month", fast=True, tokenizer_name="raw")
        sb.add_text_field("source_name", stored=True, tokenizer_name="raw", index_option="basic")
        sb.add_date_field("published", stored=True, indexed=True, fast=True)
        return sb.build()

    def build(self, home: Path) -> int:
        import tantivy

        shutil.rmtree(self.index_dir, ignore_errors=True)
        self.index_dir.mkdir(parents=True)
        index = tantivy.Index(self.schema(), path=str(self.index_dir))
        writer = index.writer(TANTIVY_HEAP, self.threads)
        count = 0
        for count, article in enumerate(iter_corpus(home), start=1):
            writer.add_document(self._document(article))
        writer.commit()
        writer.wait_merging_threads()
        return count

    @staticmethod
    def _document(article: Article) -> Any:
        import tantivy

        published = _naive_utc(article.published_at)
        doc = tantivy.Document(
            id=article.id, title=analysed_text(article.title),
            description=analysed_text(article.description or ""),
            body=analysed_text(article.body), source=article.source_key, source_name=article.source_name,
            sentiment=article.sentiment or "", category=article.category or "",
            lang=article.lang or "en", month=f"{published:%Y-%m}")
        for tag in article.tags:
            doc.add_text("tags", tag.lower())
        doc.add_date("published", published.replace(tzinfo=timezone.utc))
        return doc

    def add(self, article: Article) -> None:
        index = self._open()
        writer = index.writer(50_000_000, 1)
        writer.add_document(self._document(article))
        writer.commit()
        writer.wait_merging_threads()
        index.reload()

    def _open(self) -> Any:
        if self._index is None:
            import tantivy

            self._index = tantivy.Index.open(str(self.index_dir))
        return self._index

    def _text_query(self, query: BenchQuery) -> Any:
        import tantivy

        index = self._open()
        parts = []
        for clause in query.clauses:
            positive = replace(clause, negated=False).text()
            fields = [clause.field] if clause.field else list(TANTIVY_FIELDS)
            parsed = index.parse_query(positive, fields, field_boosts=TANTIVY_BOOSTS)
            parts.append((tantivy.Occur.MustNot if clause.negated else tantivy.Occur.Must, parsed))
        return parts

    def search(self, query: BenchQuery) -> dict[str, Any]:
        import tantivy
        from tantivy import Occur, Query

        index = self._open()
        schema = index.schema
        searcher = index.searcher()
        text = self._text_query(query)
        base = list(text)
        for name, value in query.keywords.items():
            base.append((Occur.Must, Query.term_query(schema, name, value.lower() if name == "tags" else value)))
        if query.date_from or query.date_to:
            low = datetime(query.date_from.year, query.date_from.month, query.date_from.day,
                           tzinfo=timezone.utc) if query.date_from else None
            high = datetime(query.date_to.year, query.date_to.month, query.date_to.day,
                            tzinfo=timezone.utc) + timedelta(days=1) if query.date_to else None
            base.append((Occur.Must, Query.range_query(schema, "published", tantivy.FieldType.Date,
                                                       low, high, include_lower=True,
                                                       include_upper=high is None)))
        filters = {}
        for facet, values in query.filters.items():
            if values:
                values = [v.lower() for v in values] if facet == "tags" else list(values)
                filters[facet] = (Occur.Must, Query.boolean_query(
                    [(Occur.Should, Query.term_query(schema, facet, v)) for v in values]))

        def combined(skip: str | None) -> Any:
            parts = base + [clause for name, clause in filters.items() if name != skip]
            if not any(occur == Occur.Must for occur, _ in parts):
                parts.append((Occur.Must, Query.all_query()))
            return Query.boolean_query(parts)

        full = combined(None)
        terms = {name: {"terms": {"field": name, "size": 1000}} for name in FACETS}
        terms["histogram"] = {"terms": {"field": "month", "size": 1000}}
        aggs = searcher.aggregate(full, terms)
        facets = {name: [(b["key"], b["doc_count"]) for b in aggs[name]["buckets"]] for name in FACETS}
        for name in filters:  # disjunctive counts for filtered facets
            other = searcher.aggregate(combined(name), {name: terms[name]})
            facets[name] = [(b["key"], b["doc_count"]) for b in other[name]["buckets"]]
        histogram = sorted((b["key"], b["doc_count"]) for b in aggs["histogram"]["buckets"])
        offset = (query.page - 1) * PER_PAGE
        ranked = query.has_text and query.sort == "relevance"
        if ranked:
            found = searcher.search(full, PER_PAGE, count=True, offset=offset)
        else:
            order = tantivy.Order.Asc if query.sort == "oldest" else tantivy.Order.Desc
            found = searcher.search(full, PER_PAGE, count=True, offset=offset,
                                    order_by_field="published", order=order)
        generator = None
        if query.has_text:
            generator = tantivy.SnippetGenerator.create(
                searcher, Query.boolean_query([c for c in text if c[0] == Occur.Must]), schema, "body")
            generator.set_max_num_chars(240)
        hits = []
        for _key, address in found.hits:
            doc = searcher.doc(address)
            snippet = generator.snippet_from_doc(doc).to_html() if generator else ""
            hits.append({"id": doc.get_first("id"), "title": doc.get_first("title"),
                         "published": doc.get_first("published"), "source": doc.get_first("source"),
                         "source_name": doc.get_first("source_name"),
                         "sentiment": doc.get_first("sentiment"),
                         "snippet": snippet or html.escape((doc.get_first("description") or "")[:200])})
        return {"total": found.count, "hits": hits, "facets": facets, "histogram": histogram}

    def close(self) -> None:
        self._index = None


def make_baseline(name: str, workdir: Path) -> Any:
    if name == "fts5":
        return Fts5Engine(Path(workdir) / "fts5.db")
    if name == "whoosh":
        return PlainWhooshEngine(Path(workdir) / "whoosh-plain")
    if name == "tantivy":
        return TantivyEngine(Path(workdir) / "tantivy")
    raise ValueError(f"unknown baseline {name!r}")
