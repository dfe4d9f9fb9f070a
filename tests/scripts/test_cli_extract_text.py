"""What ``newsarchive ingest`` keeps of a saved page's text (issue 12, "Text").

Each page under ``tests/fixtures/html/text/`` (written by us) shows one way a page's text was
lost or furniture kept; the folder is ingested once through the real command, and each test
reads the file the archive wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.article import Article
from archive.store import read_article
from scripts.cli import main
from tests.conftest import FIXTURES

PAGES = FIXTURES / "html" / "text"


@pytest.fixture(scope="module")
def articles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Article]:
    """The article of each fixture page, by the page's file name (without ``.html``)."""
    home = tmp_path_factory.mktemp("text") / "home"
    home.mkdir()
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--json", str(PAGES)])
    assert result.exit_code == 0, result.output
    results = json.loads(result.output)["results"]
    assert sorted(Path(r["input"]).name for r in results) == sorted(p.name for p in PAGES.iterdir())
    return {Path(r["input"]).stem: read_article(Path(r["path"])) for r in results}


def paragraphs(article: Article) -> list[str]:
    return [p for p in article.body.strip().split("\n\n")]


def test_text_after_a_comment_or_a_processing_instruction_is_kept(articles) -> None:
    # trafilatura dropped each comment with the text after it: two of five paragraphs were lost
    assert [p[:40] for p in paragraphs(articles["harbor-comments"])] == [
        "The harbor authority said on Tuesday tha",
        "Operators expect the rise to continue in",
        "Unions said they would watch the longer ",
        "Shipping lines have moved two weekly ser",
        "The authority will publish its full-year",
    ]


def test_bold_italic_and_underline_markers_do_not_split_the_text(articles) -> None:
    # "the **Northfield Grain Cooperative**", "<u>February 2</u>": a search for the phrase, a
    # count of its words or a quotation read the markers as text
    assert articles["grain-bold"].body == (
        "The Northfield Grain Cooperative opened its second silo on Monday, doubling the storage "
        "its 140 member farms can book before the spring harvest.\n\n"
        "Chair Ruth Alvarado said the new capacity would let members hold grain until prices "
        "recover, instead of selling at the low prices of the autumn.\n\n"
        "Bookings open on February 2, and members can reserve space through the cooperative's "
        "office or its website.\n")


def test_headings_that_are_furniture_go_and_the_others_stay(articles) -> None:
    # the standfirst repeated as ##, a newsletter widget's two states, the h1 repeated as #
    article = articles["ferry-headings"]
    assert (article.title, article.description) == (
        "Island ferry adds a winter timetable",
        "Two extra crossings a day from December, the operator says")
    assert [p[:40] for p in paragraphs(article)] == [
        "The island ferry will run two extra cros",
        "The early sailing will leave the mainlan",
        "## Fares stay the same",
        "Fares will not change before the spring,",
    ]


def test_titles_lose_the_site_name_and_the_section(articles) -> None:
    # "Local news: … | Coastal Courier": the page's h1 is the headline; without an h1, the
    # part that names the site ("Coastal Courier Blog", og:site_name "Coastal Courier") goes
    assert articles["pilots-title"].title == "Harbour pilots vote to strike over rosters"
    assert articles["quay-title"].title == "Quay repairs run a month late"
