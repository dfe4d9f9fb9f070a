"""Enrichment: language detection, the sentiment entry point, the content hash, and how
``finish_article`` applies them (computed only when the input lacks them)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import article as article_module
from archive import enrich
from archive.article import Article, Source
from archive.ingest import IngestOptions, finish_article

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
FINLEX = {"name": "newsarchive-finlex", "version": "2"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The central bank left its main interest rate unchanged on Thursday and said inflation "
         "was close to its target.", "en"),
        ("Die Europäische Zentralbank hat den Leitzins am Donnerstag unverändert gelassen und die "
         "Inflation nähert sich dem Ziel.", "de"),
        ("La Banque centrale européenne a laissé son taux directeur inchangé jeudi, l’inflation se "
         "rapprochant de sa cible.", "fr"),
        ("El banco central dejó sin cambios su tipo de interés el jueves y dijo que la inflación "
         "está cerca del objetivo.", "es"),
        ("欧洲央行周四维持主要利率不变，并表示通胀已接近目标水平。", "zh"),  # not "wuu"
        ("日本銀行は木曜日、政策金利を据え置き、物価上昇率は目標に近づいていると述べた。", "ja"),
        ("央行维持利率不变", "zh"),  # eight characters are enough in Chinese
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert enrich.detect_language(text) == lang


@pytest.mark.parametrize(
    "text",
    ["", "BTC ETF", "   \n\t", "1234567890 $%& 2026-02-04",
     "https://example.com/a-very-long-address/with/many/letters/in/it",
     "Bitcoin Bitcoin Bitcoin Bitcoin"],  # long enough, but no language to speak of
)
def test_detect_language_gives_none_when_it_cannot_tell(text: str) -> None:
    assert enrich.detect_language(text) is None


def test_detect_language_answers_only_iso_639_1_codes_from_its_list() -> None:
    assert all(len(code) == 2 for code in enrich.LANGUAGES)
    assert enrich.detect_language("Lorem ipsum dolor sit amet, consectetur adipiscing elit, "
                                  "sed do eiusmod tempor incididunt") in enrich.LANGUAGES + (None,)


def test_classify_sentiment_returns_the_label_and_the_model() -> None:
    assert enrich.classify_sentiment("Shares of the lender plunged 18% after it swung to a loss.",
                                     title="Lender's shares plunge") == ("NEGATIVE", FINLEX)
    # without a title, the first line is the title
    assert enrich.classify_sentiment("Revenue beats estimates\nThe outlook was raised.") == \
        ("POSITIVE", FINLEX)
    assert enrich.classify_sentiment("") == ("NEUTRAL", FINLEX)


def test_content_hash_is_the_article_modules() -> None:
    assert enrich.compute_content_hash is article_module.compute_content_hash
    assert enrich.compute_content_hash("A  body\n\nwith  spaces") == enrich.compute_content_hash(
        "A body with spaces")


# -------------------------------------------------------------- applied by finish_article --

def _draft(**fields: object) -> Article:
    values: dict[str, object] = {
        "title": "Shipping group's profit jumps 40% on record container rates",
        "body": "The shipping group said its quarterly profit jumped 40% as container rates hit a "
                "record high, and raised its full-year outlook.\n\nThe shares rose 6% in Oslo.",
        "published_at": datetime(2026, 2, 20, 7, 30, tzinfo=timezone.utc),
        "source": Source(name="Nordwire", key="nordwire"),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def test_finish_article_computes_language_sentiment_and_hash_when_missing() -> None:
    done = finish_article(_draft(), IngestOptions(now=NOW))
    assert (done.lang, done.sentiment, done.sentiment_source, done.sentiment_model) == (
        "en", "POSITIVE", "computed", FINLEX)
    assert done.content_hash == enrich.compute_content_hash(done.body)


def test_finish_article_keeps_a_provided_sentiment_and_language() -> None:
    done = finish_article(_draft(sentiment="NEGATIVE", lang="en"), IngestOptions(now=NOW))
    assert (done.lang, done.sentiment, done.sentiment_source, done.sentiment_model) == (
        "en", "NEGATIVE", "provided", None)


def test_finish_article_does_not_guess_the_sentiment_of_other_languages() -> None:
    draft = _draft(
        title="Reederei steigert Gewinn um 40 Prozent",
        body="Die Reederei hat ihren Quartalsgewinn dank hoher Frachtraten um 40 Prozent gesteigert "
             "und die Prognose für das Gesamtjahr angehoben.",
    )
    done = finish_article(draft, IngestOptions(now=NOW))
    assert (done.lang, done.sentiment, done.sentiment_source, done.sentiment_model) == (
        "de", None, None, None)


def test_finish_article_falls_back_to_english_for_a_short_text() -> None:
    done = finish_article(_draft(title="BTC", body="ETF flows."), IngestOptions(now=NOW))
    assert done.lang == "en"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_detect_language_never_fails(text: str) -> None:
    assert enrich.detect_language(text) in enrich.LANGUAGES + (None,)
