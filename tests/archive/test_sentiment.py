"""newsarchive-finlex: the lexicon file, the sentence grammar, and whole articles (our fixtures and
the seeds). Every sentence here is written for the test; the PhraseBank is only for the benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import enrich, sentiment
from archive.sentiment import (
    LexiconError,
    classify_article,
    classify_sentence,
    load_lexicon,
    parse_lexicon,
    score_article,
    score_sentence,
)
from tests.conftest import FIXTURES, SEEDS

GOOD = FIXTURES / "ingest" / "good"


def _split_title(path: Path) -> tuple[str, str]:
    title, _, body = path.read_text(encoding="utf-8").partition("\n")
    return title, body


# ------------------------------------------------------------------------------------ lexicon --

def test_the_packaged_lexicon_loads_with_every_section() -> None:
    lexicon = load_lexicon()
    assert lexicon.polar["beat expectations"] == 2.0
    assert lexicon.polar["downgraded"] == -1.5
    assert lexicon.direction["rose"] == 1.0
    assert lexicon.direction["plunged"] == -1.8
    assert lexicon.metric["sales"] == (1, 0.0)
    assert lexicon.metric["costs"] == (-1, 0.0)
    assert lexicon.metric["net loss"] == (-1, -1.0)
    assert lexicon.intensifier["sharply"] == 1.6
    assert lexicon.intensifier["slightly"] == 0.6
    assert "not" in lexicon.negation and "but" in lexicon.boundary
    assert "compared with" in lexicon.comparator
    assert "cut" in lexicon.transitive and "rose" not in lexicon.transitive


def test_parse_lexicon_reads_weights_continuation_lines_and_comments() -> None:
    lexicon = parse_lexicon(
        "# a comment\n"
        "[positive]\n"
        "1.5: good news, great  news  # trailing comment\n"
        "     better news\n"
        "[negative]\n"
        "2: bad news\n"
        "[up]\n"
        "1: rose\n"
        "[transitive]\n"
        "rose\n"
        "[good]\n"
        "0: sales\n"
        "[negation]\n"
        "not, never\n"
    )
    assert lexicon.polar == {"good news": 1.5, "great news": 1.5, "better news": 1.5, "bad news": -2.0}
    assert lexicon.direction == {"rose": 1.0}
    assert lexicon.metric == {"sales": (1, 0.0)}
    assert lexicon.negation == frozenset({"not", "never"})
    assert lexicon.transitive == frozenset({"rose"})
    assert lexicon.max_words == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[positive]\n1: rose\n[up]\n1: rose\n", "'rose' is in both [positive] and [up]"),
        ("[positive]\ngood\n", "[positive] 'good' has no weight"),
        ("good\n", "line 1: words before any [section]"),
        ("[mood]\n1: happy\n", "unknown sections: mood"),
        ("[positive]\n1: Good\n", "line 2: 'Good' is not lower-case words"),
        ("[up]\n1: rose\n[transitive]\nfell\n", "[transitive] words that are not in [up]/[down]: fell"),
    ],
)
def test_parse_lexicon_refuses_a_malformed_file(text: str, message: str) -> None:
    with pytest.raises(LexiconError) as caught:
        parse_lexicon(text)
    assert str(caught.value) == message


# ---------------------------------------------------------------------------------- sentences --

@pytest.mark.parametrize(
    ("sentence", "score"),
    [
        # a movement takes its sign from what moved
        ("Sales rose.", 1.0),
        ("Costs rose.", -1.0),
        ("Unemployment rose to 5.1% in May.", -1.0),  # "to 5.1%" is a level, not the move's size
        ("The net loss narrowed to 3 million dollars.", 0.8),
        # what moved is the head of "X for/of/from Y", not Y
        ("Electricity prices for industrial users jumped 40% this winter.", -1.95),
        ("Revenue from new customers rose 5%.", 1.125),
        ("The cost of loans rose.", -1.0),
        # transitive verbs look at their object
        ("The company cut its full-year forecast.", -1.0),
        ("The company cut costs by 10%.", 1.25),
        ("Interest rates were cut by the central bank.", 1.0),
        # intensifiers, softeners and the size of a percentage
        ("Sales rose sharply.", 1.6),
        ("Shares fell slightly.", -0.6),
        ("Bitcoin fell 20%.", -1.5),
        # negation turns a word around, weakened: "did not fall" is not "rose"
        ("Bitcoin did not fall on Monday.", 0.5),
        ("Sales did not rise.", -0.5),
        ("The bank avoided a loss in the quarter.", 0.5),
        # "up"/"down" only as movements
        ("The index was down 2% on Tuesday.", -1.05),
        ("She set up a new fund in Zurich.", 0.0),
        # the state a movement ends in, or starts from
        ("The retailer slipped to a pretax loss of 4 million euros.", -0.96),
        ("Operating profit was 7 million euros, up from a loss of 2 million euros.", 1.3),
        # no movement word: the two numbers say which way
        ("Revenue was 5.2 million euros compared with 4.1 million euros a year earlier.", 1.0),
        ("Revenue was 3.2 million euros compared with 4.1 million euros a year earlier.", -1.0),
        # a subordinate clause counts less than the main one
        ("Bitcoin fell as the dollar strengthened.", -0.4),
        # words that are something else in technology news
        ("Developers scheduled the network upgrade for April.", 0.0),
        ("The company kept a record of every payment.", 0.0),
        # IPO language
        ("The listing was oversubscribed and priced at the top of its range.", 2.4),
        # plain polar phrases
        ("The stock hit a record high.", 2.0),
        ("Analysts downgraded the stock to sell.", -1.5),
        ("The exchange was hacked.", -1.5),
        ("The board will meet in Oslo on Tuesday.", 0.0),
    ],
)
def test_sentence_scores(sentence: str, score: float) -> None:
    assert score_sentence(sentence) == pytest.approx(score)


@pytest.mark.parametrize(
    ("sentence", "label"),
    [
        ("Quarterly revenue beat estimates and the shares jumped 9%.", "POSITIVE"),
        ("The miner swung to a loss as the price of bitcoin slumped.", "NEGATIVE"),
        ("The company will publish its annual report on March 3.", "NEUTRAL"),
        ("Profit before taxes decreased to 12 million euros from 19 million euros.", "NEGATIVE"),
        ("The diluted loss per share narrowed to 0.12 euros from 0.40 euros.", "POSITIVE"),
        ("Bitcoin didn't fall on Monday.", "NEUTRAL"),
    ],
)
def test_sentence_labels(sentence: str, label: str) -> None:
    assert classify_sentence(sentence) == label


def test_tokenizer_reads_numbers_percentages_and_contractions() -> None:
    assert sentiment.tokenize("Shares didn't drop -3.5% to $1,200.50 (Reuters)") == [
        ("word", "shares"), ("word", "did"), ("word", "not"), ("word", "drop"), ("pct", "-3.5"),
        ("word", "to"), ("num", "$1,200.50"), ("punct", "("), ("word", "reuters"), ("punct", ")"),
    ]


def test_longest_phrase_wins() -> None:
    units = sentiment.match_units(sentiment.tokenize("It fell short of expectations"), load_lexicon())
    # greedy left to right: "fell short" is taken first, the rest are plain words
    assert [(u.kind, u.text) for u in units] == [
        ("word", "it"), ("polar", "fell short"), ("word", "of"), ("word", "expectations"),
    ]


# ----------------------------------------------------------------------------------- articles --

def test_split_sentences_drops_markdown_links_headings_and_bullets() -> None:
    text = ("## Why it matters\n"
            "- Shares fell. Bonds rose!\n"
            "Read [the filing](https://example.com/f.pdf) at https://example.com now.")
    assert sentiment.split_sentences(text) == [
        "Why it matters", "Shares fell.", "Bonds rose!", "Read the filing at   now.",
    ]


def test_our_positive_and_negative_fixtures() -> None:
    assert classify_article(*_split_title(GOOD / "chipmaker-earnings.txt")) == "POSITIVE"
    assert classify_article(*_split_title(GOOD / "exchange-outage.txt")) == "NEGATIVE"


def test_a_neutral_explainer_stays_neutral() -> None:
    text = (GOOD / "halving-explainer.md").read_text(encoding="utf-8")
    body = text.split("\n---\n", 1)[1]
    result = score_article("What is the Bitcoin halving, and how does it work?", body)
    assert result.label == "NEUTRAL"
    # descriptive movements ("the reward is halved") weigh little: clear of the threshold
    assert abs(result.mean) < sentiment.ARTICLE_THRESHOLD * 0.8


@pytest.mark.parametrize("seed", ["000_91025615d316920f.txt", "002_e8b731110e903415.txt"])
def test_the_falling_market_seeds_are_negative_even_uncleaned(seed: str) -> None:
    assert classify_article(*_split_title(SEEDS / seed)) == "NEGATIVE"


def test_the_title_weighs_more_than_a_body_sentence() -> None:
    body = "The company reported its results on Tuesday.\n\nThe chief executive spoke to analysts."
    assert score_article("Shares plunge after profit warning", body).label == "NEGATIVE"
    assert score_article("Results on Tuesday", body + "\n\nShares fell.").label == "NEUTRAL"


def test_a_move_with_a_size_is_news_a_move_without_one_describes() -> None:
    # "raised $640 million" counts in full in an article; "is halved" (no size, no known quantity)
    # only half: it describes a mechanism
    assert sentiment.score_parts("The start-up raised $640 million.") == (pytest.approx(0.8), 0.0)
    assert sentiment.score_parts("The reward is halved every four years.") == (0.0, pytest.approx(-1.44))
    assert score_article("Start-up raises $640 million", "The start-up raised $640 million.").label == "POSITIVE"


def test_one_stray_word_does_not_decide_an_article() -> None:
    body = "The fund holds bonds and shares.\n\nIts managers meet every quarter.\n\nThe fund is strong."
    result = score_article("About the fund", body)
    assert (result.label, result.positive, result.negative) == ("NEUTRAL", 1.0, 0.0)


def test_an_empty_article_is_neutral() -> None:
    assert score_article("", "") == sentiment.ArticleScore("NEUTRAL", 0.0, 0.0, 0.0, 0)


def test_the_model_name_and_version() -> None:
    assert sentiment.model_info() == {"name": "newsarchive-finlex", "version": "2"}


# ---------------------------------------------------------------------------- any text at all --

_NEWSY = st.lists(st.sampled_from(
    ["Sales", "rose", "fell", "not", "up", "down", "from", "to", "a", "loss", "profit", "costs", "by",
     "5%", "-3.5%", "$1,200.50", "1,2,,3", "compared", "with", "as", "sharply", ",", ".", "\n", "\n\n",
     "—", "'", "n't", "(", ")", "#", "- ", "**", "[x](http://e.com)", "−4", "%", "2026", "record high"]),
    max_size=60).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=300), _NEWSY), st.one_of(st.none(), st.text(max_size=80), _NEWSY))
def test_any_text_gets_a_label_and_never_an_error(body: str, title: str | None) -> None:
    result = score_article(title, body)
    assert result.label in sentiment.LABELS
    assert result == score_article(title, body)  # deterministic
    for sentence in sentiment.split_sentences(body):
        assert classify_sentence(sentence) in sentiment.LABELS


# ------------------------------------------------------------- crypto and market events (v2) --
# Headlines written for these tests (none is in scripts/benchdata/crypto_sentiment.tsv): each one
# scored 0 with version 1, whose lexicon had no word for the event.

@pytest.mark.parametrize("headline, label", [
    ("Paraguay's senate backs bill to make bitcoin legal tender", "POSITIVE"),
    ("Gemini lists Render and Injective", "POSITIVE"),
    ("OKX delists four stablecoins for EU customers", "NEGATIVE"),
    ("Kraken to acquire futures broker NinjaTrader", "POSITIVE"),
    ("Avalanche partners with Alibaba Cloud on developer tools", "POSITIVE"),
    ("Airline now accepts bitcoin for ticket purchases", "POSITIVE"),
    ("SEC rejects Cboe's proposal for an XRP fund", "NEGATIVE"),
    ("Lending protocol drained by attackers", "NEGATIVE"),
    ("Exchange's hot wallet compromised overnight", "NEGATIVE"),
    ("Vietnam bars banks from crypto deals", "NEGATIVE"),
    ("Aptos network stalls for three hours", "NEGATIVE"),
    # an [undo] verb turns the event it governs around
    ("Brazil lifts ban on crypto payments", "POSITIVE"),
    ("Court dismisses lawsuit against OpenSea", "POSITIVE"),
    ("Retailer stops accepting bitcoin", "NEGATIVE"),
    ("Payments firm ends partnership with exchange", "NEGATIVE"),
    ("Founder acquitted of fraud", "POSITIVE"),
    # but a fall is still a fall: "drops" governs nothing past "as" / "on"
    ("XRP drops as SEC files new lawsuit", "NEGATIVE"),
    # a headline's movement is its news, whatever moved
    ("Injective slides 9%", "NEGATIVE"),
    ("Fantom climbs after upgrade", "POSITIVE"),
    ("Market cap of stablecoins tops $200 billion", "POSITIVE"),
    # a concession says little; an explainer and a flat market say nothing
    ("Bitcoin climbs despite weak retail sales", "POSITIVE"),
    ("Despite the exploit, the token rallies", "POSITIVE"),
    ("How to spot a rug pull before it happens", "NEUTRAL"),
    ("Bitcoin little changed after volatile week", "NEUTRAL"),
])
def test_crypto_event_headlines_through_the_ingest_call(headline: str, label: str) -> None:
    # what archive.ingest.finish_article calls for a headline-only record
    assert enrich.classify_sentiment("", title=headline) == (label, sentiment.model_info())


def test_a_body_that_repeats_the_headline_counts_it_once() -> None:
    headline = "Trading platform suffers outage as prices swing"
    alone = score_article(headline, "")
    assert alone.label == "NEGATIVE"
    assert score_article(headline, headline) == alone
    assert score_article(headline, f"{headline}.\n\nIt was back after an hour.") == \
        score_article(headline, "It was back after an hour.")


def test_a_record_of_something_is_not_a_record_high() -> None:
    assert score_sentence("The company kept a record of every payment.") == 0.0
    assert classify_article("Bitcoin hits record", "") == "POSITIVE"
    assert classify_article("Scam losses hit record $5 billion", "") == "NEGATIVE"
    assert classify_article("Gold retreats from record", "") == "NEGATIVE"


def test_the_undo_section_may_share_words_with_others_but_nothing_else_may() -> None:
    lexicon = parse_lexicon("[up]\n1.0: lifts\n[negative]\n1.0: ban\n[undo]\nlifts, overturns\n"
                            "[flat]\nlittle changed\n[explainer]\nhow to\n")
    assert lexicon.undo == frozenset({"lifts", "overturns"})
    assert (lexicon.category("lifts"), lexicon.category("overturns")) == ("direction", "undo")
    assert (lexicon.flat, lexicon.explainer) == (frozenset({"little changed"}), frozenset({"how to"}))
    with pytest.raises(LexiconError) as caught:
        parse_lexicon("[flat]\nsteady\n[positive]\n1.0: steady\n")
    assert str(caught.value) == "'steady' is in both [positive] and [flat]"
