"""The cheap ways of the read path give exactly what the plain ways give: facet toggle links and
histogram links from one encoded template, whitespace collapsed by ``str.split``, and a search
whose term caches were emptied (the benchmark's unseen queries) equals the same search warm."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index import facets
from index.build import open_index, reindex
from index.facets import ColumnCache
from index.highlight import plain_text
from index.model import SearchQuery
from index.search import SearchService, date_range_urls, toggle_urls
from scripts.bench.corpus import generate_corpus
from scripts.bench.stream import make_stream, read_sample

QUERIES = [
    SearchQuery(q="bitcoin"),
    SearchQuery(q='"spot bitcoin etf" & more', source=("coindesk",), tags=("BTC", "ETH"), page=4),
    SearchQuery(q="ünïcode 0001-01-01", sentiment=("NEGATIVE",), date_from=date(2024, 1, 1),
                sort="newest", per_page=50),
    SearchQuery(q="", lang=("de",), date_to=date(2025, 2, 3), include_drafts=True),
    SearchQuery(q="value"),  # the stand-in's own name
]
VALUES = ["coindesk", "a b", "x&y=z", "Zürich", "BTC", "\u00a0", "%00value", "value"]


@pytest.mark.parametrize("query", QUERIES)
def test_toggle_links_equal_the_plain_way(query: SearchQuery) -> None:
    for name in ("source", "tags", "sentiment", "category", "lang"):
        values = VALUES + list(getattr(query, name))
        assert toggle_urls(query, name, values) == \
            [query.toggled(name, v).query_string() for v in values]


@pytest.mark.parametrize("query", QUERIES)
def test_histogram_links_equal_the_plain_way(query: SearchQuery) -> None:
    ranges = [(date(2021, 1, 1), date(2021, 1, 31)), (date(1999, 12, 27), date(2000, 1, 2)),
              (date(1, 1, 1), date(1, 1, 2))]
    assert date_range_urls(query, ranges) == \
        [query.with_dates(a, b).query_string() for a, b in ranges]


def test_whitespace_collapses_as_the_regular_expression_did() -> None:
    odd = "\u00a0\u2003\u2028\x1c\x1d\x1e\x1f\x85\u3000\t\n\r\x0b\x0c "
    for text in ["a  b", f"{odd}lead{odd}and{odd}trail{odd}", "one\u200btoken", "", odd,
                 "# Head\n\n**Bold** [link](https://x.example)\n- item\u00a0 end"]:
        assert plain_text(text) == re.sub(r"\s+", " ", plain_text_marks_only(text)).strip()


def plain_text_marks_only(text: str) -> str:
    from index.highlight import _INLINE_MARKS, _LINE_MARKS, _MARKDOWN_LINK

    return _INLINE_MARKS.sub("", _LINE_MARKS.sub("", _MARKDOWN_LINK.sub(r"\1", text)))


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home, _ = generate_corpus(tmp_path_factory.mktemp("read"), 150, seed=3, procs=1)
    reindex(home, procs=1)
    return home


def test_facet_counts_of_few_documents_equal_the_dense_count(home: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    with open_index(home).searcher() as searcher:
        view = ColumnCache().view_for(searcher)
        rng = np.random.default_rng(4)
        masks = [rng.random(view.size) < share for share in (0, 0.01, 0.05, 0.3, 1)]
        for name in ("source", "tags", "sentiment", "category", "lang"):
            monkeypatch.setattr(facets, "SPARSE_FROM", 10**9)
            dense = [view.count(name, m).tolist() for m in masks]
            monkeypatch.setattr(facets, "SPARSE_FROM", 1)
            monkeypatch.setattr(facets, "SPARSE_SHARE", 1)
            assert [view.count(name, m).tolist() for m in masks] == dense, name
        assert sum(dense[-1]) > 0


def test_unseen_queries_answer_as_warm_ones(home: Path) -> None:
    stream = make_stream(read_sample(home, 3, size=150), 3, total=120)
    with SearchService(home) as service:
        for item in stream:
            query = item.search_query()
            service.clear_caches()
            cold = service.search(query)
            warm = service.search(query)
            assert (cold.total, cold.hits, cold.facets, cold.histogram, cold.fingerprint) == \
                (warm.total, warm.hits, warm.facets, warm.histogram, warm.fingerprint), item.text
