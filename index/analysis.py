"""Text analysis in the language of each article: words -> index terms, the same for indexing
and for queries.

- **Normalised first**: text that is not ASCII is put in Unicode compatibility form (NFKC), so
  decomposed accents (``Zu\\u0308rich``, as text copied on a Mac often is) and full-width
  letters (``\\uff22\\uff34\\uff23``) give the same terms as ``Zürich`` and ``BTC``.
- **Words** as Whoosh's default tokenizer finds them, lower-cased; stop words and one-letter words
  dropped, the positions of the rest renumbered (as Whoosh's ``StopFilter`` does).
- **Stems** with the language's stemmer and stop words: English with Whoosh's Porter stemmer
  (exactly the ``StemmingAnalyzer`` of version 1), German with CISTEM (``cistem``: Snowball
  misses ``Zins``/``Zinsen``), and the other languages Whoosh ships a Snowball (or, for Arabic,
  ISRI) stemmer for in ``STEMMED``. Every other language, and an article without one,
  is analysed as English.
- **Chinese, Japanese, Korean**: runs of Han, Hiragana, Katakana and Hangul characters become
  overlapping bigrams (``比特币`` -> ``比特 特币``; a lone character stays a unigram), as Lucene's
  CJK analyzer does, in every language (a Chinese name in an English article is found too). A
  query word becomes the phrase of its bigrams.
- **Terms carry their language**: an English term is the stem itself (the index of an English
  archive is the one version 1 wrote); another language's terms start with its code
  (``de:bank``), so ``rates`` (English ``rate``) never matches a French ``rat``. A query is read
  once per language the index holds (see ``index.query``).

An article's language reaches the analyzer with its text: ``document_for`` passes ``LangText``
values (a ``str`` that knows its language) and stores plain strings. Pure code.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Iterator

from whoosh.analysis import STOP_WORDS, Analyzer, Token
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang import has_stopwords, stemmer_for_language, stopwords_for_language
from whoosh.lang.porter import stem as porter_stem

DEFAULT_LANGUAGE = "en"
#: languages analysed with a stemmer and stop words of their own (all Whoosh ships but English,
#: which keeps the Porter stemmer of version 1)
STEMMED = ("ar", "da", "de", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv", "tr")
#: words shorter than this are dropped (CJK characters excepted)
MIN_WORD = 2
#: stems remembered per language before the cache starts again
MAX_STEM_CACHE = 200_000

#: Han (with extensions and compatibility ideographs), Hiragana, Katakana, Hangul
_CJK_CHARS = ("\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
              "\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff\uf900-\ufaff\U00020000-\U0003134f")
_CJK = re.compile(f"[{_CJK_CHARS}]")
_CJK_RUNS = re.compile(f"[{_CJK_CHARS}]+|[^{_CJK_CHARS}]+")
_WORDS = re.compile(default_pattern.pattern.replace("(\\.?", "(?:\\.?"), default_pattern.flags)
_PREFIXED = re.compile(r"^[a-z]{2}:")


def analysis_language(lang: str | None) -> str:
    """The language an article of ``lang`` (``de``, ``de-AT``, ``zh``...) is analysed in."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in STEMMED else DEFAULT_LANGUAGE


def term_prefix(language: str) -> str:
    return "" if language == DEFAULT_LANGUAGE else f"{language}:"


def bare_term(term: str) -> str:
    """A term without its language prefix (``de:bank`` -> ``bank``)."""
    return term[3:] if _PREFIXED.match(term) else term


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def normalise(text: str) -> str:
    """NFKC for text that is not plain ASCII (ASCII is already in every normal form)."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


class LangText(str):
    """A field value that knows the language its article is written in."""

    lang: str = DEFAULT_LANGUAGE

    def __new__(cls, text: str, lang: str) -> "LangText":
        value = super().__new__(cls, text)
        value.lang = lang
        return value

    def __reduce__(self) -> Any:  # pickled as itself, for worker processes
        return (LangText, (str(self), self.lang))


def article_text(text: str | None, lang: str | None) -> str | None:
    """``text`` for indexing in the analysis language of ``lang``."""
    if text is None:
        return None
    language = analysis_language(lang)
    return LangText(text, language) if language != DEFAULT_LANGUAGE else str(text)


def split_words(text: str) -> list[tuple[str, bool]]:
    """(word, is_cjk) of ``text`` (already normalised), in order, not yet lower-cased: Whoosh's
    default tokenizer's words, CJK runs inside them cut into overlapping bigrams."""
    words = _WORDS.findall(text)
    if not _CJK.search(text):
        return [(w, False) for w in words]
    out: list[tuple[str, bool]] = []
    for word in words:
        if not _CJK.search(word):
            out.append((word, False))
            continue
        for run in _CJK_RUNS.findall(word):
            if not _CJK.match(run):
                out.extend((w, False) for w in _WORDS.findall(run))
            elif len(run) == 1:
                out.append((run, True))
            else:
                out.extend((run[i:i + 2], True) for i in range(len(run) - 1))
    return out


_CISTEM_DOUBLE = re.compile(r"(.)\1")
_CISTEM_MARKED = re.compile(r"(.)\*")


def cistem(word: str) -> str:
    """The German stem of a lower-cased word by CISTEM (Weissweiler and Fraser, "Developing a
    stemmer for German based on a comparative analysis of publicly available stemmers", 2017),
    case-insensitive variant. Snowball's German stemmer stems ``Zins`` to ``zin`` but ``Zinsen``
    to ``zins`` (and ``Markt``/``Märkte`` only by luck); CISTEM strips ``e s n t`` endings
    until four letters are left, so the pairs meet (``zin``, ``mark``, ``bank``)."""
    word = word.replace("ü", "u").replace("ö", "o").replace("ä", "a").replace("ß", "ss")
    if word.startswith("ge") and len(word) >= 6:
        word = word[2:]
    word = word.replace("sch", "$").replace("ei", "%").replace("ie", "&")
    word = _CISTEM_DOUBLE.sub(r"\1*", word)
    while len(word) > 3:
        if len(word) > 5 and word[-2:] in ("em", "er", "nd"):
            word = word[:-2]
        elif word[-1] in "esnt":
            word = word[:-1]
        else:
            break
    word = _CISTEM_MARKED.sub(r"\1\1", word)
    return word.replace("$", "sch").replace("%", "ei").replace("&", "ie")


class Analysis:
    """One language's analysis: words -> (term, position), cached stems."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.prefix = term_prefix(language)
        if language == DEFAULT_LANGUAGE:
            self.stops, self.stemfn = STOP_WORDS, porter_stem
        else:
            self.stops = frozenset(stopwords_for_language(language)) if has_stopwords(language) \
                else frozenset()
            self.stemfn = cistem if language == "de" else stemmer_for_language(language)
        self.cache: dict[str, str] = {}

    def stem(self, word: str) -> str:
        """The term of one lower-cased word (prefixed with the language)."""
        term = self.cache.get(word)
        if term is None:
            if len(self.cache) > MAX_STEM_CACHE:
                self.cache.clear()
            term = self.cache[word] = self.prefix + self.stemfn(word)
        return term

    def kept(self, text: str) -> Iterator[tuple[int, str, str | None]]:
        """(position, word, term) of the words that are kept, positions renumbered over them from
        the first kept word's own position; term is ``None`` for stop words when asked for them
        (``keep_stops``)."""
        return self._walk(text, keep_stops=False)

    def _walk(self, text: str, keep_stops: bool) -> Iterator[tuple[int, str, str | None]]:
        stops, prefix = self.stops, self.prefix
        pos = -1
        if text.isascii():
            pieces = [(w, False) for w in _WORDS.findall(text.lower())]
        else:
            pieces = [(w.lower(), cjk) for w, cjk in split_words(normalise(text))]
        for index, (word, cjk) in enumerate(pieces):
            if cjk:
                term = prefix + word
            elif len(word) < MIN_WORD or word in stops:
                if keep_stops:
                    yield (pos if pos >= 0 else index), word, None
                continue
            else:
                term = self.stem(word)
            pos = index if pos < 0 else pos + 1
            yield pos, word, term

    def analyse(self, text: str) -> tuple[dict[str, list[int]], set[str]]:
        """``(term -> positions, words for spelling)``: what indexing ``text`` writes (the
        contract of ``index.bulkwriter.FastAnalysis.analyse``). CJK bigrams are no spelling words."""
        positions: dict[str, list[int]] = {}
        words: set[str] = set()
        for pos, word, term in self._walk(text, keep_stops=False):
            if term is None:
                continue
            if not is_cjk(word):
                words.add(word)
            found = positions.get(term)
            if found is None:
                positions[term] = [pos]
            else:
                found.append(pos)
        return positions, words

    def terms(self, text: str) -> list[str]:
        return [term for _, _, term in self._walk(text, keep_stops=False) if term is not None]


@lru_cache(maxsize=None)
def analysis_for(language: str) -> Analysis:
    return Analysis(language)


class ArticleAnalyzer(Analyzer):
    """The Whoosh analyzer of the text fields: each value in its own language (a ``LangText``'s
    ``lang``, else ``language``), see the module's description."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language

    def __eq__(self, other: object) -> bool:
        return type(other) is ArticleAnalyzer and other.language == self.language

    def __hash__(self) -> int:
        return hash(("ArticleAnalyzer", self.language))

    def __repr__(self) -> str:
        return f"ArticleAnalyzer({self.language!r})"

    def has_morph(self) -> bool:  # stems: Whoosh keeps the unstemmed words as spelling words
        return True

    def analysis(self, value: str) -> Analysis:
        return analysis_for(getattr(value, "lang", None) or self.language)

    def analyse(self, value: str) -> tuple[dict[str, list[int]], set[str]]:
        """What indexing ``value`` writes, in one pass (the bulk writer's fast path)."""
        return self.analysis(value).analyse(value)

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", no_morph: bool = False,
                 **kwargs: Any) -> Iterator[Token]:
        analysis = self.analysis(value)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            words: Any = [(0, normalise(value).lower(), None)]
        else:
            words = analysis._walk(value, keep_stops=not removestops)
        for pos, word, term in words:
            if no_morph and is_cjk(word):
                continue
            token.text = word if (no_morph or term is None) else term
            token.stopped = term is None
            token.boost = 1.0
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(word)
            yield token
