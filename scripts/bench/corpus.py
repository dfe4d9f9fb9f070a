"""A deterministic synthetic corpus of news articles in the canonical file format.

Every article ``i`` is generated from its own ``random.Random(f"{seed}:{i}")``, so the corpus is the
same whatever the number of worker processes, and any article can be regenerated alone (the
near-copies regenerate their original). Text follows a Zipf distribution over a vocabulary of
function words, finance/tech words and generated pseudo-words (the long tail), with per-article
topics that make multi-word queries and phrases match plausibly.

The corpus is written into a staging folder and renamed into place with a ``manifest.json`` when
complete, so an interrupted generation is never mistaken for a cached corpus. Files are rendered
by ``archive.store.render_article`` (the product's own writer); the per-file fsync of
``atomic_write_text`` is skipped because atomicity is given by the folder rename.
"""

from __future__ import annotations

import bisect
import itertools
import json
import math
import multiprocessing
import os
import random
import shutil
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.store import relative_path, render_article

#: bump when the generated text changes, so cached corpora are regenerated
GENERATOR_VERSION = 2

FUNCTION_WORDS = (
    "the of and to a in that is for on it with as was by at from its has have be are said this "
    "an which but or after will more than not over about were had been also would their new up "
    "into could they year one two last most some while other such when all there out if may"
).split()

#: finance and technology words, roughly from common to rare (their rank sets their frequency)
DOMAIN_WORDS = (
    "market price bitcoin investors percent shares trading crypto stock week company billion "
    "million rate funds data prices exchange analysts growth tech quarter demand digital network "
    "report revenue rates inflation bank token tokens ethereum regulators earnings sales supply "
    "traders policy volume assets chips energy rally platform mining capital index federal "
    "reserve interest dollar bond yields economy central software cloud users security deal "
    "lending stablecoin blockchain ai model models semiconductor chip nvidia apple microsoft "
    "google amazon tesla meta coinbase binance solana ripple cardano polygon avalanche "
    "treasury government court lawsuit settlement approval etf spot futures options derivatives "
    "liquidity leverage collateral custody wallet wallets hack exploit breach outage launch "
    "upgrade merger acquisition ipo listing delisting dividend buyback guidance forecast "
    "outlook recession unemployment payrolls consumer spending housing mortgage oil gold silver "
    "commodities currency euro yen yuan sterling emerging europe asia china japan germany "
    "britain india brazil korea regulation compliance sanctions tariffs export import startup "
    "venture valuation funding round seed series profit loss margin costs layoffs hiring "
    "workforce chief executive officer founder board shareholders vote proposal governance "
    "protocol validators staking yield rewards fees gas transactions throughput layer rollup "
    "bridge oracle defi nft metaverse gaming exchange-traded inflows outflows redemptions "
    "halving miners hashrate difficulty difficulty electricity datacenter gpu inference "
    "training parameters benchmark robotics automation chipmaker foundry wafer lithography "
    "smartphone subscription advertising streaming ecommerce retail logistics shipping "
    "airlines automakers batteries lithium solar wind nuclear utilities telecom broadband "
    "satellite spectrum antitrust probe fine penalty investigation subpoena indictment "
    "bankruptcy restructuring creditors insolvency default downgrade upgrade volatility "
    "correction selloff rebound breakout resistance support momentum sentiment hedge arbitrage "
    "short squeeze liquidation whale whales treasury-bills repo swaps basis premium discount"
).split()

SOURCES = (
    ("CoinDesk", "coindesk", "RSS"), ("The Block", "theblock", "RSS"), ("Decrypt", "decrypt", "RSS"),
    ("Cointelegraph", "cointelegraph", "RSS"), ("Reuters Markets", "reutersmarkets", "WEB"),
    ("Bloomberg Tech", "bloombergtech", "WEB"), ("Financial Post", "financialpost", "RSS"),
    ("MarketWatch", "marketwatch", "RSS"), ("TechCrunch", "techcrunch", "RSS"),
    ("The Verge", "theverge", "RSS"), ("Ars Technica", "arstechnica", "RSS"),
    ("Wired Business", "wiredbusiness", "WEB"), ("CNBC Markets", "cnbcmarkets", "RSS"),
    ("Barron's Daily", "barronsdaily", "WEB"), ("Fortune Crypto", "fortunecrypto", "RSS"),
    ("Blockworks", "blockworks", "RSS"), ("DL News", "dlnews", "RSS"), ("Unchained", "unchained", "RSS"),
    ("The Register", "theregister", "RSS"), ("ZDNet Finance", "zdnetfinance", "WEB"),
    ("Nikkei Asia Tech", "nikkeiasiatech", "WEB"), ("Handelsblatt Digital", "handelsblattdigital", "WEB"),
    ("Les Echos Tech", "lesechostech", "WEB"), ("Expansión Mercados", "expansionmercados", "WEB"),
    ("Crypto Briefing", "cryptobriefing", "RSS"), ("Bitcoin Magazine", "bitcoinmagazine", "RSS"),
    ("Protocol Wire", "protocolwire", "FILE"), ("Semafor Business", "semaforbusiness", "WEB"),
    ("Axios Markets", "axiosmarkets", "RSS"), ("Aggregator Daily", "aggregatordaily", "FILE"),
)

#: the most used tags (the long tail follows from the vocabulary), upper case like the seeds
HEAD_TAGS = ("MARKET", "BTC", "NEWS", "ETH", "MARKETS", "BREAKING NEWS", "AI", "REGULATION",
             "STOCKS", "DEFI", "MARKET WRAP", "MINING", "ETF", "MACRO", "SEMICONDUCTORS")
CATEGORIES = ("BTC", "ETH", "MARKET", "TECH", "AI", "REGULATION", "DEFI", "MACRO", "STOCKS",
              "FOREX", "COMMODITIES", "POLICY")
SENTIMENT_WEIGHTS = (("NEUTRAL", 0.42), ("POSITIVE", 0.34), ("NEGATIVE", 0.24))
#: the text is English whatever the outlet: tagged as German, French or Spanish it would be
#: analysed with those stemmers (index.analysis) and the English-only baselines would disagree
LANG_WEIGHTS = (("en", 0.9), ("en-gb", 0.04), ("en-ca", 0.03), ("en-au", 0.03))
FIRST_NAMES = ("Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
               "Kemi", "Lars", "Maya", "Nikhil", "Olga", "Pedro", "Quinn", "Rosa", "Sven", "Tara")
LAST_NAMES = ("Abbott", "Brandt", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad",
              "Ibarra", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor")

#: publication dates: five years
EPOCH_START = datetime(2021, 1, 1, tzinfo=timezone.utc)
EPOCH_DAYS = 5 * 365 + 1

N_PSEUDO_WORDS = 30_000
N_TAGS = 320
N_TOPICS = 40
MIN_WORDS, MAX_WORDS = 150, 1500
NEAR_COPY_SHARE = 0.03
ZIPF_S = 1.0
ZIPF_Q = 2.7

#: phrases inserted into text, keyed by topic-ish words; queries use some of them
PHRASES = (
    "interest rate decision", "federal reserve", "spot bitcoin etf", "central bank",
    "supply chain", "artificial intelligence", "quarterly earnings", "stablecoin regulation",
    "market capitalization", "record high", "short sellers", "venture capital", "data center",
    "trading volume", "consumer prices", "bond yields", "layer two", "chief executive",
)

#: words to mark ingested articles so a search finds exactly them (letters only: one token)
def marker_word(i: int) -> str:
    letters = "bcdfghjklmnpqrstvwxz"
    out = []
    n = i
    for _ in range(6):
        out.append(letters[n % 20])
        n //= 20
    return "zq" + "".join(out) + "mark"


class Vocabulary:
    """The ranked vocabulary (shared by every article of a seed) and its Zipf sampler."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(f"{seed}:vocabulary")
        self.words = list(FUNCTION_WORDS) + list(dict.fromkeys(DOMAIN_WORDS))
        self.words += _pseudo_words(rng, N_PSEUDO_WORDS, exclude=set(self.words))
        weights = [1.0 / (rank + ZIPF_Q) ** ZIPF_S for rank in range(len(self.words))]
        self.cum = list(itertools.accumulate(weights))
        domain = list(dict.fromkeys(DOMAIN_WORDS))
        # topics: a handful of domain words and a few pseudo-words (names, tickers) each
        self.topics = []
        for _ in range(N_TOPICS):
            words = rng.sample(domain, 12) + rng.sample(self.words[2000:8000], 6)
            phrases = rng.sample(PHRASES, 3)
            self.topics.append((words, phrases))
        tag_pool = sorted({w.upper() for w in domain if "-" not in w and len(w) > 2})
        rng.shuffle(tag_pool)
        extra = [w.upper() for w in self.words[len(self.words) - N_TAGS:]]
        self.tags = list(dict.fromkeys(HEAD_TAGS + tuple(tag_pool + extra)))[:N_TAGS]
        self.tag_cum = list(itertools.accumulate(1.0 / (r + 1.5) ** 1.1 for r in range(len(self.tags))))
        self.source_cum = list(itertools.accumulate(1.0 / (r + 3) ** 0.8 for r in range(len(SOURCES))))
        self.authors = [f"{f} {l}" for f in FIRST_NAMES for l in LAST_NAMES]
        rng.shuffle(self.authors)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum, k=k)


def _pseudo_words(rng: random.Random, count: int, exclude: set[str]) -> list[str]:
    onsets = ["b", "br", "c", "ch", "cr", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m",
              "n", "p", "pl", "pr", "qu", "r", "s", "sh", "st", "t", "tr", "v", "w", "z"]
    vowels = ["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"]
    codas = ["", "", "n", "r", "s", "t", "l", "m", "x", "nd", "rt", "st", "ck"]
    out: list[str] = []
    seen = set(exclude)
    while len(out) < count:
        word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(rng.randint(1, 3)))
        word += rng.choice(codas)
        if len(word) >= 4 and word not in seen:
            seen.add(word)
            out.append(word)
    return out


_VOCABULARIES: dict[int, Vocabulary] = {}


def vocabulary(seed: int) -> Vocabulary:
    if seed not in _VOCABULARIES:
        _VOCABULARIES[seed] = Vocabulary(seed)
    return _VOCABULARIES[seed]


# --------------------------------------------------------------------------------- articles --

def _length(rng: random.Random) -> int:
    """150..1,500 words, most of them short (log-normal around 320 words)."""
    while True:
        n = int(rng.lognormvariate(math.log(320), 0.55))
        if MIN_WORDS <= n <= MAX_WORDS:
            return n


def _sentence(rng: random.Random, voc: Vocabulary, topic: tuple[list[str], list[str]], n: int) -> str:
    words = voc.sample(rng, n)
    topic_words, phrases = topic
    for j in range(len(words)):
        if rng.random() < 0.12:
            words[j] = rng.choice(topic_words)
    if rng.random() < 0.15:
        at = rng.randrange(len(words))
        words[at:at] = rng.choice(phrases).split()
    if rng.random() < 0.1:
        words.insert(rng.randrange(len(words)), rng.choice(("$", "")) + f"{rng.randint(2, 99_000):,}"
                     + rng.choice(("", "%", " million", " billion")))
    text = " ".join(words)
    return text[:1].upper() + text[1:] + "."


def _body(rng: random.Random, voc: Vocabulary, topic: tuple[list[str], list[str]], n_words: int) -> str:
    paragraphs: list[str] = []
    written = 0
    while written < n_words:
        if paragraphs and rng.random() < 0.12:
            heading = " ".join(voc.sample(rng, rng.randint(2, 5)))
            paragraphs.append("## " + heading[:1].upper() + heading[1:])
        sentences = []
        for _ in range(rng.randint(2, 6)):
            n = min(rng.randint(8, 26), max(3, n_words - written))
            sentences.append(_sentence(rng, voc, topic, n))
            written += n
            if written >= n_words:
                break
        paragraphs.append(" ".join(sentences))
    return "\n\n".join(paragraphs)


def _title(rng: random.Random, voc: Vocabulary, topic: tuple[list[str], list[str]]) -> str:
    words = [rng.choice(topic[0]) for _ in range(3)] + voc.sample(rng, rng.randint(4, 9))
    rng.shuffle(words)
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def make_article(seed: int, i: int, *, marker: str | None = None) -> Article:
    """Article number ``i`` of the corpus of ``seed`` (always the same for the same pair)."""
    voc = vocabulary(seed)
    rng = random.Random(f"{seed}:{i}")
    copy_of = None
    if i > 20 and rng.random() < NEAR_COPY_SHARE:
        copy_of = rng.randrange(0, i)
    topic = voc.topics[rng.randrange(N_TOPICS)]
    published = EPOCH_START + timedelta(days=rng.randrange(EPOCH_DAYS), seconds=rng.randrange(86_400))
    src_name, src_key, src_type = SOURCES[bisect.bisect(voc.source_cum, rng.random() * voc.source_cum[-1])]
    if copy_of is not None:
        original = make_article(seed, copy_of)
        paragraphs = original.body.split("\n\n")
        at = rng.randrange(len(paragraphs))
        paragraphs[at] = _sentence(rng, voc, topic, rng.randint(8, 20))
        body = "\n\n".join(paragraphs)
        title = original.title + " (" + rng.choice(("update", "repost", "via wire", "analysis")) + ")"
        description = original.description
        published = original.published_at + timedelta(hours=rng.randint(1, 72))
    else:
        body = _body(rng, voc, topic, _length(rng))
        title = _title(rng, voc, topic)
        description = " ".join(voc.sample(rng, rng.randint(18, 34)))
        description = description[:1].upper() + description[1:] + "."
    if marker:
        title = f"{title} {marker}"
        body = f"{body}\n\nFiled with reference {marker}."
    n_tags = min(rng.randint(0, 8), 8)
    tags = tuple(dict.fromkeys(
        voc.tags[bisect.bisect(voc.tag_cum, rng.random() * voc.tag_cum[-1])] for _ in range(n_tags)))
    sentiment = _weighted(rng, SENTIMENT_WEIGHTS)
    lang = _weighted(rng, LANG_WEIGHTS)
    category = rng.choice(CATEGORIES)
    author = voc.authors[int(rng.paretovariate(1.2)) % len(voc.authors)] if rng.random() < 0.8 else None
    url = f"https://{src_key}.example/{published:%Y/%m}/{i}-{'-'.join(title.lower().split()[:6])}"
    ingested = published + timedelta(minutes=rng.randint(1, 600))
    article = Article(
        title=title,
        description=description,
        published_at=published,
        updated_at=published + timedelta(hours=rng.randint(1, 48)) if rng.random() < 0.3 else None,
        lang=lang,
        external_id=str(10_000_000 + i),
        source=Source(name=src_name, key=src_key, type=src_type),
        category=category,
        tags=tags,
        sentiment=sentiment,
        score=round(rng.random() * 10, 2),
        canonical_url=url,
        url=url,
        author=author,
        fetched_at=ingested if src_type == "WEB" else None,
        ingested_at=ingested,
        date_source="provided",
        sentiment_source="provided",
        content_hash=compute_content_hash(body),
        body=body,
        extra={"benchSeed": seed} if i % 97 == 0 else {},
    )
    return article.replace(id=derive_id(article))


# ------------------------------------------------------------------------------ the corpus --

def corpus_dir(out: Path, n: int, seed: int) -> Path:
    return Path(out) / "corpus" / f"n{n}-s{seed}-v{GENERATOR_VERSION}"


def _write_range(args: tuple[str, int, int, int]) -> dict[str, Any]:
    home, seed, start, stop = args
    home_path = Path(home)
    words = 0
    text_bytes = 0
    files = 0
    df: Counter[str] = Counter()
    tracked = set(DOMAIN_WORDS) | set(FUNCTION_WORDS)
    for i in range(start, stop):
        article = make_article(seed, i)
        text = render_article(article)
        target = home_path / relative_path(article)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with open(target, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        except FileExistsError:
            target = target.with_name(f"{target.name[:-3]}-{i}.md")
            with open(target, "x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        files += 1
        tokens = article.body.lower().split()
        words += len(tokens)
        text_bytes += len(text.encode("utf-8"))
        df.update(set(tokens) & tracked)
    return {"files": files, "words": words, "bytes": text_bytes, "df": dict(df)}


def generate_corpus(out: Path, n: int, seed: int = 42, *, procs: int | None = None,
                    progress: Any = None) -> tuple[Path, dict[str, Any]]:
    """The home folder of corpus (``n``, ``seed``) under ``out``, generated once and then reused.
    Returns ``(home, manifest)``; the manifest counts files, words, bytes and document frequencies."""
    final = corpus_dir(out, n, seed)
    manifest_path = final / "manifest.json"
    if manifest_path.exists():
        return final / "home", json.loads(manifest_path.read_text())
    staging = final.with_name(final.name + f".tmp{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "home" / "articles").mkdir(parents=True)
    procs = procs or os.cpu_count() or 1
    chunk = max(50, min(2000, n // (procs * 8) or 1))
    ranges = [(str(staging / "home"), seed, s, min(s + chunk, n)) for s in range(0, n, chunk)]
    started = time.perf_counter()
    totals = {"files": 0, "words": 0, "bytes": 0}
    df: Counter[str] = Counter()
    if procs > 1 and len(ranges) > 1:
        with multiprocessing.get_context("fork").Pool(procs) as pool:
            results = pool.imap_unordered(_write_range, ranges)
            for part in results:
                _merge(totals, df, part)
                if progress:
                    progress(totals["files"], n)
    else:
        for args in ranges:
            _merge(totals, df, _write_range(args))
            if progress:
                progress(totals["files"], n)
    manifest = {
        "n": n,
        "seed": seed,
        "generator_version": GENERATOR_VERSION,
        **totals,
        "generate_seconds": round(time.perf_counter() - started, 2),
        "df": dict(sorted(df.items(), key=lambda kv: -kv[1])),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1))
    if final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)
    return final / "home", manifest


def _merge(totals: dict[str, int], df: Counter[str], part: dict[str, Any]) -> None:
    for key in totals:
        totals[key] += part[key]
    df.update(part["df"])
