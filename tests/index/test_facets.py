"""The numpy side of search: postings read in blocks, per-segment arrays, masks and counts.

These run on a real Whoosh index written directly with the schema (several segments, deletions,
posting lists longer than one block), and compare against Whoosh's own one-id-at-a-time answers.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.qparser import QueryParser
from whoosh.reading import TermNotFound

from index.facets import MISSING, ColumnCache, match_mask, term_docnums, to_long, year_of_ordinals
from index.query import parse_query
from index.schema import build_schema
from index.search import bucket_starts, choose_interval

SOURCES = ("alpha", "beta", "gamma")


def _doc(i: int) -> dict:
    """Document ``i``: every 3rd is about 'bitcoin', sources rotate, tags vary, some are drafts."""
    words = ["bitcoin"] if i % 3 == 0 else []
    words += ["market"] if i % 2 == 0 else ["policy"]
    tags = [t for t, every in (("BTC", 3), ("Markets", 2), ("Rare", 97)) if i % every == 0]
    doc = dict(
        id=f"doc{i:04d}",
        title=f"Title {i} " + " ".join(words),
        body=" ".join(words * 3) + f" filler{i % 7}",
        source=SOURCES[i % 3],
        source_name=SOURCES[i % 3].title(),
        tags=",".join(tags),
        sentiment=("positive", "negative", "neutral")[i % 3],
        lang="en" if i % 4 else "de",
        published=datetime(2025, 1, 1) + (datetime(2025, 1, 2) - datetime(2025, 1, 1)) * i,
        ingested=datetime(2026, 1, 1),
        draft=i % 50 == 0,
        path=f"articles/{i}.md",
    )
    if not tags:
        del doc["tags"]
    if i % 10 == 9:
        del doc["sentiment"]
    return doc


@pytest.fixture
def index(tmp_path):
    """600 documents in three commits (three segments), ids 100..149 deleted, 7 tombstoned."""
    ix = whoosh_index.create_in(tmp_path, build_schema())
    for first, last in ((0, 300), (300, 500), (500, 600)):
        writer = ix.writer()
        for i in range(first, last):
            doc = _doc(i)
            if i in (5, 6, 7, 305, 306, 505, 506):
                doc["deleted"] = datetime(2026, 2, 1, 12, 0)
            writer.add_document(**doc)
        writer.commit(merge=False)
    writer = ix.writer()
    for i in range(100, 150):
        writer.delete_by_term("id", f"doc{i:04d}")
    writer.commit(merge=False)
    yield ix
    ix.close()


def test_postings_in_blocks_equal_whooshs_ids(index):
    with index.searcher() as searcher:
        for reader, _ in searcher.reader().leaf_readers():
            for field, text in (("body", "bitcoin"), ("tags", "markets"), ("source", "beta"),
                                ("id", "doc0007"), ("body", "nothing")):
                tbytes = text.encode()
                # Whoosh's raw matcher (deleted documents included, as term_docnums returns them)
                try:
                    matcher = reader._terms.matcher(field, tbytes, reader.schema[field].format)
                    expected = list(matcher.all_ids())
                except TermNotFound:
                    expected = []
                assert term_docnums(reader, field, tbytes).tolist() == expected
        assert len(term_docnums(searcher.reader().leaf_readers()[0][0], "body", b"market")) == 150


def test_view_arrays_match_stored_fields(index):
    with index.searcher() as searcher:
        view = ColumnCache().view_for(searcher)
        assert view.size == 600
        assert int(view.live.sum()) == 550
        for docnum in (0, 5, 149, 301, 599):
            stored = searcher.stored_fields(docnum)
            assert view.ids[docnum] == stored["id"]
            assert view.published[docnum] == to_long(stored["published"])
            assert bool(view.draft[docnum]) == stored["draft"]
            assert (view.deleted[docnum] != MISSING) == ("deleted" in stored)
            source = view.facets["source"]
            assert source.values[source.ords[docnum]] == stored["source"]
            assert source.labels[source.ords[docnum]] == stored["source_name"]
        sentiment = view.facets["sentiment"]
        assert sentiment.values == ["negative", "neutral", "positive"]
        assert sentiment.labels == ["NEGATIVE", "NEUTRAL", "POSITIVE"]
        assert view.facets["tags"].values == ["btc", "markets", "rare"]
        assert view.facets["tags"].labels == ["BTC", "Markets", "Rare"]


def test_counts_equal_counting_stored_fields_one_by_one(index):
    with index.searcher() as searcher:
        view = ColumnCache().view_for(searcher)
        visible = view.visible(as_of=None, include_drafts=False)
        mask = match_mask(parse_query("bitcoin"), searcher, view) & visible
        by_source, by_tag, by_sentiment = {}, {}, {}
        for docnum in np.flatnonzero(mask):
            stored = searcher.stored_fields(int(docnum))
            by_source[stored["source"]] = by_source.get(stored["source"], 0) + 1
            for tag in filter(None, stored.get("tags", "").split(",")):
                by_tag[tag.lower()] = by_tag.get(tag.lower(), 0) + 1
            if "sentiment" in stored:
                by_sentiment[stored["sentiment"]] = by_sentiment.get(stored["sentiment"], 0) + 1

        def counted(name):
            counts = view.count(name, mask)
            return {v: int(c) for v, c in zip(view.facets[name].values, counts) if c}

        assert counted("source") == by_source == {"alpha": 178}
        assert counted("tags") == by_tag
        assert counted("sentiment") == by_sentiment
        # the same documents Whoosh finds, deletions, drafts and tombstones removed
        whoosh_ids = {hit.docnum for hit in searcher.search(
            QueryParser("body", index.schema).parse("bitcoin"), limit=None)}
        assert set(np.flatnonzero(mask).tolist()) == {
            d for d in whoosh_ids if not view.draft[d] and view.deleted[d] == MISSING}


def test_boolean_logic_and_date_ranges_as_arrays(index):
    with index.searcher() as searcher:
        view = ColumnCache().view_for(searcher)

        def docs(text):
            return set(np.flatnonzero(match_mask(parse_query(text), searcher, view) & view.live).tolist())

        every = set(np.flatnonzero(view.live).tolist())
        bitcoin, market = docs("bitcoin"), docs("market")
        assert docs("bitcoin market") == bitcoin & market
        assert docs("bitcoin OR market") == bitcoin | market
        assert docs("bitcoin NOT market") == bitcoin - market
        assert docs("NOT bitcoin") == every - bitcoin
        january = {d for d in every if view.published[d] < to_long(date(2025, 2, 1))}
        assert docs("published:2025-01") == january
        assert len(january) == 31
        assert docs('"title 12"') == {12}


def test_visibility_drafts_tombstones_and_as_of(index):
    with index.searcher() as searcher:
        view = ColumnCache().view_for(searcher)
        now = view.visible(as_of=None, include_drafts=False)
        assert int(now.sum()) == 550 - 7 - 11  # 7 tombstones, 11 live drafts (0, 50, ... not 100)
        before = view.visible(as_of=datetime(2026, 2, 1, 11, 0), include_drafts=True)
        assert int(before.sum()) == 550
        long_ago = view.visible(as_of=datetime(2025, 6, 1), include_drafts=True)
        assert int(long_ago.sum()) == 0


def test_segment_arrays_are_reused_after_a_new_commit(index):
    cache = ColumnCache()
    with index.searcher() as searcher:
        first = cache.view_for(searcher)
        segments_before = dict(cache._segments)
    writer = index.writer()
    writer.add_document(**_doc(600))
    writer.commit(merge=False)
    with index.searcher() as searcher:
        second = cache.view_for(searcher)
        assert second.size == 601 and second is not first
        assert all(cache._segments[key] is seg for key, seg in segments_before.items())
        assert len(cache._segments) == len(segments_before) + 1
        assert cache.view_for(searcher) is second


@pytest.mark.parametrize("first, last, interval, buckets", [
    (date(2026, 2, 1), date(2026, 2, 1), "day", 1),
    (date(2026, 1, 1), date(2026, 3, 1), "day", 60),
    (date(2026, 1, 1), date(2026, 3, 2), "week", 10),
    (date(2025, 10, 14), date(2026, 2, 10), "week", 18),
    (date(2024, 1, 1), date(2026, 2, 10), "month", 26),
    (date(2016, 1, 1), date(2026, 2, 10), "year", 11),
])
def test_histogram_interval_fits_the_range(first, last, interval, buckets):
    assert choose_interval(first, last) == interval
    edges = bucket_starts(first, last, interval)
    assert len(edges) - 1 == buckets
    assert edges[0] <= first < last < edges[-1] or first == last
    if interval == "week":
        assert all(edge.weekday() == 0 for edge in edges)


def test_years_of_day_numbers():
    days = np.asarray([date(1999, 12, 31).toordinal(), date(2026, 1, 1).toordinal()])
    assert year_of_ordinals(days).tolist() == [1999, 2026]


@pytest.mark.parametrize("text", ["bitcoin", "bitcoin market", "title:bitcoin OR policy",
                                  "market NOT bitcoin", "filler3 policy^2"])
def test_bm25_over_arrays_equals_whooshs_scores(index, text):
    from index.facets import bm25_scores
    from index.query import scored_terms

    with index.searcher() as searcher:
        view = ColumnCache().view_for(searcher)
        q = parse_query(text)
        ours = bm25_scores(searcher, view, scored_terms(q))
        theirs = {hit.docnum: hit.score for hit in searcher.search(q, limit=None)}
        assert theirs, "the query should match"
        # equal, up to the constant 1.0 Whoosh adds for a NOT inside an AND
        shift = 1.0 if "NOT" in text else 0.0
        assert {d: round(s, 4) for d, s in theirs.items()} == \
            {d: round(float(ours[d]) + shift, 4) for d in theirs}


@pytest.mark.parametrize("text", ['"title 12"', '"bitcoin market"', '"market bitcoin"',
                                  '"bitcoin bitcoin"', '"policy filler3"', '"bitcoin market filler4"'])
def test_phrases_over_positions_equal_whooshs(index, text):
    with index.searcher() as searcher:
        view = ColumnCache().view_for(searcher)
        q = parse_query(text)
        ours = set(np.flatnonzero(match_mask(q, searcher, view)).tolist())
        theirs = {hit.docnum for hit in searcher.search(q, limit=None)}
        assert ours - set(np.flatnonzero(~view.live).tolist()) == theirs
        assert theirs or text == '"bitcoin bitcoin"'
