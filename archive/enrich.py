"""Fields computed when the input lacks them: language, sentiment, content hash.

- ``detect_language``: py3langid's naive Bayes model restricted to the languages a news archive
  meets (``LANGUAGES``), ``None`` when the text is too short or the model is unsure.
- ``classify_sentiment``: newsarchive-finlex (``archive.sentiment``), our own lexicon classifier
  for English financial news; other languages are not classified (``None``), never guessed.
- ``extract_tickers``: the symbols of the crypto assets, listed companies and funds the text names
  (``archive.tickers``, from our own list ``archive/data/assets.txt`` and ticker notation).
- ``compute_content_hash``: sha256 of the normalised body (``archive.article``).

Pure code: the language model and the lexicon are package data, loaded once on first use.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from archive import sentiment
from archive.article import compute_content_hash
from archive.tickers import extract_tickers, tickers_from_values

__all__ = ["LANGUAGES", "detect_language", "classify_sentiment", "compute_content_hash",
           "extract_tickers", "sentiment_model", "tickers_from_values"]

#: ISO 639-1 codes detect_language may answer: the languages of the markets and the press the
#: archive covers. A smaller set is more accurate (no "wuu" for Chinese, no Latin for "BTC ETF").
LANGUAGES = (
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr", "he", "hi",
    "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "nl", "no", "pl", "pt", "ro", "ru",
    "sk", "sl", "sr", "sv", "th", "tr", "uk", "vi", "zh",
)
#: fewer letters than this (a CJK character counts as three) and the language is not guessed
MIN_LETTERS = 20
#: below this probability (of the restricted model) the answer is "unknown"
MIN_CONFIDENCE = 0.5
#: the model reads this much of a long text (the start of an article says enough)
MAX_CHARS = 5000

_URLS = re.compile(r"https?://\S+|\S+@\S+")


@functools.lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LANGUAGES)
    return identifier


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or ``None`` when it is too short to tell."""
    cleaned = _URLS.sub(" ", text or "")[:MAX_CHARS]
    # a Chinese or Japanese character says about as much as a short word
    if sum((3 if ch >= "\u2e80" else 1) for ch in cleaned if ch.isalpha()) < MIN_LETTERS:
        return None
    lang, confidence = _identifier().classify(cleaned)
    if confidence < MIN_CONFIDENCE:
        return None
    return lang


def sentiment_model() -> dict[str, str]:
    """``{name, version}`` of the classifier, as ``sentimentModel`` records it."""
    return sentiment.model_info()


def classify_sentiment(text: str, *, title: str | None = None) -> tuple[str, dict[str, Any]]:
    """``(POSITIVE|NEGATIVE|NEUTRAL, {name, version})`` of the classifier that decided.

    ``text`` is the body (Markdown); ``title``, when given, weighs more, as does the first
    paragraph. Without ``title`` the text's first line is taken as the title."""
    if title is None:
        first, _, rest = (text or "").strip().partition("\n")
        title, text = first, rest
    return sentiment.classify_article(title, text), sentiment_model()
