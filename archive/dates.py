"""Publication dates found in article text when the input gives none.

``infer_date`` reads the date forms news pages use, in English and a few other languages::

    2026-02-04   2026-02-04T15:48:06Z   2026/02/04   04.02.2026
    Feb. 4   February 4   March 26, 2025   Wednesday, Feb. 4, 2026 at 3:48 p.m. UTC
    4 February 2026   4th of February   4. Februar 2026   4 février 2026   4 de febrero de 2025

``first_date`` takes the first date in a text known to carry the publication date (an importer
passes a dated caption or an update note), skipping dates that cannot be the publication date:
any after ``now`` and any with an explicit year other than the publication year. ``infer_date``,
which ``finish_article`` runs on every undated body, is stricter: only dateline lines count, as
dates inside sentences are usually events (measured on the trafilatura eval pages: the first date
of a body was the publication day 60 times and another day 153 times; a dateline line 23 and 2).

The publication year is ``year`` (the ``--date`` option) when given, otherwise the latest year the
text mentions (``in 2026``, ``March 2024``, ``2025-03-26``...) that is not after ``now``; a date
without a year ("Feb. 4") gets that year. If that puts it after ``now``, the next earlier year the
text mentions is tried. When no year can be found at all, the answer is ``None``: never a silently
wrong date (``archive.ingest.finish_article`` then records ``dateSource: ingested``).

A time of day is kept only when its zone is known (``UTC``, ``GMT``, ``Z``, an offset, or a US/CET
abbreviation), in that zone's offset (the day the text states stays that day; UTC is for
ordering only); "8:48 AM local time" gives the day only, at 00:00 UTC.

Both return a ``FoundDate``: the datetime, how it was found (``dateline`` when the text gave the
year, ``inferred`` when the year came from context) and a confidence (``DATE_CONFIDENCE``).

Pure code: no disk, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

#: month names and abbreviations -> month number. English names must be capitalised ("May 4",
#: never "may"); the other languages write months in lower case, so case does not matter for them.
ENGLISH_MONTHS = {
    "January": 1, "Jan": 1, "February": 2, "Feb": 2, "Febr": 2, "March": 3, "Mar": 3,
    "April": 4, "Apr": 4, "May": 5, "June": 6, "Jun": 6, "July": 7, "Jul": 7, "August": 8,
    "Aug": 8, "September": 9, "Sept": 9, "Sep": 9, "October": 10, "Oct": 10, "November": 11,
    "Nov": 11, "December": 12, "Dec": 12,
}
OTHER_MONTHS = {
    # German
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "mai": 5, "juni": 6, "juli": 7,
    "oktober": 10, "dezember": 12,
    # French
    "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "juin": 6, "juillet": 7,
    "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12,
    "decembre": 12,
    # Spanish
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}

_EN = "|".join(sorted(ENGLISH_MONTHS, key=len, reverse=True))
_OTHER = "|".join(sorted(OTHER_MONTHS, key=len, reverse=True))
_MONTH = rf"(?:(?-i:{_EN})\b\.?|(?i:{_OTHER})\b)"
_DAY = r"(?:[12][0-9]|3[01]|0?[1-9])"
_YEAR = r"(?:19[89][0-9]|20[0-9][0-9]|2100)"
_ORD = r"(?:st|nd|rd|th)?"
_ZONE = r"(?:UTC|GMT|Z|[+-]\d{2}:?\d{2}|E[SD]?T|C[SD]?T|M[SD]?T|P[SD]?T|CES?T|BST)"
_TIME = (rf"(?:,?\s*(?:at\s+)?(?P<hour>[01]?\d|2[0-3])[:.](?P<minute>[0-5]\d)"
         rf"(?:\s*(?P<ampm>[AaPp]\.?\s?[Mm]\.?))?(?:\s*(?P<zone>{_ZONE})\b)?)?")

#: one date phrase; named groups tell which form matched
DATE_PATTERN = re.compile(
    "(?:" + "|".join((
        rf"(?P<iso>\b(?P<iy>{_YEAR})-(?P<im>0[1-9]|1[0-2])-(?P<id>0[1-9]|[12]\d|3[01])"
        r"(?:[T ](?P<ih>[01]\d|2[0-3]):(?P<imin>[0-5]\d)(?::(?P<isec>[0-5]\d)(?:\.\d+)?)?"
        r"(?P<izone>Z|[+-]\d{2}:?\d{2})?)?)",
        rf"(?P<slash>\b(?P<sy>{_YEAR})/(?P<sm>0?[1-9]|1[0-2])/(?P<sd>{_DAY})\b)",
        rf"(?P<dots>\b(?P<dd>{_DAY})\.(?P<dm>0?[1-9]|1[0-2])\.(?P<dy>{_YEAR})\b)",
        rf"(?P<md>\b(?P<mdm>{_MONTH})\s+(?P<mdd>{_DAY}){_ORD}\b(?:,?\s+(?P<mdy>{_YEAR})\b)?)",
        rf"(?P<dm_>\b(?P<dmd>{_DAY}){_ORD}\.?\s+(?:of\s+|de\s+)?(?P<dmm>{_MONTH})"
        rf"(?:,?\s+(?:de\s+)?(?P<dmy>{_YEAR})\b)?)",
    )) + ")" + _TIME
)

#: a year mentioned anywhere ("in 2026", "March 2024", "2025-03-26")
YEAR_PATTERN = re.compile(rf"(?<![\d$€£.,])({_YEAR})(?![\d%])")

_ZONE_OFFSETS = {"UTC": 0, "GMT": 0, "Z": 0, "ET": -5, "EST": -5, "EDT": -4, "CT": -6, "CST": -6,
                 "CDT": -5, "MT": -7, "MST": -7, "MDT": -6, "PT": -8, "PST": -8, "PDT": -7,
                 "CET": 1, "CEST": 2, "BST": 1}


#: ``dateConfidence`` per ``dateSource``: the share of the dates found that way that had the
#: right day on the development split of trafilatura's evaluation pages (``python
#: scripts/bench_extract.py`` prints right/wrong per source: metadata 251/42, dateline 106/34,
#: structured 46/19, url 14/4, text 25/33; a date on a page annotated as undated counts as
#: wrong). ``inferred`` (a day and month from a text, the year from context) is not measured
#: there (no page needs it); 0.6 is a judgement. Only dates the archive found have one: a
#: ``provided`` date is the input's own claim, an ``ingested`` one no date at all.
DATE_CONFIDENCE = {
    "metadata": 0.86, "url": 0.78, "dateline": 0.76, "structured": 0.71, "text": 0.43,
    "inferred": 0.6,
}


@dataclass(frozen=True)
class FoundDate:
    """A publication date and how it was found."""

    #: aware; in the offset the source stated (UTC when it stated only a day)
    when: datetime
    #: a ``dateSource`` value (``archive.article.DATE_SOURCES``)
    source: str

    @property
    def confidence(self) -> float | None:
        return DATE_CONFIDENCE.get(self.source)


@dataclass(frozen=True)
class DateMention:
    """One date phrase in a text: where, the day, the year if the text gave it, and a time."""

    start: int
    end: int
    month: int
    day: int
    year: int | None
    #: hour, minute, second and UTC offset in minutes, when the text gives a time with a known zone
    time: tuple[int, int, int, int] | None = None


def find_dates(text: str) -> list[DateMention]:
    """Every date phrase in ``text``, in order (impossible days such as Feb. 30 left out)."""
    found = []
    for match in DATE_PATTERN.finditer(text):
        mention = _mention(match)
        if mention is not None:
            found.append(mention)
    return found


def _mention(match: re.Match[str]) -> DateMention | None:
    g = match.groupdict()
    time = None
    if g["iso"]:
        year, month, day = int(g["iy"]), int(g["im"]), int(g["id"])
        if g["ih"] and g["izone"]:
            time = (int(g["ih"]), int(g["imin"]), int(g["isec"] or 0), _offset(g["izone"]))
    elif g["slash"]:
        year, month, day = int(g["sy"]), int(g["sm"]), int(g["sd"])
    elif g["dots"]:
        year, month, day = int(g["dy"]), int(g["dm"]), int(g["dd"])
    elif g["md"]:
        year, month, day = _opt_int(g["mdy"]), _month(g["mdm"]), int(g["mdd"])
    else:
        year, month, day = _opt_int(g["dmy"]), _month(g["dmm"]), int(g["dmd"])
    if time is None and g["hour"] and g["zone"]:
        hour = int(g["hour"])
        ampm = (g["ampm"] or "").replace(".", "").replace(" ", "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
        time = (hour, int(g["minute"]), 0, _offset(g["zone"]))
    try:
        date(year or 2000, month, day)  # 2000 is a leap year: Feb. 29 is fine without a year
    except ValueError:
        return None
    return DateMention(match.start(), match.end(), month, day, year, time)


def _month(name: str) -> int:
    name = name.rstrip(".")
    return ENGLISH_MONTHS.get(name) or OTHER_MONTHS[name.lower()]


def _opt_int(value: str | None) -> int | None:
    return int(value) if value else None


def _offset(zone: str) -> int:
    if zone in _ZONE_OFFSETS:
        return _ZONE_OFFSETS[zone] * 60
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:]))


def mentioned_years(text: str) -> list[int]:
    """The years a text mentions, each once, in order."""
    years: list[int] = []
    for match in YEAR_PATTERN.finditer(text):
        value = int(match.group(1))
        if value not in years:
            years.append(value)
    return years


#: a dateline that gives the last update, not the first publication
_UPDATE_LABEL = re.compile(
    r"(?i)\b(?:updated|last updated|modified|aktualisiert|letzte änderung|geändert|mis à jour|"
    r"actualizado|aggiornato)\b"
)


def infer_date(
    text: str,
    *,
    year: int | None = None,
    now: datetime | None = None,
    context: str = "",
) -> FoundDate | None:
    """The publication date an article body states in a dateline: a line that only gives a date
    (``Feb. 4, 2026``, ``Published March 26, 2025 at 8:48 a.m. UTC``), update datelines skipped.
    Dates inside sentences are events, not the publication ("on March 3 the board met"), and are
    not taken: measured on real pages, a body's first date is the publication day less than half
    of the time, a dateline line nine times in ten. ``None`` when there is no such line."""
    lines = []
    for line in text.split("\n"):
        line = re.sub(r"\\([.\-*_#])", r"\1", line).strip().strip("*_ ").strip()  # Markdown
        if is_dateline(line) and not _UPDATE_LABEL.search(line):
            lines.append(line)
    if not lines:
        return None
    return first_date("\n".join(lines), year=year, now=now, context=f"{text}\n{context}")


def first_date(
    text: str,
    *,
    year: int | None = None,
    now: datetime | None = None,
    context: str = "",
) -> FoundDate | None:
    """The first date stated anywhere in ``text`` (``Feb. 4``, ``March 26, 2025``...), for text
    known to carry the publication date (a dateline, a dated caption, an update note); the year
    taken from ``year`` or from the years ``text`` and ``context`` mention; ``None`` when the text
    gives no date, or gives one whose year cannot be known."""
    now = _aware(now) if now is not None else datetime.now(timezone.utc)
    latest = now + timedelta(days=1)  # a page dated "today" somewhere east of UTC
    mentions = find_dates(text)
    if not mentions:
        return None
    if year is not None:
        candidate_years = [year]
    else:
        candidate_years = sorted(
            {y for y in mentioned_years(f"{text}\n{context}") + [m.year for m in mentions if m.year]
             if y <= latest.year},
            reverse=True,
        )
        if not candidate_years:
            return None
        publication_year = candidate_years[0]
        candidate_years = [y for y in candidate_years if y >= publication_year - 1]
    for mention in mentions:
        if mention.year is not None:
            # "on Jan. 3, 2009" in a 2026 story is history, not the dateline
            years = [mention.year] if mention.year == candidate_years[0] else []
        else:
            years = candidate_years
        for candidate_year in years:
            try:
                value = mention_datetime(mention, candidate_year)
            except ValueError:  # Feb. 29 in a year without one
                continue
            if value <= latest:
                return FoundDate(value, "dateline" if mention.year is not None else "inferred")
    return None


def mention_datetime(mention: DateMention, year: int) -> datetime:
    """The mention as an aware datetime in ``year``, in the offset of the zone it states (00:00
    UTC when it has no time)."""
    if mention.time is None:
        return datetime(year, mention.month, mention.day, tzinfo=timezone.utc)
    hour, minute, second, offset = mention.time
    zone = timezone.utc if offset == 0 else timezone(timedelta(minutes=offset))
    return datetime(year, mention.month, mention.day, hour, minute, second, tzinfo=zone)


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value


_DATELINE_WORDS = re.compile(
    r"(?i)\b(?:published|updated|posted|last|modified|veröffentlicht|aktualisiert|publié|mis à jour|"
    r"publicado|actualizado|on|at|am|um|le|el|à|local|time|"
    r"mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?"
)


def is_dateline(line: str) -> bool:
    """True for a short line that only states a date (``Published Feb. 4, 2026, 3:48 p.m. UTC``,
    ``Wed, 04.02.2026 | Updated 16:10``): page furniture once its date has been read."""
    line = line.strip()
    if not line or len(line) > 100 or not find_dates(line):
        return False
    rest = DATE_PATTERN.sub(" ", line)
    rest = re.sub(r"\b(?:[01]?\d|2[0-3])[:.][0-5]\d(?:\s*[AaPp]\.?\s?[Mm]\.?)?", " ", rest)
    rest = re.sub(rf"\b{_ZONE}\b", " ", rest)
    rest = _DATELINE_WORDS.sub(" ", rest)
    return not re.sub(r"[\s|·•,:;()\-–—/]+", "", rest)


def as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)
