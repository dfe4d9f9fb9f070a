"""Invented fixture articles for the index, search and web tests, and a built index of them.

Plain importable functions (not pytest fixtures) so every test package can use them:

    from tests.index.fixtures import build_fixture_index, write_fixture_articles
    articles = build_fixture_index(home)      # writes the files and builds the index

The set: 20 articles written for these tests (none copied from anywhere), 6 sources, tags with a
long tail, the three sentiments, two languages (``en``, ``de``), two years (2025, 2026), one draft
(``draft-chip-export-rules``) and one title with markup characters to check escaping. Every
article is ingested two hours after it was published (``ingestedAt``), so ``as_of`` replays can
cut anywhere between them. Everything here is fixed: tests may assert exact counts.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.store import Store

SOURCES = {
    "coindesk": Source(name="CoinDesk", key="coindesk", type="RSS"),
    "theblock": Source(name="The Block", key="theblock", type="RSS"),
    "marketwire": Source(name="Market Wire", key="marketwire", type="WEB"),
    "techdaily": Source(name="Tech Daily", key="techdaily", type="WEB"),
    "finanzblatt": Source(name="Finanzblatt", key="finanzblatt", type="RSS"),
    "chipletter": Source(name="Chip Letter", key="chipletter", type="FILE"),
}

#: (slug, source key, published (UTC), lang, sentiment, category, tags, title, description, body)
_ROWS: tuple[tuple, ...] = (
    ("bitcoin-slips-below-74000", "coindesk", "2026-02-04T15:48:00", "en", "NEGATIVE", "BTC",
     ("BTC", "MARKETS"),
     "Bitcoin slips below $74,000 as tech stocks drag crypto lower",
     "Miners tied to AI data centres fall hardest.",
     "Bitcoin fell below $74,000 on Wednesday as a sell-off in software stocks spread to crypto.\n\n"
     "Miners that rent capacity to AI data centres dropped more than ten percent. Traders said the "
     "halving cycle no longer protects prices when the Nasdaq weakens."),
    ("ether-staking-inflows-record", "coindesk", "2026-02-10T09:15:00", "en", "POSITIVE", "ETH",
     ("ETH", "STAKING", "MARKETS"),
     "Ether staking inflows reach a record as validators queue up",
     "The entry queue is the longest since the Shanghai upgrade.",
     "Ether staking saw record inflows this week. The validator entry queue grew to its longest "
     "since the Shanghai upgrade, and staking yields held near three percent."),
    ("stablecoin-bill-senate-vote", "theblock", "2026-01-22T18:30:00", "en", "NEUTRAL", "POLICY",
     ("STABLECOINS", "REGULATION"),
     "Senate schedules a vote on the stablecoin bill",
     "Issuers would need full reserves and monthly audits.",
     "The Senate scheduled a vote on the stablecoin bill for next month. The text requires issuers "
     "to hold full reserves in cash and short Treasury bills and to publish monthly audits."),
    ("exchange-outage-refunds", "theblock", "2025-11-03T07:05:00", "en", "NEGATIVE", "EXCHANGES",
     ("EXCHANGES", "OUTAGE"),
     "Exchange promises refunds after a four-hour outage",
     "Liquidated traders will be compensated.",
     "A large crypto exchange said it will refund traders who were liquidated during a four-hour "
     "outage. The matching engine stopped after a database upgrade failed."),
    ("fed-holds-rates-markets-calm", "marketwire", "2026-01-28T19:00:00", "en", "NEUTRAL", "MACRO",
     ("FED", "RATES", "MARKETS"),
     "Fed holds rates steady and markets barely move",
     "Policymakers signal patience on inflation.",
     "The Federal Reserve held interest rates steady. Policymakers said inflation is easing slowly "
     "and that they will be patient. Treasury yields and the dollar barely moved."),
    ("oil-prices-jump-supply-cut", "marketwire", "2025-10-14T12:40:00", "en", "POSITIVE", "COMMODITIES",
     ("OIL", "COMMODITIES"),
     "Oil prices jump after producers announce a supply cut",
     None,
     "Oil prices rose four percent after producers announced a surprise supply cut. Energy shares "
     "led the market higher while airline stocks fell."),
    ("inflation-cools-in-december", "marketwire", "2026-01-13T13:30:00", "en", "POSITIVE", "MACRO",
     ("INFLATION", "RATES"),
     "Inflation cools in December, raising hopes for rate cuts",
     "Core prices rose less than economists expected.",
     "Consumer price inflation cooled in December. Core prices rose less than economists expected, "
     "and futures markets raised the odds of a rate cut by the Fed in March."),
    ("chipmakers-rally-ai-boom", "techdaily", "2026-02-02T16:20:00", "en", "POSITIVE", "TECH",
     ("SEMICONDUCTORS", "AI"),
     'Chipmakers rally as "AI <b>boom</b>" lifts S&P 500',
     "Semiconductor shares lead the index to a record close.",
     "Chipmakers rallied as demand for AI accelerators stayed strong. Semiconductor shares led the "
     "S&P 500 to a record close, and memory makers raised their forecasts."),
    ("software-stocks-slide-ai-fears", "techdaily", "2026-02-03T20:10:00", "en", "NEGATIVE", "TECH",
     ("SOFTWARE", "AI", "MARKETS"),
     "Software stocks slide on fears that AI agents replace licences",
     "The sector is down seventeen percent in a week.",
     "Software stocks slid for a sixth day on fears that AI agents will replace per-seat licences. "
     "The sector is down seventeen percent in a week, its worst run since 2022."),
    ("smartphone-shipments-flat", "techdaily", "2025-12-09T08:00:00", "en", "NEUTRAL", "TECH",
     ("SMARTPHONES",),
     "Smartphone shipments stay flat for the year",
     "Foldables grow, budget phones shrink.",
     "Smartphone shipments were flat for the year. Foldable phones grew quickly from a small base "
     "while budget phones lost share to refurbished devices."),
    ("draft-chip-export-rules", "chipletter", "2026-02-12T10:00:00", "en", "NEUTRAL", "POLICY",
     ("SEMICONDUCTORS", "REGULATION"),
     "Draft: what the new chip export rules would change",
     "Notes for a longer piece; not published.",
     "The proposed export rules would cap shipments of advanced accelerators to some countries and "
     "require licences for older lithography tools."),
    ("foundry-capacity-2nm", "chipletter", "2025-12-18T11:45:00", "en", "POSITIVE", "TECH",
     ("SEMICONDUCTORS", "FOUNDRY"),
     "Foundry capacity for 2nm chips is sold out through next year",
     "Customers prepay to secure wafers.",
     "Foundry capacity for 2nm chips is sold out through next year. Customers are prepaying to "
     "secure wafers, and the foundry plans two new fabs."),
    ("memory-prices-rise-again", "chipletter", "2026-01-07T09:30:00", "en", "POSITIVE", "TECH",
     ("SEMICONDUCTORS", "MEMORY"),
     "Memory prices rise again on data centre demand",
     None,
     "Memory prices rose for the fourth month in a row as data centre demand for high-bandwidth "
     "memory outstripped supply."),
    ("bitcoin-etf-outflows", "coindesk", "2025-12-30T21:00:00", "en", "NEGATIVE", "BTC",
     ("BTC", "ETF"),
     "Bitcoin ETFs record their largest weekly outflows",
     "Year-end rebalancing hits spot funds.",
     "Spot bitcoin ETFs recorded their largest weekly outflows as funds rebalanced at year end. "
     "Analysts expect the flows to reverse in January."),
    ("solana-network-upgrade", "theblock", "2026-02-06T14:00:00", "en", "POSITIVE", "ALTCOINS",
     ("SOLANA", "UPGRADES"),
     "Solana network upgrade cuts transaction failures",
     "Validators adopted the new client within a day.",
     "A Solana network upgrade cut failed transactions by half. Validators adopted the new client "
     "within a day, and fees stayed low."),
    ("dax-record-high", "finanzblatt", "2026-01-20T16:35:00", "de", "POSITIVE", "MARKETS",
     ("DAX", "MARKETS"),
     "DAX schließt auf Rekordhoch",
     "Autowerte und Banken führen den Anstieg an.",
     "Der DAX hat auf einem Rekordhoch geschlossen. Autowerte und Banken führten den Anstieg an, "
     "während Versorger nachgaben."),
    ("ezb-zinsen-unveraendert", "finanzblatt", "2026-01-29T13:15:00", "de", "NEUTRAL", "MACRO",
     ("EZB", "RATES"),
     "EZB lässt die Zinsen unverändert",
     "Die Inflation im Euroraum sinkt langsamer als erwartet.",
     "Die Europäische Zentralbank hat die Zinsen unverändert gelassen. Die Inflation im Euroraum "
     "sinkt langsamer als erwartet, sagte die Präsidentin."),
    ("bitcoin-kurs-faellt", "finanzblatt", "2026-02-05T07:50:00", "de", "NEGATIVE", "BTC",
     ("BTC",),
     "Bitcoin-Kurs fällt unter 75.000 Dollar",
     None,
     "Der Bitcoin-Kurs ist unter 75.000 Dollar gefallen. Händler verwiesen auf die Schwäche der "
     "Technologiewerte an der Nasdaq."),
    ("mining-difficulty-adjustment", "coindesk", "2025-11-19T06:20:00", "en", "NEUTRAL", "BTC",
     ("BTC", "MINING"),
     "Mining difficulty adjusts down after the hashrate dips",
     "Cheaper power in winter is expected to bring miners back.",
     "Bitcoin mining difficulty adjusted down by three percent after the hashrate dipped. Cheaper "
     "winter power is expected to bring miners back online."),
    ("retail-sales-holiday", "marketwire", "2025-12-27T15:00:00", "en", "POSITIVE", "MACRO",
     ("RETAIL", "MARKETS"),
     "Holiday retail sales beat forecasts",
     "Online orders grew faster than store visits.",
     "Holiday retail sales beat forecasts. Online orders grew faster than store visits, and "
     "discounts were smaller than last year."),
)

#: the one draft among the fixture articles
DRAFT_SLUG = "draft-chip-export-rules"
#: time between publication and ``ingestedAt``
INGEST_DELAY = timedelta(hours=2)


def fixture_articles() -> list[Article]:
    """The fixture articles as ``Article`` objects (ids derived from their URLs), in a fixed order."""
    articles = []
    for slug, key, published, lang, sentiment, category, tags, title, description, body in _ROWS:
        when = datetime.fromisoformat(published).replace(tzinfo=timezone.utc)
        article = Article(
            title=title,
            description=description,
            published_at=when,
            body=body,
            lang=lang,
            source=SOURCES[key],
            category=category,
            tags=tags,
            sentiment=sentiment,
            draft=slug == DRAFT_SLUG,
            url=f"https://{key}.example/{when:%Y/%m}/{slug}",
            author=f"{key.title()} Staff",
            ingested_at=when + INGEST_DELAY,
            date_source="provided",
            sentiment_source="provided",
            content_hash=compute_content_hash(body),
        )
        articles.append(article.replace(id=derive_id(article)))
    return articles


def write_fixture_articles(home: Path) -> list[Article]:
    """Write the fixture articles under ``home/articles`` (``Store.save``); returns them as saved."""
    store = Store(home)
    return [store.save(article).article for article in fixture_articles()]


def build_fixture_index(home: Path) -> list[Article]:
    """Write the fixture articles and build the index from them (``reindex``); returns the articles."""
    from index.build import reindex

    articles = write_fixture_articles(home)
    report = reindex(home, procs=1)
    if report.failed:
        raise AssertionError(f"the fixture index has failures: {report.failures}")
    return articles


# ------------------------------------------------------------------------------- undated --

#: when the undated fixture articles were ingested: after every dated fixture article, so an
#: undated article read as "published on its ingest day" would be the newest and the tallest bar
UNDATED_INGESTED = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)

#: (slug, source key, title, body): articles whose publication date is unknown
_UNDATED_ROWS = (
    ("bitcoin-miners-cheaper-power", "coindesk",
     "Bitcoin miners weigh a move to cheaper power",
     "Several bitcoin miners are studying sites near hydro dams, where power costs half as much. "
     "None of them has said when a move could happen."),
    ("memory-glut-chip-makers", "chipletter",
     "Chip makers brace for a memory glut",
     "Memory prices could fall next year as new factories open. Chip makers said they would slow "
     "the ramp of two lines if orders weaken."),
)


def undated_articles() -> list[Article]:
    """Two articles without a known date (``dateSource: ingested``, ``publishedAt`` = the
    ingest time, as ``finish_article`` writes them)."""
    out = []
    for slug, key, title, body in _UNDATED_ROWS:
        article = Article(
            title=title, published_at=UNDATED_INGESTED, body=body, lang="en",
            source=SOURCES[key], url=f"https://{key}.example/undated/{slug}",
            ingested_at=UNDATED_INGESTED, date_source="ingested",
            content_hash=compute_content_hash(body),
        )
        out.append(article.replace(id=derive_id(article)))
    return out


def build_undated_index(home: Path) -> tuple[list[Article], list[Article]]:
    """The fixture articles plus the two undated ones, indexed: (dated, undated)."""
    from index.build import reindex

    dated = write_fixture_articles(home)
    store = Store(home)
    undated = [store.save(article).article for article in undated_articles()]
    report = reindex(home, procs=1)
    if report.failed:
        raise AssertionError(f"the fixture index has failures: {report.failures}")
    return dated, undated
