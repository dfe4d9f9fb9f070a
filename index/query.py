"""The query language: a user's query text -> a Whoosh query, or a ``QueryError`` that explains.

Words must all match (``bitcoin etf``), ``"phrases"``, ``AND`` / ``OR`` / ``NOT`` (and ``-word``),
``( )`` grouping, fields (``title:``, ``source:``, ``tag:``, ``sentiment:``, ``author:``,
``lang:``, ``category:``...), dates (``published:2026``, ``published:2026-02``,
``published:2026-02-04``, ``published:[2026-02-01 TO 2026-03-01]``) and trailing-``*`` prefixes
(``bitco*``, expanded later to at most ``MAX_EXPANSIONS`` terms of the index).

Whoosh's parser is lenient: it drops what it does not understand. This module checks the text
first (quotes, parentheses, brackets, operators, field names, date values, wildcards) so that
every mistake gets a message a person can act on. Pure code: no index is opened here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date
from functools import lru_cache
from typing import Mapping

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser, PlusMinusPlugin

from archive.errors import QueryError
from index.analysis import DEFAULT_LANGUAGE, analysis_for, normalise
from index.model import FIRST_DAY, LAST_DAY
from index.schema import QUERY_FIELDS, build_schema

#: the fields a bare word searches
DEFAULT_FIELDS = ("title", "description", "body")
#: fields indexed as one lower-cased keyword (the query side lower-cases too)
KEYWORD_FIELDS = ("source", "category", "sentiment", "lang")
DATE_FIELDS = ("published", "ingested")
#: a prefix needs this many characters before the ``*``
MIN_PREFIX = 3
#: a prefix expands to at most this many index terms (the most frequent ones)
MAX_EXPANSIONS = 64

#: the largest ``word^boost``
MAX_BOOST = 100.0

OPERATORS = ("AND", "OR", "NOT")
#: quotation marks that phones, word processors and other languages type: all read as ``"``
QUOTES = "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u301d\u301e\u301f\u300c\u300d\u300e\u300f"
_QUOTES = str.maketrans({ch: '"' for ch in QUOTES})
_DATE_VALUE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_FIELD = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
_DATE_HELP = "use 2026, 2026-02, 2026-02-04 or [2026-02-01 TO 2026-03-01]"


def parse_query(text: str, languages: Mapping[str, tuple[str, ...]] | None = None) -> wq.Query:
    """The Whoosh query for ``text``; ``Every()`` for an empty text. Raises ``QueryError``.

    ``languages``: analysis language (``index.analysis``) -> the ``lang`` values of the articles
    analysed in it, as the index holds them (``SearchService`` passes them); ``None`` is English
    alone. With several, the text is read once in each language and each reading only matches
    articles of its language: ``Banken`` is ``de:bank`` for German articles and ``banken`` for
    English ones, and a stop word is dropped only where it is one."""
    text = normalise_text(text)
    if not text:
        return wq.Every()
    check_syntax(text)
    # ``-word`` is read as ``NOT word``: Whoosh's own ``-`` needs something to keep beside it
    # (``-oil`` alone, or ``(-oil)``, came out as nothing or as ``oil``)
    text = _MINUS.sub("NOT ", text)
    languages = dict(languages or {DEFAULT_LANGUAGE: ()})
    order = sorted(languages, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang))
    readings = {}
    for language in order:
        reading = _rewrite(_parse(text, language), language)
        if reading is not wq.NullQuery:
            readings[language] = reading
    if not readings:
        raise QueryError(f"{text[:60]!r} has only very common words (like 'the'), which are "
                         "not indexed; add a more specific word")
    if len(languages) == 1 or (len(readings) == len(languages)
                               and len(set(readings.values())) == 1):
        return readings[next(iter(readings))]  # one language, or no word that depends on it
    return wq.Or([wq.And([reading, _in_language(languages[language])])
                  for language, reading in readings.items()])


def _in_language(values: tuple[str, ...]) -> wq.Query:
    """Articles whose ``lang`` is one of ``values`` (never scored: ``lang`` has no lengths)."""
    terms = [wq.Term("lang", value) for value in sorted(values)]
    return terms[0] if len(terms) == 1 else wq.Or(terms)


def normalise_text(text: str | None) -> str:
    """The query as it is parsed: Unicode compatibility forms composed (NFKC: decomposed accents,
    full-width letters), every kind of quotation mark a ``"``."""
    return unicodedata.normalize("NFKC", text or "").translate(_QUOTES).strip()


#: a ``-`` starting a word outside quotes (``-oil``, ``-(etf OR solana)``)
_MINUS = re.compile(r'(?:(?<=\s)|^|(?<=\())-(?=[^\s-])(?=(?:[^"]*"[^"]*")*[^"]*$)')


def _parse(text: str, language: str = DEFAULT_LANGUAGE) -> wq.Query:
    try:
        return _parser(language).parse(text)
    except (IndexError, ValueError, TypeError, AttributeError, OverflowError):
        # Whoosh's parser has corners the checks above don't know yet: still a message, never a 500
        raise QueryError("the query could not be understood: check its quotes, brackets and "
                         "AND / OR / NOT") from None


def check_syntax(text: str) -> None:
    """Raise ``QueryError`` for what Whoosh would silently drop or misread."""
    if text.count('"') % 2:
        raise QueryError('a quote is not closed: add the closing " (or remove the lone one)')
    tokens = _tokens(text)
    depth = 0
    brackets = 0
    for token in tokens:
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
            if depth < 0:
                raise QueryError("a ')' has no matching '(' before it")
        if "[" in token and not token.startswith('"'):
            brackets += token.count("[")
        if "]" in token and not token.startswith('"'):
            brackets -= token.count("]")
            if brackets < 0:
                raise QueryError("a ']' has no matching '[' before it")
    if depth > 0:
        raise QueryError("a '(' is not closed: add the matching ')'")
    if brackets > 0:
        raise QueryError(f"a date range '[' is not closed: {_DATE_HELP}")
    _check_operators(tokens)
    _check_fields(tokens)


def _tokens(text: str) -> list[str]:
    """Words, ``"quoted phrases"``, ``(`` and ``)``; a ``[... TO ...]`` range stays one token."""
    tokens: list[str] = []
    current = ""
    i = 0
    in_range = False
    while i < len(text):
        ch = text[i]
        if ch == '"':
            end = text.find('"', i + 1)
            current += text[i:end + 1]
            i = end + 1
            continue
        if ch == "[":
            in_range = True
        elif ch == "]":
            in_range = False
        if not in_range and (ch.isspace() or ch in "()"):
            if current:
                tokens.append(current)
                current = ""
            if ch in "()":
                tokens.append(ch)
        else:
            current += ch
        i += 1
    if current:
        tokens.append(current)
    return tokens


def _check_operators(tokens: list[str]) -> None:
    previous: str | None = None
    for index, token in enumerate(tokens):
        if token in ("AND", "OR"):
            if previous is None or previous in ("(", "AND", "OR", "NOT"):
                raise QueryError(f"'{token}' needs a word or group on each side")
        if token in OPERATORS:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following is None or following == ")" or following in ("AND", "OR"):
                raise QueryError(f"'{token}' needs a word or group after it")
            if token == "NOT" and (following == "NOT" or following.startswith("-")):
                raise QueryError("'NOT NOT' cancels out: write the word alone, or NOT once")
        previous = token


def _check_fields(tokens: list[str]) -> None:
    for index, token in enumerate(tokens):
        if token.startswith('"'):
            continue
        body = token.lstrip("+-")
        if not body and token in ("-", "+"):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following != "(":
                raise QueryError(f"'{token}' must touch the word it applies to: write "
                                 f"bitcoin {token}etf (or bitcoin NOT etf); a lone '{token}' "
                                 "between spaces is not read")
            continue
        match = _FIELD.match(body)
        if not match or body.split(":", 1)[1].startswith("//"):
            _check_word(body)
            continue
        name, value = match.group(1), match.group(2)
        if name not in QUERY_FIELDS:
            known = ", ".join(f"{f}:" for f in QUERY_FIELDS if f not in ("tags", "tickers"))
            raise QueryError(f"unknown field '{name}:'; the fields are {known}")
        if not value:
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following != "(":
                raise QueryError(f"'{name}:' needs a value right after the colon, like {name}:word")
            continue
        field = QUERY_FIELDS[name]
        if field in DATE_FIELDS:
            _check_date_value(name, value)
        elif value.startswith("["):
            raise QueryError(f"ranges work on dates only (published:, ingested:), not on '{name}:'")
        elif not value.startswith('"'):
            _check_word(value)


def _check_date_value(name: str, value: str) -> None:
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        parts = re.split(r"\s*\bTO\b\s*", inner)
        if len(parts) != 2:
            raise QueryError(f"'{name}:{value}' is not a date range: {_DATE_HELP}")
        ends = [p.strip() for p in parts]
        if not any(ends):
            raise QueryError(f"'{name}:{value}' has no dates: {_DATE_HELP}")
        for end in ends:
            if end and not _valid_date(end):
                raise QueryError(f"'{end}' in '{name}:' is not a date: {_DATE_HELP}")
            if end:
                _check_year(name, end)
        if all(ends) and _first_day(ends[0]) > _last_day(ends[1]):
            raise QueryError(f"'{name}:{value}' starts after it ends: write the earlier date "
                             f"first ({name}:[{ends[1]} TO {ends[0]}])")
        return
    if not _valid_date(value):
        raise QueryError(f"'{value}' in '{name}:' is not a date: {_DATE_HELP}")
    _check_year(name, value)


def _check_year(name: str, text: str) -> None:
    if not FIRST_DAY.year <= int(text[:4]) <= LAST_DAY.year:
        raise QueryError(f"'{text}' in '{name}:' is outside the dates an archive can hold: "
                         f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}")


def _first_day(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    return date(parts[0], *(parts[1:] + [1, 1])[:2])


def _last_day(text: str) -> date:
    parts = [int(p) for p in text.split("-")]
    if len(parts) == 3:
        return date(*parts)
    if len(parts) == 1:
        return date(parts[0], 12, 31)
    year, month = parts
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _valid_date(text: str) -> bool:
    if not _DATE_VALUE.match(text):
        return False
    parts = [int(p) for p in text.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return False
    if len(parts) == 3:
        try:
            date(*parts)
        except ValueError:
            return False
    return True


def _check_word(word: str) -> None:
    if word in ("*", "?") or set(word) <= set("*?"):
        raise QueryError("'*' alone matches everything: leave the query empty to list all "
                         "articles, or put at least "
                         f"{MIN_PREFIX} letters before it (bitco*)")
    stripped = word.rstrip("?")  # a question mark ends a question, it is not a wildcard
    if "?" in stripped or "*" in stripped[:-1]:
        raise QueryError(f"'{word}': only a '*' at the end of a word is supported (bitco*)")
    if stripped.endswith("*") and len(stripped) - 1 < MIN_PREFIX:
        raise QueryError(f"'{word}': put at least {MIN_PREFIX} letters before the '*'")


@lru_cache(maxsize=None)
def _parser(language: str = DEFAULT_LANGUAGE) -> MultifieldParser:
    parser = MultifieldParser(list(DEFAULT_FIELDS), build_schema(language), group=AndGroup)
    aliases: dict[str, list[str]] = {}
    for name, field in QUERY_FIELDS.items():
        if name != field:
            aliases.setdefault(field, []).append(name)
    parser.add_plugin(FieldAliasPlugin(aliases))
    # ``+word`` requires, at the start of a word only (``-word`` became ``NOT word`` before)
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?:(?<=\s)|^)\+", minusexpr=r"(?!)"))
    return parser


_NULL = type(wq.NullQuery)


def _rewrite(q: wq.Query, language: str = DEFAULT_LANGUAGE) -> wq.Query:
    """Lower-case keyword values, turn ``word?`` into the word, analyse prefixes in
    ``language``, refuse what cannot run; ``NullQuery`` for a part of only stop words."""
    boost = getattr(q, "boost", 1.0)
    if not (math.isfinite(boost) and 0 <= boost <= MAX_BOOST):
        raise QueryError(f"a boost ('word^2') must be a number from 0 to {MAX_BOOST:g}")
    if isinstance(q, _NULL):
        if getattr(q, "error", None):
            raise QueryError(f"cannot read part of the query: {q.error}")
        return wq.NullQuery
    if isinstance(q, wq.Every):
        raise QueryError("'*' alone matches everything: leave the query empty to list all articles")
    if getattr(q, "fieldname", None) in DATE_FIELDS and not isinstance(q, wq.NumericRange):
        # a date the checks above did not see as one (``z""published:""``, a field glued to a
        # quote): left as a word, it failed in the search with a bare Exception (a 500)
        raise QueryError(f"a date in the query could not be read: {_DATE_HELP}")
    if isinstance(q, wq.Wildcard):
        pattern = q.text
        word = pattern.rstrip("?")
        if "?" in word or "*" in word:
            raise QueryError(f"'{pattern}': only a '*' at the end of a word is supported (bitco*)")
        terms = _terms(q.fieldname, word, language)
        if not terms:
            return wq.NullQuery
        return wq.Term(q.fieldname, terms[0], boost=q.boost)
    if isinstance(q, wq.Prefix):
        if len(q.text) < MIN_PREFIX:
            raise QueryError(f"'{q.text}*': put at least {MIN_PREFIX} letters before the '*'")
        if q.fieldname in DEFAULT_FIELDS:
            text = analysis_for(language).prefix + normalise(q.text).lower()
            return wq.Prefix(q.fieldname, text, boost=q.boost)
        return wq.Prefix(q.fieldname, q.text.lower(), boost=q.boost)
    if isinstance(q, wq.Term) and q.fieldname in KEYWORD_FIELDS and isinstance(q.text, str):
        return wq.Term(q.fieldname, q.text.lower(), boost=q.boost)
    if isinstance(q, wq.TermRange):
        raise QueryError(f"ranges work on dates only (published:, ingested:), not on '{q.fieldname}:'")
    if isinstance(q, wq.BinaryQuery):
        a, b = _rewrite(q.a, language), _rewrite(q.b, language)
        if a is wq.NullQuery and isinstance(q, wq.AndNot) and b is not wq.NullQuery:
            return wq.Not(b)  # ``the -oil``: only very common words to keep, so all but oil
        if a is wq.NullQuery:
            return wq.NullQuery
        if b is wq.NullQuery:
            return a
        return q.__class__(a, b)
    if isinstance(q, wq.CompoundQuery):
        subs = [_rewrite(s, language) for s in q.subqueries]
        subs = [s for s in subs if s is not wq.NullQuery]
        if not subs:
            return wq.NullQuery
        return q.__class__(subs, boost=q.boost) if not isinstance(q, wq.Or) else \
            wq.Or(subs, boost=q.boost, minmatch=q.minmatch)
    if isinstance(q, wq.Not):
        inner = _rewrite(q.query, language)
        return wq.NullQuery if inner is wq.NullQuery else wq.Not(inner)
    return q


def _terms(fieldname: str, word: str, language: str) -> list[str]:
    if fieldname in DEFAULT_FIELDS:
        return analysis_for(language).terms(word)
    return [t.text for t in build_schema()[fieldname].analyzer(word)]


def word_terms(word: str, languages: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    """The terms a query word stands for in each language (for "did you mean")."""
    found: dict[str, None] = {}
    for language in languages or (DEFAULT_LANGUAGE,):
        for term in analysis_for(language).terms(word)[:1]:
            found[term] = None
    return list(found)


def positive_words(q: wq.Query) -> list[tuple[str, str]]:
    """(field, text) of the terms that must or may match (not those under NOT): for highlights."""
    out: list[tuple[str, str]] = []

    def walk(node: wq.Query, negated: bool) -> None:
        if isinstance(node, wq.Not):
            walk(node.query, not negated)
        elif isinstance(node, wq.AndNot):
            walk(node.a, negated)
            walk(node.b, not negated)
        elif isinstance(node, (wq.Term,)):
            if not negated:
                out.append((node.fieldname, node.text))
        elif isinstance(node, wq.Phrase):
            if not negated:
                out.extend((node.fieldname, w) for w in node.words)
        elif isinstance(node, wq.CompoundQuery):
            for sub in node.subqueries:
                walk(sub, negated)
        elif isinstance(node, wq.BinaryQuery):
            walk(node.a, negated)
            walk(node.b, negated)

    walk(q, False)
    return out


def has_positive_terms(q: wq.Query, fields: tuple[str, ...] | None = None) -> bool:
    """False for ``Every()`` and for pure negations (``NOT bitcoin``): nothing to rank by.
    With ``fields``, only words in those fields count."""
    return any(fields is None or f in fields for f, _ in positive_words(q))


def scored_terms(q: wq.Query) -> list[tuple[str, str, float]]:
    """(field, word, boost) of every term that adds to the score (not under NOT; phrase words
    count as words), boosts multiplied down the tree."""
    out: list[tuple[str, str, float]] = []

    def walk(node: wq.Query, boost: float) -> None:
        boost *= getattr(node, "boost", 1.0)
        if isinstance(node, wq.Not):
            return
        if isinstance(node, wq.AndNot):
            walk(node.a, boost)
        elif isinstance(node, (wq.AndMaybe, wq.Require)):
            walk(node.a, boost)
            walk(node.b, boost)
        elif isinstance(node, wq.Term):
            if isinstance(node.text, str):
                out.append((node.fieldname, node.text, boost))
        elif isinstance(node, wq.Phrase):
            out.extend((node.fieldname, w, boost) for w in node.words)
        elif isinstance(node, wq.CompoundQuery):
            for sub in node.subqueries:
                walk(sub, boost)

    walk(q, 1.0)
    return out
