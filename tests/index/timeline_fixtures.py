"""An invented archive whose coverage over time is known exactly (for the timeline tests).

Months of 2026, two outlets. "copper" articles: January 3 (one of them also syndicated by the
other outlet: 4 articles, 3 stories), February 2, none in March; "gold": January 1, February 4.
Every other article is a port report (one each). The archive took in 9 articles in January, 18
in February, 2 in March, and 2 articles without a known date (one copper, one port report)."""

from __future__ import annotations

from datetime import datetime, timezone

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id

HARBOR = Source(name="Harbor Street", key="harborstreet", type="RSS")
MERIDIAN = Source(name="Meridian Markets", key="meridian", type="RSS")


def _article(n: int, title: str, body: str, when: str, source: Source, *, sentiment: str = "NEUTRAL",
             undated: bool = False) -> Article:
    published = datetime.fromisoformat(when).replace(tzinfo=timezone.utc)
    article = Article(
        title=title, body=body, published_at=published, lang="en", source=source,
        category="MARKETS", tags=("MARKETS",), sentiment=sentiment,
        url=f"https://{source.key}.example/{n}", ingested_at=published,
        date_source="ingested" if undated else "provided", content_hash=compute_content_hash(body))
    return article.replace(id=derive_id(article))


def _copper(n: int, when: str, source: Source = HARBOR, sentiment: str = "POSITIVE") -> Article:
    price = 9_000 + 37 * n
    return _article(n, f"Copper rises to ${price:,} a tonne on mine {n} supply worries",
                    f"Copper rose to ${price:,} a tonne on Tuesday after mine {n} in Chile cut "
                    f"output by {10 + n}%, traders in London said. Stocks in warehouses fell to "
                    f"{120 + n},000 tonnes.", when, source, sentiment=sentiment)


def _gold(n: int, when: str) -> Article:
    price = 2_800 + 11 * n
    return _article(n, f"Gold steady at ${price:,} an ounce", f"Gold traded at ${price:,} an ounce "
                    f"as the dollar index moved {n}.{n}% on the day, dealers said.", when, MERIDIAN,
                    sentiment="NEGATIVE")


def _port(n: int, when: str, source: Source = HARBOR, *, undated: bool = False) -> Article:
    return _article(n, f"Port of Valmere handles {1_000 + n} containers",
                    f"The Port of Valmere handled {1_000 + n} containers in shift {n}, its "
                    f"operator said, with {n + 3} cranes at work.", when, source, undated=undated)


def timeline_articles() -> list[Article]:
    out = []
    n = 0

    def take(article: Article) -> None:
        out.append(article)

    january = ["2026-01-05T10:00", "2026-01-12T10:00", "2026-01-20T10:00"]
    for i, when in enumerate(january):
        take(_copper(100 + i, when))
    first = out[0]
    # the syndicated copy of the first copper story, by the other outlet, the same day
    copy = first.replace(id=None, source=MERIDIAN, url="https://meridian.example/copy",
                         published_at=first.published_at.replace(hour=14))
    take(copy.replace(id=derive_id(copy)))
    take(_gold(200, "2026-01-15T09:00"))
    for i in range(4):
        take(_port(300 + i, f"2026-01-{10 + i}T08:00"))
    # February: more coverage overall
    take(_copper(103, "2026-02-03T10:00", sentiment="NEGATIVE"))
    take(_copper(104, "2026-02-17T10:00", MERIDIAN, sentiment="NEGATIVE"))
    for i in range(4):
        take(_gold(201 + i, f"2026-02-0{2 + i}T09:00"))
    for i in range(12):
        take(_port(310 + i, f"2026-02-{10 + i}T08:00", MERIDIAN if i % 2 else HARBOR))
    for i in range(2):
        take(_port(330 + i, f"2026-03-0{2 + i}T08:00"))
    # the archive does not know these dates (it used the ingest time, in November)
    undated_copper = _copper(105, "2026-11-20T12:00")
    undated_copper = undated_copper.replace(date_source="ingested")
    take(undated_copper)
    take(_port(340, "2026-11-21T12:00", undated=True))
    del n
    return out
