"""Tickers: the crypto assets, listed companies and funds an article names, as upper-case symbols.

What counts, in the text (title, description, body), from ``archive/data/assets.txt``:

- a known name: "Bitcoin", "ether", "Cipher Mining", "Hut 8" (capitalised names match as written,
  lower-case ones in any case), the longest name first ("Bitcoin Cash" is BCH, not BTC);
- a known symbol written in capitals as a word ("BTC", "IREN"), unless it is also an ordinary word
  or abbreviation (SOL, ONE, LINK, DOT: marked ``?`` in the file);
- ticker notation, which also names symbols the file does not know: an exchange prefix
  ("(NASDAQ: CIFR)", "NYSE: MSTR"), a cashtag ("$SOL"), a trading pair ("SOL-USD"), capitals in
  parentheses right after a name ("Hut 8 (HUT)", "Acme Robotics (ACMR)") unless they are the name's
  initials or a known abbreviation ("Securities and Exchange Commission (SEC)", "(AI)").

``extract_tickers`` gives them in order of first mention; ``tickers_from_values`` reads a bulk
record's own list (``currencies``-style: symbols, names, or maps with ``code``/``symbol``/``title``).
Pure code: the data file is package data read once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Iterable, Mapping

__all__ = ["Assets", "AssetsError", "extract_tickers", "load_assets", "normalize_ticker",
           "parse_assets", "tickers_from_values"]

#: what a symbol may look like once normalised: "BTC", "BRK.B", "1INCH"
SYMBOL = re.compile(r"[A-Z0-9][A-Z0-9.]{0,11}")
SECTIONS = ("crypto", "company", "fund", "ignore", "notticker")
#: exchange prefixes of ticker notation: "(NASDAQ: CIFR)", "TSX: HUT"
EXCHANGES = ("NASDAQ", "Nasdaq", "NYSE American", "NYSE Arca", "NYSE", "TSXV", "TSX-V", "TSX", "CSE",
             "LSE", "ASX", "OTCQX", "OTCQB", "OTC", "AMEX", "Cboe", "CBOE", "XETRA", "Xetra", "NEO")
# every pattern starts with a literal, so that re can skip to it (a lookbehind first costs 10x)
_AFTER_COLON = re.compile(r":\s*([A-Z][A-Z0-9]{0,5}(?:\.[A-Z])?)\b")
_CASHTAG = re.compile(r"\$([A-Za-z][A-Za-z0-9]{1,9})\b")
_PAIR = re.compile(r"[-/](?:USD|USDT|USDC|EUR|BTC|ETH|JPY|GBP|KRW)\b")
_PAREN = re.compile(r"\(([A-Z][A-Z0-9]{0,5}(?:\.[A-Z])?)\)")
_WORD = re.compile(r"[\w&]+")
_URL = re.compile(r"\]\([^)]*\)|https?://\S+|www\.\S+")
#: small words a name's initials skip: "Monetary Authority of Singapore (MAS)"
_GLUE = frozenset({"of", "and", "for", "the", "de", "&", "on", "in"})


class AssetsError(ValueError):
    """The assets file is malformed (a bug in the package data, caught by the tests)."""


@dataclass(frozen=True)
class Assets:
    #: symbol -> kind (crypto / company / fund)
    kinds: dict[str, str]
    #: symbols that are also ordinary words: only ticker notation or a name gives them
    ambiguous: frozenset[str]
    #: names matched as written / in any case, each -> its symbol
    exact: dict[str, str]
    folded: dict[str, str]
    #: phrases that contain a name but are not about it (any case)
    ignore: tuple[str, ...]
    #: capitals that are abbreviations, never tickers
    notticker: frozenset[str]

    @functools.cached_property
    def by_first_word(self) -> dict[str, list[tuple[tuple[str, ...], bool, str | None]]]:
        """casefolded first word -> ``(words, exact, symbol)`` of every name and ignored phrase
        that begins with it, longest first (so "Bitcoin Cash" wins over "Bitcoin"); ``exact``
        names compare as written, the others casefolded; an ignored phrase has no symbol."""
        index: dict[str, list[tuple[tuple[str, ...], bool, str | None]]] = {}
        entries = [(n, True, sym) for n, sym in self.exact.items()]
        entries += [(n, False, sym) for n, sym in self.folded.items()]
        entries += [(n, False, None) for n in self.ignore]
        for name, exact, symbol in entries:
            words = tuple(_WORD.findall(name))
            if not exact:
                words = tuple(w.casefold() for w in words)
            if words:
                index.setdefault(words[0].casefold(), []).append((words, exact, symbol))
        for candidates in index.values():
            candidates.sort(key=lambda c: -len(c[0]))
        return index


def parse_assets(text: str) -> Assets:
    """Read the assets file format (see the file's header). Pure; raises ``AssetsError``."""
    kinds: dict[str, str] = {}
    ambiguous: set[str] = set()
    exact: dict[str, str] = {}
    folded: dict[str, str] = {}
    ignore: list[str] = []
    notticker: set[str] = set()
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        header = re.fullmatch(r"\[(\w+)\]", line)
        if header:
            section = header.group(1)
            if section not in SECTIONS:
                raise AssetsError(f"line {number}: unknown section [{section}]")
            continue
        if section is None:
            raise AssetsError(f"line {number}: an entry before any [section]")
        if section in ("ignore", "notticker"):
            items = [" ".join(p.split()) for p in line.split(",") if p.strip()]
            (ignore.extend if section == "ignore" else notticker.update)(items)
            continue
        symbol, _, names = line.partition(":")
        symbol = symbol.strip()
        unsure = symbol.endswith("?")
        symbol = symbol.rstrip("?")
        if not SYMBOL.fullmatch(symbol):
            raise AssetsError(f"line {number}: {symbol!r} is not an upper-case symbol")
        if symbol in kinds:
            raise AssetsError(f"line {number}: {symbol} is listed twice")
        kinds[symbol] = section
        if unsure:
            ambiguous.add(symbol)
        for name in (" ".join(n.split()) for n in names.split(",")):
            if not name:
                continue
            table = folded if name == name.lower() else exact
            key = name.casefold() if table is folded else name
            if key in exact or key in folded:
                raise AssetsError(f"line {number}: the name {name!r} is already {(exact | folded)[key]}")
            table[key] = symbol
    return Assets(kinds, frozenset(ambiguous), exact, folded, tuple(ignore), frozenset(notticker))


@functools.lru_cache(maxsize=1)
def load_assets() -> Assets:
    text = resources.files("archive").joinpath("data/assets.txt").read_text("utf-8")
    return parse_assets(text)


# ------------------------------------------------------------------------------ extraction --

def _is_initials(symbol: str, before: str) -> bool:
    """``Securities and Exchange Commission (SEC)``: the capitals are the words' initials."""
    words = [w for w in re.findall(r"[\w&]+", before)[-8:] if w.lower() not in _GLUE]
    initials = "".join(w[0].upper() for w in words if w[:1].isalpha())
    return len(symbol) >= 2 and initials.endswith(symbol)


def _named_before(before: str) -> bool:
    """``Acme Robotics (ACMR)``: a capitalised word (or a name's number: "Hut 8") just before."""
    match = re.search(r"([A-Z][\w.&'-]*|\d+)\s*$", before)
    return match is not None


def extract_tickers(text: str, *, title: str | None = None, assets: Assets | None = None
                    ) -> tuple[str, ...]:
    """The symbols ``title`` and ``text`` name, in order of first mention, each once."""
    assets = assets or load_assets()
    full = _URL.sub(" ", f"{title}\n{text}" if title else text or "")
    found = _notation(full, assets)
    taken = [(start, end) for start, end, _ in found]
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(full)]
    i = 0
    while i < len(words):
        start, end, word = words[i]
        matched = _name_at(full, words, i, assets)
        if matched is not None:
            n, symbol = matched
            stop = words[i + n - 1][1]
            if not _overlaps(taken, start, stop):
                found.append((start, stop, symbol))
            i += n
            continue
        if (word.isupper() and word in assets.kinds and word not in assets.ambiguous
                and full[start - 1:start] not in ("$", ".", "-", "/")
                and full[end:end + 1] not in ("-", "/") and not _overlaps(taken, start, end)):
            found.append((start, end, word))
        i += 1
    found.sort()
    return tuple(dict.fromkeys(symbol for _, _, symbol in found if symbol))


def _name_at(full: str, words: list[tuple[int, int, str]], i: int, assets: Assets
             ) -> tuple[int, str | None] | None:
    """``(words used, symbol)`` of the longest name starting at word ``i`` (words separated only
    by spaces or a hyphen: "Tech-Software", not "Hut, 8")."""
    candidates = assets.by_first_word.get(words[i][2].casefold())
    if not candidates:
        return None
    for name, exact, symbol in candidates:
        n = len(name)
        if i + n > len(words):
            continue
        ok = True
        for k in range(n):
            word = words[i + k][2]
            if (word if exact else word.casefold()) != name[k]:
                ok = False
                break
            if k and full[words[i + k - 1][1]:words[i + k][0]] not in (" ", "-"):
                ok = False
                break
        if ok:
            return n, symbol
    return None


def _notation(full: str, assets: Assets) -> list[tuple[int, int, str | None]]:
    """Ticker notation: exchange prefixes, cashtags, trading pairs, capitals in parentheses."""
    found: list[tuple[int, int, str | None]] = []

    def notation(symbol: str) -> bool:
        return symbol not in assets.notticker and SYMBOL.fullmatch(symbol) is not None

    for match in _AFTER_COLON.finditer(full):
        before = full[max(0, match.start() - 14):match.start()].rstrip()
        if before.endswith(EXCHANGES) and notation(match.group(1)):
            found.append((match.start(1), match.end(1), match.group(1)))
    for match in _CASHTAG.finditer(full):
        if match.start() and (full[match.start() - 1].isalnum() or full[match.start() - 1] == "$"):
            continue  # "US$" or "$$"
        symbol = match.group(1).upper()
        if symbol in assets.kinds or (match.group(1).isupper() and len(symbol) <= 6 and notation(symbol)):
            found.append((match.start(), match.end(), symbol))
    for match in _PAIR.finditer(full):
        base = re.search(r"\b([A-Z][A-Z0-9]{1,9})$", full[max(0, match.start() - 10):match.start()])
        if base and base.group(1) in assets.kinds:
            found.append((match.start() - len(base.group(1)), match.start(), base.group(1)))
    for match in _PAREN.finditer(full):
        symbol = match.group(1)
        before = full[max(0, match.start() - 80):match.start()]
        if symbol in assets.kinds or (len(symbol) >= 2 and notation(symbol) and _named_before(before)
                                      and not _is_initials(symbol, before)):
            found.append((match.start(1), match.end(1), symbol))
    return found


def _overlaps(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


# ---------------------------------------------------------------------- values from records --

def normalize_ticker(value: Any) -> str | None:
    """``"$btc "`` -> ``"BTC"``; ``None`` for what cannot be a symbol (empty, spaces, punctuation)."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return None
    text = str(value).strip().lstrip("$").upper()
    return text if SYMBOL.fullmatch(text) else None


def tickers_from_values(values: Any, *, assets: Assets | None = None) -> tuple[str, ...]:
    """A bulk record's own list of assets as symbols, in order, each once.

    Items may be symbols (``"BTC"``, ``"$eth"``), names (``"Bitcoin"``) or maps such as a crypto
    news export's ``{"code": "BTC", "title": "Bitcoin", "slug": "bitcoin"}`` (``code``, ``symbol``,
    ``ticker``, then ``title``/``name``/``slug`` as a name). A single string may hold several,
    comma-separated. What is neither a known name nor a symbol is left out."""
    assets = assets or load_assets()
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    elif isinstance(values, Mapping) or not isinstance(values, Iterable):
        values = [values]
    out: list[str] = []
    for item in values:
        symbol = None
        if isinstance(item, Mapping):
            for key in ("code", "symbol", "ticker"):
                symbol = normalize_ticker(item.get(key))
                if symbol:
                    break
            else:
                for key in ("title", "name", "slug"):
                    symbol = _symbol_of_name(item.get(key), assets)
                    if symbol:
                        break
        elif isinstance(item, str):
            symbol = _symbol_of_name(item, assets) or normalize_ticker(item)
        if symbol:
            out.append(symbol)
    return tuple(dict.fromkeys(out))


def _symbol_of_name(value: Any, assets: Assets) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.replace("-", " ").split())
    return assets.exact.get(text) or assets.folded.get(text.casefold()) or next(
        (symbol for name, symbol in assets.exact.items() if name.casefold() == text.casefold()), None)
