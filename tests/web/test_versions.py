"""The article page's "Versions of this story" block, through the real app on a real index: the
demo's Kestrel story (ingested from the bundled files) and a pair of versions with hostile titles."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import lxml.html
import pytest

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.demo import demo_articles_dir
from archive.ingest import IngestOptions, ingest
from archive.store import Store

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
KESTREL = (
    "2026-03-17-ledgerwire-kestrel-exchange-exploit.md",
    "2026-03-17-blockframe-kestrel-drained.md",
    "2026-03-17-tokentribune-kestrel-what-we-know.md",
    "2026-03-17-newsloop-kestrel-repost.md",
    "2026-03-18-cryptobrief-kestrel-rewrite.md",
)
HOSTILE = '<script>alert("v")</script> Orrin Labs <img src=x onerror=alert(1)> loses $50 million'
HOSTILE_BODY = ("Orrin Labs lost $50 million in a wallet breach on Monday, chief executive Mara Voss "
                "said. Shares of ORRN fell 12% and 3,400 customers were affected.")


def hostile_pair() -> list[Article]:
    out = []
    for key, hour, body in (("evilwire", 9, HOSTILE_BODY),
                            ("otherwire", 15, "Retold: " + HOSTILE_BODY.replace("said", "confirmed"))):
        article = Article(
            title=HOSTILE, description=None, body=body, lang="en",
            published_at=datetime(2026, 5, 4, hour, tzinfo=timezone.utc),
            source=Source(name=f'<b>{key}</b>', key=key, type="WEB"),
            url=f"https://{key}.example/orrin", ingested_at=NOW,
            content_hash=compute_content_hash(body),
            ai={"rewritten": True} if key == "otherwire" else None,
        )
        out.append(article.replace(id=derive_id(article)))
    return out


@pytest.fixture(scope="module")
def versions_app(tmp_path_factory: pytest.TempPathFactory):
    from index.build import reindex
    from tests.index.fixtures import write_fixture_articles
    from web.app import create_app

    home = tmp_path_factory.mktemp("versions") / "home"
    home.mkdir()
    results = list(ingest([str(demo_articles_dir() / name) for name in KESTREL], Store(home),
                          IngestOptions(now=NOW)))
    store = Store(home)
    for article in hostile_pair():
        store.save(article)
    write_fixture_articles(home)
    reindex(home, procs=1)
    return create_app({"HOME": home}), [r.id for r in results]


def page(app, article_id: str) -> lxml.html.HtmlElement:
    response = app.test_client().get(f"/article/{article_id}")
    assert response.status_code == 200
    return lxml.html.fromstring(response.get_data(as_text=True))


def listed(doc, section: str) -> list[tuple[str, str, str]]:
    return [(a.text_content(), a.get("href"),
             " ".join(li.cssselect(".hit-meta")[0].text_content().split()))
            for li in doc.cssselect(f"section.{section} li") for a in li.cssselect("a")]


def test_the_original_lists_its_four_versions_with_badges(versions_app):
    app, ids = versions_app
    doc = page(app, ids[0])
    assert doc.cssselect("section#versions h2")[0].text_content() == "Versions of this story"
    assert listed(doc, "versions") == [
        ("Attackers drain $212M from Kestrel Exchange hot wallets; withdrawals frozen",
         f"/article/{ids[1]}", "Blockframe · 17 Mar 2026"),
        ("Kestrel Exchange hack: what we know so far", f"/article/{ids[2]}",
         "Token Tribune · 17 Mar 2026"),
        ("Kestrel Exchange halts withdrawals after $212 million hot-wallet exploit",
         f"/article/{ids[3]}", "NewsLoop · 17 Mar 2026 Repost"),
        ("Kestrel Exchange suspends withdrawals following a $212 million security breach",
         f"/article/{ids[4]}", "CryptoBrief Daily · 18 Mar 2026 AI rewrite"),
    ]
    assert [b.text_content() for b in doc.cssselect("section#versions .badge-version")] == [
        "Repost", "AI rewrite"]
    # the block comes before "Similar articles", which lists other stories only
    aside = doc.cssselect("aside.article-aside")[0]
    assert [s.get("class") for s in aside.cssselect("section")] == ["citation", "versions", "similar"]
    similar = {href for _, href, _ in listed(doc, "similar")}
    assert similar and not similar & {f"/article/{i}" for i in ids}


def test_the_rewrite_lists_the_original_first_and_says_what_it_is(versions_app):
    app, ids = versions_app
    doc = page(app, ids[4])
    assert [href for _, href, _ in listed(doc, "versions")] == [f"/article/{i}" for i in ids[:4]]
    header = doc.cssselect("article.article header .hit-meta")[0]
    assert [b.text_content() for b in header.cssselect(".badge-version")] == ["AI rewrite"]
    original = page(app, ids[0]).cssselect("article.article header .hit-meta")[0]
    assert original.cssselect(".badge-version") == []


def test_an_article_without_versions_has_no_block(versions_app):
    from tests.index.fixtures import fixture_articles

    app, _ = versions_app
    doc = page(app, fixture_articles()[0].id)
    assert doc.cssselect("#versions") == []
    assert doc.cssselect("section.similar")  # the rest of the aside is still there


def test_hostile_titles_and_sources_are_escaped(versions_app):
    app, _ = versions_app
    first, second = hostile_pair()
    response = app.test_client().get(f"/article/{first.id}")
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>otherwire" not in html
    doc = lxml.html.fromstring(html)
    assert listed(doc, "versions") == [
        (HOSTILE, f"/article/{second.id}", "<b>otherwire</b> · 4 May 2026 AI rewrite")]
