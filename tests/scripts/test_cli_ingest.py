"""``newsarchive ingest`` through click's CliRunner and through the real installed command.

What a user sees: one line per article, a summary, exit status 1 when anything failed, one clear
line per bad input (never a traceback), ``--json`` for scripts, stdin, and the search index
updated so the articles are searchable at once."""

from __future__ import annotations

import fcntl
import http.server
import json
import os
import pty
import struct
import shutil
import subprocess
import sys
import termios
import threading
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from scripts.cli import main
from scripts.cmd_ingest import _printable
from tests.conftest import FIXTURES

INGEST = FIXTURES / "ingest"
GOOD = INGEST / "good"
BAD = INGEST / "bad"
NEWSARCHIVE = Path(sys.executable).parent / "newsarchive"

CHIP_REL = "articles/2026/01/halvorsen-semiconductor-shares-jump-11-after-record-quarterly-revenue-beats.en.md"
CHIP_TITLE = "Halvorsen Semiconductor shares jump 11% after record quarterly revenue beats estimates"
KESTREL_REL = "articles/2026/01/kestrel-exchange-halts-withdrawals-after-hack-token-slumps-30.en.md"
KESTREL_TITLE = "Kestrel Exchange halts withdrawals after hack, token slumps 30%"
EXPLAINER_REL = "articles/2025/11/what-is-the-bitcoin-halving-and-how-does-it-work.en.md"
EXPLAINER_TITLE = "What is the Bitcoin halving, and how does it work?"

YAML_ERROR = "the frontmatter is not valid YAML at line 3, column 21: found unexpected end of stream"


def invoke(home: Path, *args: str, input: str | bytes | None = None):  # noqa: A002 - click's name
    return CliRunner().invoke(main, ["ingest", "--home", str(home), *args], input=input)


def search_ids(home: Path, q: str) -> list[str]:
    from index.model import SearchQuery
    from index.search import SearchService

    with SearchService(home) as service:
        return [hit.id for hit in service.search(SearchQuery(q=q)).hits]


def ids_by_title(home: Path) -> dict[str, str]:
    from archive.store import Store

    return {article.title: article.id for _, article, _ in Store(home).iter_articles() if article}


# ------------------------------------------------------------------------ lines and summary --

def test_a_folder_prints_one_line_per_article_and_a_summary(home: Path) -> None:
    result = invoke(home, "--date", "2026-01-15", str(GOOD))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        f"created    {CHIP_REL}  {CHIP_TITLE}",
        f"created    {KESTREL_REL}  {KESTREL_TITLE}",
        f"created    {EXPLAINER_REL}  {EXPLAINER_TITLE}",
        "3 created, 0 updated, 0 unchanged, 0 failed",
    ]


def test_the_same_inputs_twice_are_unchanged(home: Path) -> None:
    invoke(home, "--date", "2026-01-15", str(GOOD))
    before = {p: p.read_bytes() for p in (home / "articles").rglob("*.md")}
    again = invoke(home, "--date", "2026-01-15", str(GOOD))
    assert (again.exit_code, again.stderr) == (0, "")
    assert again.stdout.splitlines() == [
        f"unchanged  {CHIP_REL}  {CHIP_TITLE}",
        f"unchanged  {KESTREL_REL}  {KESTREL_TITLE}",
        f"unchanged  {EXPLAINER_REL}  {EXPLAINER_TITLE}",
        "0 created, 0 updated, 3 unchanged, 0 failed",
    ]
    assert {p: p.read_bytes() for p in (home / "articles").rglob("*.md")} == before


def test_a_changed_version_is_updated_keeping_id_and_ingested_at(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "explainer.md"
    shutil.copy(GOOD / "halving-explainer.md", copy)
    invoke(home, str(copy))
    first = (home / EXPLAINER_REL).read_text(encoding="utf-8")
    copy.write_text(copy.read_text(encoding="utf-8").replace("every ten minutes, not exactly",
                                                             "every ten minutes, never exactly"),
                    encoding="utf-8")
    result = invoke(home, str(copy))
    assert (result.exit_code, result.stdout.splitlines()) == (0, [
        f"updated    {EXPLAINER_REL}  {EXPLAINER_TITLE}",
        "0 created, 1 updated, 0 unchanged, 0 failed",
    ])
    second = (home / EXPLAINER_REL).read_text(encoding="utf-8")

    def field(text: str, key: str) -> str:
        return next(line for line in text.splitlines() if line.startswith(f"{key}:"))

    assert field(second, "id") == field(first, "id") == "id: aa4f685f5e7fe00c"
    assert field(second, "ingestedAt") == field(first, "ingestedAt")
    assert field(second, "contentHash") != field(first, "contentHash")
    assert "never exactly" in second


def test_a_batch_with_a_broken_file_reports_it_and_exits_1(home: Path) -> None:
    broken = BAD / "broken-yaml.md"
    result = invoke(home, "--date", "2026-01-15", str(GOOD / "chipmaker-earnings.txt"), str(broken),
                    str(GOOD / "exchange-outage.txt"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"failed     {broken}: {YAML_ERROR}"]
    assert result.stdout.splitlines() == [
        f"created    {CHIP_REL}  {CHIP_TITLE}",
        f"created    {KESTREL_REL}  {KESTREL_TITLE}",
        "2 created, 0 updated, 0 unchanged, 1 failed",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "the input is empty"),
        ("binary.txt", "this is a binary file, not text"),
        ("latin1.txt", "the file is not valid UTF-8 (byte 3); convert it to UTF-8 first"),
        ("broken-yaml.md", YAML_ERROR),
        ("python-tag.md", "the frontmatter uses a YAML tag that is not allowed (could not determine a "
                          "constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system')"),
    ],
)
def test_each_malformed_input_gives_one_clear_message(home: Path, name: str, message: str) -> None:
    result = invoke(home, str(BAD / name))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stderr.splitlines() == [f"failed     {BAD / name}: {message}"]
    assert result.stdout.splitlines() == ["0 created, 0 updated, 0 unchanged, 1 failed"]
    assert not (home / "articles").exists()


def test_quiet_prints_only_failures_and_then_the_summary(home: Path) -> None:
    ok = invoke(home, "--quiet", str(GOOD / "chipmaker-earnings.txt"))
    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "")
    bad = invoke(home, "-q", str(GOOD / "chipmaker-earnings.txt"), str(BAD / "empty.txt"))
    assert (bad.exit_code, bad.stdout) == (1, "")
    assert bad.stderr.splitlines() == [f"failed     {BAD / 'empty.txt'}: the input is empty",
                                       "0 created, 0 updated, 1 unchanged, 1 failed"]


def test_titles_cannot_send_terminal_escape_sequences(home: Path) -> None:
    result = invoke(home, "--date", "2026-01-15", "-",
                    input="Shares of Corvane \x1b[2J\x1b]0;pwned\x07rise\n\nCorvane shares rose 4% on Monday.\n")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    # whatever the importer leaves in a title, what reaches the terminal has no control character
    assert _printable("Shares \x1b[2J\x1b]0;pwned\x07rise\x9b\nnext\tcol") == \
        "Shares \ufffd[2J\ufffd]0;pwned\ufffdrise\ufffd next col"


# ------------------------------------------------------------------------- options and JSON --

def test_json_gives_the_results_the_summary_and_the_index(home: Path) -> None:
    broken = BAD / "broken-yaml.md"
    result = invoke(home, "--json", "--date", "2026-01-15", str(GOOD / "chipmaker-earnings.txt"),
                    str(broken), str(GOOD / "halving-explainer.md"))
    assert (result.exit_code, result.stderr) == (1, "")
    ids = ids_by_title(home)
    assert json.loads(result.stdout) == {
        "results": [
            {"input": str(GOOD / "chipmaker-earnings.txt"), "status": "created", "id": ids[CHIP_TITLE],
             "path": str(home / CHIP_REL), "title": CHIP_TITLE},
            {"input": str(broken), "status": "failed", "error": YAML_ERROR},
            {"input": str(GOOD / "halving-explainer.md"), "status": "created", "id": "aa4f685f5e7fe00c",
             "path": str(home / EXPLAINER_REL), "title": EXPLAINER_TITLE},
        ],
        "skipped": [],
        "summary": {"created": 2, "updated": 0, "unchanged": 0, "failed": 1},
        "index": {"updated": 2, "error": None, "refused": []},
        # the .txt and the .md are one unit each (different shapes), the broken .md joins its group
        "batch": {"units": 2, "resumed": 0, "workers": 1, "records": 3},
    }


def test_stdin_with_source_date_and_tags(home: Path) -> None:
    text = ("Nordic lender Fjordbank lifts its dividend after a record year\n\n"
            "Fjordbank raised its dividend by 15% after net income rose to a record 2.1 billion crowns.\n")
    result = invoke(home, "--json", "--source", "Nordwire", "--date", "2025-12-30", "--tag", "banks",
                    "--tag", "Dividends", "-", input=text)
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)["results"]
    assert (entry["input"], entry["status"], entry["title"]) == (
        "-", "created", "Nordic lender Fjordbank lifts its dividend after a record year")
    saved = Path(entry["path"]).read_text(encoding="utf-8")
    assert Path(entry["path"]) == home / "articles/2025/12/nordic-lender-fjordbank-lifts-its-dividend-after-a-record-year.en.md"
    for line in ("publishedAt: '2025-12-30T00:00:00.000Z'", "source:\n  name: Nordwire\n  key: nordwire",
                 "tags:\n  - BANKS\n  - DIVIDENDS\n", "sentiment: POSITIVE", "dateSource: provided",
                 "sentimentSource: computed"):
        assert line in saved


def test_an_undated_input_is_searchable_but_never_on_the_ingest_day(home: Path) -> None:
    """No date anywhere: the file keeps the ingest time in publishedAt (the format needs one) with
    dateSource: ingested, and search reads it as "date unknown", not as published today."""
    text = ("Harbour cranes at Ostrava port stand idle after a software fault\n\n"
            "The cranes stopped when a scheduling update failed, and ships waited at anchor.\n")
    result = invoke(home, "--json", "--source", "Nordwire", "-", input=text)
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)["results"]
    assert "dateSource: ingested" in Path(entry["path"]).read_text(encoding="utf-8")
    found = CliRunner().invoke(main, ["search", "--home", str(home), "--json", "cranes"])
    data = json.loads(found.output)
    assert [(h["id"], h["published"], h["date_source"]) for h in data["hits"]] == [
        (entry["id"], None, "ingested")]
    assert (data["histogram"], data["undated"]["count"]) == ([], 1)
    today = CliRunner().invoke(main, ["search", "--home", str(home), "--json", "cranes",
                                      "--from", "2020", "--to", "2100"])
    assert json.loads(today.output)["total"] == 0


def test_a_year_alone_is_the_context_for_a_date_without_one(home: Path) -> None:
    result = invoke(home, "--json", "--date", "2025", str(INGEST / "dateline-no-year.txt"))
    assert result.exit_code == 0, result.output
    [entry] = json.loads(result.stdout)["results"]
    saved = Path(entry["path"]).read_text(encoding="utf-8")
    assert "publishedAt: '2025-03-12T00:00:00.000Z'" in saved and "dateSource: inferred" in saved


def test_map_reads_a_bulk_export_with_its_own_column_names(home: Path) -> None:
    result = invoke(home, "--json", "--map", "title=hed", "--map", "body=story_text",
                    "--map", "publishedAt=pub_time", "--map", "source=outlet_name", "--map", "tags=kw",
                    str(INGEST / "export.csv"))
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert [(r["input"], r["status"], r.get("title"), r.get("error")) for r in out["results"]] == [
        (str(INGEST / "export.csv"), "created", "Copper climbs to a three-month high as Chinese demand recovers", None),
        (str(INGEST / "export.csv"), "created", "Zinc smelter in Valais to cut output after power prices jump", None),
        # a title with a source and a date but no text: kept as a headline-only article
        (str(INGEST / "export.csv"), "created", "Untitled record with no text", None),
    ]
    copper = Path(out["results"][0]["path"]).read_text(encoding="utf-8")
    zinc = Path(out["results"][1]["path"]).read_text(encoding="utf-8")
    assert "source:\n  name: Metalsdesk\n" in copper and "tags:\n  - COPPER\n  - COMMODITIES\n" in copper
    assert "sentiment: POSITIVE" in copper and "sentiment: NEGATIVE" in zinc


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-13-01", "x.md"],
         "Invalid value for '--date': '2026-13-01' is not a date: use YYYY-MM-DD, or YYYY for the year only"),
        (["--date", "last week", "x.md"],
         "Invalid value for '--date': 'last week' is not a date: use YYYY-MM-DD, or YYYY for the year only"),
        (["--map", "title", "x.csv"], "Invalid value for '--map': 'title': write FIELD=KEY, e.g. title=headline"),
        (["--map", "headline=title", "x.csv"], "Invalid value for '--map': 'headline' is not a field; use one of "
         "title, body, description, publishedAt, updatedAt, url, canonicalUrl, author, source, category, "
         "tags, externalId, lang, sentiment, score, image"),
        (["-", "-"], "Invalid value for INPUTS: stdin (-) can be read only once"),
    ],
)
def test_bad_options_are_usage_errors(home: Path, args: list[str], message: str) -> None:
    result = invoke(home, *args)
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == f"Error: {message}"


def test_format_choices_are_the_pipelines(home: Path) -> None:
    result = invoke(home, "--format", "pdf", "x.pdf")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--format': 'pdf' is not one of 'auto', 'markdown', 'text', 'html', "
        "'feed', 'json', 'jsonl', 'csv', 'warc'.")


def test_a_folder_with_nothing_to_ingest_is_an_error(home: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-folder"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.7")
    result = invoke(home, str(empty))
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: nothing to ingest: the folders given hold no files of a supported kind "
        "(.md, .txt, .html, .xml, .rss, .atom, .json, .jsonl, .csv, .warc)\n")


# ------------------------------------------------------------------------------ the index --

def test_ingested_articles_are_searchable_at_once_without_a_prior_index(home: Path) -> None:
    assert not (home / "index").exists()
    result = invoke(home, "--json", "--date", "2026-01-15", str(GOOD))
    assert json.loads(result.stdout)["index"] == {"updated": 3, "error": None, "refused": []}
    ids = ids_by_title(home)
    assert search_ids(home, "Halvorsen") == [ids[CHIP_TITLE]]
    assert search_ids(home, "withdrawals") == [ids[KESTREL_TITLE]]
    again = invoke(home, "--json", "--date", "2026-01-15", str(GOOD))
    assert json.loads(again.stdout)["index"] == {"updated": 0, "error": None, "refused": []}  # all unchanged


def test_an_updated_article_is_found_by_its_new_words_only(home: Path, tmp_path: Path) -> None:
    copy = tmp_path / "explainer.md"
    shutil.copy(GOOD / "halving-explainer.md", copy)
    invoke(home, str(copy))
    assert search_ids(home, "exactly") == ["aa4f685f5e7fe00c"]
    copy.write_text(copy.read_text(encoding="utf-8").replace("not exactly every", "never precisely every"),
                    encoding="utf-8")
    result = invoke(home, "--json", str(copy))
    assert json.loads(result.stdout)["index"] == {"updated": 1, "error": None, "refused": []}
    assert (search_ids(home, "precisely"), search_ids(home, "exactly")) == (["aa4f685f5e7fe00c"], [])


def test_an_index_that_cannot_be_written_is_reported_and_the_files_kept(home: Path) -> None:
    (home / "index").write_text("not a folder", encoding="utf-8")
    result = invoke(home, "--date", "2026-01-15", str(GOOD / "chipmaker-earnings.txt"))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"created    {CHIP_REL}  {CHIP_TITLE}",
                                          "1 created, 0 updated, 0 unchanged, 0 failed"]
    assert result.stderr == (f"index not updated: cannot write {home / 'index'}: File exists; the articles "
                             "are saved, run `newsarchive reindex --changed`\n")
    assert (home / CHIP_REL).exists()


# ----------------------------------------------------------------- the installed command --

def run_command(home: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "NEWSARCHIVE_HOME": str(home)}
    return subprocess.run([str(NEWSARCHIVE), "ingest", *args], input=stdin, capture_output=True,
                          env=env, timeout=120, check=False)


def test_the_installed_command_runs_a_batch_and_reads_stdin(home: Path) -> None:
    broken = BAD / "broken-yaml.md"
    batch = run_command(home, "--date", "2026-01-15", str(GOOD / "chipmaker-earnings.txt"), str(broken))
    assert batch.returncode == 1
    assert batch.stderr.decode().splitlines() == [f"failed     {broken}: {YAML_ERROR}"]
    assert batch.stdout.decode().splitlines() == [f"created    {CHIP_REL}  {CHIP_TITLE}",
                                                  "1 created, 0 updated, 0 unchanged, 1 failed"]
    piped = run_command(home, "--json", "-", stdin=(GOOD / "chipmaker-earnings.txt").read_bytes())
    assert piped.returncode == 0, piped.stderr
    out = json.loads(piped.stdout)
    # without --date the text has no known day (unlike above, where --date gave one): a new article
    assert (out["summary"], out["results"][0]["input"], out["results"][0]["status"]) == (
        {"created": 1, "updated": 0, "unchanged": 0, "failed": 0}, "-", "created")
    binary = run_command(home, "-", stdin=b"\x00\x01\x02PK\x03\x04" * 10)
    assert (binary.returncode, binary.stderr.decode()) == (
        1, "failed     -: this is a binary file, not text\n")
    assert b"Traceback" not in batch.stderr + piped.stderr + binary.stderr


def test_a_progress_bar_only_when_stderr_is_a_terminal(home: Path) -> None:
    inputs = [str(GOOD / "chipmaker-earnings.txt"), str(GOOD / "exchange-outage.txt")]
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    try:
        env = {**os.environ, "NEWSARCHIVE_HOME": str(home), "COLUMNS": "100"}
        process = subprocess.run([str(NEWSARCHIVE), "ingest", "--date", "2026-01-15", *inputs],
                                 stdout=subprocess.PIPE, stderr=follower, env=env, timeout=120, check=False)
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal has no writer left
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        if follower != -1:
            os.close(follower)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert process.returncode == 0
    assert "| 0/2 [00:00<?, ?record/s]" in terminal  # tqdm's bar, on the terminal only
    assert process.stdout.decode().splitlines() == [
        f"created    {CHIP_REL}  {CHIP_TITLE}", f"created    {KESTREL_REL}  {KESTREL_TITLE}",
        "2 created, 0 updated, 0 unchanged, 0 failed"]
    # piped stderr: no bar
    again = run_command(home, "--date", "2026-01-15", *inputs)
    assert again.stderr == b""


# ------------------------------------------------------------------------- URLs and feeds --

WEB = INGEST / "web"


class _Pages(http.server.BaseHTTPRequestHandler):
    """Our own page and feed; anything else is a 404."""

    FILES = {"/lithium-prices.html": ("lithium-prices.html", "text/html; charset=utf-8"),
             "/metals.xml": ("metals-feed.xml", "application/rss+xml")}

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path not in self.FILES:
            self.send_error(404)
            return
        name, content_type = self.FILES[self.path]
        base = f"http://127.0.0.1:{self.server.server_port}"
        data = (WEB / name).read_text(encoding="utf-8").replace("{base}", base).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


LITHIUM_REL = "articles/2026/02/lithium-prices-slump-to-a-four-year-low-as-battery-makers-cut-orders.en.md"
LITHIUM_TITLE = "Lithium prices slump to a four-year low as battery makers cut orders"
LITHIUM_ID = "a82ca0f52c0999af"  # from its canonical URL, whichever address it was fetched from


def test_a_url_is_fetched_once_and_then_unchanged(home: Path, site: str) -> None:
    first = invoke(home, "--json", f"{site}/lithium-prices.html")
    again = invoke(home, "--json", f"{site}/lithium-prices.html")
    assert (first.exit_code, again.exit_code) == (0, 0)
    entry = {"input": f"{site}/lithium-prices.html", "id": LITHIUM_ID, "path": str(home / LITHIUM_REL),
             "title": LITHIUM_TITLE}
    assert json.loads(first.stdout)["results"] == [{**entry, "status": "created"}]
    assert json.loads(again.stdout)["results"] == [{**entry, "status": "unchanged"}]
    saved = (home / LITHIUM_REL).read_text(encoding="utf-8")
    for line in ("author: Priya Natarajan", f"url: {site}/lithium-prices.html", "sentiment: NEGATIVE",
                 "canonicalUrl: https://ridgeway.example/metals/lithium-four-year-low"):
        assert line in saved
    assert search_ids(home, "lithium") == [LITHIUM_ID]


def test_a_missing_page_fails_with_the_reason(home: Path, site: str) -> None:
    result = invoke(home, f"{site}/missing.html")
    assert result.exit_code == 1
    assert result.stderr == f"failed     {site}/missing.html: HTTP 404 Not Found: no page at this address\n"


def test_a_feed_brings_its_entries_and_reports_the_one_that_failed(home: Path, site: str) -> None:
    result = invoke(home, "--json", "--feed", f"{site}/metals.xml")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["results"] == [
        {"input": f"{site}/metals.xml", "status": "created", "id": LITHIUM_ID,
         "path": str(home / LITHIUM_REL), "title": LITHIUM_TITLE},
        {"input": f"{site}/metals.xml entry 2 ({site}/gone.html)", "status": "failed",
         "error": "HTTP 404 Not Found: no page at this address; the feed's own text for this entry is "
                  "too short to keep (no text, at least 50 needed)"},
    ]
    assert out["summary"] == {"created": 1, "updated": 0, "unchanged": 0, "failed": 1}
    saved = (home / LITHIUM_REL).read_text(encoding="utf-8")
    assert "externalId: ridgeway-20260206-lithium" in saved and "tags:\n  - LITHIUM\n" in saved


# ------------------------------------------------------------------------------- sentiment --

def test_headline_records_get_their_sentiment_from_the_headline(home: Path, tmp_path: Path) -> None:
    # a crypto headline export: only a headline (repeated as the summary), no article text
    records = tmp_path / "headlines.jsonl"
    rows = [("Exchange token jumps after Coinbase listing", "POSITIVE"),
            ("Bridge exploited for $12 million", "NEGATIVE"),
            ("Regulator lifts ban on crypto exchanges", "POSITIVE"),
            ("Token unlock schedule published for next quarter", "NEUTRAL")]
    records.write_text("".join(json.dumps({"title": t, "description": t, "date": "2026-02-10"}) + "\n"
                               for t, _ in rows), encoding="utf-8")
    result = invoke(home, str(records))
    assert result.exit_code == 0, result.output
    from archive.store import Store

    got = {a.title: (a.sentiment, a.sentiment_source, dict(a.sentiment_model or {}))
           for _, a, _ in Store(home).iter_articles() if a}
    model = {"name": "newsarchive-finlex", "version": "2"}
    assert got == {t: (label, "computed", model) for t, label in rows}


def test_a_folder_import_never_follows_links_out_of_the_folder(home: Path, tmp_path: Path) -> None:
    """Issue 9, finding 8: ``passwd.txt -> /etc/passwd`` in a folder became an article. Links
    that leave the folder are skipped with a line saying so; links inside it still work; a link
    loop is read once."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("root:x:0:0:root:/root:/bin/bash\n" * 20, encoding="utf-8")
    (outside / "elsewhere").mkdir()
    (outside / "elsewhere" / "far.md").write_text("---\ntitle: Far away\n---\n\nNot ours.\n", encoding="utf-8")
    folder = tmp_path / "folder"
    (folder / "articles").mkdir(parents=True)
    body = " ".join(["Harbor cranes at the east terminal moved more containers than in any week this year."] * 6)
    (folder / "articles" / "cranes.md").write_text(f"---\ntitle: Crane moves hit a record\n---\n\n{body}\n",
                                                   encoding="utf-8")
    (folder / "linked.md").symlink_to(folder / "articles" / "cranes.md")  # inside: followed
    (folder / "articles" / "loop").symlink_to(folder, target_is_directory=True)  # a loop: read once
    (folder / "passwd.txt").symlink_to(outside / "secret.txt")
    (folder / "out").symlink_to(outside / "elsewhere", target_is_directory=True)

    result = invoke(home, "--json", str(folder))
    report = json.loads(result.stdout)
    assert [(r["input"], r["status"]) for r in report["results"]] == [
        (str(folder / "articles" / "cranes.md"), "created"),
        (str(folder / "linked.md"), "unchanged")]
    assert report["skipped"] == [
        {"input": str(folder / "out"), "reason": f"a link to {outside / 'elsewhere'}, outside {folder}: "
                                                  "links that leave the folder are not followed"},
        {"input": str(folder / "passwd.txt"), "reason": f"a link to {outside / 'secret.txt'}, outside "
                                                        f"{folder}: links that leave the folder are not followed"}]
    text = invoke(home, str(folder))
    assert f"skipped {folder / 'passwd.txt'}: a link to {outside / 'secret.txt'}" in text.stderr
    assert sorted(p.name for p in (home / "articles").rglob("*.md")) == ["crane-moves-hit-a-record.en.md"]
