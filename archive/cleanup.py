"""Removal of page furniture from article text: the same rules for every input shape.

``clean_body`` runs on every article body, whatever shape it came in (``finish_article`` calls it),
and gives Markdown: paragraphs separated by exactly one blank line, nothing else changed. It
removes, line by line:

- newsletter and subscription promos, also glued to a sentence
  (``…session.STORY CONTINUES BELOWDon't miss another story.…Sign me up``);
- price tickers (``In this article`` and the price lines after it) and stray price lines;
- comment counts, share prompts, bylines, ``Related:``/``Read more:`` link lines;
- image captions and credits (``… Source: Google Finance``, ``Photo by …``, ``on Feb. 4 (CoinDesk)``)
  and lines that only state a date (a dateline, read by ``archive.dates`` before cleanup);
- legal disclaimers in any language (``Disclaimer:``, ``Haftungsausschluss:``, ``免责声明:`` …) and
  update notes (``Update (March 26, 8:48 AM local time): …``);
- "What to know:" key-point boxes: the box heading and the list items right after it (a summary
  that repeats the article); the first line that is not a list item ends the box, so no sentence
  of the article itself goes.

Then a short line standing alone between paragraphs, without final punctuation
(``U.S. economic data is mixed``), becomes a ``## `` sub-heading, as an editor would mark it.

Headings stay, unless they are furniture: the title or standfirst repeated as a heading, a
widget's or a link list's label (a ``lines`` or ``headings`` rule), or the headings after the
last text (the titles of a related-articles list).

What it never touches: fenced and indented code blocks, and any line no rule matches (spacing
inside a line is kept too). A canonical Markdown file comes out unchanged, and
``clean_body(clean_body(x)) == clean_body(x)``.

The rules live in ``archive/data/cleanup.yaml`` (global rules plus extra rules per source key);
a ``<home>/cleanup.yaml`` with the same structure adds to them (``rules_for_home``). Pure code apart
from reading those rule files.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from archive import dates
from archive.errors import FormatError

RULE_KINDS = ("lines", "starts", "phrases", "boxes", "tickers", "footers", "headings")


@dataclass(frozen=True)
class Rules:
    """Compiled rules of each kind (see ``archive/data/cleanup.yaml`` for what each kind does)."""

    lines: tuple[re.Pattern[str], ...] = ()
    starts: tuple[re.Pattern[str], ...] = ()
    phrases: tuple[re.Pattern[str], ...] = ()
    boxes: tuple[re.Pattern[str], ...] = ()
    tickers: tuple[re.Pattern[str], ...] = ()
    footers: tuple[re.Pattern[str], ...] = ()
    headings: tuple[re.Pattern[str], ...] = ()

    def __add__(self, other: "Rules") -> "Rules":
        return Rules(**{kind: getattr(self, kind) + getattr(other, kind) for kind in RULE_KINDS})


@dataclass(frozen=True)
class RuleSet:
    """Global rules and extra rules per source key."""

    common: Rules = Rules()
    sources: Mapping[str, Rules] = field(default_factory=dict)

    def for_source(self, source_key: str | None) -> Rules:
        extra = self.sources.get(source_key or "")
        return self.common + extra if extra else self.common

    def __add__(self, other: "RuleSet") -> "RuleSet":
        sources = dict(self.sources)
        for key, rules in other.sources.items():
            sources[key] = sources[key] + rules if key in sources else rules
        return RuleSet(self.common + other.common, sources)


def parse_rules(data: Any, *, name: str = "cleanup rules") -> RuleSet:
    """A rule set from the YAML structure ``{global: {kind: [regex...]}, sources: {key: {...}}}``."""
    if data is None:
        return RuleSet()
    if not isinstance(data, Mapping):
        raise FormatError("must be a map with 'global' and/or 'sources'", source=name)
    unknown = set(data) - {"global", "sources"}
    if unknown:
        raise FormatError(f"unknown section(s) {', '.join(sorted(map(str, unknown)))}; "
                          "use 'global' and 'sources'", source=name)
    sources = data.get("sources") or {}
    if not isinstance(sources, Mapping):
        raise FormatError("'sources' must map source keys to rules", source=name)
    return RuleSet(
        common=_compile(data.get("global"), name, "global"),
        sources={str(key): _compile(value, name, f"sources.{key}") for key, value in sources.items()},
    )


def _compile(section: Any, name: str, where: str) -> Rules:
    if section is None:
        return Rules()
    if not isinstance(section, Mapping):
        raise FormatError(f"'{where}' must map rule kinds ({', '.join(RULE_KINDS)}) to lists",
                          source=name)
    compiled: dict[str, tuple[re.Pattern[str], ...]] = {}
    for kind, patterns in section.items():
        if kind not in RULE_KINDS:
            raise FormatError(f"'{where}.{kind}' is not a rule kind; use one of "
                              f"{', '.join(RULE_KINDS)}", source=name)
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list):
            raise FormatError(f"'{where}.{kind}' must be a list of regular expressions", source=name)
        out = []
        for pattern in patterns:
            try:
                out.append(re.compile(str(pattern)))
            except re.error as exc:
                raise FormatError(f"'{where}.{kind}': {pattern!r} is not a valid regular "
                                  f"expression ({exc})", source=name) from None
        compiled[kind] = tuple(out)
    return Rules(**compiled)


def load_rules(path: Path) -> RuleSet:
    """Rules from a YAML file (``FormatError`` with the reason when it is not valid)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise FormatError(f"cannot read the cleanup rules: {exc}", source=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FormatError(f"the cleanup rules are not valid YAML: {exc}", source=str(path)) from None
    return parse_rules(data, name=str(path))


@functools.lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The packaged rules (``archive/data/cleanup.yaml``), read once."""
    text = resources.files("archive").joinpath("data/cleanup.yaml").read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text), name="archive/data/cleanup.yaml")


def rules_for_home(home: Path | None) -> RuleSet:
    """The packaged rules plus those of ``<home>/cleanup.yaml`` when that file exists."""
    if home is None:
        return default_rules()
    path = Path(home) / "cleanup.yaml"
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return default_rules()
    return _home_rules(str(path), stamp)


@functools.lru_cache(maxsize=8)
def _home_rules(path: str, stamp: int) -> RuleSet:
    return default_rules() + load_rules(Path(path))


# ------------------------------------------------------------------------------- clean_body --

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•·▪◦‣–]|\d{1,3}[.)])\s+\S")
_MD_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_MARKUP_START = re.compile(r"^\s*(?:[#>|`!\[<~=_*+-]|\d{1,3}[.)]\s|\$)")
_SUBHEADING_END = ".!?:;,…\"”’'"
_TICKERISH = re.compile(r"^[A-Z0-9$€£¥%.,:+\-−▲▼()/ ]{1,48}$")
_NEWS_AGENCIES = {"AP", "AFP", "UPI", "DPA", "EFE", "ANSA", "TASS", "PA", "ANI", "IANS", "PTI"}
_CREDIT = re.compile(
    r"^(?P<prefix>.{0,160}?)\s*\((?P<kind>(?:Photo|Image|Illustration|Chart|Video|Picture|Credit|Foto|"
    r"Bild|Source|Quelle)"
    r"(?:\s+(?:by|via|courtesy of))?:?\s*)?(?P<name>[A-Z][A-Za-z0-9&.'’ /-]{0,50})\)$"
)
_CREDIT_WORDS = re.compile(
    r"(?i)\b(?:photos?|images?|pictures?|illustration|chart|pictured|file photo|getty|shutterstock|"
    r"alamy|unsplash|via)\b"
)


def caption_credit(line: str) -> tuple[str, bool] | None:
    """``(name, dated)`` when ``line`` is a caption ending in a credit (``on Feb. 4 (CoinDesk)``,
    ``Traders on the floor (Getty Images)``, ``(Photo: Ana Ruiz)``): a short line whose last
    words are a name of at most five words in parentheses, with a date or a word that marks
    pictures (``Photo``, ``Images``, ``Getty``, ``via``…). ``dated`` says the caption carries a date, as a dateline does (then the
    name is the outlet, not a photographer)."""
    match = _CREDIT.match(line.strip())
    if not match:
        return None
    name = match.group("name").strip()
    if not (re.search(r"[a-z]", name) or name in _NEWS_AGENCIES):
        return None  # "(BTC)", "(IGV)": a ticker, not a credit
    prefix = match.group("prefix").strip()
    if len(prefix.split()) > 15 or ":" in prefix:  # "Deadline: 03.11.2019 (postmark)" is text
        return None
    if len(name.split()) > 5:
        return None  # "(I really should write about that)": an aside, not a credit
    dated = bool(prefix and dates.find_dates(prefix))
    if match.group("kind") or dated or _CREDIT_WORDS.search(f"{prefix} ({name})"):
        return name, dated
    return None


def clean_body(
    text: str, *, source_key: str | None = None, rules: RuleSet | None = None,
    title: str | None = None, description: str | None = None,
) -> str:
    """The article text without page furniture, paragraphs separated by one blank line.

    Headings are kept as they are, except furniture: the ``title`` or the ``description``
    (standfirst) repeated as a heading, a heading that matches a ``headings`` rule (a newsletter
    widget's "Thanks for signing up!"), and the headings after the last text (the titles of a
    related-articles list)."""
    active = (rules or default_rules()).for_source(source_key)
    repeated = {_fold(value) for value in (title, description) if value and value.strip()}
    blocks = _split_blocks(text)
    kept: list[tuple[str, list[str]]] = []
    mode: str | None = None  # "box" or "ticker" while such furniture runs on
    for number, (kind, lines) in enumerate(blocks):
        if kind == "code" or (kind == "text" and _is_indented_code(lines, kept)):
            mode = None
            kept.append(("code", lines))
            continue
        out: list[str] = []
        footer = False
        for line in lines:
            if mode == "box":
                if _LIST_ITEM.match(line) or line[:1].isspace():
                    continue
                mode = None
            if mode == "ticker":
                if _TICKERISH.match(line.strip()):
                    continue
                mode = None
            if _MD_HEADING.match(line):
                heading = _probe(_MD_HEADING.sub("", line, count=1)).rstrip("# ").strip()
                if _fold(heading) not in repeated and not any(
                        p.fullmatch(heading) for p in active.headings + active.lines):
                    out.append(line)
                continue
            stripped = _probe(line)
            if any(p.fullmatch(stripped) for p in active.footers) and _is_tail(lines, line, blocks[number + 1:]):
                footer = True
                break
            if any(p.fullmatch(stripped) for p in active.boxes):
                mode = "box"
                continue
            if any(p.fullmatch(stripped) for p in active.tickers):
                mode = "ticker"
                continue
            if any(p.match(stripped) for p in active.starts):
                break  # the rest of this paragraph belongs to the disclaimer or note
            cleaned = _remove_phrases(line, active.phrases)
            if cleaned is not line:
                line, stripped = cleaned, _probe(cleaned)
                if not re.search(r"\w", stripped):
                    continue  # nothing but the promo was on this line
            if any(p.fullmatch(stripped) for p in active.lines):
                continue
            if caption_credit(stripped) is not None or dates.is_dateline(stripped):
                continue
            out.append(line)
        if out:
            kept.append(("text", out))
        if footer:
            break
    blocks = _drop_empty_sections(_mark_subheadings(kept))
    return "\n\n".join("\n".join(lines) for _, lines in blocks).strip("\n")


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _is_title_heading(block: tuple[str, list[str]]) -> bool:
    """A heading block that reads as a title, not as a sentence set large (a pull quote)."""
    kind, lines = block
    return (kind == "text" and len(lines) == 1 and bool(_MD_HEADING.match(lines[0]))
            and not lines[0].rstrip().endswith("."))


def _drop_empty_sections(blocks: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Without the headings after the last text: they head nothing (a list of related articles'
    titles, a "Comments" heading). Headings with nothing under them inside the text stay, and
    a heading that ends a sentence: pages set pull quotes, data rows and paragraphs as headings."""
    end = len(blocks)
    while end and _is_title_heading(blocks[end - 1]):
        end -= 1
    return blocks[:end]


#: a footer ("Disclaimer" on its own line) is only dropped with what follows when that is short:
#: a longer text after such a word is an article section ("Avertissement" in a French essay)
MAX_FOOTER_CHARS = 1500
MAX_FOOTER_BLOCKS = 4


def _is_tail(lines: list[str], line: str, rest: list[tuple[str, list[str]]]) -> bool:
    after = lines[lines.index(line) + 1:]
    blocks = ([after] if after else []) + [block for _, block in rest]
    size = sum(len(text) for block in blocks for text in block)
    return len(blocks) <= MAX_FOOTER_BLOCKS and size <= MAX_FOOTER_CHARS


def _split_blocks(text: str) -> list[tuple[str, list[str]]]:
    """Blocks separated by blank lines; a fenced code block is one block, kept verbatim."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] = []
    fence: str | None = None
    for line in lines:
        if fence is not None:
            current.append(line)
            if line.strip().startswith(fence):
                blocks.append(("code", current))
                current, fence = [], None
            continue
        opening = _FENCE.match(line)
        if opening:
            if current:
                blocks.append(("text", current))
            current, fence = [line], opening.group(1)
            continue
        if not line.strip():
            if current:
                blocks.append(("text", current))
            current = []
            continue
        current.append(line)
    if current:
        blocks.append(("code" if fence is not None else "text", current))
    return blocks


def _is_indented_code(lines: list[str], kept: list[tuple[str, list[str]]]) -> bool:
    if not all(line.startswith(("    ", "\t")) for line in lines):
        return False
    previous = kept[-1][1] if kept else []
    return not (previous and _LIST_ITEM.match(previous[0]))  # else: a list item's second paragraph


_EMPHASIS = re.compile(r"\*{1,3}(?=\S)|(?<=\S)\*{1,3}|(?<!\w)_{1,3}(?=\S)|(?<=\S)_{1,3}(?!\w)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!])")


def _probe(line: str) -> str:
    """The line as the rules see it: stripped, without Markdown emphasis and escapes, so that
    ``**Read more:** …`` and ``*(Photo: …)*`` are matched like their plain text."""
    text = line.strip().replace("\u00a0", " ")
    if "*" in text or "_" in text or "\\" in text:
        text = _ESCAPE.sub(lambda m: "" if m.group(1) in "*_" else m.group(1), text)
        text = _EMPHASIS.sub("", text).strip()
    return text


_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")


def _remove_phrases(line: str, phrases: Iterable[re.Pattern[str]]) -> str:
    """``line`` without the phrases (never inside a `code span`); the same object when none."""
    pieces = []
    position = 0
    for span in _CODE_SPAN.finditer(line):
        pieces.append((line[position:span.start()], True))
        pieces.append((span.group(0), False))
        position = span.end()
    pieces.append((line[position:], True))
    changed = False
    marked = ""
    for piece, prose in pieces:
        if prose:
            for pattern in phrases:
                piece, count = pattern.subn("\x00", piece)
                changed = changed or count > 0
        marked += piece
    if not changed:
        return line
    lead = re.match(r"\s*", line).group(0)
    marked = re.sub(r"[ \t]*\x00+(?:[ \t]*\x00+)*[ \t]*", " ", marked)
    return lead + marked.strip()


def _mark_subheadings(blocks: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    out = list(blocks)
    for index, (kind, lines) in enumerate(blocks[:-1]):
        following_kind, following = blocks[index + 1]
        if (kind == "text" and len(lines) == 1 and following_kind == "text"
                and not _MD_HEADING.match(following[0]) and is_subheading(lines[0])):
            out[index] = ("text", ["## " + lines[0].strip()])
    return out


def is_subheading(line: str) -> bool:
    """A short line that reads as a sub-heading: capitalised, at most 12 words, no final punctuation
    (also inside closing brackets or quotes), no ``label: value``, no Markdown markup."""
    text = line.strip()
    if not text or _MARKUP_START.match(line) or len(text) > 90 or "://" in text:
        return False
    bare = text.rstrip(")]}»”’\"' ")
    if not text[0].isupper() or not bare or bare[-1] in _SUBHEADING_END or ": " in text:
        return False  # a sentence, an aside in parentheses, or a "label: value" line
    words = text.split()
    if len(words) > 12:
        return False
    if len(words) == 1 and (len(text) < 3 or text.isupper()):
        return False  # "BTC": a ticker left alone, not a heading
    return sum(ch.isalpha() for ch in text) >= len(text.replace(" ", "")) / 2
