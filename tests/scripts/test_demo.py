"""``newsarchive demo``: the bundled articles through the real ingest, index and web server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import enrich
from archive.article import Article, Source, compute_content_hash
from archive.dates import DATE_CONFIDENCE
from archive.identity import derive_id
from archive.demo import demo_articles_dir, demo_inputs_dir
from archive.store import Store, read_article
from index.model import SearchQuery
from index.search import SearchService
from scripts.cli import main
from scripts.cmd_demo import MARKER, MARKER_TEXT

REPO = Path(__file__).resolve().parents[2]
SOURCES = {path.name: read_article(path) for path in sorted(demo_articles_dir().glob("*.md"))}
#: the id each bundled file gets: derived from its canonical URL
ID_OF = {name: derive_id(article) for name, article in SOURCES.items()}
KESTREL = {ID_OF[name] for name in (
    "2026-03-17-ledgerwire-kestrel-exchange-exploit.md",
    "2026-03-17-blockframe-kestrel-drained.md",
    "2026-03-17-tokentribune-kestrel-what-we-know.md",
    "2026-03-17-newsloop-kestrel-repost.md",
    "2026-03-18-cryptobrief-kestrel-rewrite.md",
)}
MEXICO = ID_OF["2026-09-30-mercadoabierto-mexico-reglas-exchanges.md"]
DRAFT = ID_OF["2026-07-29-meridian-second-half-outlook-draft.md"]

#: the bundled inputs in other shapes: a news page copied as text, a news API's JSON-lines export
PAGE_COPY = demo_inputs_dir() / "northbeam-tessaract-profit-page-copy.txt"
RECORDS = [json.loads(line) for line in
           (demo_inputs_dir() / "wirefeed-export.jsonl").read_text(encoding="utf-8").splitlines()]
#: what a careful editor reads off the page copy: the furniture (comment count, caption, the
#: "What to know" box, the price ticker, the newsletter promo glued to a sentence, the Related
#: line) gone, the date from the caption with the year from the text, the outlet from the caption
PAGE = Article(
    title="Tessaract Mining swings to a profit as AI hosting revenue arrives early",
    description="The bitcoin miner's first hosting customer started paying in September, "
                "a quarter ahead of plan.",
    published_at=datetime(2026, 10, 13, tzinfo=timezone.utc),
    date_source="inferred",
    date_confidence=DATE_CONFIDENCE["inferred"],
    lang="en",
    source=Source(name="Northbeam Crypto", key="northbeamcrypto", type="FILE"),
    body=(
        "Tessaract Mining reported its first quarterly profit in more than a year on Tuesday, as "
        "rent from the AI servers now running at its Abilene site began to offset a thinner income "
        "from mining bitcoin.\n\n"
        "Net income for the three months to September was $41 million, compared with a loss of "
        "$18 million a year earlier. Revenue rose 34% to $212 million, of which $38 million came "
        "from hosting.\n\n"
        "Arclight Cloud, which leased 110 megawatts of the site in May, switched on its first "
        "servers in early September. Tessaract had told investors to expect hosting revenue only "
        "from the fourth quarter.\n\n"
        "\"Hosting pays us whether bitcoin is at sixty thousand or a hundred thousand,\" chief "
        "financial officer Lena Okafor said on a call with analysts. \"Mining is still our biggest "
        "business, but it is no longer the only thing that decides our quarter.\"\n\n"
        "The company kept its mining fleet running at its two other sites and still holds about "
        "5,400 BTC, which it said it has no plans to sell. Shares rose 9% in early trading.\n"
    ),
)
PAGE_ID = derive_id(PAGE)  # from source, day and title: a page copy has no address
#: a bulk record's id comes from its link
RECORD_IDS = [derive_id(Article(title=r["headline"], url=r["link"])) for r in RECORDS]
KESTREL_REOPENS = RECORD_IDS[2]


def run_demo(home: Path, *args: str):
    result = CliRunner().invoke(main, ["demo", "--no-serve", "--home", str(home), *args])
    return result.exit_code, result.output


def expected_output(home: Path, created: int, unchanged: int) -> str:
    return (
        f"Demo archive in {home}\n"
        f"  52 articles: {created} created, 0 updated, {unchanged} unchanged\n"
        f"  index rebuilt: 52 articles\n"
        f"Try: newsarchive search --home {home} 'Kestrel published:2026-03'\n"
        f"     newsarchive serve --home {home}\n"
    )


def snapshot(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted((home / "articles").rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    assert run_demo(home) == (0, expected_output(home, 52, 0))
    return home


def test_a_second_run_changes_nothing(demo_home: Path):
    before = snapshot(demo_home)
    assert run_demo(demo_home) == (0, expected_output(demo_home, 0, 52))
    assert snapshot(demo_home) == before
    assert (demo_home / MARKER).read_text() == MARKER_TEXT


def test_files_are_laid_out_by_month_and_slug(demo_home: Path):
    files = snapshot(demo_home)
    assert len(files) == 52
    assert Counter(path.split("/")[1] for path in files) == {"2025": 24, "2026": 28}
    kestrel = sorted(p for p in files if p.startswith("articles/2026/03/") and "kestrel" in p)
    assert kestrel == [
        "articles/2026/03/attackers-drain-212m-from-kestrel-exchange-hot-wallets-withdrawals-frozen.en.md",
        "articles/2026/03/kestrel-exchange-hack-what-we-know-so-far.en.md",
        # the aggregator repost has the original's title: its file name gets its id's first 8 characters
        f"articles/2026/03/kestrel-exchange-halts-withdrawals-after-212-million-hot-wallet-exploit-"
        f"{ID_OF['2026-03-17-newsloop-kestrel-repost.md'][:8]}.en.md",
        "articles/2026/03/kestrel-exchange-halts-withdrawals-after-212-million-hot-wallet-exploit.en.md",
        "articles/2026/03/kestrel-exchange-suspends-withdrawals-following-a-212-million-security-breach.en.md",
    ]
    assert {p.rsplit(".", 2)[1] for p in files} == {"en", "de", "fr", "es"}


def test_ingest_keeps_every_field_and_adds_its_own(demo_home: Path):
    stored = {}
    for path, article, error in Store(demo_home).iter_articles():
        assert error is None, path
        stored[article.id] = article
    assert set(stored) == set(ID_OF.values()) | {PAGE_ID, *RECORD_IDS}
    for name, source in SOURCES.items():
        article = stored[ID_OF[name]]
        # the bodies we wrote have no page furniture: cleanup leaves them exactly as they are
        assert article.body == source.body, name
        assert article.content_hash == compute_content_hash(source.body)
        assert article.date_source == "provided"
        assert article.ingested_at is not None
        if source.sentiment is None:
            label, model = enrich.classify_sentiment(source.body, title=source.title)
            assert (article.sentiment, article.sentiment_source, article.sentiment_model) == \
                (label, "computed", model), name
        else:
            assert (article.sentiment, article.sentiment_source, article.sentiment_model) == \
                (source.sentiment, "provided", None), name
        added = dict(id=None, content_hash=None, ingested_at=None, date_source=None,
                     sentiment=source.sentiment, sentiment_source=None, sentiment_model=None,
                     tickers=())  # computed at ingest from the text
        assert article.replace(**added) == source, name
    assert Counter(a.sentiment_source for a in stored.values()) == {"provided": 36, "computed": 16}


def test_the_page_copy_and_the_export_come_in_like_everything_else(demo_home: Path):
    stored = {article.id: article for _, article, _ in Store(demo_home).iter_articles()}
    page = stored[PAGE_ID]
    label, model = enrich.classify_sentiment(PAGE.body, title=PAGE.title)
    assert page == PAGE.replace(
        id=PAGE_ID, ingested_at=page.ingested_at, sentiment=label, sentiment_source="computed",
        sentiment_model=model, content_hash=compute_content_hash(PAGE.body), tickers=("BTC",))
    assert "Northbeam Crypto" in PAGE_COPY.read_text(encoding="utf-8")
    for record, article_id in zip(RECORDS, RECORD_IDS):
        article = stored[article_id]
        assert (article.title, article.description, article.body.strip(), article.url,
                article.external_id, article.author, article.category, article.tags,
                article.lang, article.published_at, article.date_source) == (
            record["headline"], record["summary"], record["content"], record["link"],
            record["id"], record["author"], record["category"], tuple(record["keywords"]),
            "en", datetime.fromisoformat(record["published"]), "provided")
        assert article.source == Source(name="WireFeed", key="wirefeed", type="API")


def test_search_finds_the_story_and_its_versions(demo_home: Path):
    with SearchService(demo_home) as service:
        story = service.search(SearchQuery(q="Kestrel published:2026-03", per_page=50, collapse=False))
        assert story.total == 5
        assert {hit.id for hit in story.hits} == KESTREL
        # collapsed (the default), the five are one entry with five versions
        collapsed = service.search(SearchQuery(q="Kestrel published:2026-03", per_page=50))
        assert [(hit.versions, hit.story) for hit in collapsed.hits] == [(5, story.hits[-1].story)]
        assert collapsed.total == 5 and collapsed.stories == 1
        # October's follow-up (from the bulk export) is about withdrawals too
        withdrawals = service.search(SearchQuery(q="Kestrel withdrawals", per_page=50, collapse=False))
        assert {hit.id for hit in withdrawals.hits} == KESTREL | {KESTREL_REOPENS}
        # the Spanish article about Mexico's rules mentions the hack, not the withdrawals
        mentions = service.search(SearchQuery(q="Kestrel", per_page=50, collapse=False))
        assert {hit.id for hit in mentions.hits} == KESTREL | {KESTREL_REOPENS, MEXICO}
        spanish = service.search(SearchQuery(q="Kestrel", lang=("es",)))
        assert [hit.id for hit in spanish.hits] == [MEXICO]
        # "similar articles" of the original: its other four versions and the follow-up
        original = ID_OF["2026-03-17-ledgerwire-kestrel-exchange-exploit.md"]
        similar = [hit.id for hit in service.more_like_this(original, limit=5)]
        assert set(similar) == KESTREL - {original} | {KESTREL_REOPENS}
        assert similar[0] == ID_OF["2026-03-17-newsloop-kestrel-repost.md"]  # the near-verbatim repost


def test_the_whole_archive_in_facets(demo_home: Path):
    with SearchService(demo_home) as service:
        everything = service.search(SearchQuery(per_page=50))
        with_drafts = service.search(SearchQuery(per_page=50, include_drafts=True))
    assert everything.total == 51  # the draft is archived but not shown unless asked for
    assert DRAFT not in {hit.id for hit in everything.hits}
    assert with_drafts.total == 52 and DRAFT in {hit.id for hit in with_drafts.hits}

    def counts(name: str) -> dict[str, int]:
        return {facet.value: facet.count for facet in everything.facets[name]}

    assert counts("source") == {
        "harborstreet": 7, "circuitdaily": 7, "meridianmarkets": 6, "blockframe": 6,
        "ledgerwire": 5, "finanzblick": 4, "tokentribune": 4, "lecomptoir": 3,
        "mercadoabierto": 3, "wirefeed": 3, "newsloop": 1, "cryptobrief": 1,
        "northbeamcrypto": 1,
    }
    assert counts("lang") == {"en": 41, "de": 4, "fr": 3, "es": 3}
    published = Counter(a.sentiment for a in SOURCES.values() if not a.draft)
    assert sum(counts("sentiment").values()) == 51
    assert set(counts("sentiment")) == {"POSITIVE", "NEGATIVE", "NEUTRAL"}
    assert counts("sentiment")["POSITIVE"] >= published["POSITIVE"]
    assert counts("sentiment")["NEGATIVE"] >= published["NEGATIVE"]
    assert counts("sentiment")["NEUTRAL"] >= published["NEUTRAL"]
    # the newest first when nothing is asked
    assert [hit.id for hit in everything.hits[:2]] == [
        ID_OF["2026-11-17-blockframe-tokenized-treasury-funds.md"],
        ID_OF["2026-11-04-ledgerwire-bitcoin-options-open-interest.md"],
    ]


def test_the_real_archive_is_left_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    real = tmp_path / "real"
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    result = CliRunner(env={"NEWSARCHIVE_HOME": str(real)}).invoke(main, ["demo", "--no-serve"])
    home = work.resolve() / "demo-home"
    assert (result.exit_code, result.output) == (0, expected_output(home, 52, 0))
    assert len(snapshot(home)) == 52
    assert not real.exists()


def test_a_folder_holding_another_archive_is_refused(tmp_path: Path):
    home = tmp_path / "mine"
    mine = home / "articles" / "2024" / "05" / "my-article.en.md"
    mine.parent.mkdir(parents=True)
    mine.write_text("---\ntitle: Mine\npublishedAt: '2024-05-01T00:00:00.000Z'\n---\nText.\n")
    code, output = run_demo(home)
    assert (code, output) == (1, (
        f"Error: {home} already holds an archive that `newsarchive demo` did not make; the demo "
        "will not mix its articles into it. Pick an empty folder with --home.\n"
    ))
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == [
        "articles", "articles/2024", "articles/2024/05", "articles/2024/05/my-article.en.md"]


def test_a_file_as_home_is_refused(tmp_path: Path):
    home = tmp_path / "file"
    home.write_text("not a folder")
    code, output = run_demo(home)
    assert (code, output.splitlines()[-1]) == (
        2, f"Error: Invalid value for '--home': Directory '{home}' is a file.")


def test_a_port_in_use_is_one_clear_message(demo_home: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(main, ["demo", "--home", str(demo_home), "--port", str(port)])
    assert (result.exit_code, result.output) == (1, expected_output(demo_home, 0, 52).split("Try:")[0] + (
        f"Error: cannot serve on 127.0.0.1:{port}: Address already in use. The demo archive is "
        f"ready in {demo_home}; pick another --port (0: any free port) or --host\n"))


def test_an_address_not_ours_is_one_clear_message(demo_home: Path):
    # 192.0.2.1 is TEST-NET-1: never a local address, and no packet leaves to find that out
    result = CliRunner().invoke(main, ["demo", "--home", str(demo_home), "--host", "192.0.2.1"])
    assert (result.exit_code, result.output.splitlines()[-1]) == (1, (
        "Error: cannot serve on 192.0.2.1:8080: Cannot assign requested address. The demo archive "
        f"is ready in {demo_home}; pick another --port (0: any free port) or --host"))


def test_serves_the_demo_until_interrupted(demo_home: Path):
    home = demo_home  # already built: this run finds every article unchanged, then serves
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("NEWSARCHIVE_HOME", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", "demo", "--home", str(home), "--port", "0"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    killer = threading.Timer(60, process.kill)  # never hang the suite if the server does not start
    killer.start()
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "serving" in line:
                break
        assert lines[:3] == expected_output(home, 0, 52).splitlines(keepends=True)[:3]
        url = lines[3].split(" on ")[1].split(" ")[0]
        assert lines[3] == f"newsarchive: serving {home} on {url} (8 threads); Ctrl-C stops\n"
        with urllib.request.urlopen(f"{url}search?q=kestrel+withdrawals", timeout=10) as response:
            collapsed = response.read().decode("utf-8")
            assert response.status == 200
        assert sorted(collapsed.count(f'href="/article/{article_id}"') for article_id in KESTREL) == [0, 0, 0, 0, 1]
        assert "5 versions of this story" in collapsed
        with urllib.request.urlopen(f"{url}search?q=kestrel+withdrawals&collapse=0", timeout=10) as response:
            page = response.read().decode("utf-8")
            assert response.status == 200
        assert sorted(page.count(f'href="/article/{article_id}"') for article_id in KESTREL) == [1] * 5
        assert f'href="/article/{KESTREL_REOPENS}"' in page
        assert f'href="/article/{MEXICO}"' not in page
        original = ID_OF["2026-03-17-ledgerwire-kestrel-exchange-exploit.md"]
        with urllib.request.urlopen(f"{url}api/articles/{original}", timeout=10) as response:
            assert response.status == 200
            assert b"Kestrel Exchange halts withdrawals after $212 million hot-wallet exploit" in response.read()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        killer.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
