"""archive.extract: HTML string -> draft Article (pure; our own fixture pages)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import trafilatura

from archive.article import Article, Source
from archive.dates import DATE_CONFIDENCE
from archive.errors import InputError
from archive.extract import decode_html, extract_article
from tests.conftest import FIXTURES

HTML = FIXTURES / "html"
EXTRACTOR = {"name": "trafilatura", "version": trafilatura.__version__}


def page(name: str) -> str:
    return (HTML / name).read_text(encoding="utf-8")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


LEDGER_BODY = "\n\n".join([
    "U.S. spot bitcoin exchange-traded funds took in $2.1 billion of new money in the five trading "
    "days to Friday, the largest weekly haul since the products began trading, as investors bet that "
    "cooling inflation would let the Federal Reserve cut rates by the summer.",
    "The inflows were led by the two largest funds, which together accounted for almost three quarters "
    "of the total, according to data compiled by the research firm Coinbridge Analytics. Outflows from "
    "the older converted trust slowed to their lowest level in four months.",
    "## Rate cut bets return",
    "Futures markets now price a roughly 70% chance of a quarter-point cut in June, up from 45% a week "
    "ago, after consumer prices rose less than economists had forecast. Lower rates tend to favour "
    "assets that pay no yield, such as gold and bitcoin.",
    "\"Allocators who sat out the first wave are coming in now that volatility has settled,\" said Priya "
    "Raman, head of digital assets at the brokerage Northfield Partners. \"It is steady money, not "
    "momentum chasing.\"",
    "Bitcoin rose 6% over the week to about $91,000. Ether gained 4%, helped by inflows into its own "
    "funds, which remain far smaller.",
    "- Weekly inflows: $2.1 billion\n- Assets in spot funds: $118 billion\n- Days of net inflows in a row: 11",
    "Analysts cautioned that the flows could reverse quickly if the next jobs report comes in hot and "
    "pushes rate expectations back.",
]) + "\n"


def test_news_page_with_json_ld():
    url = "http://127.0.0.1:8000/pages/ledger-etf.html"
    article = extract_article(page("ledger-etf.html"), url=url)
    assert article == Article(
        title="Spot bitcoin ETFs log record weekly inflows as traders eye rate cuts",
        body=LEDGER_BODY,
        description="Funds tracking the largest cryptocurrency pulled in $2.1 billion in five trading "
                    "days, the most since their launch.",
        published_at=utc(2026, 3, 6, 14, 30),
        date_source="structured",
        date_confidence=DATE_CONFIDENCE["structured"],
        updated_at=utc(2026, 3, 6, 16, 5),
        lang="en",
        source=Source(name="The Ledger Daily", key="theledgerdaily", type="WEB",
                      url="https://www.ledgerdaily.example/"),
        category="MARKETS",
        tags=("BITCOIN", "ETF"),
        canonical_url="https://www.ledgerdaily.example/markets/2026/03/spot-bitcoin-etfs-record-weekly-inflows",
        cover_image={"raw": "https://img.ledgerdaily.example/2026/03/etf-inflows-chart.jpg"},
        url=url,
        author="Marta Ellison",
        extractor=EXTRACTOR,
    )


def test_page_with_open_graph_meta_and_an_offset_date():
    article = extract_article(page("circuit-chips.html"))
    assert article == Article(
        title="Chipmakers brace for new export rules on advanced packaging",
        body="\n\n".join([
            "Semiconductor companies are preparing for a fresh round of export restrictions that would, "
            "for the first time, cover the machines used to stack and bond chips into advanced packages, "
            "according to three people familiar with a draft of the rules.",
            "The proposal would require licences for shipments of hybrid bonding and thermal compression "
            "tools to a list of countries, closing what officials regard as a gap in controls that so far "
            "focus on lithography and the chips themselves.",
            "Equipment makers have lobbied against the change, arguing that packaging tools are widely "
            "available from suppliers outside the rules' reach and that restrictions would mainly cost "
            "them market share.",
            "One executive at a European toolmaker said orders from affected customers had already slowed "
            "as buyers waited for clarity. The company expects the rules to be published early next year, "
            "after a comment period.",
            # "Read more:" lines are page furniture, removed by archive.cleanup in finish_article
            "Read more: Memory prices climb for a third quarter",
        ]) + "\n",
        description="Draft rules would extend controls from the chips themselves to the equipment that "
                    "stacks them.",
        published_at=utc(2025, 11, 18, 7, 15),  # 08:15+01:00
        date_source="metadata",
        date_confidence=DATE_CONFIDENCE["metadata"],
        updated_at=utc(2025, 11, 18, 8, 40),
        lang="en",
        source=Source(name="Circuit Wire", key="circuitwire", type="WEB", url="https://circuitwire.example/"),
        category="SEMICONDUCTORS",
        tags=("EXPORT CONTROLS", "PACKAGING"),
        canonical_url="https://circuitwire.example/news/chipmakers-brace-export-rules-packaging",
        author="Daniel Okafor",
        extractor=EXTRACTOR,
    )


def test_json_ld_graph_and_keywords():
    article = extract_article(page("ledger-copper.html"), url="http://127.0.0.1:1/pages/ledger-copper.html")
    assert (article.published_at, article.date_source, article.author, article.source.name) == (
        utc(2026, 3, 5, 11, 2), "structured", "Tomasz Wren", "The Ledger Daily")
    assert article.body.startswith("Copper for delivery in three months rose 3% to $10,480 a tonne")
    assert "Sign up" not in article.body and "Share" not in article.body


def test_declared_language_loses_to_the_text():
    """The page's template says lang="en"; the text is German."""
    article = extract_article(page("boersenblick-chip.html"))
    assert (article.lang, article.title, article.published_at, article.tags, article.source) == (
        "de",
        "Chipausrüster hebt Prognose an – Aktie springt zweistellig",
        utc(2025, 9, 23, 5, 45),  # "2025-09-23 07:45:00+0200"
        ("HALBLEITER", "AKTIEN"),
        Source(name="Börsenblick", key="borsenblick", type="WEB"),
    )
    assert article.body.split("\n\n")[-1] == ("Das Management rechnet nun mit einem Jahresumsatz von 15 "
                                             "bis 15,5 Milliarden Euro, nach bisher 14 Milliarden Euro.\n")


def test_no_date_metadata_means_no_date_not_a_copyright_year():
    article = extract_article(page("undated-blog.html"), url="https://kestrelnotes.example/notes/reserves")
    assert article.published_at is None and article.date_source is None
    assert article.title == "Why stablecoin reserves matter more than their market cap"
    # the h1 trafilatura keeps is the title, not body text
    assert article.body.startswith("Every few months a chart circulates")
    assert article.source is None  # the page names no site: the importer decides (--source or host)


def test_a_full_date_in_the_address_counts_as_the_page_saying_so():
    html = page("undated-blog.html")
    article = extract_article(html, url="https://kestrelnotes.example/2025/07/14/reserves")
    assert (article.published_at, article.date_source) == (utc(2025, 7, 14), "url")
    # year and month alone are not a date
    assert extract_article(html, url="https://kestrelnotes.example/2025/07/reserves").published_at is None


@pytest.mark.parametrize("html, message", [
    ("", "the page is empty"),
    ("<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
     "no article text found in the page (only 1 word(s) of text)"),
    ("<html><body>" + "<div>" * 5000 + "deep" + "</div>" * 5000 + "</body></html>",
     "no article text found in the page"),
])
def test_pages_without_an_article(html, message):
    with pytest.raises(InputError) as excinfo:
        extract_article(html, url="https://example.org/x")
    assert excinfo.value.message == message


def test_decode_html_charsets():
    text = "<html><head><meta charset='windows-1252'></head><body>Caf\u00e9 \u20ac</body></html>"
    assert decode_html(text.encode("cp1252")) == text
    assert decode_html(text.encode("cp1252"), "iso-8859-1") == text  # read as browsers do
    assert decode_html("na\u00efve".encode("utf-8")) == "na\u00efve"
    undeclared = "<p>Der Kurs fiel um 5 \u20ac \u2013 ein R\u00fcckgang, den H\u00e4ndler \u00fcberraschte.</p>"
    assert decode_html(undeclared.encode("cp1252")) == undeclared
    japanese = "<meta charset=shift_jis><p>\u65e5\u7d4c\u5e73\u5747\u682a\u4fa1\u306f\u7d9a\u4f38</p>"
    assert decode_html(japanese.encode("shift_jis")) == japanese
    assert decode_html(b"\x81\x8d\x8f \xff") == "\x81\x8d\x8f \xff"  # nothing fits: Latin-1, no error


@pytest.mark.parametrize("escaped, tidy", [
    (r"Liebe\_r Besucher\_in", "Liebe_r Besucher_in"),  # intraword: never emphasis in CommonMark
    (r"\[1\] Wer im Betrieb", "[1] Wer im Betrieb"),  # not a link without (…) or [ after
    (r"\[text\](http://x)", r"\[text\](http://x)"),  # would become a link: kept
    (r"5 \* 3 and x \< 5", "5 * 3 and x < 5"),
    (r"\*not emphasis\* and \<b\>", r"\*not emphasis\* and \<b\>"),
    (r"\_start and end\_", r"\_start and end\_"),
])
def test_tidy_markdown_drops_only_needless_escapes(escaped, tidy):
    from archive.extract import tidy_markdown

    assert tidy_markdown(escaped) == tidy


_PARTS = st.sampled_from([
    "<html>", "<body>", "<p>", "</p>", "<title>T</title>", "<h1>", "</h1>", "several words of text here",
    "<script type='application/ld+json'>", '{"@type": "NewsArticle", "datePublished": "', "2026-13-45",
    "9999-01-01T00:00:00Z", '"}', "</script>", "<meta property='article:published_time' content='", "'>",
    "<link rel=canonical href='", "javascript:alert(1)", "<time pubdate datetime='", "<html lang='",
    "zz-ZZ", "&#0;", "\x00", "<div>", "</div>", "\\_", "[", "]",
])


@settings(max_examples=80, deadline=None)
@given(st.lists(_PARTS, max_size=40), st.sampled_from([None, "http://example.org/2026/02/30/x"]))
def test_any_markup_gives_an_article_or_one_input_error(parts, url):
    try:
        article = extract_article("".join(parts), url=url)
    except InputError:
        return
    assert article.title and article.body.strip()
    assert article.published_at is None or 1990 <= article.published_at.year <= 2100


def test_a_canonical_link_to_the_home_page_is_ignored():
    html = page("circuit-chips.html").replace(
        '<meta property="og:url" content="https://circuitwire.example/news/chipmakers-brace-export-rules-packaging">',
        '<link rel="canonical" href="https://circuitwire.example/">')
    article = extract_article(html, url="https://circuitwire.example/news/chips-export")
    assert (article.canonical_url, article.url) == (None, "https://circuitwire.example/news/chips-export")
    assert extract_article(html).canonical_url is None  # no address known: still not an article's
