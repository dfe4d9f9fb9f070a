"""The publication date of an HTML page and how it was found (``dateSource``). Pure.

In this order, the first that gives a day:

1. **what the page states about itself**: ``<meta>`` tags (``article:published_time`` and the
   like: ``metadata``), JSON-LD ``datePublished`` or microdata (``structured``), a
   ``/YYYY/MM/DD/`` date in its address (``url``). When the address and the stated date name
   different days, the page gets a second look: the stated date wins only if the page shows it
   and not the address's day; otherwise the address wins (a CMS migration restamps JSON-LD,
   and a UTC stamp of a late-evening article names the next day; the address keeps the day the
   publisher filed it under).
2. **a visible date line** of the page (``dateline``): the date elements and ``<time>`` elements
   htmldate finds (class/id "date", "byline", "meta"...).
3. **a full date in the page's text** (``text``): a timestamp, a date in a short text segment,
   a day-month-year anywhere in the cleaned page; never a year or a month alone, never a
   footer's "Copyright 2024" (htmldate's own last resorts, which trafilatura takes).

The day is the one the publisher stated: ``2020-04-07T17:10:46-07:00`` stays 7 April with its
offset (UTC is for ordering only); a date without a time is 00:00 UTC.

Steps 2 and 3 call htmldate's stages one by one (``htmldate.core``: its ``find_date`` chains
them but does not say which one answered, and ends with the guesses we refuse). Measured on the
trafilatura evaluation pages with ``scripts/bench_extract.py``.
"""

from __future__ import annotations

import email.utils
import logging
import re
from copy import deepcopy
from datetime import datetime, timezone
from functools import partial
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit

from archive.article import parse_datetime
from archive.dates import FoundDate
from archive.errors import FormatError

logging.getLogger("htmldate").setLevel(logging.CRITICAL)

#: ``<meta>`` tags that state the publication date, most specific first: (attribute, value)
PUBLISHED_META = (
    ("property", "article:published_time"), ("property", "og:published_time"),
    ("name", "article:published_time"), ("itemprop", "datePublished"),
    ("name", "datePublished"), ("name", "dcterms.issued"), ("name", "dc.date.issued"),
    ("name", "dcterms.created"), ("name", "dc.date.created"), ("name", "dc.date"),
    ("name", "pubdate"), ("name", "publishdate"), ("name", "publish-date"),
    ("name", "publication_date"), ("name", "sailthru.date"), ("name", "parsely-pub-date"),
    ("property", "bt:pubdate"), ("name", "date"),
)
#: a date in an address: ``/2017/07/12/``, ``/2017/7/12/``, ``/2017-07-12-``
URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](1[0-2]|0?[1-9])[/-](3[01]|[12]\d|0?[1-9])(?=[/.\-_]|$)")


def find_page_date(tree: Any, *, meta: Callable[[str, str], str | None],
                   jsonld: Iterable[Any], addresses: Iterable[str | None],
                   now: datetime | None = None) -> FoundDate | None:
    """The publication date of the page ``tree`` (an lxml document, not modified).

    ``meta(attr, value)`` reads a ``<meta>`` tag's content, ``jsonld`` are the page's JSON-LD
    article objects, ``addresses`` its canonical address and URL."""
    stated = _stated(tree, meta, jsonld)
    from_url = _url_date(addresses)
    if from_url is not None and stated is not None:
        if stated.when.date() == from_url.when.date():
            return stated
        # the second look: the dates the page shows (date elements, <time>, text segments)
        shown = {found.when.date() for stage, found in _shown(tree, now)
                 if stage in ("elements", "time", "segments")}
        if stated.when.date() in shown and from_url.when.date() not in shown:
            return stated
        return from_url
    if stated is not None or from_url is not None:
        return stated or from_url
    return next((found for _, found in _shown(tree, now)), None)


# ------------------------------------------------------------------------ stated by the page --

def _stated(tree: Any, meta: Callable[[str, str], str | None], jsonld: Iterable[Any]
            ) -> FoundDate | None:
    for attr, value in PUBLISHED_META:
        when = as_datetime(meta(attr, value))
        if when:
            return FoundDate(when, "metadata")
    for obj in jsonld:
        when = as_datetime(obj.get("datePublished"))
        if when:
            return FoundDate(when, "structured")
    for element in tree.iter("time"):
        if element.get("itemprop") == "datePublished" or element.get("pubdate") is not None:
            when = as_datetime(element.get("datetime"))
            if when:
                return FoundDate(when, "structured")
    return None


def _url_date(addresses: Iterable[str | None]) -> FoundDate | None:
    for address in addresses:
        if not address:
            continue
        try:
            path = urlsplit(address).path
        except ValueError:
            continue
        match = URL_DATE.search(path)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                when = datetime(year, month, day, tzinfo=timezone.utc)
            except ValueError:
                continue
            if _plausible(when):
                return FoundDate(when, "url")
    return None


def as_datetime(value: Any) -> datetime | None:
    """An ISO 8601 (or RFC 2822) date or datetime a page states, with its offset; ``None`` if
    it is not one or not a plausible publication date."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str):
        return None
    text = value.strip()
    # "2026-03-06 14:30:00" and "+0100" offsets are common in meta tags
    when = None
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        text = re.sub(r"^(\d{4}-\d{2}-\d{2}) (\d)", r"\1T\2", text)
        text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
        try:
            when = parse_datetime(text)
        except FormatError:
            try:
                when = parse_datetime(text[:10])
            except FormatError:
                return None
    elif re.match(r"^[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}", text):
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
    return when if when is not None and _plausible(when) else None


def _plausible(when: datetime) -> bool:
    return 1990 <= when.year <= datetime.now(timezone.utc).year + 1


# ------------------------------------------------------------ shown on the page (htmldate) --

def _options(now: datetime | None) -> Any:
    from htmldate import core

    latest = (now or datetime.now(timezone.utc)).replace(tzinfo=None)
    return core.Extractor(True, core.get_max_date(latest), core.get_min_date(None), True,
                          "%Y-%m-%d")


def _pruned(tree: Any) -> Any:
    """htmldate's cleaned copy of the page (scripts, navigation, footers... removed)."""
    from htmldate import core

    copy = deepcopy(tree)
    try:
        return core.discard_unwanted(core.clean_html(copy, core.CLEANING_LIST))
    except ValueError:  # lxml refuses control characters in rare pages
        return copy


def _shown(tree: Any, now: datetime | None) -> Iterator[tuple[str, FoundDate]]:
    """The dates the page shows, stage by stage (computed as they are asked for): date elements
    and ``<time>`` elements (``dateline``), then full dates in its text (``text``): a timestamp,
    the date of short text segments, a day-month-year anywhere. The copyright year only sets the
    floor htmldate puts under the last of these, never a date itself."""
    from htmldate import core

    options = _options(now)
    pruned = _pruned(tree)
    yield from _stage("elements", "dateline",
                      lambda: core.examine_elements(core.date_candidates(pruned, True), options))
    yield from _stage("time", "dateline", lambda: core.examine_time_elements(pruned, options))
    try:
        html = core.serialize(pruned)
    except (ValueError, TypeError):
        html = ""
    yield from _stage("timestamp", "text",
                      lambda: core.pattern_search(html, core.TIMESTAMP_PATTERN, options))

    def segments() -> str | None:
        reference = None
        for segment in core.FREE_TEXT_EXPRESSIONS(pruned):
            segment = segment.strip()
            if core.MIN_SEGMENT_LEN < len(segment) < core.MAX_SEGMENT_LEN:
                reference = core.compare_reference(reference, segment, options)
        return core.check_extracted_reference(reference, options)

    yield from _stage("segments", "text", segments)

    def full_dates() -> str | None:
        best = core.search_pattern(html, core.COPYRIGHT_PATTERN, core.YEAR_PATTERN,
                                   core.YEAR_PATTERN, options)
        floor = int(best[1]) if best is not None else 0
        for pattern in core.THREE_COMP_PATTERNS:
            result = core._search_and_filter(html, pattern, core.THREE_LOOSE_CATCH, floor, options)
            if result:
                return result
        return (
            core.search_normalized(html, core.SELECT_YMD_PATTERN, core.SELECT_YMD_YEAR,
                                   partial(core.normalize_match, core.THREE_COMP_REGEX_A), floor,
                                   options)
            or core._search_and_filter(html, core.DATESTRINGS_PATTERN, core.DATESTRINGS_CATCH,
                                       floor, options)
            or core.search_normalized(html, core.SLASHES_PATTERN, core.SLASHES_YEAR,
                                      partial(core.normalize_match, core.THREE_COMP_REGEX_B),
                                      floor, options)
        )

    yield from _stage("full dates", "text", full_dates)


def _stage(stage: str, source: str, step: Callable[[], str | None]
           ) -> Iterator[tuple[str, FoundDate]]:
    """One htmldate stage's day, if it gives one; a page that makes it fail gives none."""
    try:
        text = step()
    except (ValueError, TypeError, IndexError, AttributeError, OverflowError, RecursionError):
        return
    if not text:
        return
    try:
        when = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        return
    if _plausible(when):
        yield stage, FoundDate(when, source)
