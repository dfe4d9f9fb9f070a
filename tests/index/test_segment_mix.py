"""Segments written by ``BulkSegmentWriter`` are interchangeable with Whoosh's own (issue 9,
finding 1): any mix of segments from both writers, with updates, deletions and both kinds of
merge (optimize, and the small-segment merges of incremental commits), gives the index the same
operations give with Whoosh's writer only.

Compared, segment by segment and including deleted documents: every field's terms, every raw
posting (document, weight and the value bytes a merge copies), term statistics, field lengths,
stored fields and sort columns; spelling fields by their terms (the bulk writer adds each word
once per segment where Whoosh adds it once per document); and the results of searches of every
field type, scores included."""

from __future__ import annotations

import functools
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import whoosh.index
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.reading import SegmentReader
from whoosh.writing import NO_MERGE, OPTIMIZE, SegmentWriter

from index.bulkwriter import BulkSegmentWriter
from index.schema import build_schema
from index.incremental import merge_small_segments

WORDS = ["harbour", "harbours", "cargo", "the", "of", "ledger", "Zürich", "running", "runs",
         "v2.0.1", "3.5%", "İstanbul", "数字", "bitcoin", "BITCOIN", "e.g.", "fed's", "a", "quay"]
IDS = [f"doc{n}" for n in range(8)]
START = datetime(2020, 1, 1)

text = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
document = st.fixed_dictionaries(
    {"id": st.sampled_from(IDS)},
    optional={
        "title": text,
        "description": text,
        "body": st.lists(text, max_size=4).map("\n\n".join),
        "source": st.sampled_from(["portgazette", "coindesk", "wire"]),
        "source_name": st.sampled_from(["Port Gazette", "CoinDesk"]),
        "tags": st.lists(st.sampled_from(["BTC", "ports", "Fed rates", "a"]), max_size=3).map(",".join),
        "category": st.sampled_from(["shipping", "btc"]),
        "sentiment": st.sampled_from(["positive", "negative", "neutral"]),
        "lang": st.sampled_from(["en", "de"]),
        "author": text,
        "url": st.sampled_from(["https://example.org/a", "https://example.org/b?x=1"]),
        "published": st.integers(-20_000, 20_000).map(lambda d: START + timedelta(hours=d)),
        "ingested": st.integers(0, 20_000).map(lambda d: START + timedelta(hours=d)),
        "deleted": st.integers(0, 200).map(lambda d: START + timedelta(days=d)),
        "draft": st.booleans(),
        "content_hash": st.sampled_from(["sha256:aa", "sha256:bb"]),
        "file_hash": st.sampled_from(["b2:01", "b2:02"]),
        "path": st.sampled_from(["articles/2026/01/a.en.md", "articles/2026/02/b.de.md"]),
        "sticky": st.integers(-2**31, 2**31 - 1),
    },
)
operation = st.one_of(document, st.sampled_from(IDS).map(lambda i: ("delete", i)))
segment = st.tuples(st.sampled_from(["bulk", "whoosh"]), st.lists(operation, min_size=1, max_size=6),
                    st.sampled_from(["none", "small", "optimize"]))
plan = st.tuples(st.lists(segment, min_size=1, max_size=6), st.sampled_from(["bulk", "whoosh"]))

WRITERS = {"bulk": BulkSegmentWriter, "whoosh": SegmentWriter}
#: the small-segment policy with thresholds that a handful of segments reach
SMALL = functools.partial(merge_small_segments, small_docs=4, max_small=2)
MERGES = {"none": NO_MERGE, "small": SMALL, "optimize": OPTIMIZE}


def run_plan(folder: Path, steps: list, *, bulk: bool) -> whoosh.index.Index:
    """Apply ``steps`` (each: writer, operations, merge); ``bulk=False`` uses Whoosh's writer
    for every step (the reference)."""
    ix = whoosh.index.create_in(str(folder), build_schema())
    for kind, operations, merge in steps:
        writer = WRITERS[kind if bulk else "whoosh"](ix)
        for op in operations:
            if isinstance(op, tuple):
                writer.delete_by_term("id", op[1])
            else:
                writer.update_document(**op)
        writer.commit(mergetype=MERGES[merge])
    return ix


def snapshot(ix: whoosh.index.Index) -> dict:
    schema = ix.schema
    out: dict = {}
    for n, segment in enumerate(ix._segments()):
        with SegmentReader(ix.storage, schema, segment) as reader:
            seg: dict = {"docs": (reader.doc_count_all(), reader.doc_count()),
                         "deleted": sorted(reader.deleted_docs_set or ())}
            for field in sorted(reader.indexed_field_names()):
                terms = list(reader.lexicon(field))
                seg["terms", field] = terms
                if field.startswith("spell_"):
                    continue
                fmt = schema[field].format
                for term in terms:
                    info = reader.term_info(field, term)
                    raw = reader._terms.matcher(field, term, fmt)
                    postings = []
                    while raw.is_active():
                        postings.append((raw.id(), raw.weight(), raw.value()))
                        raw.next()
                    seg["postings", field, term] = (
                        postings, info.doc_frequency(), info.weight(), info.min_length(),
                        info.max_length(), info.max_weight(), info.min_id(), info.max_id())
            for field in ("title", "description", "body", "tags", "author"):
                seg["lengths", field] = ([reader.doc_field_length(d, field)
                                          for d in range(reader.doc_count_all())],
                                         reader.field_length(field),
                                         reader.field_length(field) and reader.max_field_length(field))
            seg["stored"] = [reader.stored_fields(d) for d in range(reader.doc_count_all())]
            for field in ("published", "ingested"):
                column = reader.column_reader(field, translate=False)
                seg["column", field] = [column[d] for d in range(reader.doc_count_all())]
            out[n] = seg
    with ix.searcher() as searcher:
        queries = [wq.Term("body", "harbour"), wq.Phrase("body", ["the", "harbour"]),
                   wq.Phrase("title", ["cargo", "ledger"]), wq.Or([wq.Term("title", "bitcoin"),
                                                                     wq.Term("description", "run")]),
                   wq.Term("tags", "fed rates"), wq.Term("source", "coindesk"),
                   wq.Term("draft", True), wq.DateRange("published", START, START + timedelta(days=300)),
                   wq.NumericRange("sticky", -1000, 2**30), wq.Every("deleted"), wq.Term("id", "doc3"),
                   wq.Term("author", "zürich"), wq.Every()]
        for q in queries:
            out["search", repr(q)] = [(searcher.stored_fields(hit.docnum)["id"], round(hit.score, 6))
                                      for hit in searcher.search(q, limit=None)]
        for field in ("title", "body"):
            corrector = searcher.corrector(field)
            out["suggest", field] = [corrector.suggest(w, limit=3) for w in ("harbor", "bitcon", "carg")]
    return out


def check_plan(steps_final) -> None:
    steps, final = steps_final
    with tempfile.TemporaryDirectory() as tmp:
        mixed = Path(tmp) / "mixed"
        plain = Path(tmp) / "plain"
        mixed.mkdir()
        plain.mkdir()
        mixed_ix = run_plan(mixed, steps, bulk=True)
        plain_ix = run_plan(plain, steps, bulk=False)
        assert snapshot(mixed_ix) == snapshot(plain_ix)
        # then everything merged into one segment, by either writer
        for ix, kind in ((mixed_ix, final), (plain_ix, "whoosh")):
            WRITERS[kind](ix).commit(mergetype=OPTIMIZE)
        assert snapshot(mixed_ix) == snapshot(plain_ix)
        assert len(mixed_ix._segments()) <= 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_any_mix_of_bulk_and_whoosh_segments_is_the_whoosh_index(steps_final) -> None:
    check_plan(steps_final)


@pytest.mark.slow
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plan)
def test_any_mix_of_segments_many_examples(steps_final) -> None:
    check_plan(steps_final)


def test_small_segment_merges_of_bulk_segments(tmp_path: Path) -> None:
    """The failure of the issue, as a plain example: bulk segments of every field type merged by
    the small-segment policy (which hands them to ``add_reader``)."""
    docs = [{"id": f"doc{n}", "title": f"harbour {n}", "body": "the quay runs", "tags": "BTC,ports",
             "source": "wire", "published": START + timedelta(days=n), "draft": n % 2 == 0,
             "sticky": n, "path": f"a{n}.md"} for n in range(6)]
    steps = [("bulk", [doc], "small") for doc in docs]
    (tmp_path / "mixed").mkdir()
    (tmp_path / "plain").mkdir()
    mixed = run_plan(tmp_path / "mixed", steps, bulk=True)
    plain = run_plan(tmp_path / "plain", steps, bulk=False)
    assert snapshot(mixed) == snapshot(plain)
    assert [s.doc_count_all() for s in mixed._segments()] == [s.doc_count_all() for s in plain._segments()]

