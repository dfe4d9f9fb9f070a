"""newsarchive-finlex: a sentiment classifier for English financial news, written by hand.

Lexicon-based, deterministic, fast, no model to download. The word lists are ours
(``archive/data/sentiment_lexicon.txt``); what the code adds is the little grammar that financial
news needs:

- movements take their sign from what moved: "sales rose" is good, "costs rose" is bad, "the loss
  narrowed" is good; "cut costs" / "cut its forecast" look for the object after the verb;
- "slipped to a loss" / "up from a loss": the state a movement ends in (or starts from) counts;
- negation ("did not fall", "avoided a loss") turns the next few words around, weakened;
- intensifiers and softeners ("sharply", "slightly"), and the size of a percentage next to a
  movement ("fell 14%") scale a word;
- "up"/"down" count only as movements ("down 1%", "up from", "was down"), not in "set up";
- "X compared to Y" with no movement word: the direction is read from the two numbers.

A sentence gets a score (``score_sentence``); an article is the weighted mean of its sentences,
the title and the first paragraph weighing more (``classify_article``). Pure code: the lexicon
file is package data read once.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable

NAME = "newsarchive-finlex"
VERSION = "2"
LABELS = ("POSITIVE", "NEGATIVE", "NEUTRAL")

#: a sentence is polar when its score reaches this (tuned by hand, see scripts/bench_sentiment.py)
SENTENCE_THRESHOLD = 0.6
#: an article is polar when its weighted mean sentence score reaches this
ARTICLE_THRESHOLD = 0.25
#: ... and the polar weight on its side is at least this (one stray word does not decide)
ARTICLE_MIN_MASS = 1.5
TITLE_WEIGHT = 3.0
LEAD_WEIGHT = 1.5
#: how much of a word's meaning survives a negation ("did not fall" is not "rose")
NEGATION_FACTOR = -0.5
#: a movement with nothing found that moved ("shares of X" out of reach): its plain direction, weakened
UNGOVERNED_FACTOR = 0.8
#: in an article, a sentence's movements of an unknown quantity count this much: alone ("the reward
#: is halved", "growth slows") they describe, they are not news for an investor
ARTICLE_WEAK_FACTOR = 0.5
#: what a subordinate clause ("... as the dollar strengthens") counts next to the main one
SUBORDINATE_FACTOR = 0.6
#: a good/bad quantity after "from"/"compared to" is the past: "up from a loss" is good
PAST_STATE_FACTOR = -0.5
#: what an event word counts when an [undo] verb governs it: "lifts ban", "ends partnership"
UNDO_FACTOR = -1.0
#: a concession ("... despite weak data", "even as ...") says little about the main news
CONCESSIVE_FACTOR = 0.1
#: a sentence that says nothing moved ("little changed", "holds steady") keeps this much
FLAT_FACTOR = 0.3
#: a headline that explains or looks ahead ("How to ...", "... explained", "to watch") keeps this much
EXPLAINER_FACTOR = 0.25

NEGATION_WINDOW = 3
UNDO_WINDOW = 5
INTENSIFIER_WINDOW = 2
BACK_WINDOW = 5
FORWARD_WINDOW = 3
STATE_WINDOW = 5

_BE = frozenset({"was", "were", "is", "are", "be", "been", "being", "closed", "ended", "finished",
                 "traded", "trading", "opened", "stood", "remained", "still", "now", "fell", "went"})
_PARTICLE_NEXT = frozenset({"from", "by", "about", "around", "nearly", "almost", "roughly", "some",
                            "more", "over", "another", "sharply", "slightly", "marginally",
                            "significantly", "strongly", "modestly", "considerably"})
_DETERMINERS = frozenset({"a", "an", "the", "its", "their", "his", "her", "our", "this", "that",
                          "of", "in", "for", "on"})


@dataclass(frozen=True)
class Lexicon:
    """The word lists, by phrase: one category and weight per phrase."""

    polar: dict[str, float]
    direction: dict[str, float]  # + up, - down
    metric: dict[str, tuple[int, float]]  # phrase -> (+1 good / -1 bad, standalone polarity)
    transitive: frozenset[str]
    intensifier: dict[str, float]
    negation: frozenset[str]
    boundary: frozenset[str]
    comparator: frozenset[str]
    #: phrases that say nothing moved ("little changed"); phrases of explainers ("how to")
    flat: frozenset[str]
    explainer: frozenset[str]
    max_words: int
    #: verbs that turn the event they govern around (may also be in another section)
    undo: frozenset[str] = frozenset()
    #: phrase -> its category, for the matcher (one dictionary lookup per candidate phrase)
    categories: dict[str, str] = field(default_factory=dict)
    #: every proper word prefix of a phrase ("fell", "fell short" for "fell short of")
    prefixes: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        if not self.categories:
            for name in ("undo", "flat", "explainer", "boundary", "comparator", "negation",
                         "intensifier", "metric", "direction", "polar"):
                for phrase in getattr(self, name):
                    self.categories[phrase] = name  # an [undo] word of another section keeps that one
                    words = phrase.split()
                    for k in range(1, len(words)):
                        self.prefixes.add(" ".join(words[:k]))

    def category(self, phrase: str) -> str | None:
        return self.categories.get(phrase)


class LexiconError(ValueError):
    """The lexicon file is malformed (a bug in the package data, caught by the tests)."""


def parse_lexicon(text: str) -> Lexicon:
    """Read the lexicon file format (see the file's header). Pure; raises ``LexiconError``."""
    sections: dict[str, list[tuple[float | None, str]]] = {}
    current: str | None = None
    weight: float | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        header = re.fullmatch(r"\[(\w+)\]", line.strip())
        if header:
            current = header.group(1)
            sections.setdefault(current, [])
            weight = None
            continue
        if current is None:
            raise LexiconError(f"line {number}: words before any [section]")
        body = line.strip()
        weighted = re.match(r"^(-?\d+(?:\.\d+)?):\s*(.*)$", body)
        if weighted:
            weight, body = float(weighted.group(1)), weighted.group(2)
        elif not raw[:1].isspace():
            weight = None  # a new unweighted line (sections without weights)
        for phrase in body.split(","):
            phrase = " ".join(phrase.split())
            if phrase:
                if not re.fullmatch(r"[a-z&' ]+", phrase):
                    raise LexiconError(f"line {number}: {phrase!r} is not lower-case words")
                sections[current].append((weight, phrase))

    known = {"positive", "negative", "up", "down", "transitive", "good", "bad", "intensifier",
             "negation", "boundary", "comparator", "undo", "flat", "explainer"}
    unknown = set(sections) - known
    if unknown:
        raise LexiconError(f"unknown sections: {', '.join(sorted(unknown))}")

    def weighted(name: str, sign: float) -> dict[str, float]:
        out: dict[str, float] = {}
        for w, phrase in sections.get(name, []):
            if w is None:
                raise LexiconError(f"[{name}] {phrase!r} has no weight")
            out[phrase] = sign * w
        return out

    def plain(name: str) -> frozenset[str]:
        return frozenset(phrase for _, phrase in sections.get(name, []))

    polar = {**weighted("positive", 1), **weighted("negative", -1)}
    direction = {**weighted("up", 1), **weighted("down", -1)}
    metric = {p: (1, w) for p, w in weighted("good", 1).items()}
    metric.update({p: (-1, -w) for p, w in weighted("bad", 1).items()})
    intensifier = weighted("intensifier", 1)
    negation, boundary, comparator = plain("negation"), plain("boundary"), plain("comparator")
    transitive = plain("transitive")
    undo, flat, explainer = plain("undo"), plain("flat"), plain("explainer")

    # one category per phrase, so that what a phrase means never depends on the section order
    seen: dict[str, str] = {}
    for name, phrases in (("positive", weighted("positive", 1)), ("negative", weighted("negative", 1)),
                          ("up", weighted("up", 1)), ("down", weighted("down", 1)),
                          ("good", weighted("good", 1)), ("bad", weighted("bad", 1)),
                          ("intensifier", intensifier), ("negation", negation),
                          ("boundary", boundary), ("comparator", comparator), ("flat", flat),
                          ("explainer", explainer)):
        for phrase in phrases:
            if phrase in seen and seen[phrase] != name:
                raise LexiconError(f"{phrase!r} is in both [{seen[phrase]}] and [{name}]")
            seen[phrase] = name
    stray = transitive - set(direction)
    if stray:
        raise LexiconError(f"[transitive] words that are not in [up]/[down]: {', '.join(sorted(stray))}")
    max_words = max(len(p.split()) for p in set(seen) | undo) if seen or undo else 1
    return Lexicon(polar, direction, metric, transitive, intensifier, negation, boundary,
                   comparator, flat, explainer, max_words, undo)


@functools.lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    text = resources.files("archive").joinpath("data/sentiment_lexicon.txt").read_text("utf-8")
    return parse_lexicon(text)


# ------------------------------------------------------------------------------- tokenizing --

_TOKEN = re.compile(
    r"(?P<num>(?<![\w.])[-+\u2212]?\$?\d[\d,]*(?:\.\d+)?)(?:\s*(?P<pct>%|percent\b|per cent\b|pct\b))?"
    r"|(?P<word>[^\W\d_]+(?:['\u2019][^\W\d_]+)?)"
    r"|(?P<punct>[.,;:!?()\"\u201c\u201d])"
)


@dataclass(frozen=True)
class Unit:
    """A matched phrase, a word, a number, or punctuation."""

    kind: str  # polar | direction | metric | intensifier | negation | comparator | boundary | word | num | pct | punct
    text: str
    value: float = 0.0  # weight, factor, or the number


def _number(text: str) -> float | None:
    cleaned = text.replace("\u2212", "-").replace("$", "").replace(",", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def tokenize(sentence: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens: words lower-cased, numbers, percentages, punctuation."""
    text = sentence.lower()
    text = re.sub(r"(\d) \.(\d)", r"\1.\2", text)  # "193 .3" -> "193.3"
    text = re.sub(r"n['\u2019]t\b", " not", text)
    text = text.replace("s&p", "sandp")
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        if match.group("num"):
            out.append(("pct" if match.group("pct") else "num", match.group("num")))
        elif match.group("word"):
            word = match.group("word").replace("\u2019", "'")
            if word.endswith("'s"):
                word = word[:-2]
            out.append(("word", word))
        else:
            out.append(("punct", match.group("punct")))
    return out


def match_units(tokens: list[tuple[str, str]], lexicon: Lexicon) -> list[Unit]:
    """Group tokens into the longest lexicon phrases (greedy, left to right)."""
    units: list[Unit] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind != "word":
            value = _number(text) if kind in ("num", "pct") else 0.0
            units.append(Unit(kind, text, value if value is not None else 0.0))
            i += 1
            continue
        matched = None
        phrase = text
        n = 1
        while True:  # extend while the words so far begin some phrase; keep the longest match
            category = lexicon.category(phrase)
            if category:
                matched = (category, phrase, n)
            if i + n >= len(tokens) or tokens[i + n][0] != "word" or phrase not in lexicon.prefixes:
                break
            phrase = f"{phrase} {tokens[i + n][1]}"
            n += 1
        if matched is None:
            units.append(Unit("word", text))
            i += 1
            continue
        category, phrase, n = matched
        value = {"polar": lexicon.polar, "direction": lexicon.direction,
                 "intensifier": lexicon.intensifier}.get(category, {}).get(phrase, 0.0)
        units.append(Unit(category, phrase, value))
        i += n
    return units


# --------------------------------------------------------------------------------- scoring --

def _is_stop(unit: Unit) -> bool:
    return unit.kind == "boundary" or (unit.kind == "punct" and unit.text in ",;:()!?.\"\u201c\u201d")


def _modifier(units: list[Unit], i: int, lexicon: Lexicon) -> float:
    """Negation and intensifiers around unit ``i``."""
    factor = 1.0
    for j in range(i - 1, max(-1, i - 1 - NEGATION_WINDOW), -1):
        if _is_stop(units[j]):
            break
        if units[j].kind == "negation":
            factor *= NEGATION_FACTOR
            break
    for j in list(range(i - 1, max(-1, i - 1 - INTENSIFIER_WINDOW), -1)) + \
            list(range(i + 1, min(len(units), i + 1 + INTENSIFIER_WINDOW))):
        if units[j].kind == "intensifier":
            factor *= units[j].value
            break
    return factor


def _percent_factor(units: list[Unit], i: int) -> float:
    """``fell 14%``: a larger percentage next to a movement weighs more (up to 1.5x)."""
    for j in list(range(i + 1, min(len(units), i + 4))) + list(range(i - 1, max(-1, i - 4), -1)):
        if units[j].kind == "pct":
            if j > 0 and units[j - 1].text in ("to", "at", "from"):
                return 1.0  # "rose to 5.1%": a level, not the size of the move
            return 1.0 + min(abs(units[j].value), 20.0) / 40.0
        if _is_stop(units[j]):
            continue
    return 1.0


#: movements only before a number: "tops $3 trillion", "breaks $70,000" (not "breaks the law")
_WITH_NUMBER = frozenset({"hit", "hits", "tops", "topped", "breaks", "broke", "crosses", "crossed"})


def _is_movement(units: list[Unit], i: int) -> bool:
    """``up``/``down`` are movements only next to a number or after "was", "closed"..."""
    unit = units[i]
    if unit.text in _WITH_NUMBER:
        return i + 1 < len(units) and units[i + 1].kind in ("num", "pct")
    if unit.text not in ("up", "down"):
        return True
    nxt = units[i + 1] if i + 1 < len(units) else None
    prev = units[i - 1] if i > 0 else None
    if nxt is not None and (nxt.kind in ("num", "pct") or nxt.text in _PARTICLE_NEXT
                            or nxt.kind == "intensifier"
                            or (unit.text == "down" and nxt.text == "to")):
        return True
    if prev is not None and (prev.text in _BE or prev.kind == "pct"):
        return True
    return False


def _sized(units: list[Unit], i: int) -> bool:
    """A number right after a movement (or after "by"/"about"...): the move has a size."""
    j = i + 1
    while j < len(units) and j <= i + 2 and units[j].text in ("by", "about", "around", "nearly",
                                                              "almost", "roughly", "some", "over"):
        j += 1
    return j < len(units) and units[j].kind in ("num", "pct")


def _find_metric(units: list[Unit], start: int, step: int, limit: int) -> int | None:
    j = start
    for _ in range(limit):
        if not 0 <= j < len(units) or _is_stop(units[j]) or units[j].kind in ("direction", "polar"):
            return None
        if units[j].kind == "metric":
            return j
        j += step
    return None


_PREPOSITIONS = frozenset({"for", "of", "from", "at", "among", "in", "on", "to", "by"})


def _head_of(units: list[Unit], j: int) -> int:
    """``prices for industrial users rose``: the quantity found is inside a prepositional phrase;
    the head noun before the preposition is what moved, if it is a quantity too."""
    k = j - 1
    while k >= 0 and units[k].kind == "word" and units[k].text in _DETERMINERS - _PREPOSITIONS:
        k -= 1
    while k >= 0 and units[k].kind == "word" and units[k].text not in _PREPOSITIONS \
            and j - k <= 3:
        k -= 1  # adjectives between the preposition and the noun ("for industrial users")
    if k >= 0 and units[k].kind == "word" and units[k].text in _PREPOSITIONS:
        head = _find_metric(units, k - 1, -1, BACK_WINDOW)
        if head is not None:
            return head
    return j


def _state_after(units: list[Unit], i: int) -> int | None:
    """``slipped to a pretax loss``: the quantity a movement ends in, after "to"/"into"."""
    if i + 1 < len(units) and units[i + 1].text in ("to", "into"):
        j = i + 2
        for _ in range(STATE_WINDOW):
            if j >= len(units) or _is_stop(units[j]) or units[j].kind in ("num", "pct", "direction"):
                return None
            if units[j].kind == "metric":
                return j
            j += 1
    return None


def _governed_metric(units: list[Unit], i: int, lexicon: Lexicon) -> int | None:
    """The quantity a movement word is about: the object after a transitive verb or adjective
    ("cut costs", "higher prices"), else the subject before it ("sales rose"), else "in/of X"
    after it ("a decline in sales")."""
    if units[i].text in lexicon.transitive:
        j = i + 1
        while j < len(units) and units[j].kind == "word" and units[j].text in _DETERMINERS:
            j += 1
        found = _find_metric(units, j, 1, FORWARD_WINDOW)
        if found is not None:
            return found
    found = _find_metric(units, i - 1, -1, BACK_WINDOW)
    if found is not None:
        return _head_of(units, found)
    if i + 1 < len(units) and units[i + 1].text in ("in", "of", "for"):
        j = i + 2
        while j < len(units) and units[j].kind == "word" and units[j].text in _DETERMINERS:
            j += 1
        return _find_metric(units, j, 1, FORWARD_WINDOW)
    return None


def _after_comparator(units: list[Unit], i: int) -> bool:
    for j in range(i - 1, max(-1, i - 6), -1):
        if units[j].kind == "comparator" or units[j].text in ("than",):
            return True
        if _is_stop(units[j]):
            return False
    return False


def _compare_numbers(units: list[Unit]) -> float:
    """``profit was EUR 7 mn compared to EUR 8 mn``: +1/-1 times the quantity's sign, or 0."""
    for c, unit in enumerate(units):
        if unit.kind != "comparator" or unit.text == "from":
            continue
        before = next((j for j in range(c - 1, max(-1, c - 8), -1) if units[j].kind == "num"
                       and not _looks_like_year(units[j])), None)
        after = next((j for j in range(c + 1, min(len(units), c + 7)) if units[j].kind == "num"
                      and not _looks_like_year(units[j])), None)
        if before is None or after is None or units[before].value == units[after].value:
            continue
        metric = next((j for j in range(before - 1, max(-1, before - 9), -1)
                       if units[j].kind == "metric"), None)
        if metric is None:
            continue
        sign = 1.0 if units[before].value > units[after].value else -1.0
        return sign * _metric_sign(units[metric])
    return 0.0


def _looks_like_year(unit: Unit) -> bool:
    return float(unit.value).is_integer() and 1900 <= unit.value <= 2100 and "," not in unit.text


def _metric_sign(unit: Unit) -> int:
    return load_lexicon().metric[unit.text][0]


#: words that open a subordinate clause: "Bitcoin slips as the dollar strengthens" is about bitcoin
_SUBORDINATORS = frozenset({"as", "after", "amid", "while", "despite", "following", "because",
                            "since", "though", "although", "whereas", "even as"})


#: ... and those of a concession: "Bitcoin rises despite weak jobs data" is about the rise
_CONCESSIVE = frozenset({"despite", "even as", "in spite of", "shrugs off", "shrug off", "shrugged off"})


def _clause_weights(units: list[Unit]) -> list[float]:
    """1 in the main clause, SUBORDINATE_FACTOR after a subordinating word (to the next ';'),
    CONCESSIVE_FACTOR after a concession."""
    weights = []
    factor = 1.0
    for unit in units:
        if unit.text in _CONCESSIVE:
            factor = CONCESSIVE_FACTOR
        elif unit.kind == "boundary" and unit.text in _SUBORDINATORS:
            factor = SUBORDINATE_FACTOR
        elif unit.kind == "punct" and (unit.text in ";." or (unit.text == "," and factor == CONCESSIVE_FACTOR)):
            factor = 1.0  # "Despite the hack, the token surges": the concession ends at the comma
        weights.append(factor)
    return weights


#: what ends the object of an [undo] verb: "lifts ban on banks", "drops 5% on lawsuit news"
_OBJECT_END = frozenset({"on", "in", "at", "to", "for", "with", "by", "over", "into", "against",
                         "before", "than", "ahead", "says", "said", "say"})


def _undone(units: list[Unit], lexicon: Lexicon) -> dict[int, int]:
    """polar unit -> the [undo] verb that governs it: "lifts ban", "overturns the crypto ban",
    "ends its partnership", "acquitted of fraud", "returns $50 million stolen"."""
    out: dict[int, int] = {}
    for k, unit in enumerate(units):
        if unit.text not in lexicon.undo:
            continue
        for j in range(k + 1, min(len(units), k + 1 + UNDO_WINDOW)):
            nxt = units[j]
            if _is_stop(nxt) or nxt.text in _OBJECT_END or nxt.kind in ("direction", "negation"):
                break
            if nxt.kind == "polar" and nxt.value:
                out[j] = k
                break
    return out


def _past_state(units: list[Unit], i: int) -> bool:
    """``retreats from a record``, ``rebounds from its yearly low``: a polar word after "from"."""
    for j in range(i - 1, max(-1, i - 4), -1):
        if units[j].text in ("from", "off"):
            return True
        if units[j].kind != "word" or units[j].text not in _DETERMINERS:
            return False
    return False


def score_units(units: list[Unit], lexicon: Lexicon) -> tuple[float, float]:
    """``(strong, weak)``: what the words say, and what movements of an unknown quantity add."""
    score = weak = 0.0
    consumed: set[int] = set()
    has_movement = False
    clause = _clause_weights(units)
    undone = _undone(units, lexicon)
    undoers = set(undone.values())
    for i, unit in enumerate(units):
        if i in undoers:
            continue  # "lifts" in "lifts ban" is not a rise
        if unit.kind == "polar":
            if i in undone:
                factor = UNDO_FACTOR
            elif _past_state(units, i):
                factor = PAST_STATE_FACTOR
            else:
                factor = _modifier(units, i, lexicon)
            score += unit.value * factor * clause[i]
        elif unit.kind == "direction":
            if not _is_movement(units, i):
                continue
            has_movement = True
            if _past_state(units, i):  # "retreats from record": where it was, not a move
                score += unit.value * PAST_STATE_FACTOR * clause[i]
                continue
            modifier = _modifier(units, i, lexicon) * _percent_factor(units, i)
            state = _state_after(units, i)
            if state is not None:
                sign, _ = lexicon.metric[units[state].text]
                consumed.add(state)
                score += sign * 1.2 * abs(unit.value) * modifier
                continue
            governed = _governed_metric(units, i, lexicon)
            if governed is not None:
                consumed.add(governed)
                score += unit.value * lexicon.metric[units[governed].text][0] * modifier * clause[i]
            elif _sized(units, i):  # "fell 4%", "raised $640 million": a real move of the subject
                score += unit.value * UNGOVERNED_FACTOR * modifier * clause[i]
            else:
                weak += unit.value * UNGOVERNED_FACTOR * modifier * clause[i]
        elif unit.kind == "pct" and unit.text[:1] in "+-\u2212":
            score += math.copysign(0.6, unit.value) if unit.value else 0.0
    for i, unit in enumerate(units):
        if unit.kind == "metric" and i not in consumed:
            standalone = lexicon.metric[unit.text][1]
            if standalone:
                if _after_comparator(units, i):
                    score += standalone * PAST_STATE_FACTOR
                else:
                    score += standalone * _modifier(units, i, lexicon)
    if not has_movement:
        score += _compare_numbers(units)
    if any(unit.kind == "flat" for unit in units):
        score, weak = score * FLAT_FACTOR, weak * FLAT_FACTOR
    return score, weak


def score_parts(sentence: str) -> tuple[float, float]:
    lexicon = load_lexicon()
    return score_units(match_units(tokenize(sentence), lexicon), lexicon)


def score_sentence(sentence: str) -> float:
    """The sentence's score: > 0 good news for an investor, < 0 bad, about 0 neither."""
    strong, weak = score_parts(sentence)
    return strong + weak


def label_of(score: float, threshold: float) -> str:
    if score >= threshold:
        return "POSITIVE"
    if score <= -threshold:
        return "NEGATIVE"
    return "NEUTRAL"


def classify_sentence(sentence: str) -> str:
    return label_of(score_sentence(sentence), SENTENCE_THRESHOLD)


# --------------------------------------------------------------------------------- articles --

_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9$])")


def split_sentences(text: str) -> list[str]:
    text = _URL.sub(" ", _MD_LINK.sub(r"\1", text))
    out: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = re.sub(r"^\s*(?:#+|[-*+\u2022]|\d+[.)])\s+", "", paragraph).replace("**", "")
        out.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())
    return out


def _paragraphs(body: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", body) if p.strip()]


@dataclass(frozen=True)
class ArticleScore:
    label: str
    #: weighted mean sentence score
    mean: float
    positive: float
    negative: float
    sentences: int


def _article_sentence_score(sentence: str) -> float:
    strong, weak = score_parts(sentence)
    return strong + ARTICLE_WEAK_FACTOR * weak


def _headline_score(sentence: str) -> float:
    """A headline's movement is its news, whatever moved ("Solana slides"): weak counts in full;
    an explainer ("How to ...", "... explained") is not news about a direction."""
    lexicon = load_lexicon()
    units = match_units(tokenize(sentence), lexicon)
    strong, weak = score_units(units, lexicon)
    factor = EXPLAINER_FACTOR if any(unit.kind == "explainer" for unit in units) else 1.0
    return (strong + weak) * factor


def _same_text(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold().rstrip(".") == " ".join(b.split()).casefold().rstrip(".")


def score_article(title: str | None, body: str) -> ArticleScore:
    """Weighted mean of sentence scores: the title x3, the first paragraph x1.5, the rest x1.
    A body that begins with the title again (feeds, headline-only records) counts it once."""
    weighted: list[tuple[float, float]] = []
    paragraphs = _paragraphs(body)
    if title and title.strip():
        weighted.extend((TITLE_WEIGHT, _headline_score(s)) for s in split_sentences(title))
        if paragraphs and _same_text(paragraphs[0], title):
            paragraphs = paragraphs[1:]
    for n, paragraph in enumerate(paragraphs):
        weight = LEAD_WEIGHT if n == 0 else 1.0
        weighted.extend((weight, _article_sentence_score(s)) for s in split_sentences(paragraph))
    return _aggregate(weighted)


def _aggregate(weighted: Iterable[tuple[float, float]]) -> ArticleScore:
    total = positive = negative = 0.0
    mean_sum = 0.0
    count = 0
    for weight, score in weighted:
        count += 1
        total += weight
        clipped = max(-3.0, min(3.0, score))
        mean_sum += weight * clipped
        if score >= SENTENCE_THRESHOLD:
            positive += weight
        elif score <= -SENTENCE_THRESHOLD:
            negative += weight
    mean = mean_sum / total if total else 0.0
    label = "NEUTRAL"
    if mean >= ARTICLE_THRESHOLD and positive >= ARTICLE_MIN_MASS and positive > negative:
        label = "POSITIVE"
    elif mean <= -ARTICLE_THRESHOLD and negative >= ARTICLE_MIN_MASS and negative > positive:
        label = "NEGATIVE"
    return ArticleScore(label, round(mean, 4), positive, negative, count)


def classify_article(title: str | None, body: str) -> str:
    return score_article(title, body).label


def model_info() -> dict[str, str]:
    return {"name": NAME, "version": VERSION}
