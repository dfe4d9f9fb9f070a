"""Tickers: the assets file, extraction from text (names, symbols, ticker notation, ambiguity), a
bulk record's own list, and the frontmatter field. Texts here are written for the tests."""

from __future__ import annotations

import pytest

from archive.article import Article, article_from_mapping
from archive.errors import FormatError
from archive.store import parse_article, render_article
from archive.tickers import (
    AssetsError,
    extract_tickers,
    load_assets,
    normalize_ticker,
    parse_assets,
    tickers_from_values,
)
from tests.conftest import SEEDS


def test_the_packaged_assets_file_loads() -> None:
    assets = load_assets()
    assert assets.kinds["BTC"] == "crypto" and assets.kinds["CIFR"] == "company"
    assert assets.kinds["IGV"] == "fund"
    assert {"SOL", "ONE", "LINK", "DOT", "HUT", "COIN"} <= assets.ambiguous
    assert "BTC" not in assets.ambiguous
    assert assets.folded["ether"] == "ETH" and assets.exact["Hut 8"] == "HUT"
    assert "SEC" in assets.notticker


@pytest.mark.parametrize("text, message", [
    ("BTC: bitcoin\n", "line 1: an entry before any [section]"),
    ("[coins]\nBTC: bitcoin\n", "line 1: unknown section [coins]"),
    ("[crypto]\nbtc: bitcoin\n", "line 2: 'btc' is not an upper-case symbol"),
    ("[crypto]\nBTC: bitcoin\n[company]\nBTC: Bitcoin Group\n", "line 4: BTC is listed twice"),
    ("[crypto]\nBTC: bitcoin\nXBT: bitcoin\n", "line 3: the name 'bitcoin' is already BTC"),
])
def test_a_malformed_assets_file_is_refused(text: str, message: str) -> None:
    with pytest.raises(AssetsError) as caught:
        parse_assets(text)
    assert str(caught.value) == message


@pytest.mark.parametrize("text, expected", [
    # names and symbols, in order of first mention, each once
    ("Bitcoin (BTC) and ether rose; BTC led.", ("BTC", "ETH")),
    ("Cipher Mining (NASDAQ: CIFR) and Hut 8 (HUT) fell.", ("CIFR", "HUT")),
    ("HUT 8, IREN and AMD slid.", ("HUT", "IREN", "AMD")),
    ("Bitcoin Cash outpaced bitcoin.", ("BCH", "BTC")),
    ("BITCOIN HITS A RECORD", ("BTC",)),
    # ticker notation names symbols the file does not know
    ("Kelmon Systems (NASDAQ: KLMN) and Orla Mining (TSX: OLA) reported.", ("KLMN", "OLA")),
    ("Acme Robotics (ACMR) jumped.", ("ACMR",)),
    ("$ZORK and $sol moved; US$5 did not.", ("ZORK", "SOL")),
    ("SOL-USD and ETH/BTC traded.", ("SOL", "ETH")),  # a pair's base, not what it is priced in
    # ordinary words that look like symbols are not tickers
    ("Sol rose over the bay; one link to IT news; the SOL of it", ()),
    ("ONE MORE CUT, LINK BELOW, IT SPENDING UP", ()),
    ("An avalanche of orders; a ripple effect; stellar results.", ()),
    ("Bitcoin hovered near $60,000.", ("BTC",)),
    # until ticker notation or a name says so
    ("$SOL, Chainlink (LINK) and Harmony (ONE) rose.", ("SOL", "LINK", "ONE")),
    # abbreviations in parentheses are not tickers
    ("The Securities and Exchange Commission (SEC) and the Monetary Authority of Singapore (MAS) "
     "spoke about artificial intelligence (AI).", ()),
    ("Shares rose on the Toronto Stock Exchange (TSX).", ()),
    # a data source named after a company, a link's address
    ("Data from Google Finance showed it; see [chart](https://example.com/BTC/ETH).", ()),
    ("", ()),
])
def test_extract_tickers(text: str, expected: tuple[str, ...]) -> None:
    assert extract_tickers(text) == expected


def test_the_title_comes_first() -> None:
    assert extract_tickers("Ether slipped.", title="Solana jumps") == ("SOL", "ETH")


def test_seed_000_names_btc_cifr_iren_hut_amd_igv() -> None:
    text = (SEEDS / "000_91025615d316920f.txt").read_text(encoding="utf-8")
    assert extract_tickers(text) == ("BTC", "HUT", "IREN", "CIFR", "AMD", "IGV")


@pytest.mark.parametrize("values, expected", [
    # a crypto news export's currencies: maps with a code, a title, a slug
    ([{"code": "BTC", "title": "Bitcoin", "slug": "bitcoin"}, {"title": "Ethereum"},
      {"slug": "bitcoin-cash"}], ("BTC", "ETH", "BCH")),
    (["btc", "$eth", "Solana", "BTC", "Hut 8"], ("BTC", "ETH", "SOL", "HUT")),
    ("BTC, eth", ("BTC", "ETH")),
    ({"code": "XRP"}, ("XRP",)),
    ([None, "", "  ", "not a symbol!", {"url": "x"}, 3.5, True], ()),
    (None, ()),
])
def test_tickers_from_a_records_own_list(values, expected) -> None:
    assert tickers_from_values(values) == expected


@pytest.mark.parametrize("value, expected", [
    ("$btc ", "BTC"), ("BRK.B", "BRK.B"), ("1inch", "1INCH"), ("bitcoin cash", None), ("", None),
    (None, None), (True, None), ("X" * 13, None),
])
def test_normalize_ticker(value, expected) -> None:
    assert normalize_ticker(value) == expected


def _meta(**fields) -> dict:
    return {"title": "T", "publishedAt": "2026-02-04T00:00:00Z", **fields}


def test_the_tickers_field_is_upper_case_symbols_and_round_trips() -> None:
    article = article_from_mapping(_meta(tickers=["btc", "$CIFR", "btc"], customField=1), "Body.\n")
    assert article.tickers == ("BTC", "CIFR")
    text = render_article(article)
    assert "tickers:\n  - BTC\n  - CIFR\n" in text
    again = parse_article(text)
    assert again == article.replace(lang="en") and again.extra == {"customField": 1}
    assert article_from_mapping(_meta(tickers="BTC, eth"), "").tickers == ("BTC", "ETH")
    assert "tickers" not in render_article(Article(title="T", published_at=article.published_at))


@pytest.mark.parametrize("value, message", [
    ({"BTC": 1}, "'tickers' must be a list of symbols, got dict"),
    (["BTC", "bitcoin cash"], "'tickers' must hold symbols (letters, digits, '.'), got 'bitcoin cash'"),
    ([["BTC"]], "'tickers' must hold symbols (letters, digits, '.'), got \"['BTC']\""),
])
def test_a_bad_tickers_value_is_one_clear_error(value, message) -> None:
    with pytest.raises(FormatError) as caught:
        article_from_mapping(_meta(tickers=value), "")
    assert str(caught.value) == message
