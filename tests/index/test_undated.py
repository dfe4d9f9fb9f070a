"""Articles whose publication date is unknown (``dateSource: ingested``): the undated contract.

The index holds no ``published`` for them; they sort after every dated article (newest and
oldest first, and among equal relevance scores), are counted apart from the histogram, are left
out of date ranges unless ``undated=include`` asks for them, and can be listed alone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from archive.errors import QueryError
from index.build import document_for
from index.model import SearchQuery, UndatedCount, parse_params
from index.search import SearchService, fingerprint
from tests.index.fixtures import UNDATED_INGESTED, build_undated_index, undated_articles
from tests.index.test_search import NEWEST_FIRST


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("undated") / "home"
    home.mkdir()
    dated, undated = build_undated_index(home)
    service = SearchService(home)
    yield home, dated, undated, service
    service.close()


@pytest.fixture(scope="module")
def service(built):
    return built[3]


@pytest.fixture(scope="module")
def slugs(built):
    return {a.id: a.url.rsplit("/", 1)[-1] for a in built[1] + built[2]}


UNDATED = ["memory-glut-chip-makers", "bitcoin-miners-cheaper-power"]  # by id: 4b.. < 8f..


def listed(service, slugs, **kwargs):
    return [slugs[h.id] for h in service.search(SearchQuery(per_page=100, **kwargs)).hits]


def test_the_index_has_no_published_date_for_an_undated_article():
    article = undated_articles()[0]
    doc = document_for(article, "articles/2026/11/x.en.md", "/srv")
    assert "published" not in doc
    assert (doc["date_source"], doc["ingested"]) == ("ingested", UNDATED_INGESTED.replace(tzinfo=None))


def test_undated_sort_last_newest_and_oldest_first(service, slugs):
    undated = sorted(UNDATED, key=lambda s: next(i for i, v in slugs.items() if v == s))
    assert listed(service, slugs) == NEWEST_FIRST + undated
    assert listed(service, slugs, sort="newest") == NEWEST_FIRST + undated
    assert listed(service, slugs, sort="oldest") == NEWEST_FIRST[::-1] + undated
    # the exports read the same order
    assert [slugs[h.id] for h in service.iter_hits(SearchQuery(sort="oldest"), 100)] == \
        NEWEST_FIRST[::-1] + undated


def test_undated_hits_have_no_date(service, slugs):
    hits = {slugs[h.id]: h for h in service.search(SearchQuery(per_page=100)).hits}
    miners = hits["bitcoin-miners-cheaper-power"]
    assert (miners.published, miners.date_source, miners.ingested) == (None, "ingested", UNDATED_INGESTED)
    assert hits["bitcoin-etf-outflows"].date_source == "provided"
    assert hits["bitcoin-etf-outflows"].published is not None


def test_equal_relevance_puts_undated_after_dated(tmp_path):
    from archive.store import Store
    from index.build import reindex

    home = tmp_path / "home"
    base = undated_articles()[0]
    twins = []
    for n, source in enumerate(("ingested", "provided", "ingested")):
        twin = base.replace(url=f"https://twins.example/{n}", date_source=source,
                            published_at=base.published_at.replace(year=2020 + n))
        twins.append(Store(home).save(twin.replace(id=f"twin{n}")).article)
    reindex(home, procs=1)
    # the same text: one story; listed as articles, each is a hit
    with SearchService(home) as service:
        hits = service.search(SearchQuery(q="hydro dams", collapse=False)).hits
    assert len({h.score for h in hits}) == 1  # the same text: the same score
    assert [h.id for h in hits] == ["twin1", "twin0", "twin2"]  # dated first, then by id


def test_histogram_counts_undated_apart(service):
    result = service.search(SearchQuery())
    assert result.total == 21
    assert sum(b.count for b in result.histogram) == 19
    assert result.histogram[-1].start < date(2026, 3, 1)  # no bar for the ingest day in November
    assert result.undated == UndatedCount(count=2, included=True, url="?undated=only", selected=False)
    assert result.to_dict()["undated"] == {"count": 2, "included": True, "url": "?undated=only",
                                           "selected": False}


def test_date_range_leaves_undated_out_unless_asked(service, slugs):
    # both ends, one end (an open range used to let the undated through: MISSING is the largest
    # number) and a range that covers the ingest day
    for kwargs in ({"date_from": date(2025, 1, 1), "date_to": date(2026, 12, 31)},
                   {"date_from": date(2025, 1, 1)}, {"date_to": date(2026, 12, 31)},
                   {"date_from": date(2026, 11, 30), "date_to": date(2026, 11, 30)}):
        result = service.search(SearchQuery(**kwargs))
        assert not set(UNDATED) & set(slugs[h.id] for h in result.hits), kwargs
        assert (result.undated.count, result.undated.included) == (2, False), kwargs
    with_undated = service.search(SearchQuery(date_from=date(2026, 2, 1), undated="include", per_page=100))
    assert [slugs[h.id] for h in with_undated.hits] == NEWEST_FIRST[:6] + sorted(
        UNDATED, key=lambda s: next(i for i, v in slugs.items() if v == s))
    assert (with_undated.total, with_undated.undated.included) == (8, True)


def test_query_language_dates_match_dated_articles_only(service, slugs):
    assert service.search(SearchQuery(q="published:2026-11")).total == 0
    assert service.search(SearchQuery(q="published:[2020-01-01 TO]")).total == 19
    assert service.search(SearchQuery(q="ingested:2026-11")).total == 2


def test_exclude_and_only(service, slugs):
    assert listed(service, slugs, undated="exclude") == NEWEST_FIRST
    only = service.search(SearchQuery(undated="only"))
    assert sorted(slugs[h.id] for h in only.hits) == sorted(UNDATED)
    assert only.total == 2
    assert only.undated == UndatedCount(count=2, included=True, url="?", selected=True)
    # the bars still show the dated matches, each linking back to every date
    assert sum(b.count for b in only.histogram) == 19
    assert "undated" not in only.histogram[0].url
    # facets count the undated ones only
    assert {v.value: v.count for v in only.facets["source"]} == {"coindesk": 1, "chipletter": 1}


def test_facet_filters_apply_to_the_undated_count(service):
    result = service.search(SearchQuery(source=("coindesk",)))
    assert (result.total, result.undated.count) == (5, 1)  # 4 dated + 1 undated
    assert result.undated.url == "?source=coindesk&undated=only"
    assert service.search(SearchQuery(q="memory")).undated.count == 1


def test_fingerprint_lists_undated_last(service, built):
    _, dated, undated, _ = built
    result = service.search(SearchQuery(sort="oldest"))
    ordered = [h.id for h in service.iter_hits(SearchQuery(sort="newest"), 100)]
    assert result.fingerprint == fingerprint(ordered)
    assert set(ordered[-2:]) == {a.id for a in undated}


def test_undated_parameter(service):
    assert parse_params({"undated": "include"}).undated == "include"
    assert parse_params({"undated": "ONLY"}).undated == "only"
    assert parse_params({}).undated == ""
    assert SearchQuery(undated="exclude", date_from=date(2026, 1, 1)).query_string() == \
        "?from=2026-01-01&undated=exclude"
    with pytest.raises(QueryError, match=r"^'undated' must be one of include, exclude, only, not 'maybe'$"):
        parse_params({"undated": "maybe"})
    with pytest.raises(QueryError, match=r"^'undated=only' lists the articles without a date"):
        parse_params({"undated": "only", "from": "2026"})
    # narrowing to a bucket leaves "only"; the undated bucket clears the dates
    query = SearchQuery(q="x", undated="only")
    assert query.with_dates(date(2026, 1, 1), date(2026, 1, 31)).undated == ""
    assert SearchQuery(q="x", date_from=date(2026, 1, 1)).only_undated() == query
    assert query.only_undated() == SearchQuery(q="x")
    assert replace(query, page=3).cleared() == SearchQuery(q="x")


def test_stats_count_undated_apart(service):
    stats = service.stats()
    assert stats.total == 21
    assert sum(c for _, c in stats.by_year) == 19
    assert stats.extra["undated"] == 2
