"""Page furniture removal: each rule, per-source rules, Markdown left alone, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.cleanup import (
    caption_credit,
    clean_body,
    default_rules,
    is_subheading,
    load_rules,
    rules_for_home,
)
from archive.errors import FormatError
from archive.ingest import IngestOptions, ingest
from archive.store import Store, read_article
from tests.conftest import FIXTURES

LEDE = "Copper futures climbed 3% on Tuesday as smelters in Chile cut output."
NEXT = "Traders said inventories at London warehouses fell for a fifth week."
LAST = "The metal has gained 11% this year, its best start since 2021."


def body(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


@pytest.mark.parametrize(
    "furniture",
    [
        # newsletter and subscription promos
        "STORY CONTINUES BELOWDon’t miss another story.Subscribe to the Metals Morning Newsletter "
        "today. See all newslettersSign me up",
        "Sign up for our Daily Brief newsletter to get the news in your inbox.",
        "By signing up, you will receive emails about Ledger Weekly products and you agree to our "
        "terms of use.",
        # price tickers left without their heading
        "$9,412.301.25%",
        "HG $4.21 -0.85%",
        "-2.4%",
        # comment counts
        "14",
        "37 Comments",
        "Comments (12)",
        # share prompts and widget labels
        "Share this article",
        "Share on LinkedIn",
        "Follow us on X and Telegram",
        "Copy link",
        "Advertisement",
        "4 min read",
        # related-link lines
        "Related: Zinc hits a two-year high as Chinese demand returns",
        "Read more: Why smelters are cutting output",
        "See also: The copper supercycle, explained",
        # captions and credits
        "Copper inventories at LME warehouses. Source: Harbor Metals Research",
        "Chart: Westbay Analytics",
        "Photo by Ana Ruiz/Harbor Images",
        "Workers at the Escondida mine (Harbor Images)",
        "on March 3 (Metal Ledger)",
        "(Photo: Lena Park)",
        # datelines and bylines
        "Published March 3, 2026, 9:15 a.m. UTC",
        "By Marta Olsen and Tom Reyes",
        # an aggregator header left in
        'Source: Metal Ledger Original: "{title}"',
        # the same furniture in other languages, and as HTML extraction writes it (emphasis)
        "**Lesen Sie auch:** Kupferpreis steigt auf Rekordhoch",
        "*Lea también: El cobre sube por los recortes en Chile*",
        "***Czytaj też:*** Miedź drożeje",
        "**Auch interessant:**",
        "Contenido relacionado",
        "Keine Kommentare",
        "Artikel teilen",
        "*\\*Werbung. Dieser Beitrag enthält Werbung für Metallwelt.*",
        "Dieser Artikel enthält Affiliate-Links. Bei einem Kauf erhalten wir eine Provision.",
        "Mit unserem Newsletter erhalten Sie jede Woche die wichtigsten Metallpreise!",
        "Follow Metal Ledger on X and LinkedIn for market updates.",
        "For breaking news download the Metal Ledger app for iOS and Android.",
        "Category: Markets",
        "A smelter near Antofagasta. © AFP / Ana Ruiz",
        "Ana Ruiz/Getty Images",
        "*(Credit: Ana Ruiz / Harbor Images)*",
        "Foto: Harbor Images",
    ],
)
def test_each_kind_of_furniture_is_removed(furniture: str) -> None:
    assert clean_body(body(LEDE, furniture, NEXT)) == body(LEDE, NEXT)


@pytest.mark.parametrize(
    "line",
    [
        # parentheses that are not credits, colons that are not labels, newsletters as news
        "The company reported a 12% rise in output (excluding its Peruvian mines).",
        "(Figures in thousands of tonnes)",
        "Shelf life is ten years. (I should write about that some time.)",
        "Deadline for comments: 03.11.2025 (postmark)",
        "The bank's research newsletter said the deficit would narrow in 2026.",
        "Miners cut output by 5%, or about $1.2 billion of copper.",
        "Warning: the figures below are provisional, the ministry said, and may change.",
    ],
)
def test_article_text_that_looks_like_furniture_is_kept(line: str) -> None:
    assert clean_body(body(LEDE, line, NEXT)) == body(LEDE, line, NEXT)


def test_a_promo_glued_to_a_sentence_leaves_the_sentence() -> None:
    glued = ("Copper futures climbed 3% on Tuesday.STORY CONTINUES BELOWDon’t miss another story."
             "Subscribe to the Metals Morning Newsletter today. See all newslettersSign me upThe "
             "rally came as smelters in Chile cut output.")
    assert clean_body(glued) == ("Copper futures climbed 3% on Tuesday. The rally came as smelters "
                                 "in Chile cut output.")


@pytest.mark.parametrize(
    "disclaimer",
    [
        "Disclaimer: This article is for information only and is not investment advice.",
        "Haftungsausschluss: Dieser Artikel stellt keine Anlageberatung dar.",
        "Avertissement : cet article ne constitue pas un conseil en investissement.",
        "Aviso legal: este artículo no constituye asesoramiento financiero.",
        "免责声明：本文仅代表作者个人观点，不构成投资建议。",
        "This article does not constitute investment advice; do your own research.",
    ],
)
def test_legal_disclaimers_in_any_language_are_removed(disclaimer: str) -> None:
    assert clean_body(body(LEDE, NEXT, disclaimer)) == body(LEDE, NEXT)


def test_a_disclaimer_heading_alone_starts_the_footer() -> None:
    text = body(LEDE, NEXT, "Disclaimer", "Nothing here is advice.", "© 2026 Metal Ledger")
    assert clean_body(text) == body(LEDE, NEXT)


def test_a_footer_word_before_a_long_text_is_a_section_heading() -> None:
    section = [f"{NEXT} Paragraph {n} of a long section on the rules." for n in range(30)]
    text = body(LEDE, "Avertissement", *section)
    assert clean_body(text) == body(LEDE, "## Avertissement", *section)


def test_update_notes_are_removed() -> None:
    note = "Update (March 3, 10:02 AM local time): This article has been updated with comments."
    assert clean_body(body(note, LEDE, NEXT)) == body(LEDE, NEXT)
    assert clean_body(body("Update March 3: adds analyst comment.", LEDE)) == LEDE


def test_what_to_know_box_goes_but_the_article_stays() -> None:
    text = body(
        "What to know:",
        "- Copper rose 3% as Chilean smelters cut output.\n- Inventories fell for a fifth week.",
        LEDE,
        NEXT,
    )
    assert clean_body(text) == body(LEDE, NEXT)
    # a box heading with no items after it takes nothing else with it
    assert clean_body(body("Key takeaways", LEDE, NEXT)) == body(LEDE, NEXT)


def test_ticker_heading_and_its_price_lines_go() -> None:
    text = body("In this article", "HG\n$4.21\n-0.85%", LEDE, NEXT)
    assert clean_body(text) == body(LEDE, NEXT)


def test_short_plain_lines_between_paragraphs_become_subheadings() -> None:
    text = body(LEDE, "Chilean output is falling", NEXT, "U.S. demand holds up", LAST)
    assert clean_body(text) == body(LEDE, "## Chilean output is falling", NEXT,
                                    "## U.S. demand holds up", LAST)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Reduction in smelting capacity", True),
        ("U.S. demand holds up", True),
        ("Copper rose.", False),  # a sentence
        ("What next?", False),
        ("Outlook:", False),
        ("Outlook: cautious", False),
        ("Ether (ETH)", True),
        ("(Figures in tonnes)", False),
        ("Shelf life is ten years. (I should write about that.)", False),
        ("HG", False),  # a ticker
        ("- a list item", False),
        ("lowercase start here", False),
        ("A line that has far too many words to be any kind of sub-heading at all really", False),
    ],
)
def test_is_subheading(line: str, expected: bool) -> None:
    assert is_subheading(line) is expected


def test_last_line_is_not_made_a_heading() -> None:
    assert clean_body(body(LEDE, "Reporting from Santiago")) == body(LEDE, "Reporting from Santiago")


def test_canonical_markdown_is_unchanged() -> None:
    text = (FIXTURES / "markdown" / "canonical_body.md").read_text(encoding="utf-8")
    assert clean_body(text) == text.strip("\n")


def test_code_blocks_are_never_touched() -> None:
    text = body(LEDE, "```\nSign me up\n21\nShare\n```", "    Related: kept in code", NEXT)
    assert clean_body(text) == text


def test_blank_lines_are_normalised_to_one() -> None:
    assert clean_body(f"\n\n{LEDE}\n \n\n\t\n{NEXT}\r\n\r\n\r\n{LAST}\n\n") == body(LEDE, NEXT, LAST)


def test_ticker_symbols_in_parentheses_are_not_credits() -> None:
    assert caption_credit("Freeport-McMoRan (FCX)") is None
    assert caption_credit("on March 3 (Metal Ledger)") == ("Metal Ledger", True)
    assert caption_credit("Miners at work (Harbor Images)") == ("Harbor Images", False)
    assert caption_credit("LONDON (AP)") is None  # capitals: a dateline, kept in the text
    assert clean_body(body(LEDE, "Freeport-McMoRan (FCX)", NEXT)) == body(
        LEDE, "## Freeport-McMoRan (FCX)", NEXT)


def test_source_rules_apply_only_to_their_source() -> None:
    text = body(LEDE, "Magazine: How miners hedge copper, explained.", NEXT)
    assert clean_body(text, source_key="cointelegraph") == body(LEDE, NEXT)
    assert clean_body(text, source_key="otherwire") == text
    assert clean_body(body(LEDE, "Edited by Sam Ortiz.", NEXT), source_key="coindesk") == body(LEDE, NEXT)


def test_home_rules_add_to_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "cleanup.yaml").write_text(
        "global:\n  lines:\n    - 'Listen to the podcast'\n"
        "sources:\n  metalledger:\n    phrases:\n      - 'Get Metal Ledger Pro\\.'\n",
        encoding="utf-8",
    )
    rules = rules_for_home(tmp_path)
    text = body(LEDE, "Listen to the podcast", f"{NEXT}Get Metal Ledger Pro.", "Sign me up")
    assert clean_body(text, source_key="metalledger", rules=rules) == body(LEDE, NEXT)
    assert clean_body(text, rules=rules) == body(LEDE, f"{NEXT}Get Metal Ledger Pro.")
    assert rules_for_home(tmp_path / "absent") is default_rules()


def test_home_rules_apply_on_ingest(home: Path, tmp_path: Path) -> None:
    (home / "cleanup.yaml").write_text("global:\n  lines: ['Listen to the podcast']\n", "utf-8")
    source = tmp_path / "note.txt"
    source.write_text(f"Copper climbs\n\n{LEDE}\n\nListen to the podcast\n\n{NEXT}\n", "utf-8")
    (result,) = ingest([str(source)], Store(home), IngestOptions(home=home))
    assert read_article(Path(result.path)).body == body(LEDE, NEXT) + "\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("global:\n  lines: ['(unclosed']\n", "is not a valid regular expression"),
        ("global:\n  blurbs: ['x']\n", "'global.blurbs' is not a rule kind"),
        ("extras: {}\n", "unknown section(s) extras"),
        ("- a list\n", "must be a map"),
        ("global: [unclosed\n", "not valid YAML"),
        ("sources: [1]\n", "'sources' must map source keys to rules"),
    ],
)
def test_bad_rule_files_give_one_clear_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "cleanup.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        load_rules(path)
    assert message in info.value.message
    assert info.value.source == str(path)


def test_the_seed_shapes_fixture_cleans_to_the_expected_body() -> None:
    raw = (FIXTURES / "text" / "furniture_raw.txt").read_text(encoding="utf-8")
    expected = (FIXTURES / "text" / "furniture_clean.md").read_text(encoding="utf-8")
    assert clean_body(raw) == expected.strip("\n")


_LINES = st.sampled_from([
    LEDE, NEXT, LAST, "", "", "21", "What to know:", "- A key point.", "In this article",
    "$4.21-0.85%", "Sign me up", "Related: more", "Chilean output is falling", "## A heading",
    "```", "Disclaimer: none", "on March 3 (Metal Ledger)", "  indented line", "Text.Sign me up",
    "Update (March 3, 9:00 AM): This article has been updated.", "|a|b|", "---",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=14))
def test_cleaning_is_idempotent(lines: list[str]) -> None:
    once = clean_body("\n".join(lines))
    assert clean_body(once) == once


def test_headings_after_the_last_text_head_nothing_and_go() -> None:
    text = ("The ferry adds two crossings a day.\n\n## Fares stay the same\n\nFares do not change.\n\n"
            "#### The crossings were full all summer.\n\nThe operator said so.\n\n"
            "## More from the Courier\n\n### Harbour car park to close\n\n### Lifeboat crew rescues two")
    assert clean_body(text) == (
        "The ferry adds two crossings a day.\n\n## Fares stay the same\n\nFares do not change.\n\n"
        "#### The crossings were full all summer.\n\nThe operator said so.")
    # a heading that ends a sentence is a pull quote set large, and stays even at the end
    assert clean_body("Text of the story.\n\n### It was, he said, a relief.") == (
        "Text of the story.\n\n### It was, he said, a relief.")
    # with nothing under them inside the text, headings stay: pages set data rows as headings
    rows = "Intro text.\n\n## Developer Paintbucket Games\n\n## Publisher HandyGames\n\nThe review."
    assert clean_body(rows) == rows
    assert clean_body(clean_body(text)) == clean_body(text)
