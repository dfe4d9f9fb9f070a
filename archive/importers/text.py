"""Plain text copied from a news page, and aggregator reposts of one.

What a careful editor reads off such a text (all documented in the README, section ``ingest``):

- **Title**: the first line, when it reads as a headline (one sentence, at most 160 characters);
  a final full stop is dropped, as headlines have none. An aggregator header
  ``Source: X Original: "…"`` gives the source ``X`` and, when filled in, the title. An unfilled
  placeholder (``{title}``, ``{{title}}``, ``%s``, ``$title``, empty…) is never a title: then the
  title comes from the text itself: its first line if that reads as a headline, else a headline
  made from the first sentence (``headline_from_sentence``), which stays in the body
  (``titleSource: derived``).
- **Via**: the site that re-published the text, as the address in its closing disclaimer
  (``republisher``).
- **Comment count**: a bare number (``21``) right after the title is dropped.
- **Byline**: ``By Jane Doe`` near the top becomes ``author``.
- **Standfirst**: the paragraph right after the title becomes ``description`` when page furniture
  follows it (a caption or dateline, a "What to know" box, a ticker): that is how pages set it
  apart from the article. Otherwise it stays the article's first paragraph.
- **Source** (when neither the header nor ``--source`` names one): the outlet credited in a
  dated caption (``on Feb. 4 (CoinDesk)``) or a wire dateline (``NEW YORK, Feb. 4 (Reuters) —``,
  whose date is read too).
- **Date**: update notes (``Update (March 26, 8:48 AM local time): …``), which are not body text,
  and dated captions are read first, then dateline lines; the year comes from the text's context
  or ``--date`` (``archive.dates``). Found dates are ``dateSource: inferred``; a date inside a
  sentence is an event, not taken.
- **Body**: every line is a paragraph (lines of a hard-wrapped paragraph are joined back), list
  bullets (``•``) become Markdown items; ``archive.cleanup.clean_body`` then removes the rest of
  the furniture, the same way as for every other shape.

A ``.txt`` that starts with a YAML frontmatter block is Markdown and goes to that importer.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from archive import cleanup, dates
from archive.article import Article, Source, source_key
from archive.errors import InputError
from archive.types import context_year
from archive.store import decode_text, split_frontmatter

if TYPE_CHECKING:  # pragma: no cover
    from archive.types import Failure, IngestOptions

#: an aggregator's header line; the source, then the original title (often never filled in)
AGGREGATOR_HEADER = re.compile(
    r"^(?:Source|来源|來源|Quelle|Fuente)\s*[:：]\s*(?P<source>.+?)"
    r"(?:\s+(?:Original|Original title|原文|原标题|原標題|Titel|Título)\s*[:：]\s*(?P<title>.*))?$"
)
#: titles that are a template's unfilled slot, not a title
PLACEHOLDER = re.compile(
    r"^(?:|\{+\s*[\w.]*\s*\}+|\$\{?\w*\}?|%[sd]|%\(\w+\)s|\[\s*\w*\s*\]|<\s*\w*\s*>|:\w+|"
    r"(?i:title|headline|untitled|undefined|null|none|n/?a|tbd|-+|_+|\.+))$"
)
#: an update note; the group is the date part
UPDATE_NOTE = re.compile(
    r"^(?:UPDATE|Update|Updated)\s*(?:\((?P<paren>[^)]{0,80})\)|(?P<bare>[A-Z][a-z]{2,8}\.?\s+\d{1,2}"
    r"(?:,\s*\d{4})?(?:,?\s*\d{1,2}:\d{2}[^:]{0,24})?))\s*:\s*\S"
)
BYLINE = re.compile(
    r"^By\s+(?P<name>[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3}"
    r"(?:\s*(?:,|and|&)\s*[A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3})*)$"
)
#: a wire dateline opening the first paragraph: "FRANKFURT, March 12 (Grainwire) - ..."
DATELINE_CREDIT = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}?)(?:,\s*(?P<date>[^()]{3,30}?))?\s*"
    r"\((?P<name>[A-Z][\w&.'’ -]{1,40})\)\s*[-—–:]"
)
COMMENT_COUNT = re.compile(r"^\d{1,6}(?:\s+(?i:comments?))?$")
_BULLET = re.compile(r"^\s*[•·▪◦‣●]\s*")

#: headlines are short; longer first lines are the article's first paragraph
MAX_HEADLINE = 160
#: a headline made from a sentence is cut to this length at a word boundary
MAX_DERIVED_HEADLINE = 150


def import_text(data: bytes, *, name: str, options: "IngestOptions") -> list[Article | "Failure"]:
    text = decode_text(data, name=name)
    if not text.strip():
        raise InputError("the input is empty", source=name)
    if split_frontmatter(text) is not None:
        from archive.importers.markdown import import_markdown
        return import_markdown(data, name=name, options=options)
    return [draft_from_text(text, name=name, options=options)]


def draft_from_text(text: str, *, name: str, options: "IngestOptions") -> Article:
    """The draft article a plain text gives (see the module docstring for the rules)."""
    paragraphs = text_paragraphs(text)
    source: Source | None = None
    title: str | None = None
    hints: list[str] = []

    if paragraphs:
        header = AGGREGATOR_HEADER.match(paragraphs[0])
        if header and header.group("title") is None and not _short_name(header.group("source")):
            header = None  # "Source: officials say the talks stalled." is a sentence
        if header:
            paragraphs.pop(0)
            source = _source(header.group("source"))
            original = _unquote(header.group("title") or "")
            if original and not PLACEHOLDER.match(original):
                title = original

    kept: list[str] = []
    for paragraph in paragraphs:  # update notes are date hints, not body text
        note = UPDATE_NOTE.match(paragraph)
        if note:
            hints.append(note.group("paren") or note.group("bare") or "")
        else:
            kept.append(paragraph)
    paragraphs = kept
    if not paragraphs:
        raise InputError("no article text in this input", source=name)

    description = author = title_source = None
    if title is None:
        first = paragraphs[0]
        if reads_as_headline(first) and len(paragraphs) > 1:
            title = first.rstrip()
            paragraphs.pop(0)
            if COMMENT_COUNT.match(paragraphs[0]) and len(paragraphs) > 1:
                paragraphs.pop(0)
            if BYLINE.match(paragraphs[0]) and len(paragraphs) > 1:
                author = BYLINE.match(paragraphs.pop(0)).group("name")
            if len(paragraphs) > 2 and _is_furniture(paragraphs[1]) and not _is_furniture(paragraphs[0]):
                description = paragraphs.pop(0)
        else:
            title = headline_from_sentence(first_sentence(_strip_markup(first)))
            title_source = "derived"
    title = _tidy_title(title)
    if not title:
        raise InputError("no title can be found in this text", source=name)

    for paragraph in paragraphs[:12]:
        credit = cleanup.caption_credit(paragraph)
        if credit is not None and credit[1]:
            hints.append(paragraph)
            if source is None and options.source is None:
                source = _source(credit[0])
        elif author is None and BYLINE.match(paragraph):
            author = BYLINE.match(paragraph).group("name")
    dateline = DATELINE_CREDIT.match(paragraphs[0]) if paragraphs else None
    if dateline:
        if dateline.group("date"):
            hints.append(dateline.group("date"))
        if source is None and options.source is None:
            source = _source(dateline.group("name"))

    body = join_paragraphs(paragraphs)
    found = dates.first_date(
        "\n".join(hints), year=context_year(options), now=options.now, context=text
    ) or dates.infer_date(body, year=context_year(options), now=options.now, context=text)
    return Article(
        title=title,
        description=description,
        body=body,
        source=source,
        author=author,
        title_source=title_source,
        via=republisher(paragraphs, source),
        published_at=found.when if found else None,
        date_source=found.source if found else None,
        date_confidence=found.confidence if found else None,
    )


#: a web address or an e-mail address's domain: ``support@aicoin.com``, ``www.example.com``
_DOMAIN = re.compile(r"(?i)(?<![\w.-])(?:[\w.+-]+@|https?://)?((?:[a-z0-9-]+\.)+[a-z]{2,12})\b")


def republisher(paragraphs: list[str], source: Source | None = None) -> str | None:
    """The site that re-published a text, as its disclaimer names it: the domain of the first
    address in a closing legal disclaimer (``免责声明: …发送邮件到support@aicoin.com…`` gives
    ``aicoin.com``). An aggregator's disclaimer speaks for the aggregator ("this platform"), the
    article's source is the outlet it copied (its header's ``Source: X``), never ``via``."""
    disclaimer = cleanup.default_rules().common.footers  # the disclaimer words, in any language
    for paragraph in paragraphs[-3:]:
        if any(rule.match(paragraph) for rule in disclaimer):
            for found in _DOMAIN.finditer(paragraph):
                domain = found.group(1).lower().removeprefix("www.")
                if source is None or source_key(domain.split(".")[0]) != source.key:
                    return domain
    return None


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of a plain text: each line is one, unless it continues a hard-wrapped line
    (the next line starts in lower case); bullets become ``- `` items."""
    out: list[str] = []
    previous_blank = True
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            previous_blank = True
            continue
        if _BULLET.match(line):
            line = "- " + _BULLET.sub("", line)
        elif (out and not previous_blank and line[0].islower() and len(out[-1]) >= 40
              and not out[-1].startswith("- ") and out[-1][-1] not in ".!?:\"”"):
            out[-1] = f"{out[-1]} {line}"
            continue
        out.append(line)
        previous_blank = False
    return out


def join_paragraphs(paragraphs: list[str]) -> str:
    """Markdown: one blank line between paragraphs, list items of one list on adjacent lines."""
    out = ""
    for index, paragraph in enumerate(paragraphs):
        if index:
            tight = paragraph.startswith("- ") and paragraphs[index - 1].startswith("- ")
            out += "\n" if tight else "\n\n"
        out += paragraph
    return out


def reads_as_headline(line: str) -> bool:
    """One sentence, short enough for a headline, not a list item or a number."""
    text = line.strip()
    if not text or len(text) > MAX_HEADLINE or text.startswith(("- ", "* ")):
        return False
    if COMMENT_COUNT.match(text) or not re.search(r"[A-Za-z\u00C0-\uFFFF]", text):
        return False
    return len(split_sentences(text)) == 1


_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "inc", "corp", "co", "ltd", "plc", "llc",
    "vs", "etc", "no", "approx", "est", "dept", "gov", "sen", "rep", "gen", "col", "lt", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "e.g", "i.e",
}


def split_sentences(text: str) -> list[str]:
    """Sentences of a paragraph, not split after ``U.S.``, ``Feb.``, ``Inc.`` and the like."""
    sentences: list[str] = []
    start = 0
    for match in re.finditer(r"[.!?…]+[\"”’)\]]*\s+(?=[\"“‘(\[]?[A-Z0-9])", text):
        before = text[start:match.start() + 1]
        word = re.search(r"([\w.]+)\.$", before)
        if word and (word.group(1).lower() in _ABBREVIATIONS or re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word.group(1))):
            continue
        sentences.append(text[start:match.end()].strip())
        start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def first_sentence(text: str) -> str:
    sentences = split_sentences(text.strip())
    return sentences[0] if sentences else text.strip()


_FRONTED = re.compile(r"^(?P<conj>As|After|While|Amid|With|Following|Despite)\s+(?P<rest>.+)$")
_ATTRIBUTION = re.compile(
    r",\s+(?:according to|as reported by|per|said|says|reported|reports|data from)\b.*$"
)
#: a comma segment that continues the fronted clause rather than starting the main one
_ASIDE = re.compile(r"^(?:\w+ing|\w+ed|and|or|but|which|who|whose|where|when|such|including|"
                    r"led by|in|on|at|from|for|with|by|amid|after|before|despite|[a-z]+ly)\b")
_TICKER_PAREN = re.compile(r"\s*\((?:[A-Z0-9.$:]{1,12})\)")


def headline_from_sentence(sentence: str) -> str:
    """A headline made from an article's first sentence, the way an editor would shorten it:

    1. the final full stop, the trailing attribution (``, according to Bloomberg``) and ticker
       symbols in parentheses (``Bitcoin (BTC)``) go;
    2. a fronted clause (``As X, citing Y, Z happened``) moves after the main clause, without its
       asides (the comma segments starting with a participle, a conjunction or a preposition):
       ``Z happened as X``;
    3. anything longer than ``MAX_DERIVED_HEADLINE`` is cut at its last comma that leaves a
       headline of a third of that length or more, else at the last word boundary (before any
       dangling small word) with an ellipsis.
    """
    text = sentence.strip().rstrip(".").strip()
    text = _ATTRIBUTION.sub("", text)
    text = _TICKER_PAREN.sub("", text)
    fronted = _FRONTED.match(text)
    if fronted and ", " in fronted.group("rest"):
        parts = fronted.group("rest").split(", ")
        for index in range(1, len(parts)):
            if not _ASIDE.match(parts[index]):
                main = ", ".join(parts[index:])
                text = f"{main} {fronted.group('conj').lower()} {parts[0]}"
                break
    text = text[:1].upper() + text[1:]
    if len(text) > MAX_DERIVED_HEADLINE:
        clause_end = text.rfind(", ", 0, MAX_DERIVED_HEADLINE)
        if clause_end >= MAX_DERIVED_HEADLINE // 3:
            return text[:clause_end]
        cut = text[:MAX_DERIVED_HEADLINE].rsplit(" ", 1)[0]
        cut = re.sub(r"(?:\s+(?:a|an|the|of|to|in|on|for|and|or|as|at|by|with|from|that))+$", "", cut)
        text = cut.rstrip(",;:-–— ") + "…"
    return text


def _tidy_title(title: str) -> str:
    title = re.sub(r"\s+", " ", title).strip()
    if title.endswith(".") and not title.endswith(".."):
        title = title[:-1].rstrip()
    return title


def _strip_markup(text: str) -> str:
    return re.sub(r"^(?:#+\s+|-\s+)", "", text.strip())


def _unquote(value: str) -> str:
    value = value.strip()
    pairs = {'"': '"', "“": "”", "'": "'", "‘": "’", "「": "」", "《": "》", "«": "»", "„": "“"}
    while len(value) >= 2 and value[0] in pairs and value[-1] == pairs[value[0]]:
        value = value[1:-1].strip()
    return value


def _source(name: str) -> Source | None:
    name = _unquote(name).strip().rstrip(".")
    return Source(name=name, key=source_key(name)) if name else None


def _short_name(value: str) -> bool:
    return len(value.split()) <= 5 and not re.search(r"[.!?,;]\s|[.!?]$", value.strip())


def _is_furniture(paragraph: str) -> bool:
    """Page furniture that sets a standfirst apart from the article below it."""
    text = paragraph.strip()
    rules = cleanup.default_rules().common
    return bool(
        cleanup.caption_credit(text) is not None
        or dates.is_dateline(text)
        or BYLINE.match(text)
        or any(p.fullmatch(text) for p in rules.boxes + rules.tickers)
    )
