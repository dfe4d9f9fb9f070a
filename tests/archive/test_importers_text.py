"""Plain text copied from pages and aggregator reposts, through the importer and the real pipeline."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from archive.article import Source
from archive.errors import InputError
from archive.importers.text import (
    PLACEHOLDER,
    draft_from_text,
    headline_from_sentence,
    import_text,
    split_sentences,
    text_paragraphs,
)
from archive.ingest import IngestOptions, finish_article, ingest
from archive.store import Store, read_article
from tests.conftest import FIXTURES

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
TEXT = FIXTURES / "text"


def options(**changes: object) -> IngestOptions:
    return IngestOptions(now=NOW, **changes)  # type: ignore[arg-type]


def finished(name: str, **changes: object) -> tuple[object, list[str]]:
    data = (TEXT / name).read_bytes()
    (draft,) = import_text(data, name=name, options=options(**changes))
    article = finish_article(draft, options(**changes))
    return article, data.decode("utf-8").split("\n")


def test_page_copy_gives_title_standfirst_source_date_and_clean_body() -> None:
    article, _ = finished("page_copy.txt")
    assert (article.title, article.description, article.source, article.author) == (
        "Ether slips below $2,400 as staking outflows pick up",
        "Withdrawals from the largest liquid staking pools reached their highest level since the "
        "network's last upgrade, weighing on the second-largest cryptocurrency.",
        Source("Ledger Wire", "ledgerwire"),
        None,
    )
    assert (article.published_at, article.date_source) == (
        datetime(2025, 9, 9, tzinfo=timezone.utc), "inferred")
    assert article.body == "\n\n".join([
        "Ether fell as low as $2,371 during the Asian session on Tuesday, extending a slide that "
        "began after the weekend.",
        "Data from the staking tracker showed 310,000 ether queued for withdrawal, the most since "
        "the upgrade in April 2025.",
        "## Discounts widen on staking tokens",
        "Several liquid staking tokens traded up to 1.5% below ether, a gap traders said reflected "
        "the length of the exit queue.",
        "\"The queue is the market's stress gauge right now,\" said Priya Natarajan, head of "
        "research at Coldharbor Digital, noting that the discount had closed within days in 2025.",
    ])


def test_source_option_wins_over_a_detected_credit() -> None:
    article, _ = finished("page_copy.txt", source="Desk Notes")
    assert article.source == Source("Desk Notes", "desknotes")


def test_date_option_gives_the_year() -> None:
    article, _ = finished("page_copy.txt", date=date(2024, 1, 1))
    assert (article.published_at, article.date_source) == (
        datetime(2024, 9, 9, tzinfo=timezone.utc), "inferred")


def test_year_option_gives_the_year_only() -> None:
    article, _ = finished("page_copy.txt", year=2023)
    assert (article.published_at, article.date_source) == (
        datetime(2023, 9, 9, tzinfo=timezone.utc), "inferred")
    article, _ = finished("hard_wrapped.txt", year=2023)  # no date in the text: not a date itself
    assert (article.published_at, article.date_source) == (NOW, "ingested")


def test_aggregator_placeholder_is_not_a_title() -> None:
    article, lines = finished("aggregator_placeholder.txt")
    assert article.title == ("The Seoul-based exchange Orbita said it would compensate affected "
                             "users after a software fault halted withdrawals for six hours")
    assert article.source == Source("Chainpost", "chainpost")
    # the update note is a date hint, not body text; captions, Related: and the disclaimer go
    assert (article.published_at, article.date_source) == (
        datetime(2025, 9, 9, tzinfo=timezone.utc), "inferred")
    assert article.body == "\n\n".join(
        [lines[2], lines[3], lines[5], "## " + lines[6], lines[7]])


def test_aggregator_header_wins_over_the_source_option() -> None:
    article, _ = finished("aggregator_placeholder.txt", source="Other Portal")
    assert article.source == Source("Chainpost", "chainpost")


def test_a_source_line_without_original_names_the_source() -> None:
    text = "Source: Harbor Wire\nZinc rallies on supply cuts\nZinc rose 4% on Monday."
    draft = draft_from_text(text, name="x.txt", options=options())
    assert (draft.source, draft.title, draft.body) == (
        Source("Harbor Wire", "harborwire"), "Zinc rallies on supply cuts", "Zinc rose 4% on Monday.")
    sentence = "Source: officials say the talks stalled.\nZinc rose 4% on Monday."
    draft = draft_from_text(sentence, name="x.txt", options=options())
    assert (draft.source, draft.title) == (None, "Source: officials say the talks stalled")


def test_aggregator_header_with_a_real_title() -> None:
    article, lines = finished("aggregator_titled.txt")
    # the date in the sentence is an event, not a dateline: no date rather than a guessed one
    assert (article.title, article.source, article.published_at, article.date_source) == (
        "Orbita to compensate users after six-hour outage",
        Source("Chainpost", "chainpost"),
        NOW,
        "ingested",
    )
    assert article.body == f"{lines[1]}\n\n{lines[2]}"


@pytest.mark.parametrize(
    "value", ["", "{title}", "{{ title }}", "%s", "$title", "${title}", "[title]", "<title>",
              ":title", "title", "undefined", "None", "N/A", "..."],
)
def test_placeholders(value: str) -> None:
    assert PLACEHOLDER.match(value)


@pytest.mark.parametrize("value", ["Title IX ruling hits lenders", "{Bitcoin} rises", "50% off"])
def test_real_titles_are_not_placeholders(value: str) -> None:
    assert not PLACEHOLDER.match(value)


def test_hard_wrapped_lines_are_joined_and_the_byline_is_the_author() -> None:
    article, _ = finished("hard_wrapped.txt")
    assert (article.title, article.author, article.description) == (
        "Port strike lifts container rates", "Helen Achebe", None)
    assert article.body == (
        "Spot rates for containers from Asia to northern Europe rose 8% this week as a strike at "
        "two Baltic ports entered its fourth day, freight brokers said.\n\n"
        "Carriers have diverted ships to Hamburg and Rotterdam, adding about two days to typical "
        "voyages."
    )
    # no date anywhere in the text: the ingest time, said so
    assert (article.published_at, article.date_source) == (NOW, "ingested")


def test_wire_dateline_names_the_source_and_the_day_and_stays_in_the_text() -> None:
    article, lines = finished("dateline.txt")
    assert (article.title, article.source, article.published_at) == (
        "Wheat futures hit a three-month high", Source("Grainwire", "grainwire"),
        datetime(2025, 3, 12, tzinfo=timezone.utc))
    assert article.body == f"{lines[1]}\n\n{lines[2]}"


def test_long_first_line_is_not_a_title_but_stays_in_the_body() -> None:
    text = ("Shares of Northwind Logistics fell 12% in early trading on Thursday after the company "
            "cut its full-year forecast, blaming weaker freight volumes in Europe and higher fuel "
            "costs, according to a statement.\nThe company also named a new finance chief.")
    draft = draft_from_text(text, name="x.txt", options=options())
    assert draft.title == ("Shares of Northwind Logistics fell 12% in early trading on Thursday "
                           "after the company cut its full-year forecast")
    assert draft.body.split("\n\n")[0] == text.split("\n")[0]


def test_bullets_become_one_markdown_list() -> None:
    text = "Five things to watch\n\nThe week ahead:\n• Jobs data on Friday\n• Fed minutes\n\nMore."
    draft = draft_from_text(text, name="x.txt", options=options())
    assert draft.body == "The week ahead:\n\n- Jobs data on Friday\n- Fed minutes\n\nMore."


@pytest.mark.parametrize(
    ("sentence", "headline"),
    [
        ("As oil rallied, citing supply cuts, airline stocks (JETS) slid, according to traders.",
         "Airline stocks slid as oil rallied"),
        ("Despite record sales, Brightline Motors said on Monday it would cut 900 jobs.",
         "Brightline Motors said on Monday it would cut 900 jobs despite record sales"),
        ("Copper rose 2% on Monday.", "Copper rose 2% on Monday"),
    ],
)
def test_headline_from_sentence(sentence: str, headline: str) -> None:
    assert headline_from_sentence(sentence) == headline


def test_sentences_do_not_split_at_abbreviations() -> None:
    assert split_sentences("U.S. stocks fell on Feb. 4 as Acme Inc. slid. Bonds rose! Why? No.") == [
        "U.S. stocks fell on Feb. 4 as Acme Inc. slid.", "Bonds rose!", "Why?", "No."]


def test_text_paragraphs() -> None:
    assert text_paragraphs("A title\r\n\r\nA first line that is long enough to have\nbeen wrapped.\n"
                           "Short line\nnot joined.\n  • item\n") == [
        "A title", "A first line that is long enough to have been wrapped.", "Short line",
        "not joined.", "- item"]


def test_a_txt_file_with_frontmatter_is_markdown() -> None:
    data = (b"---\ntitle: Tin hits a record\npublishedAt: '2025-04-01T08:00:00Z'\n---\n"
            b"Tin rose to a record on supply worries.\n")
    (draft,) = import_text(data, name="note.txt", options=options())
    assert (draft.title, str(draft.published_at), draft.body) == (
        "Tin hits a record", "2025-04-01 08:00:00+00:00", "Tin rose to a record on supply worries.\n")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("invalid_utf8.txt", None, "the file is not valid UTF-8 (byte 34); convert it to UTF-8 first"),
        ("blank.txt", None, "the input is empty"),
        ("binary.txt", b"GIF89a\x00\x01\x02", "this is a binary file, not text"),
        ("only_header.txt", 'Source: Chainpost Original: "{title}"\n'.encode(),
         "no article text in this input"),
        ("only_note.txt", "Source: X Original: \"\"\nUpdate (May 2, 9:00 AM): Adds quotes.\n".encode(),
         "no article text in this input"),
    ],
)
def test_malformed_text_gives_one_clear_error(name: str, data: bytes | None, message: str) -> None:
    raw = data if data is not None else (TEXT / name).read_bytes()
    with pytest.raises(InputError) as info:
        import_text(raw, name=name, options=options())
    assert (info.value.message, info.value.source) == (message, name)


def test_malformed_inputs_fail_alone_in_a_batch(home: Path) -> None:
    inputs = [str(TEXT / "invalid_utf8.txt"), str(TEXT / "blank.txt"), str(TEXT / "dateline.txt")]
    results = list(ingest(inputs, Store(home), options()))
    assert [(r.status, r.error) for r in results] == [
        ("failed", "the file is not valid UTF-8 (byte 34); convert it to UTF-8 first"),
        ("failed", "the input is empty"),
        ("created", None),
    ]
    saved = read_article(Path(results[2].path))
    assert (saved.title, saved.source, saved.date_source) == (
        "Wheat futures hit a three-month high", Source("Grainwire", "grainwire"), "inferred")
    assert list(Store(home).iter_paths()) == [Path(results[2].path)]


def test_title_source_says_when_the_title_was_written_from_the_text() -> None:
    derived, _ = finished("aggregator_placeholder.txt")
    stated, _ = finished("aggregator_titled.txt")
    assert (derived.title_source, stated.title_source) == ("derived", None)
    # no address in its disclaimer: no aggregator to name
    assert (derived.via, stated.via) == (None, None)


@pytest.mark.parametrize("last, via", [
    ("免责声明：本文仅代表作者个人观点。如有侵权，请发送邮件到 help@Portal-Nine.example.cn。", "portal-nine.example.cn"),
    ("Disclaimer: This repost does not reflect the views of www.relaywire.example.", "relaywire.example"),
    # the outlet's own address is its source, not who re-published it
    ("Disclaimer: Originally published on chainpost.example.", None),
    # an address in the article's text is not a disclaimer's
    ("Traders can read the filing at sec.example.gov, the regulator said.", None),
])
def test_via_is_the_republisher_a_closing_disclaimer_names(last: str, via: str | None) -> None:
    text = ("Source: Chainpost Original: \"{title}\"\nOrbita halts withdrawals for six hours\n"
            "The Seoul-based exchange Orbita halted withdrawals for six hours on Tuesday.\n" + last)
    draft = draft_from_text(text, name="x.txt", options=options())
    assert (draft.source, draft.via) == (Source("Chainpost", "chainpost"), via)


def test_title_source_and_via_are_written_and_read_back(tmp_path: Path) -> None:
    text = ("Source: Chainpost Original: \"{title}\"\n"
            "The Seoul-based exchange Orbita halted withdrawals for six hours on Tuesday after a "
            "software fault, and said on Wednesday that it would compensate every affected user.\n"
            "The exchange said user funds were never at risk.\n"
            "Disclaimer: This repost does not reflect the views of relaywire.example.\n")
    source = tmp_path / "repost.txt"
    source.write_text(text, encoding="utf-8")
    (tmp_path / "home").mkdir()
    [result] = ingest([str(source)], Store(tmp_path / "home"), options())
    assert (result.status, result.error) == ("created", None)
    written = Path(result.path).read_text(encoding="utf-8")
    assert "\ntitleSource: derived\nvia: relaywire.example\n" in written
    article = read_article(Path(result.path))
    assert (article.title_source, article.via) == ("derived", "relaywire.example")
