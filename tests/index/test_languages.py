"""Every language the archive holds is searchable (issue 10): each article analysed in its own
language, queries read in every language the index holds, phrases, highlights and "did you
mean" working in each. The articles are written for these tests."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.store import Store
from index.model import SearchQuery

START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)

#: (slug, lang, title, body)
ARTICLES = [
    ("zh-btc", "zh", "比特币矿企股价大涨",
     "周二，比特币价格突破新高，带动科技股和矿企股价上涨。分析师表示，资金继续流入加密市场。"),
    ("zh-chip", "zh", "芯片出口新规出台", "美国公布芯片出口新规，半导体板块全线下跌。"),
    ("ja-tech", "ja", "ハイテク株が上昇、日経平均は続伸",
     "東京市場ではハイテク株が買われ、半導体関連の銘柄が上昇した。ビットコインも高値を更新した。"),
    ("ko-btc", "ko", "비트코인 가격 급등", "비트코인이 사상 최고치를 경신했다. 거래소의 거래량도 늘었다."),
    ("de-banks", "de", "Die Banken erhöhen die Zinsen",
     "Mehrere Banken haben am Montag die Zinsen für Sparkonten erhöht. Die Märkte reagierten "
     "gelassen, der Leitzins bleibt unverändert."),
    ("de-markt", "de", "Ein ruhiger Tag an der Börse",
     "Der Markt schloss kaum verändert; eine Bank meldete höhere Gewinne."),
    ("fr-marches", "fr", "Les marchés financiers reculent",
     "Les banques centrales ont maintenu leurs taux; les marchés européens ont reculé et les "
     "économies émergentes inquiètent les investisseurs."),
    ("es-mercados", "es", "Los mercados suben con fuerza",
     "Las bolsas europeas subieron y los mercados de criptomonedas recuperaron terreno tras las "
     "cifras económicas."),
    ("en-rats", "en", "Rat problem closes the trading floor",
     "A rat was seen near the trading floor, and the exchange closed early."),
    ("en-rates", "en", "Rates hold as the Fed waits",
     "The central bank kept rates unchanged and markets rallied."),
    ("en-nfd", "en", unicodedata.normalize("NFD", "Zürich bank fined"),
     unicodedata.normalize("NFD", "A Zürich bank was fined by the regulator.") +
     " Its \uff22\uff34\uff23 desk (full-width letters) was closed."),
    ("fr-rates", "fr", "Des occasions ratées", "Les investisseurs ont raté la hausse."),
]


def build(home: Path) -> dict[str, str]:
    from index.build import reindex

    store = Store(home)
    ids = {}
    for n, (slug, lang, title, body) in enumerate(ARTICLES):
        article = Article(title=title, body=body, lang=lang, published_at=START + timedelta(hours=n),
                          ingested_at=START + timedelta(hours=n, minutes=5),
                          source=Source(name="World Wire", key="worldwire", type="WEB"),
                          url=f"https://worldwire.example/{slug}",
                          content_hash=compute_content_hash(body))
        article = article.replace(id=derive_id(article))
        store.save(article)
        ids[slug] = article.id
    assert not reindex(home, procs=1).failed
    return ids


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    from index.search import SearchService

    home = tmp_path_factory.mktemp("world") / "home"
    home.mkdir()
    ids = build(home)
    slugs = {v: k for k, v in ids.items()}
    service = SearchService(home)
    yield service, slugs, home
    service.close()


def found(world, q: str) -> list[str]:
    service, slugs, _ = world
    result = service.search(SearchQuery(q=q, sort="oldest", per_page=50))
    return [slugs[hit.id] for hit in result.hits]


@pytest.mark.parametrize("q, expected", [
    # Chinese and Japanese: a clause was one token, so no word inside it was found
    ("比特币", ["zh-btc"]),
    ("科技股", ["zh-btc"]),
    ("矿企", ["zh-btc"]),
    ('"比特币价格"', ["zh-btc"]),
    ("芯片 出口", ["zh-chip"]),
    ("ハイテク株", ["ja-tech"]),
    ("半導体", ["ja-tech"]),
    ("비트코인", ["ko-btc"]),
    ("거래소", ["ko-btc"]),
    # German: Bank / Banken, Markt / Märkte, Zins / Zinsen (stemmed as English before)
    ("Bank", ["de-banks", "de-markt", "en-rates", "en-nfd"]),
    ("Banken", ["de-banks", "de-markt"]),
    ("Markt", ["de-banks", "de-markt"]),
    ("Märkte", ["de-banks", "de-markt"]),
    ("Zins", ["de-banks"]),
    ("Zinsen", ["de-banks"]),
    ('"die Banken erhöhen"', ["de-banks"]),
    ("Banken -Zinsen", ["de-markt"]),
    # French and Spanish
    ("marché", ["fr-marches"]),
    ("banque", ["fr-marches"]),
    ("économie", ["fr-marches"]),
    ("mercado", ["es-mercados"]),
    ("económicas", ["es-mercados"]),
    # English terms are not French ones: 'rates' (English 'rate') does not find an English 'rat';
    # read as French ('rates' -> 'rat') it finds 'ratées'
    ("rates", ["en-rates", "fr-rates"]),
    ("rat", ["en-rats", "fr-rates"]),
    # NFD text and full-width letters (in the article and in the query)
    ("Zürich", ["en-nfd"]),
    (unicodedata.normalize("NFD", "Zürich"), ["en-nfd"]),
    ("BTC", ["en-nfd"]),
    ("\uff22\uff34\uff23", ["en-nfd"]),
    # a stop word in one language only: 'die' is German for 'the'
    ("die Zinsen", ["de-banks"]),
])
def test_each_language_is_found(world, q: str, expected: list[str]) -> None:
    assert found(world, q) == expected


def test_highlights_in_each_language(world) -> None:
    service, slugs, _ = world

    def snippet(q: str) -> str:
        (hit,) = service.search(SearchQuery(q=q)).hits
        return hit.snippet

    assert "<mark>比特币</mark>价格突破新高" in snippet("比特币")
    assert "带动<mark>科技股</mark>和<mark>矿企</mark>股价" in snippet("科技股 矿企")
    assert "<mark>ハイテク株</mark>が買われ" in snippet("ハイテク株")
    assert ("Mehrere <mark>Banken</mark> haben am Montag die <mark>Zinsen</mark> für Sparkonten "
            "erhöht. Die <mark>Märkte</mark>") in snippet("Zins Markt Banken")
    assert "A <mark>Zürich</mark> bank" in snippet("Zürich")
    assert "Its <mark>BTC</mark> desk" in snippet("btc")


def test_did_you_mean_in_german_and_french(world) -> None:
    service, _, _ = world
    assert service.search(SearchQuery(q="Bankenn")).suggestion == "banken"
    assert service.search(SearchQuery(q="marchés financierss")).suggestion == "marchés financiers"


def test_similar_articles_use_the_article_language(world) -> None:
    service, slugs, _ = world
    ids = {v: k for k, v in slugs.items()}
    similar = [slugs[h.id] for h in service.more_like_this(ids["de-banks"], limit=3)]
    assert similar[:1] == ["de-markt"]


def test_an_english_only_index_reads_queries_in_english_alone(tmp_path: Path) -> None:
    """The query of an index without other languages is the one of version 1 (no language
    restriction, no other reading)."""
    from index.query import parse_query
    from whoosh import query as wq

    assert parse_query("banks", {"en": ("en", "zh")}) == wq.Or(
        [wq.Term("title", "bank"), wq.Term("description", "bank"), wq.Term("body", "bank")])
    both = parse_query("Banken", {"en": ("en",), "de": ("de", "de-at")})
    assert both == wq.Or([
        wq.And([wq.Or([wq.Term(f, "banken") for f in ("title", "description", "body")]),
                wq.Term("lang", "en")]),
        wq.And([wq.Or([wq.Term(f, "de:bank") for f in ("title", "description", "body")]),
                wq.Or([wq.Term("lang", "de"), wq.Term("lang", "de-at")])])])
    assert parse_query("source:coindesk", {"en": ("en",), "de": ("de",)}) == wq.Term("source", "coindesk")


def test_bulk_written_index_equals_whoosh_written(tmp_path: Path) -> None:
    """The bulk writer's fast path analyses each language as Whoosh's writer does with the
    schema's analyzer: the same terms, postings, positions, lengths and stored fields."""
    from whoosh.writing import SegmentWriter

    from index.build import document_for
    from index.bulkwriter import BulkSegmentWriter
    from tests.index.test_bulkwriter import build_with, snapshot

    home = tmp_path / "home"
    docs = []
    for n, (slug, lang, title, body) in enumerate(ARTICLES):
        article = Article(title=title, body=body * 2, lang=lang, description=body[::-1],
                          published_at=START, source=Source(name="W", key="w", type="WEB"))
        article = article.replace(id=derive_id(article.replace(url=f"https://w.example/{n}")))
        docs.append(document_for(article, home / f"articles/{slug}.md", home))
    plain = snapshot(build_with(SegmentWriter, tmp_path / "plain", docs))
    bulk = snapshot(build_with(BulkSegmentWriter, tmp_path / "bulk", docs))
    assert bulk == plain
    assert b"de:bank" in plain["body"]["terms"] and "比特".encode() in plain["body"]["terms"]
    assert all(type(v) is str for fields in plain["stored"] for v in fields.values()
               if isinstance(v, str))
