"""Search on a real index built from the fixture articles: exact hits, facets, histogram,
highlights, errors, drafts, tombstones, ``as_of`` replays, paging, did-you-mean, more-like-this."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.errors import NotFound, QueryError
from archive.store import Store
from index.model import FacetValue, HistogramBucket, SearchQuery, parse_params
from index.search import SearchService, fingerprint
from tests.index.fixtures import INGEST_DELAY, build_fixture_index

#: the fixture articles newest first (the draft, published 2026-02-12, left out)
NEWEST_FIRST = [
    "ether-staking-inflows-record",       # 2026-02-10
    "solana-network-upgrade",             # 2026-02-06
    "bitcoin-kurs-faellt",                # 2026-02-05
    "bitcoin-slips-below-74000",          # 2026-02-04
    "software-stocks-slide-ai-fears",     # 2026-02-03
    "chipmakers-rally-ai-boom",           # 2026-02-02
    "ezb-zinsen-unveraendert",            # 2026-01-29
    "fed-holds-rates-markets-calm",       # 2026-01-28
    "stablecoin-bill-senate-vote",        # 2026-01-22
    "dax-record-high",                    # 2026-01-20
    "inflation-cools-in-december",        # 2026-01-13
    "memory-prices-rise-again",           # 2026-01-07
    "bitcoin-etf-outflows",               # 2025-12-30
    "retail-sales-holiday",               # 2025-12-27
    "foundry-capacity-2nm",               # 2025-12-18
    "smartphone-shipments-flat",          # 2025-12-09
    "mining-difficulty-adjustment",       # 2025-11-19
    "exchange-outage-refunds",            # 2025-11-03
    "oil-prices-jump-supply-cut",         # 2025-10-14
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    home = tmp_path_factory.mktemp("search") / "home"
    home.mkdir()
    articles = build_fixture_index(home)
    service = SearchService(home)
    yield home, articles, service
    service.close()


@pytest.fixture(scope="module")
def service(built):
    return built[2]


@pytest.fixture(scope="module")
def ids(built):
    """slug -> article id"""
    return {a.url.rsplit("/", 1)[-1]: a.id for a in built[1]}


@pytest.fixture(scope="module")
def slugs(ids):
    return {v: k for k, v in ids.items()}


def found(service, slugs, **kwargs):
    result = service.search(SearchQuery(**kwargs))
    return [slugs[hit.id] for hit in result.hits]


# ------------------------------------------------------------------------------------ hits --

def test_empty_query_lists_everything_newest_first(service, slugs):
    result = service.search(SearchQuery(per_page=100))
    assert result.total == 19
    assert [slugs[h.id] for h in result.hits] == NEWEST_FIRST
    assert all(h.score is None for h in result.hits)
    assert found(service, slugs, sort="oldest", per_page=100) == NEWEST_FIRST[::-1]


@pytest.mark.parametrize("q, expected", [
    ("bitcoin", ["bitcoin-kurs-faellt", "bitcoin-slips-below-74000", "bitcoin-etf-outflows",
                 "mining-difficulty-adjustment"]),
    ("bitcoin miners", ["bitcoin-slips-below-74000", "mining-difficulty-adjustment"]),
    ('"rate cut"', ["inflation-cools-in-december"]),
    ('"cut rate"', []),
    ("solana OR ether", ["ether-staking-inflows-record", "solana-network-upgrade"]),
    ("bitcoin NOT etf", ["bitcoin-kurs-faellt", "bitcoin-slips-below-74000",
                         "mining-difficulty-adjustment"]),
    ("bitcoin -etf", ["bitcoin-kurs-faellt", "bitcoin-slips-below-74000",
                      "mining-difficulty-adjustment"]),
    ("(solana OR ether) validators", ["ether-staking-inflows-record", "solana-network-upgrade"]),
    ("title:bitcoin", ["bitcoin-kurs-faellt", "bitcoin-slips-below-74000", "bitcoin-etf-outflows"]),
    ("source:TheBlock", ["solana-network-upgrade", "stablecoin-bill-senate-vote", "exchange-outage-refunds"]),
    ("tag:semiconductors", ["chipmakers-rally-ai-boom", "memory-prices-rise-again", "foundry-capacity-2nm"]),
    ("sentiment:negative", ["bitcoin-kurs-faellt", "bitcoin-slips-below-74000",
                            "software-stocks-slide-ai-fears", "bitcoin-etf-outflows",
                            "exchange-outage-refunds"]),
    ("lang:de", ["bitcoin-kurs-faellt", "ezb-zinsen-unveraendert", "dax-record-high"]),
    ("category:macro", ["ezb-zinsen-unveraendert", "fed-holds-rates-markets-calm",
                        "inflation-cools-in-december", "retail-sales-holiday"]),
    ("author:marketwire", ["fed-holds-rates-markets-calm", "inflation-cools-in-december",
                           "retail-sales-holiday", "oil-prices-jump-supply-cut"]),
    ("published:2026-02", NEWEST_FIRST[:6]),
    ("published:2025", NEWEST_FIRST[12:]),
    ("published:2026-01-28", ["fed-holds-rates-markets-calm"]),
    ("published:[2026-01-20 TO 2026-01-28]", ["fed-holds-rates-markets-calm",
                                              "stablecoin-bill-senate-vote", "dax-record-high"]),
    ("stabl*", ["stablecoin-bill-senate-vote"]),
    ("market* published:2025", ["oil-prices-jump-supply-cut"]),
    ("NOT published:2026", NEWEST_FIRST[12:]),
])
def test_query_forms_newest_first(service, slugs, q, expected):
    assert found(service, slugs, q=q, sort="newest", per_page=100) == expected
    assert service.search(SearchQuery(q=q)).total == len(expected)


def test_relevance_order(service, slugs):
    result = service.search(SearchQuery(q="bitcoin"))
    # title matches first; the article that only says it once in the body last
    assert [slugs[h.id] for h in result.hits] == [
        "bitcoin-kurs-faellt", "bitcoin-etf-outflows", "bitcoin-slips-below-74000",
        "mining-difficulty-adjustment"]
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    # keyword-only queries have nothing to rank by: newest first
    assert found(service, slugs, q="category:macro") == [
        "ezb-zinsen-unveraendert", "fed-holds-rates-markets-calm",
        "inflation-cools-in-december", "retail-sales-holiday"]


def test_hit_fields(service, ids):
    [hit] = service.search(SearchQuery(q="stablecoin")).hits
    assert (hit.id, hit.title, hit.published, hit.source, hit.source_name, hit.sentiment, hit.tags,
            hit.lang, hit.category, hit.author, hit.url, hit.description) == (
        ids["stablecoin-bill-senate-vote"], "Senate schedules a vote on the stablecoin bill",
        datetime(2026, 1, 22, 18, 30, tzinfo=timezone.utc), "theblock", "The Block", "NEUTRAL",
        ("STABLECOINS", "REGULATION"), "en", "policy", "Theblock Staff",
        "https://theblock.example/2026/01/stablecoin-bill-senate-vote",
        "Issuers would need full reserves and monthly audits.")
    assert hit.snippet == (
        "The Senate scheduled a vote on the <mark>stablecoin</mark> bill for next month. The text "
        "requires issuers to hold full reserves in cash and short Treasury bills and to publish "
        "monthly audits.")


# ---------------------------------------------------------------------------------- filters --

def test_filters_or_within_and_across_facets(service, slugs):
    assert found(service, slugs, source=("coindesk", "theblock"), sentiment=("NEGATIVE",),
                 per_page=100) == ["bitcoin-slips-below-74000", "bitcoin-etf-outflows",
                                   "exchange-outage-refunds"]
    assert found(service, slugs, tags=("BTC", "eth"), lang=("en",)) == [
        "ether-staking-inflows-record", "bitcoin-slips-below-74000", "bitcoin-etf-outflows",
        "mining-difficulty-adjustment"]
    assert found(service, slugs, category=("MACRO",), date_from=date(2026, 1, 13),
                 date_to=date(2026, 1, 28)) == ["fed-holds-rates-markets-calm",
                                                "inflation-cools-in-december"]
    assert found(service, slugs, source=("nosuchsource",)) == []


def test_facet_counts_are_disjunctive(service):
    query = SearchQuery(q="bitcoin", source=("coindesk",))
    result = service.search(query)
    assert result.total == 3

    def facet(name, value, label, count, selected):
        return FacetValue(value, label, count, selected, query.toggled(name, value).query_string())

    assert result.facets == {
        # the source facet ignores its own filter: Finanzblatt would add one
        "source": (facet("source", "coindesk", "CoinDesk", 3, True),
                   facet("source", "finanzblatt", "Finanzblatt", 1, False)),
        "tags": (facet("tags", "btc", "BTC", 3, False), facet("tags", "etf", "ETF", 1, False),
                 facet("tags", "markets", "MARKETS", 1, False), facet("tags", "mining", "MINING", 1, False)),
        "sentiment": (facet("sentiment", "NEGATIVE", "NEGATIVE", 2, False),
                      facet("sentiment", "NEUTRAL", "NEUTRAL", 1, False)),
        "category": (facet("category", "btc", "BTC", 3, False),),
        "lang": (facet("lang", "en", "en", 3, False),),
        "tickers": (),
    }
    assert result.facets["source"][1].toggle_url == "?q=bitcoin&source=coindesk&source=finanzblatt"
    assert result.facets["source"][0].toggle_url == "?q=bitcoin"


def test_selected_values_stay_listed_with_zero_and_keep_their_spelling(service):
    query = SearchQuery(q="bitcoin", tags=("BTC", "OIL"), sentiment=("POSITIVE",))
    result = service.search(query)
    assert result.total == 0
    assert result.facets["tags"] == (
        FacetValue("BTC", "BTC", 0, True, "?q=bitcoin&tag=OIL&sentiment=POSITIVE"),
        FacetValue("OIL", "OIL", 0, True, "?q=bitcoin&tag=BTC&sentiment=POSITIVE"),
    )
    # sentiment ignores its own filter: the bitcoin articles with BTC or OIL tags
    assert result.facets["sentiment"] == (
        FacetValue("NEGATIVE", "NEGATIVE", 3, False,
                   "?q=bitcoin&tag=BTC&tag=OIL&sentiment=POSITIVE&sentiment=NEGATIVE"),
        FacetValue("NEUTRAL", "NEUTRAL", 1, False,
                   "?q=bitcoin&tag=BTC&tag=OIL&sentiment=POSITIVE&sentiment=NEUTRAL"),
        FacetValue("POSITIVE", "POSITIVE", 0, True, "?q=bitcoin&tag=BTC&tag=OIL"),
    )


def test_facets_of_everything(service):
    result = service.search(SearchQuery())
    counts = {name: [(v.value, v.count) for v in values] for name, values in result.facets.items()}
    # by count, then by label
    assert counts["source"] == [("coindesk", 4), ("marketwire", 4), ("finanzblatt", 3),
                                ("techdaily", 3), ("theblock", 3), ("chipletter", 2)]
    assert [v.label for v in result.facets["source"]] == [
        "CoinDesk", "Market Wire", "Finanzblatt", "Tech Daily", "The Block", "Chip Letter"]
    assert counts["sentiment"] == [("POSITIVE", 9), ("NEGATIVE", 5), ("NEUTRAL", 5)]
    assert counts["lang"] == [("en", 16), ("de", 3)]
    assert counts["tags"][:4] == [("markets", 6), ("btc", 4), ("rates", 3), ("semiconductors", 3)]
    assert len(counts["tags"]) == 26 and sum(c for _, c in counts["tags"]) == 39


# -------------------------------------------------------------------------------- histogram --

def _weekly(days: list[date]) -> list[tuple[date, int]]:
    first = min(days) - timedelta(days=min(days).weekday())
    weeks = [first]
    while weeks[-1] + timedelta(days=7) <= max(days):
        weeks.append(weeks[-1] + timedelta(days=7))
    return [(w, sum(w <= d < w + timedelta(days=7) for d in days)) for w in weeks]


def test_histogram_weekly_over_four_months(service):
    result = service.search(SearchQuery())
    published = [h.published.date() for h in service.search(SearchQuery(per_page=100)).hits]
    assert result.interval == "week"
    assert [(b.start, b.count) for b in result.histogram] == _weekly(published)
    assert len(result.histogram) == 18 and sum(b.count for b in result.histogram) == 19
    first = result.histogram[0]
    assert first == HistogramBucket(date(2025, 10, 13), date(2025, 10, 20), 1,
                                    "?from=2025-10-13&to=2025-10-19")


def test_histogram_daily_for_a_month_and_narrowing_links(service, slugs):
    query = SearchQuery(q="published:2026-02", source=("coindesk", "finanzblatt"))
    result = service.search(query)
    assert result.interval == "day"
    assert [(b.start, b.count) for b in result.histogram] == [
        (date(2026, 2, 4), 1), (date(2026, 2, 5), 1), (date(2026, 2, 6), 0),
        (date(2026, 2, 7), 0), (date(2026, 2, 8), 0), (date(2026, 2, 9), 0), (date(2026, 2, 10), 1)]
    assert result.histogram[0].url == ("?q=published%3A2026-02&source=coindesk&source=finanzblatt"
                                       "&from=2026-02-04&to=2026-02-04")
    narrowed = parse_params({"q": "published:2026-02", "source": ["coindesk", "finanzblatt"],
                             "from": "2026-02-05", "to": "2026-02-05"})
    assert [slugs[h.id] for h in service.search(narrowed).hits] == ["bitcoin-kurs-faellt"]


def test_histogram_follows_the_matches_and_can_be_empty(service):
    result = service.search(SearchQuery(date_from=date(2021, 1, 1)))
    assert result.interval == "week"  # the buckets follow the matches, not the filter's range
    assert service.search(SearchQuery(q="nothingmatchesthis")).histogram == ()


# ------------------------------------------------------------------------------- highlights --

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """An index with an article whose title and body carry markup."""
    from index.build import reindex

    home = tmp_path_factory.mktemp("hostile") / "home"
    home.mkdir()
    article = Article(
        title='Exploit <script>alert("title")</script> hits bitcoin bridge',
        description="A <img src=x onerror=alert(1)> description",
        published_at=datetime(2026, 2, 1, 12, tzinfo=timezone.utc),
        ingested_at=datetime(2026, 2, 1, 13, tzinfo=timezone.utc),
        body='The bridge lost funds. <script>alert("body")</script> Bitcoin & ether holders '
             "were told to wait; the <b>bridge</b> is paused.",
        source=Source(name="<Evil> News", key="evil"),
        lang="en",
        url="https://evil.example/exploit",
    )
    article = article.replace(id=derive_id(article), content_hash=compute_content_hash(article.body))
    Store(home).save(article)
    reindex(home, procs=1)
    with SearchService(home) as service:
        yield service


def test_highlights_escape_markup(hostile):
    [hit] = hostile.search(SearchQuery(q="bitcoin bridge")).hits
    assert hit.snippet == (
        "The <mark>bridge</mark> lost funds. &lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt; "
        "<mark>Bitcoin</mark> &amp; ether holders were told to wait; the &lt;b&gt;"
        "<mark>bridge</mark>&lt;/b&gt; is paused.")
    assert hit.title == 'Exploit <script>alert("title")</script> hits bitcoin bridge'  # data, escaped by renderers
    [hit] = hostile.search(SearchQuery(q="title:script")).hits
    assert "<script" not in hit.snippet and "<img" not in hit.snippet


def test_highlight_marks_prefix_and_phrase_words(service):
    [hit] = service.search(SearchQuery(q="stabl*")).hits
    assert hit.snippet.count("<mark>stablecoin</mark>") == 1
    [hit] = service.search(SearchQuery(q='"supply cut"')).hits
    assert "<mark>supply</mark> <mark>cut</mark>" in hit.snippet


# ---------------------------------------------------------------------------------- errors --

@pytest.mark.parametrize("q, message", [
    ('"bitcoin etf', 'a quote is not closed: add the closing " (or remove the lone one)'),
    ("(bitcoin", "a '(' is not closed: add the matching ')'"),
    ("bitcoin AND", "'AND' needs a word or group after it"),
    ("*", "'*' alone matches everything: leave the query empty to list all articles, or put at "
          "least 3 letters before it (bitco*)"),
    ("weird:thing", "unknown field 'weird:'; the fields are title:, description:, body:, source:, "
                    "tag:, ticker:, sentiment:, author:, lang:, category:, url:, published:, ingested:"),
])
def test_query_errors(service, q, message):
    with pytest.raises(QueryError) as caught:
        service.search(SearchQuery(q=q))
    assert str(caught.value) == message


def test_prefix_expansion_is_limited(service, monkeypatch):
    import index.search as search_module

    monkeypatch.setattr(search_module, "MAX_EXPANSIONS", 1)
    # in the body "sto" starts stock (3 articles), stopp(ed) and store (1 each): only "stock" is
    # kept; the descriptions have only "store"
    limited = service.search(SearchQuery(q="sto*", sort="newest"))
    assert [h.title for h in limited.hits] == [
        "Bitcoin slips below $74,000 as tech stocks drag crypto lower",
        "Software stocks slide on fears that AI agents replace licences",
        "Holiday retail sales beat forecasts",
        "Oil prices jump after producers announce a supply cut"]
    monkeypatch.setattr(search_module, "MAX_EXPANSIONS", 64)
    assert service.search(SearchQuery(q="sto*")).total == 5


# ------------------------------------------------------------------------ paging and drafts --

def test_pages_and_beyond_the_end(service, slugs):
    assert found(service, slugs, per_page=5, page=2) == NEWEST_FIRST[5:10]
    assert found(service, slugs, per_page=5, page=4) == NEWEST_FIRST[15:]
    beyond = service.search(SearchQuery(per_page=5, page=9))
    assert (beyond.total, beyond.hits, beyond.pages) == (19, (), 4)
    relevance = service.search(SearchQuery(q="bitcoin", per_page=3, page=2))
    assert [slugs[h.id] for h in relevance.hits] == ["mining-difficulty-adjustment"]


def test_drafts_only_when_asked(service, slugs):
    assert service.search(SearchQuery(q="export rules")).total == 0
    result = service.search(SearchQuery(q="export rules", include_drafts=True))
    assert [slugs[h.id] for h in result.hits] == ["draft-chip-export-rules"]
    assert service.search(SearchQuery(include_drafts=True)).total == 20


# ------------------------------------------------------------------ suggestions and similar --

def test_did_you_mean(service):
    assert service.search(SearchQuery(q="bitcon")).suggestion == "bitcoin"
    assert service.search(SearchQuery(q="etherr staking")).suggestion == "ether staking"
    assert service.search(SearchQuery(q="bitcoin")).suggestion is None
    assert service.search(SearchQuery(q="zzzzqqq")).suggestion is None


def test_more_like_this(service, ids, slugs):
    similar = [slugs[h.id] for h in service.more_like_this(ids["ether-staking-inflows-record"], limit=3)]
    assert similar[0] == "solana-network-upgrade"  # validators, upgrade, client
    assert "ether-staking-inflows-record" not in similar and len(similar) == 3
    everything = service.more_like_this(ids["foundry-capacity-2nm"], limit=50)
    assert ids["draft-chip-export-rules"] not in {h.id for h in everything}
    with pytest.raises(NotFound):
        service.more_like_this("0000000000000000")


def test_iter_hits_follows_the_sort_and_stops_at_cap(service, slugs):
    assert [slugs[h.id] for h in service.iter_hits(SearchQuery(sort="oldest"), cap=4)] == \
        NEWEST_FIRST[::-1][:4]
    relevance = [slugs[h.id] for h in service.iter_hits(SearchQuery(q="bitcoin"), cap=100)]
    assert relevance == [slugs[h.id] for h in service.search(SearchQuery(q="bitcoin")).hits]


def test_stats(service):
    stats = service.stats()
    assert stats.total == 19
    assert stats.by_source == (("coindesk", 4), ("marketwire", 4), ("finanzblatt", 3),
                               ("techdaily", 3), ("theblock", 3), ("chipletter", 2))
    assert stats.by_sentiment == (("POSITIVE", 9), ("NEGATIVE", 5), ("NEUTRAL", 5))
    assert stats.by_year == (("2025", 7), ("2026", 12))
    assert stats.by_tag[:2] == (("MARKETS", 6), ("BTC", 4))
    assert stats.extra["drafts"] == 1 and stats.extra["deleted"] == 0


# ------------------------------------------------------------- tombstones and as_of replays --

def test_as_of_replay_survives_ingests_and_deletions(tmp_path, ids):
    from index.build import delete_documents, update_documents

    home = tmp_path / "home"
    home.mkdir()
    articles = build_fixture_index(home)
    service = SearchService(home)
    try:
        cut = datetime(2026, 2, 5, 0, 0, tzinfo=timezone.utc)  # after slips (ingested 02-04 17:48)
        cited = service.search(SearchQuery(q="bitcoin", as_of=cut, sort="newest"))
        assert [h.id for h in cited.hits] == [ids["bitcoin-slips-below-74000"],
                                             ids["bitcoin-etf-outflows"],
                                             ids["mining-difficulty-adjustment"]]
        assert cited.fingerprint == fingerprint([h.id for h in cited.hits])
        # the same matches give the same fingerprint whatever the order or page
        assert service.search(SearchQuery(q="bitcoin", as_of=cut, per_page=1, page=2)).fingerprint == \
            cited.fingerprint

        # later: an article is deleted, another one ingested
        delete_documents(home, [ids["bitcoin-etf-outflows"]], when=datetime(2026, 3, 1, tzinfo=timezone.utc))
        late = Article(
            title="Bitcoin miners sell reserves", body="Bitcoin miners sold part of their reserves.",
            published_at=datetime(2026, 1, 15, tzinfo=timezone.utc),
            ingested_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
            source=Source(name="CoinDesk", key="coindesk"), lang="en", url="https://coindesk.example/late")
        late = late.replace(id=derive_id(late), content_hash=compute_content_hash(late.body))
        saved = Store(home).save(late)
        update_documents(home, [(saved.path, saved.article)])

        now = service.search(SearchQuery(q="bitcoin", sort="newest"))
        assert ids["bitcoin-etf-outflows"] not in {h.id for h in now.hits}
        assert late.id in {h.id for h in now.hits}
        assert now.total == 4 and now.fingerprint != cited.fingerprint

        replay = service.search(SearchQuery(q="bitcoin", as_of=cut, sort="newest"))
        assert [h.id for h in replay.hits] == [h.id for h in cited.hits]
        assert replay.fingerprint == cited.fingerprint
        assert replay.facets == cited.facets
        # after the deletion the tombstone is gone from replays too
        after = service.search(SearchQuery(q="bitcoin", as_of=datetime(2026, 3, 1, 1, tzinfo=timezone.utc)))
        assert ids["bitcoin-etf-outflows"] not in {h.id for h in after.hits}
        assert service.stats().extra["deleted"] == 1
        with pytest.raises(NotFound):
            service.more_like_this("does-not-exist")
        assert len(articles) == 20
    finally:
        service.close()


def test_as_of_between_ingests(service, slugs):
    published = datetime(2026, 2, 4, 15, 48, tzinfo=timezone.utc)
    before = service.search(SearchQuery(q="bitcoin", as_of=published + INGEST_DELAY - timedelta(minutes=1)))
    at = service.search(SearchQuery(q="bitcoin", as_of=published + INGEST_DELAY))
    assert before.total == 2 and at.total == 3
    assert {slugs[h.id] for h in at.hits} - {slugs[h.id] for h in before.hits} == {"bitcoin-slips-below-74000"}


# ------------------------------------------------------------------------------- threading --

def test_threads_share_the_arrays_and_see_updates(tmp_path):
    from index.build import update_documents

    home = tmp_path / "home"
    home.mkdir()
    build_fixture_index(home)
    service = SearchService(home)
    results: list[int] = []
    errors: list[BaseException] = []

    def worker():
        try:
            for _ in range(5):
                results.append(service.search(SearchQuery(q="bitcoin")).total)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and results == [4] * 20
    extra = Article(title="Bitcoin hash wars", body="Bitcoin hash rate wars.",
                    published_at=datetime(2026, 2, 20, tzinfo=timezone.utc),
                    ingested_at=datetime(2026, 2, 20, 1, tzinfo=timezone.utc),
                    source=Source(name="CoinDesk", key="coindesk"), lang="en", url="https://coindesk.example/hash")
    extra = extra.replace(id=derive_id(extra), content_hash=compute_content_hash(extra.body))
    saved = Store(home).save(extra)
    update_documents(home, [(saved.path, saved.article)])
    assert service.search(SearchQuery(q="bitcoin")).total == 5
    service.close()


def test_search_result_to_dict_round_trip_shape(service):
    data = service.search(replace(SearchQuery(q="bitcoin", source=("coindesk",)), per_page=2)).to_dict()
    assert sorted(data) == ["as_of", "collapse", "facets", "fingerprint", "histogram", "hits",
                            "interval", "page", "per_page", "query", "stories", "suggestion",
                            "took_ms", "total", "undated", "unit"]
    assert data["total"] == 3 and len(data["hits"]) == 2
    assert data["facets"]["source"][0] == {"value": "coindesk", "label": "CoinDesk", "count": 3,
                                           "selected": True, "toggle_url": "?q=bitcoin&per_page=2"}


# ------------------------------------------------------------------------ snippets, pure --

def test_snippet_matches_stems_and_escapes():
    from index.analysis import analysis_for
    from index.highlight import make_snippet, match_spans, plain_text

    analyzer = analysis_for("en")
    text = "Chipmakers rallied; the rally's <b>rating</b> & ratings rose. Rated? No: rates."
    terms = set(analyzer.terms("rally rating"))
    assert terms == {"ralli", "rate"}
    assert [text[a:b] for a, b in match_spans(text, terms, analyzer)] == [
        "rallied", "rally", "rating", "ratings", "Rated", "rates"]
    assert make_snippet(text, terms, analyzer) == (
        "Chipmakers <mark>rallied</mark>; the <mark>rally</mark>&#39;s &lt;b&gt;<mark>rating</mark>"
        "&lt;/b&gt; &amp; <mark>ratings</mark> rose. <mark>Rated</mark>? No: <mark>rates</mark>.")
    assert make_snippet("<i>plain</i> text", {"other"}, analyzer) == "&lt;i&gt;plain&lt;/i&gt; text"
    assert make_snippet("", {"x"}, analyzer) == ""
    long = "word " * 100 + "target here " + "word " * 100
    snippet = make_snippet(long.strip(), {"target"}, analyzer)
    assert snippet.startswith("\u2026") and snippet.endswith("\u2026") and "<mark>target</mark>" in snippet
    assert len(snippet) < 300
    assert plain_text("# Head\n\n**Bold** [link](https://x.example) and `code`\n- item") == \
        "Head Bold link and code item"
