"""The publication date of a page (``archive.page_dates`` through ``extract_article``): the
publisher's local day and offset kept, the address's date given a second look, visible datelines
and full dates in the text used, footer copyright years never; ``dateSource`` says which."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from archive.dates import DATE_CONFIDENCE
from archive.extract import extract_article

BODY = ("<p>The harbour authority said on Tuesday that the new crane schedule cut waiting times "
        "for container ships by a third, and that two more berths would open next spring.</p>"
        "<p>Shipping lines had complained for months about queues at the outer anchorage, where "
        "vessels waited up to four days before they could unload their cargo.</p>")


def page(head: str = "", top: str = "", foot: str = "", title: str = "Harbour cranes cut waiting times") -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>{head}"
            f"</head><body><header><nav><a href='/'>Home</a></nav></header><article><h1>{title}</h1>"
            f"{top}{BODY}</article><footer>{foot}</footer></body></html>")


def found(html: str, url: str = "https://harbour.example/news/cranes") -> tuple:
    article = extract_article(html, url=url)
    when = article.published_at
    return (when.isoformat() if when else None, article.date_source, article.date_confidence)


def test_the_publishers_offset_and_day_are_kept() -> None:
    html = page("<meta property='article:published_time' content='2020-04-07T17:10:46-07:00'>")
    article = extract_article(html, url="https://harbour.example/news/cranes")
    assert article.published_at.isoformat() == "2020-04-07T17:10:46-07:00"
    assert article.published_at.utcoffset() == timedelta(hours=-7)
    assert article.published_at == datetime(2020, 4, 8, 0, 10, 46, tzinfo=timezone.utc)  # same instant
    assert (article.date_source, article.date_confidence) == ("metadata", DATE_CONFIDENCE["metadata"])


def test_json_ld_and_rfc_2822_meta() -> None:
    jsonld = ('<script type="application/ld+json">{"@type": "NewsArticle", '
              '"datePublished": "2021-09-14T08:00:00+0200"}</script>')
    assert found(page(jsonld)) == ("2021-09-14T08:00:00+02:00", "structured", DATE_CONFIDENCE["structured"])
    rfc = "<meta name='pubdate' content='Sat, 19 Oct 2019 00:04:00 +0200'>"
    assert found(page(rfc))[:2] == ("2019-10-19T00:04:00+02:00", "metadata")


def test_a_json_ld_date_that_contradicts_the_address_gets_a_second_look() -> None:
    jsonld = ('<script type="application/ld+json">{"@type": "BlogPosting", '
              '"datePublished": "2019-06-17T18:28:00+0200"}</script>')
    url = "https://harbour.example/home/2017/7/12/cranes"
    # the page shows neither date: the address wins (a CMS migration restamped the JSON-LD)
    assert found(page(jsonld), url) == ("2017-07-12T00:00:00+00:00", "url", DATE_CONFIDENCE["url"])
    # the page shows the JSON-LD's day and not the address's: the stated date wins
    shown = "<p class='date'>Posted on June 17, 2019</p>"
    assert found(page(jsonld, top=shown), url)[:2] == ("2019-06-17T18:28:00+02:00", "structured")
    # the same day: the stated date, with its time
    same = ('<script type="application/ld+json">{"@type": "NewsArticle", '
            '"datePublished": "2017-07-12T09:00:00-04:00"}</script>')
    assert found(page(same), url)[:2] == ("2017-07-12T09:00:00-04:00", "structured")


def test_a_utc_stamp_of_the_evening_before_does_not_beat_the_address() -> None:
    # a late-evening US article stamped in UTC names the next day; the address has the local day
    meta = "<meta property='article:published_time' content='2020-02-25T02:25:54Z'>"
    assert found(page(meta), "https://harbour.example/2020/02/24/cranes")[:2] == (
        "2020-02-24T00:00:00+00:00", "url")


def test_a_visible_dateline_and_a_date_in_the_text() -> None:
    byline = "<div class='byline'><span class='date'>March 3, 2021</span></div>"
    assert found(page(top=byline)) == ("2021-03-03T00:00:00+00:00", "dateline", DATE_CONFIDENCE["dateline"])
    text = "<p>Statement issued 14.05.2022 by the harbour authority press office.</p>"
    assert found(page(top=text))[:2] == ("2022-05-14T00:00:00+00:00", "text")


def test_a_footer_copyright_year_is_never_a_date() -> None:
    foot = "<p>Copyright 2024 Harbour Authority. All rights reserved.</p><p>&copy; 2023</p>"
    assert found(page(foot=foot)) == (None, None, None)
    # a month and year alone is not a day either
    assert found(page(top="<p>Harbour report, March 2022 edition</p>")) == (None, None, None)
