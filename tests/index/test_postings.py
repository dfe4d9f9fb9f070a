"""``index.postings`` reads Whoosh's W3 posting blocks itself, and ``match_mask`` matches phrases
on position arrays. Both must give exactly what Whoosh's own matchers give: every term's ids,
weights and positions in segments of both writers (the bulk rebuild and Whoosh's incremental
writer), and the documents of every query of a stream drawn from the corpus (words across the
frequency range, phrases from real text, booleans, fields)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh.formats import Positions

from archive.store import Store
from index import postings
from index.build import open_index, reindex, update_documents
from index.facets import ColumnCache, match_mask
from index.postings import decode_positions, read_term
from index.query import parse_query
from scripts.bench.corpus import generate_corpus, make_article
from scripts.bench.stream import make_stream, read_sample

SEED = 5


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """400 generated articles by the bulk rebuild, then 40 more through Whoosh's own writer."""
    root = tmp_path_factory.mktemp("postings")
    home, _ = generate_corpus(root, 400, seed=SEED, procs=1)
    reindex(home, procs=1)
    store = Store(home)
    saved = [store.save(make_article(SEED, 400 + i)) for i in range(40)]
    update_documents(home, [(s.path, s.article) for s in saved])
    return home


def _whoosh_postings(reader, fieldname: str, tbytes: bytes, positions: bool):
    matcher = reader.postings(fieldname, tbytes)
    ids, weights, found = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        if positions:
            found.append(list(matcher.value_as("positions")))
        matcher.next()
    return ids, weights, found


def test_every_term_reads_as_whoosh_reads_it(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_index(home).searcher() as searcher:
        leaves = list(searcher.reader().leaf_readers())
        assert len(leaves) == 2  # the rebuild's segment and the incremental writer's
        checked, by_numpy = 0, 0
        for reader, _ in leaves:
            for fieldname in ("body", "title", "tags", "source"):
                with_positions = fieldname in ("body", "title")
                for k, tbytes in enumerate(reader.lexicon(fieldname)):
                    if reader.doc_frequency(fieldname, tbytes) < 3 and k % 10:
                        continue  # every term found in several documents, a tenth of the others
                    ids, weights, positions = _whoosh_postings(reader, fieldname, tbytes,
                                                               with_positions)
                    # blocks unpickled one by one, then every block through the numpy path
                    for vector_from in (10**9, 1):
                        monkeypatch.setattr(postings, "VECTOR_BLOCKS", vector_from)
                        found = read_term(reader, fieldname, tbytes, values=with_positions)
                        assert found.docs.tolist() == ids, (fieldname, tbytes)
                        assert found.weights.tolist() == pytest.approx(weights), (fieldname, tbytes)
                        by_numpy += found.blocks is not None
                        if with_positions:
                            counts, flat = decode_positions(found.values_at(np.arange(len(ids))))
                            assert counts.tolist() == [len(p) for p in positions]
                            assert flat.tolist() == [x for p in positions for x in p]
                    checked += 1
    assert checked > 1_000
    assert by_numpy > 100  # the numpy path really ran


def test_unknown_terms_are_empty(home: Path) -> None:
    with open_index(home).searcher() as searcher:
        reader = searcher.reader().leaf_readers()[0][0]
        found = read_term(reader, "body", b"zzzznotaword")
    assert (found.docs.tolist(), found.weights.tolist()) == ([], [])


def test_position_lists_of_every_layout_decode(home: Path) -> None:
    fmt = Positions()
    lists = [[0], [3, 9], [70_000, 70_001, 2_000_000], list(range(0, 3000, 2)), [5] * 1,
             [255, 256, 65_535, 65_536], list(range(1200))]
    counts, flat = decode_positions([fmt.encode(p) for p in lists], fmt)
    assert counts.tolist() == [len(p) for p in lists]
    assert flat.tolist() == [x for p in lists for x in p]
    assert [a.tolist() for a in decode_positions([], fmt)] == [[], []]


def test_every_query_class_matches_what_whoosh_matches(home: Path) -> None:
    with open_index(home).searcher() as searcher:
        _check_stream(home, searcher)


def _check_stream(home: Path, searcher) -> None:
    view = ColumnCache().view_for(searcher)
    stream = make_stream(read_sample(home, SEED, size=300), SEED, total=400)
    kinds = set()
    for query in stream:
        if query.filters or query.date_from or not query.has_text:
            continue  # facet filters and dates are array operations, not matching
        parsed = parse_query(query.text)
        expected = sorted(searcher.docs_for_query(parsed))
        view.forget()
        assert np.flatnonzero(match_mask(parsed, searcher, view)).tolist() == expected, query.text
        # and again from the view's caches (term postings and phrase matches)
        assert np.flatnonzero(match_mask(parsed, searcher, view)).tolist() == expected, query.text
        kinds.add(query.kind)
    assert kinds == {"word:rare", "word:mid", "word:common", "words", "phrase2", "phrase3",
                     "boolean", "field", "sort", "deep"}
