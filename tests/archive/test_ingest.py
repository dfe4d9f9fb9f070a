"""The ingest pipeline end to end with local files: importer -> finish_article -> Store.

Idempotency (the same input twice changes nothing), updates that keep ``id`` and ``ingestedAt``,
batches where some inputs fail, and the options of the command line (date, year, tags, source)."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from archive.article import compute_content_hash
from archive.ingest import IngestOptions, InputResult, expand_inputs, ingest
from archive.store import SaveResult, Store, read_article
from tests.conftest import FIXTURES, SEEDS

INGEST = FIXTURES / "ingest"
GOOD = INGEST / "good"
BAD = INGEST / "bad"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 3, 2, 8, 30, tzinfo=timezone.utc)
FINLEX = {"name": "newsarchive-finlex", "version": "2"}

EXPLAINER_ID = "aa4f685f5e7fe00c"
EXPLAINER_TITLE = "What is the Bitcoin halving, and how does it work?"
EXPLAINER_REL = "articles/2025/11/what-is-the-bitcoin-halving-and-how-does-it-work.en.md"


def run(inputs: list[Path | str], home: Path, **options: object) -> list[InputResult]:
    opts = IngestOptions(home=home, now=options.pop("now", NOW), **options)  # type: ignore[arg-type]
    return list(ingest([str(i) for i in inputs], Store(home), opts))


def article_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in (home / "articles").rglob("*") if p.is_file())


def fixture_body(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1].strip("\n")


def test_a_markdown_file_becomes_the_canonical_file(home: Path) -> None:
    source = GOOD / "halving-explainer.md"
    results = run([source], home)
    assert results == [InputResult(str(source), "created", id=EXPLAINER_ID, path=str(home / EXPLAINER_REL),
                                   title=EXPLAINER_TITLE)]
    body = fixture_body(source)
    assert (home / EXPLAINER_REL).read_text(encoding="utf-8") == f"""---
title: What is the Bitcoin halving, and how does it work?
description: An explainer on the event that cuts the reward for mining new blocks every four years.
publishedAt: '2025-11-03T09:00:00.000Z'
lang: en
source:
  name: Ledgerline
  key: ledgerline
  type: FILE
category: EDUCATION
tags:
  - BTC
  - EXPLAINER
stickyWeight: 0
sentiment: NEUTRAL
draft: false
canonicalUrl: null
coverImage: null
ai: null
id: {EXPLAINER_ID}
ingestedAt: '2026-03-01T12:00:00.000Z'
dateSource: provided
sentimentSource: computed
sentimentModel:
  name: newsarchive-finlex
  version: '2'
tickers:
  - BTC
contentHash: {compute_content_hash(body)}
---
{body}
"""


def test_the_same_input_twice_changes_nothing(home: Path) -> None:
    inputs = [GOOD / "halving-explainer.md", GOOD / "chipmaker-earnings.txt"]
    first = run(inputs, home, now=NOW)
    before = {name: (home / name).read_bytes() for name in article_files(home)}
    second = run(inputs, home, now=LATER)
    assert [r.status for r in first] == ["created", "created"]
    assert second == [InputResult(r.input, "unchanged", id=r.id, path=r.path, title=r.title) for r in first]
    assert {name: (home / name).read_bytes() for name in article_files(home)} == before


def test_a_changed_version_updates_the_file_keeping_id_and_ingested_at(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "explainer.md"
    shutil.copy(GOOD / "halving-explainer.md", copy)
    first = run([copy], home, now=NOW)
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("four times, most recently in April 2024",
                                 "four times, the fourth time in April 2024"), encoding="utf-8")
    second = run([copy], home, now=LATER)
    assert first == [InputResult(str(copy), "created", id=EXPLAINER_ID, path=str(home / EXPLAINER_REL),
                                 title=EXPLAINER_TITLE)]
    assert second == [InputResult(str(copy), "updated", id=EXPLAINER_ID, path=str(home / EXPLAINER_REL),
                                  title=EXPLAINER_TITLE)]
    assert article_files(home) == [EXPLAINER_REL]
    saved = read_article(home / EXPLAINER_REL)
    assert (saved.id, saved.ingested_at) == (EXPLAINER_ID, NOW)
    assert "the fourth time in April 2024" in saved.body
    assert saved.content_hash == compute_content_hash(saved.body)


def test_a_new_title_moves_the_file_and_keeps_the_id(home: Path, tmp_path: Path) -> None:
    # an article known by its address keeps its id whatever its title or date become
    page = tmp_path / "fund.md"
    page.write_text(
        "---\ntitle: 'Asset manager Corvane opens a digital asset fund'\n"
        "publishedAt: '2026-01-20T10:00:00Z'\ncanonicalUrl: 'https://news.example/corvane-fund'\n---\n"
        "Corvane, a Zurich asset manager, opened a fund that holds bitcoin and ether for its clients.\n",
        encoding="utf-8")
    [first] = run([page], home, now=NOW)
    page.write_text(page.read_text(encoding="utf-8").replace(
        "opens a digital asset fund", "opens its first digital asset fund"), encoding="utf-8")
    [second] = run([page], home, now=LATER)
    assert (first.status, second.status, second.id) == ("created", "updated", first.id)
    assert article_files(home) == ["articles/2026/01/asset-manager-corvane-opens-its-first-digital-asset-fund.en.md"]
    saved = read_article(home / article_files(home)[0])
    assert (saved.id, saved.ingested_at, saved.title) == (
        first.id, NOW, "Asset manager Corvane opens its first digital asset fund")


def test_a_batch_goes_on_past_bad_inputs_and_says_why_each_failed(home: Path) -> None:
    inputs = [GOOD / "chipmaker-earnings.txt", BAD / "broken-yaml.md", INGEST / "no-such-file.txt",
              BAD / "empty.txt", BAD / "binary.txt", BAD / "latin1.txt", BAD / "python-tag.md",
              GOOD / "exchange-outage.txt"]
    results = run(inputs, home)
    assert [(r.input, r.status, r.error) for r in results] == [
        (str(inputs[0]), "created", None),
        (str(inputs[1]), "failed",
         "the frontmatter is not valid YAML at line 3, column 21: found unexpected end of stream"),
        (str(inputs[2]), "failed", "no such file or folder"),
        (str(inputs[3]), "failed", "the input is empty"),
        (str(inputs[4]), "failed", "this is a binary file, not text"),
        (str(inputs[5]), "failed", "the file is not valid UTF-8 (byte 3); convert it to UTF-8 first"),
        (str(inputs[6]), "failed",
         "the frontmatter uses a YAML tag that is not allowed (could not determine a constructor "
         "for the tag 'tag:yaml.org,2002:python/object/apply:os.system')"),
        (str(inputs[7]), "created", None),
    ]
    # only the two good articles, and no temporary file left behind
    assert article_files(home) == [
        "articles/2026/03/halvorsen-semiconductor-shares-jump-11-after-record-quarterly-revenue-beats.en.md",
        "articles/2026/03/kestrel-exchange-halts-withdrawals-after-hack-token-slumps-30.en.md",
    ]


def test_a_folder_is_read_in_order_and_on_saved_sees_every_save(home: Path) -> None:
    saved: list[SaveResult] = []
    opts = IngestOptions(home=home, now=NOW)
    results = list(ingest([str(GOOD)], Store(home), opts, on_saved=saved.append))
    assert [(Path(r.input).name, r.status) for r in results] == [
        ("chipmaker-earnings.txt", "created"), ("exchange-outage.txt", "created"),
        ("halving-explainer.md", "created")]
    assert [(s.status, s.article.id, str(s.path)) for s in saved] == [
        (r.status, r.id, r.path) for r in results]
    assert [s.article.sentiment for s in saved] == ["POSITIVE", "NEGATIVE", "NEUTRAL"]


def test_options_source_date_and_tags(home: Path) -> None:
    [chip] = run([GOOD / "chipmaker-earnings.txt"], home, source="Boersenblick",
                 date=date(2026, 1, 15), tags=("earnings", "Chips"))
    article = read_article(Path(chip.path))
    assert (article.source.name, article.source.key, article.published_at, article.date_source,
            article.tags) == ("Boersenblick", "boersenblick", datetime(2026, 1, 15, tzinfo=timezone.utc),
                              "provided", ("EARNINGS", "CHIPS"))
    # tags given on the command line join the article's own, without duplicates
    [explainer] = run([GOOD / "halving-explainer.md"], home, tags=("btc", "Weekly"))
    assert read_article(Path(explainer.path)).tags == ("BTC", "EXPLAINER", "WEEKLY")


def test_the_year_context_dates_a_dateline_without_a_year(home: Path) -> None:
    [result] = run([INGEST / "dateline-no-year.txt"], home, year=2025)
    article = read_article(Path(result.path))
    assert (article.published_at, article.date_source) == (
        datetime(2025, 3, 12, tzinfo=timezone.utc), "inferred")
    # a "March 12" that would lie in the future of the ingest clock is not taken
    [later] = run([INGEST / "dateline-no-year.txt"], home / "other", year=2026)
    assert read_article(Path(later.path)).date_source == "ingested"


def test_without_a_year_the_ingest_time_is_recorded_not_a_guess(home: Path) -> None:
    [result] = run([INGEST / "dateline-no-year.txt"], home)
    article = read_article(Path(result.path))
    assert (article.published_at, article.date_source) == (NOW, "ingested")
    # the same text on another day is the same article, with the date it was first stored with
    [again] = run([INGEST / "dateline-no-year.txt"], home, now=datetime(2026, 4, 9, tzinfo=timezone.utc))
    assert (again.status, again.id, again.path) == ("unchanged", result.id, result.path)
    assert read_article(Path(result.path)).published_at == NOW


@pytest.mark.parametrize("seed", ["000_91025615d316920f.txt", "002_e8b731110e903415.txt"])
def test_the_falling_market_seeds_are_ingested_as_negative(home: Path, seed: str) -> None:
    [result] = run([SEEDS / seed], home, date=None)
    article = read_article(Path(result.path))
    assert (result.status, article.lang, article.sentiment, article.sentiment_source,
            article.sentiment_model) == ("created", "en", "NEGATIVE", "computed", FINLEX)


def test_a_folder_skips_hidden_files_and_its_own_readme_and_licence(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "site" / "content"
    (folder / "news").mkdir(parents=True)
    shutil.copy(GOOD / "halving-explainer.md", folder / "news" / "halving.md")
    (folder / "README.md").write_text("# Content\n\nThe site's articles live in news/.\n", encoding="utf-8")
    (folder / "LICENSE.txt").write_text("All rights reserved by the authors of this site.\n", encoding="utf-8")
    (folder / "news" / ".draft.md").write_text("# Unfinished\n\nNot yet.\n", encoding="utf-8")
    (folder / "news" / "cover.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    assert list(expand_inputs([str(folder)])) == [str(folder / "news" / "halving.md")]
    # named explicitly, a README is an input like any other
    assert list(expand_inputs([str(folder / "README.md"), "-", "https://example.com/a"])) == [
        str(folder / "README.md"), "-", "https://example.com/a"]
    assert [r.status for r in run([folder], home)] == ["created"]
