"""Publication dates found in article text when the input gives none.

(The foundation issue fills in the rules; this placeholder keeps the pipeline whole.)"""

from __future__ import annotations

from datetime import date, datetime


def infer_date(text: str, *, year: int | None = None, now: datetime | None = None) -> datetime | None:
    """A publication date stated in ``text`` (``Feb. 4``, ``March 26, 2025``...), the year taken
    from the text or from ``year``; ``None`` when the text gives no date."""
    return None


def as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)
