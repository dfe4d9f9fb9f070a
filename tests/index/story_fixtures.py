"""Invented articles published in the same weeks as the stories with versions (the seed story of
2026-02-04 and the demo's Kestrel Exchange hack of 2026-03-17): related news that is NOT a
version of them (another exchange hack, a follow-up, a market wrap that mentions the hack, a
company's own results). Written for these tests; none copied from anywhere."""

from __future__ import annotations

from datetime import datetime, timezone

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id

_ROWS: tuple[tuple, ...] = (
    # the Kestrel week
    ("vantor-wallet-breach", "Harbor Street", "harborstreet", "2026-03-16T10:20:00",
     "Vantor Exchange loses $38 million in a hot-wallet breach",
     "The Seoul-based exchange says deposits are safe and trading will resume on Thursday.",
     "Vantor Exchange, a Seoul-based crypto exchange, said on Monday that attackers had taken about "
     "$38 million in ether and bitcoin from one of its hot wallets. The exchange paused deposits "
     "and withdrawals and said trading would resume on Thursday.\n\n"
     "Chief operating officer Min-jun Park said the breach was found during a routine audit and "
     "that 94% of customer funds are kept in cold storage. Vantor has 1.1 million users.\n\n"
     "Analysts at Quarry Research said the loss was small next to Vantor's reserves of about "
     "$900 million, and the exchange's token fell 9%."),
    ("kestrel-reopens-withdrawals", "Blockframe", "blockframe", "2026-03-19T16:45:00",
     "Kestrel Exchange reopens withdrawals and publishes its incident report",
     "Users pulled $640 million in the first six hours; the exchange blames a compromised signing laptop.",
     "Kestrel Exchange reopened withdrawals on Thursday, two days after the hack of its hot "
     "wallets, and published a first incident report. Users withdrew about $640 million in the "
     "first six hours, roughly 18% of the assets left on the platform.\n\n"
     "The report says an engineer's signing laptop was compromised through a fake job interview "
     "in February, and that the attacker waited five weeks before using it. Kestrel has replaced "
     "its signing devices and will add a 24-hour delay to large transfers out of cold storage.\n\n"
     "Chief executive Darren Seow said the company had covered the loss from its own funds and "
     "that its token had recovered half of its fall. Investigators at Northlight Labs said they "
     "had linked 11 wallets to the attacker."),
    ("ether-slips-market-wrap", "Meridian Markets", "meridian", "2026-03-17T20:00:00",
     "Ether slips as an exchange hack and ETF outflows weigh on crypto",
     "Bitcoin held near $81,300 while ether fell 4.5% on the day.",
     "Ether fell 4.5% to about $2,140 on Tuesday as news of the Kestrel hack added to a third day "
     "of outflows from spot ether funds, which lost $187 million this week.\n\n"
     "Bitcoin was steadier, trading near $81,300. Solana lost 6% and the CoinDesk 20 index was "
     "down 3.2%. Traders said funding rates on perpetual futures had turned negative for the "
     "first time since January.\n\n"
     "In equities, shares of crypto brokers fell while the Nasdaq closed 0.4% higher."),
    # the week of the seed story
    ("amd-results-outlook", "Circuit Daily", "circuitdaily", "2026-02-04T13:10:00",
     "AMD shares tumble 14% as its data centre outlook disappoints",
     "The chipmaker guided first-quarter revenue below what analysts had expected.",
     "Shares of AMD fell 14% on Wednesday after the chipmaker said first-quarter revenue would be "
     "about $9.8 billion, short of the $10.2 billion analysts had pencilled in.\n\n"
     "Chief executive Lisa Su said demand for the company's Instinct accelerators stayed strong "
     "but that new systems would ship later in the year than customers had hoped. Gross margin "
     "is expected at 54%.\n\n"
     "Rival Nvidia slipped 2% and the Philadelphia semiconductor index fell 3.1%."),
    ("bitcoin-steadies-72800", "Token Tribune", "tokentribune", "2026-02-06T09:30:00",
     "Bitcoin steadies near $72,800 after a two-day slide",
     "Funding rates reset and spot ETF outflows slowed to $95 million.",
     "Bitcoin steadied near $72,800 on Friday morning in Asia after two days of losses that took "
     "it to its lowest level since November.\n\n"
     "Outflows from U.S. spot bitcoin ETFs slowed to $95 million on Thursday from $420 million a "
     "day earlier, according to Farside Investors. Funding rates on perpetual futures returned "
     "to neutral, which traders read as a sign that leverage had been washed out.\n\n"
     "Ether traded at $2,310 and Solana at $97."),
)


def same_week_articles() -> list[Article]:
    """The articles above, with ids derived as the archive derives them."""
    out = []
    for slug, name, key, published, title, description, body in _ROWS:
        when = datetime.fromisoformat(published).replace(tzinfo=timezone.utc)
        article = Article(
            title=title, description=description, published_at=when, body=body, lang="en",
            source=Source(name=name, key=key, type="RSS"), category="NEWS", tags=("NEWS",),
            sentiment="NEUTRAL", url=f"https://{key}.example/{when:%Y/%m}/{slug}",
            ingested_at=when, date_source="provided", sentiment_source="provided",
            content_hash=compute_content_hash(body),
        )
        out.append(article.replace(id=derive_id(article)))
    return out
