"""The bundled demo archive meets what issue 2 asks of it, and every file is canonical."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from archive.identity import derive_id
from archive.demo import demo_articles_dir
from archive.store import read_article, render_article

DEMO = demo_articles_dir()
PATHS = sorted(DEMO.glob("*.md"))

#: the Kestrel Exchange hack of 2026-03-17, told five times: three outlets, a repost, a rewrite
KESTREL_STORY = {
    "2026-03-17-ledgerwire-kestrel-exchange-exploit.md": "ledgerwire",
    "2026-03-17-blockframe-kestrel-drained.md": "blockframe",
    "2026-03-17-tokentribune-kestrel-what-we-know.md": "tokentribune",
    "2026-03-17-newsloop-kestrel-repost.md": "newsloop",
    "2026-03-18-cryptobrief-kestrel-rewrite.md": "cryptobrief",
}


@pytest.fixture(scope="module")
def articles():
    return {path.name: read_article(path) for path in PATHS}


def test_the_demo_folder_is_inside_the_package():
    assert DEMO == Path(__file__).resolve().parents[2] / "archive" / "demo" / "articles"
    assert DEMO.is_dir()


def test_every_file_is_in_the_canonical_format(articles):
    # parsing then rendering gives back the file byte for byte: what the store would write
    assert len(PATHS) == 48
    for path in PATHS:
        assert render_article(articles[path.name]) == path.read_text(encoding="utf-8"), path.name


def test_ids_are_unique_and_files_carry_none_yet(articles):
    # ids, hashes and ingest times are the archive's to give when it ingests the files
    assert {a.id for a in articles.values()} == {None}
    assert {a.content_hash for a in articles.values()} == {None}
    assert {a.ingested_at for a in articles.values()} == {None}
    ids = [derive_id(a) for a in articles.values()]
    assert len(set(ids)) == len(ids) == 48
    urls = [a.canonical_url for a in articles.values()]
    assert None not in urls and len(set(urls)) == 48


def test_sources(articles):
    counts = Counter(a.source.key for a in articles.values())
    assert counts == {
        "harborstreet": 7, "circuitdaily": 7, "meridianmarkets": 7, "blockframe": 6,
        "ledgerwire": 5, "finanzblick": 4, "tokentribune": 4, "lecomptoir": 3,
        "mercadoabierto": 3, "newsloop": 1, "cryptobrief": 1,
    }
    names = {a.source.key: a.source.name for a in articles.values()}
    assert names["lecomptoir"] == "Le Comptoir Numérique"
    assert {a.source.type for a in articles.values()} == {"RSS", "WEB", "AGGREGATOR"}


def test_languages(articles):
    langs = Counter(a.lang for a in articles.values())
    assert langs == {"en": 38, "de": 4, "fr": 3, "es": 3}
    outlet = {"de": "finanzblick", "fr": "lecomptoir", "es": "mercadoabierto"}
    assert {a.source.key for a in articles.values() if a.lang in outlet} == set(outlet.values())
    for article in articles.values():
        if article.lang in outlet:
            assert article.source.key == outlet[article.lang], article.title


def test_sentiments_given_in_some_files_and_left_to_the_classifier_in_others(articles):
    # the classifier reads English only: every article in another language comes with its own
    assert {a.lang for a in articles.values() if a.sentiment is None} == {"en"}
    assert Counter(a.sentiment for a in articles.values()) == {
        "POSITIVE": 14, "NEGATIVE": 10, "NEUTRAL": 12, None: 12,
    }


def test_dates_span_two_calendar_years(articles):
    dates = sorted(a.published_at for a in articles.values())
    assert f"{dates[0]:%Y-%m-%d}" == "2025-01-08"
    assert f"{dates[-1]:%Y-%m-%d}" == "2026-11-17"
    assert Counter(d.year for d in dates) == {2025: 24, 2026: 24}
    for path in PATHS:  # file names start with the publication day
        assert path.name[:10] == f"{articles[path.name].published_at:%Y-%m-%d}"


def test_tags_are_upper_case_with_a_long_tail(articles):
    tags = Counter(t for a in articles.values() for t in a.tags)
    assert all(t == t.upper() for t in tags)
    assert len(tags) == 75
    assert tags.most_common(3) == [("AI", 13), ("BTC", 11), ("MARKETS", 11)]
    assert sum(1 for count in tags.values() if count == 1) >= 30
    assert all(a.category and a.author for name, a in articles.items()
               if name != "2026-03-18-cryptobrief-kestrel-rewrite.md")


def test_one_draft(articles):
    drafts = [name for name, a in articles.items() if a.draft]
    assert drafts == ["2026-07-29-meridian-second-half-outlook-draft.md"]


def test_lengths_vary(articles):
    words = {name: len(a.body.split()) for name, a in articles.items()}
    assert 120 <= min(words.values()) and max(words.values()) <= 700
    assert max(words.values()) - min(words.values()) >= 400
    with_headings = [n for n, a in articles.items() if "\n## " in f"\n{a.body}"]
    with_lists = [n for n, a in articles.items() if "\n- " in a.body or "\n1. " in a.body]
    assert len(with_headings) >= 8 and len(with_lists) >= 6


def test_one_story_told_five_times(articles):
    story = {name: a for name, a in articles.items() if "Kestrel" in a.title}
    assert {name: a.source.key for name, a in story.items()} == KESTREL_STORY
    assert {f"{a.published_at:%Y-%m-%d}" for a in story.values()} == {"2026-03-17", "2026-03-18"}
    original = story["2026-03-17-ledgerwire-kestrel-exchange-exploit.md"]
    repost = story["2026-03-17-newsloop-kestrel-repost.md"]
    rewrite = story["2026-03-18-cryptobrief-kestrel-rewrite.md"]
    # the aggregator repost keeps the original's title and says where it came from
    assert repost.title == original.title
    assert repost.extra == {"repostOf": {"source": "The Ledger Wire", "url": original.canonical_url}}
    paragraphs = repost.body.split("\n\n")
    assert (len(paragraphs), sum(p in original.body for p in paragraphs)) == (6, 5)  # one trimmed
    # the rewrite says so, in the format's own field
    assert rewrite.ai == {"rewritten": True, "expandedAt": "2026-03-18T08:10:00.000Z", "version": 1}
    assert [a.ai for n, a in articles.items() if n != "2026-03-18-cryptobrief-kestrel-rewrite.md"] == [None] * 47
    # every version names the sum; one later article elsewhere mentions the hack in passing
    assert all("$212 million" in a.body or "$212M" in a.title for a in story.values())
    mentions = sorted(n for n, a in articles.items() if "Kestrel" in a.body and n not in story)
    assert mentions == ["2026-09-30-mercadoabierto-mexico-reglas-exchanges.md"]
