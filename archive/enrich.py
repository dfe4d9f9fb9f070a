"""Fields computed when the input lacks them: language, sentiment, content hash.

(The foundation issue fills in the classifiers; this placeholder keeps the pipeline whole.)"""

from __future__ import annotations

from typing import Any


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or ``None`` when it is too short to tell."""
    return None


def classify_sentiment(text: str) -> tuple[str, dict[str, Any]]:
    """``(POSITIVE|NEGATIVE|NEUTRAL, {name, version})`` of the classifier that decided."""
    return "NEUTRAL", {"name": "placeholder", "version": "0"}
