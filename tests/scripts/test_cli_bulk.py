"""Bulk exports through ``newsarchive ingest``: records as real exports bring them, failures that
name their record and line, streamed CSV, the per-page time limit, and the progress bar."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.store import read_article
from scripts.cli import main

REPO = Path(__file__).resolve().parents[2]


def invoke(home: Path, *args: str):
    return CliRunner().invoke(main, ["ingest", "--home", str(home), "--json", *args])


def rows(result) -> list[tuple]:
    out = json.loads(result.stdout)
    return [(r["input"], r["status"], r.get("title"), r.get("error")) for r in out["results"]]


def search_titles(home: Path, q: str) -> list[str]:
    from index.model import SearchQuery
    from index.search import SearchService

    with SearchService(home) as service:
        return sorted(h.title for h in service.search(SearchQuery(q=q, per_page=50)).hits)


def record(n: int, **fields) -> dict:
    base = {"title": f"Harbor freight volumes steady in week {n}",
            "body": f"Container volumes at the northern terminals held steady in week {n}, operators said.",
            "publishedAt": f"2026-02-{n % 27 + 1:02d}T08:00:00Z", "source": "Quay Ledger"}
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_value_mapping_keeps_provided_labels(home: Path, tmp_path: Path) -> None:
    export = write_jsonl(tmp_path / "crypto.jsonl", [
        record(1, sentiment="bullish"), record(2, sentiment="Bearish"), record(3, sentiment="neutral")])
    refused = invoke(home, str(export))
    assert [r[1] for r in rows(refused)] == ["failed", "failed", "created"]
    assert rows(refused)[0][3] == ("sentiment 'bullish' is not one of POSITIVE, NEGATIVE, NEUTRAL (map "
                                   "the export's values with --map-value sentiment:VALUE=POSITIVE)")
    result = invoke(home, "--map-value", "sentiment:bullish=POSITIVE",
                    "--map-value", "sentiment:bearish=NEGATIVE", str(export))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)["results"]
    assert [r["status"] for r in out] == ["created", "created", "unchanged"]
    saved = [read_article(Path(r["path"])) for r in out]
    assert [(a.sentiment, a.sentiment_source) for a in saved] == [
        ("POSITIVE", "provided"), ("NEGATIVE", "provided"), ("NEUTRAL", "provided")]


def test_map_value_needs_field_from_and_to(home: Path, tmp_path: Path) -> None:
    export = write_jsonl(tmp_path / "x.jsonl", [record(1)])
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--map-value", "bullish=POSITIVE",
                                       str(export)])
    assert result.exit_code == 2
    assert "'bullish=POSITIVE': write FIELD:FROM=TO, e.g. sentiment:bullish=POSITIVE" in result.output
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--map-value", "mood:a=b", str(export)])
    assert result.exit_code == 2 and "'mood' is not a field" in result.output


def test_headline_only_records_are_kept_marked_and_searchable(home: Path, tmp_path: Path) -> None:
    export = write_jsonl(tmp_path / "headlines.jsonl", [
        {"title": "Larkspur Bank wins approval for a custody unit", "link": "https://quayledger.example/larkspur",
         "date": "2026-02-03T10:00:00Z", "source": "Quay Ledger"},
        {"title": "A title and nothing else"},
    ])
    result = invoke(home, str(export))
    assert rows(result) == [
        (str(export), "created", "Larkspur Bank wins approval for a custody unit", None),
        (f"{export} record 2 (line 2)", "failed", None,
         "no text (no body, content or description) and no link or source to keep it as a headline"),
    ]
    path = Path(json.loads(result.stdout)["results"][0]["path"])
    text = path.read_text(encoding="utf-8")
    assert "\nheadlineOnly: true\n" in text and text.endswith("---\n")
    assert read_article(path).body == ""
    assert search_titles(home, "custody") == ["Larkspur Bank wins approval for a custody unit"]


def test_a_records_own_short_description_is_not_page_furniture(home: Path, tmp_path: Path) -> None:
    export = write_jsonl(tmp_path / "short.jsonl", [
        {"title": "Kestrel newsletter relaunches", "description": "Subscribe to our newsletter for daily crypto news.",
         "url": "https://quayledger.example/kestrel-newsletter", "date": "2026-02-04"}])
    result = invoke(home, str(export))
    assert rows(result) == [(str(export), "created", "Kestrel newsletter relaunches", None)]
    article = read_article(Path(json.loads(result.stdout)["results"][0]["path"]))
    assert (article.body.strip(), article.description) == ("Subscribe to our newsletter for daily crypto news.", None)


def test_entities_in_titles_and_urls_are_decoded(home: Path, tmp_path: Path) -> None:
    export = tmp_path / "entities.csv"
    export.write_text("title,body,url,date\n"
                      "Help America &#39;Win&#39; Tech Race,Lawmakers met on Tuesday.,"
                      "https://quayledger.example/a?x=1&amp;y=2,2026-02-05\n", encoding="utf-8")
    result = invoke(home, str(export))
    [entry] = json.loads(result.stdout)["results"]
    assert entry["title"] == "Help America 'Win' Tech Race"
    assert entry["path"].endswith("/articles/2026/02/help-america-win-tech-race.en.md")
    assert read_article(Path(entry["path"])).url == "https://quayledger.example/a?x=1&y=2"


def test_a_lone_surrogate_is_replaced_not_a_bug(home: Path, tmp_path: Path) -> None:
    export = tmp_path / "emoji.jsonl"
    export.write_text('{"title": "Rocket \\ud83d to the moon", "body": "Traders cheered the rally.", '
                      '"date": "2026-02-06", "source": "Quay Ledger"}\n', encoding="utf-8")
    result = invoke(home, str(export))
    assert result.exit_code == 0, result.output
    assert rows(result) == [(str(export), "created", "Rocket \ufffd to the moon", None)]


def test_every_failure_names_its_record_and_line(home: Path, tmp_path: Path) -> None:
    good = record(1)
    bad_title = record(2, title="\u0007\u0008")  # only control characters: refused after import
    no_date = record(3, publishedAt="soon")
    as_json = tmp_path / "export.json"
    as_json.write_text("[\n" + ",\n".join(json.dumps(r) for r in (good, bad_title, no_date)) + "\n]\n")
    as_jsonl = write_jsonl(tmp_path / "export.jsonl", [good, bad_title, no_date])
    as_csv = tmp_path / "export.csv"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(good))
    writer.writeheader()
    writer.writerows([good, bad_title, no_date])
    as_csv.write_text(buffer.getvalue(), encoding="utf-8")
    failures = {}
    for export, first_line in ((as_json, 2), (as_jsonl, 1), (as_csv, 2)):
        failures[export.suffix] = [(r[0], r[3]) for r in rows(invoke(home, str(export))) if r[1] == "failed"]
        no_date_message = "publishedAt 'soon' is not a date (use ISO 8601, e.g. 2026-03-06T14:30:00Z)"
        assert failures[export.suffix] == [
            (f"{export} record 2 (line {first_line + 1})", "the article has no title (only control characters or spaces)"),
            (f"{export} record 3 (line {first_line + 2})", no_date_message),
        ]


def test_a_csv_row_with_a_huge_field_fails_alone(home: Path, tmp_path: Path) -> None:
    export = tmp_path / "big.csv"
    with export.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["title", "body", "date", "source"])
        writer.writerow(["Row one stays", "A normal body.", "2026-02-01", "Quay Ledger"])
        writer.writerow(["Row two is huge", "x" * (17 * 1024 * 1024) + "\n\nwith, \"quotes\"", "2026-02-02", "Quay Ledger"])
        for n in range(3, 7):
            writer.writerow([f"Row {n} after it", f"Body {n}, with a comma.", f"2026-02-0{n}", "Quay Ledger"])
    result = invoke(home, str(export))
    assert rows(result) == [
        (str(export), "created", "Row one stays", None),
        (f"{export} record 2 (line 3)", "failed", None, "the record is 18 MB, more than the 16 MB a record may hold"),
        *[(str(export), "created", f"Row {n} after it", None) for n in range(3, 7)],
    ]


def test_a_page_over_the_time_limit_fails_alone(home: Path, tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(3):
        (pages / f"page-{n}.html").write_text(
            f"<html><head><title>Terminal report {n}</title></head><body><article><h1>Terminal report {n}</h1>"
            f"<p>Operators at terminal {n} said volumes were steady through the week, with no delays "
            "reported at the gates and berths running to schedule.</p></article></body></html>")
    slow = "".join(f"<div><p>Row {i} of a table nobody reads, with <b>bold</b> and <a href='/r{i}'>links</a>.</p></div>"
                   for i in range(12000))
    (pages / "page-1-slow.html").write_text(f"<html><body><article><h1>Slow</h1>{slow}</article></body></html>")
    # A process of its own, as a user runs it: in this one, the test tools' gc callbacks are where
    # the time limit's first raise can land and be swallowed (the limit raises again, but pytest
    # reports the swallowed one).
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "scripts.cli", "ingest", "--home", str(home), "--json",
                             "--extract-timeout", "1", str(pages)], cwd=REPO, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=120)
    assert time.monotonic() - started < 30, result.stderr[-2000:]
    assert rows(result) == [
        (str(pages / "page-0.html"), "created", "Terminal report 0", None),
        (str(pages / "page-1-slow.html"), "failed", None,
         "the extraction took longer than 1 s (the time limit per page); the page was skipped"),
        (str(pages / "page-1.html"), "created", "Terminal report 1", None),
        (str(pages / "page-2.html"), "created", "Terminal report 2", None),
    ]


def test_the_first_page_is_not_charged_for_loading_the_extractor(home: Path, tmp_path: Path) -> None:
    """Loading trafilatura, its language model and our word lists takes about a second on the first
    extraction of a process; a limit well above one page's own time (milliseconds) but below that
    skipped the first page of every run."""
    page = tmp_path / "harbor.html"
    page.write_text("<html><head><title>Harbor report</title></head><body><article><h1>Harbor report</h1>"
                    "<p>Operators at the harbor said volumes were steady through the week, with no delays "
                    "reported at the gates and berths running to schedule.</p></article></body></html>")
    result = subprocess.run([sys.executable, "-m", "scripts.cli", "ingest", "--home", str(home), "--json",
                             "--extract-timeout", "0.3", str(page)], cwd=REPO, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=120)
    assert rows(result) == [(str(page), "created", "Harbor report", None)], result.stderr[-2000:]


def test_one_bar_counts_the_records_of_one_export(tmp_path: Path) -> None:
    """On a terminal, a large export shows one bar of records with a rate and the time left, and
    does not list every article."""
    n = 600
    export = write_jsonl(tmp_path / "wire.jsonl", [record(i, title=f"Wire report {i} on harbor volumes")
                                                   for i in range(n)])
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    process = subprocess.Popen([sys.executable, "-m", "scripts.cli", "ingest", "--home", str(tmp_path / "home"),
                                str(export)], cwd=REPO, stdin=subprocess.DEVNULL, stdout=follower,
                               stderr=follower, env={**os.environ, "COLUMNS": "120"})
    os.close(follower)
    chunks = []
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(leader)
        process.wait(timeout=300)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert process.returncode == 0, terminal[-2000:]
    assert f"/{n} [" in terminal and "record/s" in terminal
    assert "<" in terminal.split(f"/{n} [", 1)[1][:40]  # elapsed<remaining: the time left
    assert terminal.count("created ") == 0  # no line per article
    assert terminal.rstrip().endswith(f"{n} created, 0 updated, 0 unchanged, 0 failed")
