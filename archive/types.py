"""The types every ingest path shares: what the user asked for (``IngestOptions``), an input or
record that gave no article (``Failure``) and the report for one article of a batch
(``InputResult``).

They live apart from ``archive.ingest`` so the importers (which return ``Failure``s and read the
options) and the ingest loop (which calls the importers) do not import each other. Pure data, no
I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Mapping


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


#: the frontmatter field (``true``) of an article kept from a bulk record that had a title and a
#: link or source but no text: its body is empty, its title is what search finds
HEADLINE_ONLY = "headlineOnly"


@dataclass(frozen=True)
class IngestOptions:
    """What the user said on the command line (or a caller set), for every input of a batch."""

    #: source display name for inputs that carry none (``--source``)
    source: str | None = None
    #: publication date for inputs without one, or the year context for "Feb. 4" (``--date``)
    date: date | None = None
    #: year context only (``--date YYYY``): the year of a "Feb. 4" in the text, never a date itself
    year: int | None = None
    #: tags added to every article (``--tag``, repeatable)
    tags: tuple[str, ...] = ()
    #: force an input shape (``--format``); ``auto`` guesses from name and content
    format: str = "auto"
    #: treat URLs as RSS/Atom feeds (``--feed``)
    feed: bool = False
    #: bulk exports: our field name -> the export's column/key (``--map title=headline``)
    mapping: Mapping[str, str] = field(default_factory=dict)
    #: bulk exports: our field name -> {the export's value: ours} (``--map-value
    #: sentiment:bullish=POSITIVE``); an empty "ours" means no value
    value_mapping: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    #: seconds one page's extraction may take (``--extract-timeout``); ``None``: no limit
    extract_timeout: float | None = None
    #: the clock; tests set it
    now: datetime = field(default_factory=utcnow)
    #: home folder, for raw snapshots of fetched pages (``None``: don't keep them)
    home: Path | None = None
    #: fetch settings (timeouts, size cap, retries, user agent); see ``archive.fetch``
    fetch: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    """One input, or one record of a multi-record input, that gave no article, and why."""

    label: str
    message: str


@dataclass(frozen=True)
class InputResult:
    """What happened to one article (or one failed input) of a batch."""

    input: str
    status: str  # created | updated | unchanged | failed
    id: str | None = None
    path: str | None = None
    title: str | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def context_year(options: IngestOptions) -> int | None:
    """The year a date without one ("Feb. 4") is read in: ``--date``'s year, else ``--date YYYY``."""
    return options.date.year if options.date is not None else options.year
