"""Acceptance: the three seeds in ../shared/seeds ingest to what a careful editor would write.

Each seed goes through the real pipeline (``archive.ingest.ingest`` into a ``Store`` in tmp_path)
and the test reads the written file back: the EXACT frontmatter mapping and the EXACT body.
The seeds are read from ``SEEDS`` and never copied into the repository, so the expected bodies
and titles are built here from the seed's own paragraphs (by position): what is asserted is which
paragraphs are kept, in which order, which ones become headings, and nothing else.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from archive import enrich
from archive.article import compute_content_hash, parse_datetime
from archive.dates import DATE_CONFIDENCE
from archive.identity import derive_id
from archive.ingest import IngestOptions, ingest
from archive.store import Store, load_yaml, parse_article, split_frontmatter
from tests.conftest import SEEDS

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
NOW_TEXT = "2026-06-01T12:00:00.000Z"

pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds are not checked out")


def seed(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


def ingest_one(path: Path, home: Path) -> tuple[dict[str, Any], str]:
    results = list(ingest([str(path)], Store(home), IngestOptions(now=NOW)))
    assert [(r.status, r.error) for r in results] == [("created", None)]
    text = Path(results[0].path).read_text(encoding="utf-8")
    fm_text, body = split_frontmatter(text)
    meta = load_yaml(fm_text)
    assert parse_article(text).body == body  # the file is valid for our own reader too
    assert results[0].id == meta["id"]
    return meta, body


def computed_fields(title: str, day: str, source_key: str, body: str) -> dict[str, Any]:
    """The fields the archive adds to an article ingested at NOW."""
    return {
        "id": derive_id_for(title, day, source_key),
        "ingestedAt": NOW_TEXT,
        "dateSource": "inferred",
        "dateConfidence": DATE_CONFIDENCE["inferred"],
        "sentimentSource": "computed",
        "sentimentModel": enrich.sentiment_model(),
        "contentHash": compute_content_hash(body),
    }


def derive_id_for(title: str, day: str, source_key: str) -> str:
    from archive.article import Article, Source

    return derive_id(Article(title=title, published_at=parse_datetime(day),
                             source=Source(name=source_key, key=source_key)))


def test_seed_000_plain_text_copied_from_a_page(home: Path) -> None:
    path = seed("000")
    paragraphs = path.read_text(encoding="utf-8").split("\n\n")
    # 0 title, 1 comment count, 2 standfirst, 3 dated caption "(CoinDesk)", 4-5 "What to know"
    # box, 6-7 price ticker, 8-9 article, 10 newsletter promo, 11-12 article, 13 sub-heading,
    # 14-16 article
    assert len(paragraphs) == 17 and paragraphs[1] == "21"
    title = paragraphs[0].removesuffix(".")
    expected_body = "\n\n".join(
        [paragraphs[8], paragraphs[9], paragraphs[11], paragraphs[12], "## " + paragraphs[13],
         paragraphs[14], paragraphs[15], paragraphs[16].rstrip("\n")]
    ) + "\n"

    meta, body = ingest_one(path, home)

    assert body == expected_body
    assert meta == {
        "title": title,
        "description": paragraphs[2],
        "publishedAt": "2026-02-04T00:00:00.000Z",
        "lang": "en",
        "source": {"name": "CoinDesk", "key": "coindesk", "type": "FILE"},
        "tags": [],
        "stickyWeight": 0,
        "sentiment": "NEGATIVE",
        "draft": False,
        "canonicalUrl": None,
        "coverImage": None,
        "ai": None,
        **computed_fields(title, "2026-02-04", "coindesk", body),
        # the assets and companies it names, in order of first mention (issue 12)
        "tickers": ["BTC", "HUT", "IREN", "CIFR", "AMD", "IGV"],
    }
    assert meta["id"] == "89a599cd59406996"  # ids never change: pinned


def test_seed_001_canonical_markdown_is_kept_as_it_is(home: Path) -> None:
    path = seed("001")
    original_yaml, original_body = split_frontmatter(path.read_text(encoding="utf-8"))
    original = load_yaml(original_yaml)

    meta, body = ingest_one(path, home)

    assert body == original_body
    expected = dict(original)
    expected["canonicalUrl"] = None  # the format's tools expect the key, null when unknown
    expected.update({
        "id": "002d57fe745b990f",
        "ingestedAt": NOW_TEXT,
        "dateSource": "provided",
        "sentimentSource": "provided",
        "contentHash": compute_content_hash(original_body),
        "tickers": ["BTC", "HUT", "IREN", "CIFR", "AMD"],  # the rewrite drops the IGV sentence
    })
    assert meta == expected
    # the seed's own keys keep their order; the archive's own fields follow them
    assert [k for k in meta if k in original] == list(original)
    assert meta["publishedAt"] == "2026-02-04T15:48:06.000Z" and meta["sentiment"] == "NEGATIVE"


def test_seed_002_aggregator_repost_with_an_unfilled_title(home: Path) -> None:
    path = seed("002")
    lines = path.read_text(encoding="utf-8").split("\n")
    # 0 aggregator header (source, "{title}"), 1 update note, 2-6 article, 7 chart caption,
    # 8-11 article, 12 chart caption, 13 sub-heading, 14-17 article, 18 "Related:" line,
    # 19 Chinese legal disclaimer
    assert lines[0].startswith("Source: Cointelegraph Original:") and "{title}" in lines[0]
    assert len([line for line in lines if line]) == 20
    assert lines[19].startswith("免责声明") and "support@aicoin.com" in lines[19]
    expected_body = "\n\n".join(
        lines[2:7] + lines[8:12] + ["## " + lines[13]] + lines[14:18]
    ) + "\n"
    # The title an editor writes from the lede (kept in the body): main clause first, the fronted
    # "As ..." clause after it, without the participle aside, the attribution and the ticker.
    lede = lines[2]
    fronted = lede[len("As "):lede.index(", citing")]
    main = lede[lede.index("Bitcoin (BTC)"):lede.index(", according to")].replace(" (BTC)", "")
    title = f"{main} as {fronted}"

    meta, body = ingest_one(path, home)

    assert body == expected_body
    assert meta == {
        "title": title,
        "publishedAt": "2025-03-26T00:00:00.000Z",
        "lang": "en",
        "source": {"name": "Cointelegraph", "key": "cointelegraph", "type": "FILE"},
        "tags": [],
        "stickyWeight": 0,
        "sentiment": "NEGATIVE",
        "draft": False,
        "canonicalUrl": None,
        "coverImage": None,
        "ai": None,
        # the title is the editor's rule's, and says so; the portal that re-published the
        # story is the one its disclaimer gives an address of
        "titleSource": "derived",
        "via": "aicoin.com",
        **computed_fields(title, "2025-03-26", "cointelegraph", body),
        "tickers": ["BTC", "MSFT", "BITF", "CLSK", "CORZ", "HUT", "MARA", "JPM"],
    }
    assert "{title}" not in meta["title"]


def test_seeds_ingest_idempotently_as_a_folder(home: Path) -> None:
    inputs = [str(seed(p)) for p in ("000", "001", "002")]
    first = [r.status for r in ingest(inputs, Store(home), IngestOptions(now=NOW))]
    files = {p: p.read_bytes() for p in Store(home).iter_paths()}
    later = datetime(2026, 7, 1, tzinfo=timezone.utc)
    second = [r.status for r in ingest(inputs, Store(home), IngestOptions(now=later))]
    assert first == ["created"] * 3
    assert second == ["unchanged"] * 3
    assert {p: p.read_bytes() for p in Store(home).iter_paths()} == files
