"""The pure helpers behind the pages: labels, safe Markdown, safe cells."""

from __future__ import annotations

from datetime import date

from index.model import HistogramBucket, SearchQuery
from web.present import (bucket_label, format_day, http_url, render_markdown,
                         spreadsheet_safe, xml_text)


def test_format_day_and_bucket_labels() -> None:
    assert format_day(date(2026, 2, 4)) == "4 Feb 2026"
    assert format_day(None) == "date unknown"
    bucket = HistogramBucket(start=date(2026, 2, 2), end=date(2026, 2, 9), count=3)
    assert [bucket_label(bucket, i) for i in ("day", "week", "month", "year")] == [
        "2 Feb 2026", "week of 2 Feb 2026", "Feb 2026", "2026"]


def test_markdown_is_rendered_and_raw_html_is_text() -> None:
    html = render_markdown(
        "# Head\n\nSome *text* and [a link](https://example.org/a).\n\n"
        "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        "[bad](javascript:alert(3)) [data](data:text/html,hi)\n\n![pic](https://img.example/p.png)\n")
    assert str(html) == (
        "<h1>Head</h1>\n"
        '<p>Some <em>text</em> and <a href="https://example.org/a" rel="noopener noreferrer nofollow">a link</a>.</p>\n'
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
        "<p>&lt;img src=x onerror=alert(2)&gt;</p>\n"
        "<p>[bad](javascript:alert(3)) [data](data:text/html,hi)</p>\n"
        '<p><a href="https://img.example/p.png" rel="noopener noreferrer nofollow">[image: pic]</a></p>\n'
    )


def test_spreadsheet_cells_never_start_a_formula() -> None:
    cells = ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain", "", None, "a=b"]
    assert [spreadsheet_safe(c) for c in cells] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "plain", "", "", "a=b"]


def test_xml_text_and_http_url() -> None:
    assert xml_text("a\x00b\x1fc\td\ne\ud800") == "abc\td\ne"
    assert http_url("https://example.org/x") == "https://example.org/x"
    assert http_url("HTTP://EXAMPLE.ORG") == "HTTP://EXAMPLE.ORG"
    assert [http_url(u) for u in ("javascript:alert(1)", "data:text/html,x", "//evil", "", None,
                                  "https://a b")] == [None] * 6


def test_pager_links_show_first_last_and_a_window() -> None:
    from web.views import PageLink, pager_links

    query = SearchQuery(q="x", page=6)
    links = pager_links(query, 12, "/search", window=1)
    assert links == [
        PageLink(1, "/search?q=x", False), None,
        PageLink(5, "/search?q=x&page=5", False), PageLink(6, "/search?q=x&page=6", True),
        PageLink(7, "/search?q=x&page=7", False), None,
        PageLink(12, "/search?q=x&page=12", False),
    ]
