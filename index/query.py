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

import re
from functools import lru_cache

from whoosh import query as wq
from whoosh.qparser import AndGroup, FieldAliasPlugin, MultifieldParser, PlusMinusPlugin

from archive.errors import QueryError
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

OPERATORS = ("AND", "OR", "NOT")
_DATE_VALUE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_FIELD = re.compile(r"^([A-Za-z_]+):(.*)$", re.S)
_DATE_HELP = "use 2026, 2026-02, 2026-02-04 or [2026-02-01 TO 2026-03-01]"


def parse_query(text: str) -> wq.Query:
    """The Whoosh query for ``text``; ``Every()`` for an empty text. Raises ``QueryError``."""
    text = (text or "").strip()
    if not text:
        return wq.Every()
    check_syntax(text)
    try:
        parsed = _parser().parse(text)
    except (IndexError, ValueError, TypeError, AttributeError):
        # Whoosh's parser has corners the checks above don't know yet: still a message, never a 500
        raise QueryError("the query could not be understood: check its quotes, brackets and "
                         "AND / OR / NOT") from None
    return _normalise(parsed, text)


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
            if token == "NOT" and following == "NOT":
                raise QueryError("'NOT NOT' cancels out: write the word alone, or NOT once")
        previous = token


def _check_fields(tokens: list[str]) -> None:
    for index, token in enumerate(tokens):
        if token.startswith('"'):
            continue
        body = token.lstrip("+-")
        match = _FIELD.match(body)
        if not match or body.split(":", 1)[1].startswith("//"):
            _check_word(body)
            continue
        name, value = match.group(1), match.group(2)
        if name not in QUERY_FIELDS:
            known = ", ".join(f"{f}:" for f in QUERY_FIELDS if f not in ("tags",))
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
        return
    if not _valid_date(value):
        raise QueryError(f"'{value}' in '{name}:' is not a date: {_DATE_HELP}")


def _valid_date(text: str) -> bool:
    if not _DATE_VALUE.match(text):
        return False
    parts = [int(p) for p in text.split("-")]
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return False
    if len(parts) == 3:
        from datetime import date
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


@lru_cache(maxsize=1)
def _parser() -> MultifieldParser:
    parser = MultifieldParser(list(DEFAULT_FIELDS), build_schema(), group=AndGroup)
    aliases: dict[str, list[str]] = {}
    for name, field in QUERY_FIELDS.items():
        if name != field:
            aliases.setdefault(field, []).append(name)
    parser.add_plugin(FieldAliasPlugin(aliases))
    # ``-word`` excludes, but only at the start of a word (``the-block`` stays one value)
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?:(?<=\s)|^)\+", minusexpr=r"(?:(?<=\s)|^)-"))
    return parser


def _normalise(q: wq.Query, text: str) -> wq.Query:
    """Lower-case keyword values, turn ``word?`` into the word, refuse what cannot run."""
    rewritten = _rewrite(q)
    if rewritten is wq.NullQuery:
        raise QueryError(f"{text[:60]!r} has only very common words (like 'the'), which are "
                         "not indexed; add a more specific word")
    return rewritten


_NULL = type(wq.NullQuery)


def _rewrite(q: wq.Query) -> wq.Query:
    if isinstance(q, _NULL):
        if getattr(q, "error", None):
            raise QueryError(f"cannot read part of the query: {q.error}")
        return wq.NullQuery
    if isinstance(q, wq.Every):
        raise QueryError("'*' alone matches everything: leave the query empty to list all articles")
    if isinstance(q, wq.Wildcard):
        pattern = q.text
        word = pattern.rstrip("?")
        if "?" in word or "*" in word:
            raise QueryError(f"'{pattern}': only a '*' at the end of a word is supported (bitco*)")
        terms = [t.text for t in _analyzer(q.fieldname)(word)]
        if not terms:
            return wq.NullQuery
        return wq.Term(q.fieldname, terms[0], boost=q.boost)
    if isinstance(q, wq.Prefix):
        if len(q.text) < MIN_PREFIX:
            raise QueryError(f"'{q.text}*': put at least {MIN_PREFIX} letters before the '*'")
        return wq.Prefix(q.fieldname, q.text.lower(), boost=q.boost)
    if isinstance(q, wq.Term) and q.fieldname in KEYWORD_FIELDS and isinstance(q.text, str):
        return wq.Term(q.fieldname, q.text.lower(), boost=q.boost)
    if isinstance(q, wq.TermRange):
        raise QueryError(f"ranges work on dates only (published:, ingested:), not on '{q.fieldname}:'")
    if isinstance(q, wq.BinaryQuery):
        a, b = _rewrite(q.a), _rewrite(q.b)
        if a is wq.NullQuery:
            return wq.NullQuery
        if b is wq.NullQuery:
            return a
        return q.__class__(a, b)
    if isinstance(q, wq.CompoundQuery):
        subs = [_rewrite(s) for s in q.subqueries]
        subs = [s for s in subs if s is not wq.NullQuery]
        if not subs:
            return wq.NullQuery
        return q.__class__(subs, boost=q.boost) if not isinstance(q, wq.Or) else \
            wq.Or(subs, boost=q.boost, minmatch=q.minmatch)
    if isinstance(q, wq.Not):
        inner = _rewrite(q.query)
        return wq.NullQuery if inner is wq.NullQuery else wq.Not(inner)
    return q


def _analyzer(fieldname: str):
    return build_schema()[fieldname].analyzer


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
