"""Coverage over time on a real index: exact counts, shares, stories, splits and the undated,
through ``SearchService.timeline`` (the one function behind the page, the API, CSV and CLI)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from archive.errors import QueryError
from archive.store import Store
from index.build import reindex
from index.model import SearchQuery
from index.search import SearchService
from index.timeline import merge_queries, parse_timeline_params
from tests.index.timeline_fixtures import timeline_articles


@pytest.fixture(scope="module")
def timeline_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("timeline") / "home"
    store = Store(home)
    for article in timeline_articles():
        store.save(article)
    reindex(home, procs=1)
    return home


def run(home: Path, **params):
    with SearchService(home) as service:
        return service.timeline(parse_timeline_params({k: [v] if isinstance(v, str) else v
                                                       for k, v in params.items()}))


def test_counts_and_shares_per_month_are_exact(timeline_home):
    t = run(timeline_home, q1="copper", q2="gold", interval="month")
    assert t.interval == "month"
    assert [(b.start, b.end) for b in t.buckets] == [
        (date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 2, 1), date(2026, 3, 1))]
    assert t.base == (9, 18) and t.base_undated == 2  # March has no copper or gold: not drawn
    copper, gold = t.series
    assert (copper.label, copper.counts, copper.total, copper.undated) == ("copper", (4, 2), 6, 1)
    assert (gold.label, gold.counts, gold.total, gold.undated) == ("gold", (1, 4), 5, 0)
    # the share of all coverage: February's archive is twice January's
    assert copper.shares == (pytest.approx(4 / 9), pytest.approx(2 / 18))
    assert gold.shares == (pytest.approx(1 / 9), pytest.approx(4 / 18))


def test_the_shared_filters_are_the_base_and_narrow_every_query(timeline_home):
    t = run(timeline_home, q1="copper", q2="gold", source="harborstreet", interval="month",
            **{"from": "2026-01-01", "to": "2026-03-31"})
    assert [b.start for b in t.buckets] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    # Harbor Street: January 3 copper + 4 ports, February 1 copper + 6 ports, March 2 ports
    assert t.base == (7, 7, 2)
    assert [s.counts for s in t.series] == [(3, 1, 0), (0, 0, 0)]
    assert t.series[0].shares == (pytest.approx(3 / 7), pytest.approx(1 / 7), 0.0)


def test_stories_are_counted_once_in_their_first_versions_bucket(timeline_home):
    t = run(timeline_home, q1="copper", interval="month", unit="stories")
    assert t.series[0].counts == (3, 2) and t.series[0].undated == 1
    assert t.base == (8, 18)  # the syndicated copy is not a story of its own


def test_split_by_sentiment_and_by_source(timeline_home):
    by_sentiment = run(timeline_home, q1="copper", interval="month", split="sentiment")
    assert [(s.split_value, s.counts, s.undated) for s in by_sentiment.series] == [
        ("POSITIVE", (4, 0), 1), ("NEGATIVE", (0, 2), 0)]
    by_source = run(timeline_home, q1="copper", interval="month", split="source")
    assert [(s.split_label, s.counts) for s in by_source.series] == [
        ("Harbor Street", (3, 1)), ("Meridian Markets", (1, 1))]
    # a split's bucket opens the search narrowed to its value and month
    assert by_source.series[1].urls[0] == (
        "?q=copper&source=meridian&from=2026-01-01&to=2026-01-31&sort=newest")


def test_by_week_day_and_year_and_the_rows(timeline_home):
    weeks = run(timeline_home, q1="gold", interval="week", **{"from": "2026-02-02", "to": "2026-02-08"})
    assert [(b.start, s) for b, s in zip(weeks.buckets, weeks.series[0].counts)] == [(date(2026, 2, 2), 4)]
    days = run(timeline_home, q1="gold", interval="day", **{"from": "2026-02-02", "to": "2026-02-06"})
    assert days.series[0].counts == (1, 1, 1, 1, 0) and days.base == (1, 2, 1, 1, 0)  # copper on the 3rd
    years = run(timeline_home, q1="copper", interval="year")
    assert (years.base, years.series[0].counts) == ((29,), (6,))
    assert years.rows() == [
        ["bucket_start", "bucket_end", "copper (articles)", "copper (share)", "all coverage (articles)"],
        ["2026-01-01", "2026-12-31", 6, round(6 / 29, 6), 29],
        ["undated", "", 1, "", 2],
    ]


def test_undated_articles_are_never_in_a_bucket_nor_in_todays(timeline_home):
    everything = run(timeline_home, q1="port", interval="month")
    assert [b.start for b in everything.buckets][-1] == date(2026, 3, 1)  # not November
    assert everything.series[0].undated == 1 and sum(everything.series[0].counts) == 18
    with SearchService(timeline_home) as service:
        result = service.search(SearchQuery(q="port"))
    assert result.undated.count == 1 and sum(b.count for b in result.histogram) == 18


def test_merge_queries_keeps_what_both_sides_allow():
    shared = SearchQuery(q="metals", source=("harborstreet", "meridian"),
                         date_from=date(2026, 1, 1), date_to=date(2026, 6, 30))
    own = SearchQuery(q="copper OR zinc", source=("meridian", "other"), date_from=date(2026, 3, 1))
    merged = merge_queries(shared, own)
    assert (merged.q, merged.source, merged.date_from, merged.date_to) == (
        "(metals) (copper OR zinc)", ("meridian",), date(2026, 3, 1), date(2026, 6, 30))
    assert merge_queries(SearchQuery(source=("a",)), SearchQuery(source=("b",))).source == ("\u2205",)


@pytest.mark.parametrize("params, message", [
    ({}, "a timeline needs at least one query: q1=... (up to q6)"),
    ({"q7": "x"}, "a timeline compares at most 6 queries, not 'q7' (use q1..q6)"),
    ({"q1": "x", "interval": "fortnight"},
     "'interval' must be one of auto, day, week, month, year, not 'fortnight'"),
    ({"q1": "x", "split": "author"}, "'split' must be one of , sentiment, source, not 'author'"),
    ({"q1": "x", "unit": "words"}, "'unit' must be one of articles, stories, not 'words'"),
    ({"q1": "x", "bogus": "1"}, None),
    ({"q1": "copper", "interval": "day", "from": "2020-01-01"},
     "by day this timeline has 2,240 buckets; the most is 400: choose a longer interval or narrow the dates"),
    ({"q1": '"unclosed'}, None),
])
def test_bad_parameters_say_what_is_wrong(timeline_home, params, message):
    with pytest.raises(QueryError) as caught:
        run(timeline_home, **params)
    if message is not None:
        assert caught.value.message == message
    else:
        assert caught.value.message  # a sentence naming the fault (checked in the web tests)
