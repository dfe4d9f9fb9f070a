"""Fault injection: SIGKILL ingest (and reindex) at random points; nothing is ever lost or torn.

After every kill: every article file parses and is byte for byte either the old or the new
version of its article (never a mix), no temporary file is listed as an article, and the next
run finishes the job. The default run does a few trials; ``-m slow`` does 50 of each.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.ingest import IngestOptions, ingest
from archive.store import Store, read_article
from index.build import current_index_path
from index.model import SearchQuery
from index.search import SearchService

REPO = Path(__file__).resolve().parents[2]
N_ARTICLES = 40
SOURCES = ["Harbor Street Journal", "Ledger Daily", "Chip Times", "Coin Courier"]
TOPICS = ["copper futures", "stablecoin reserves", "chip export rules", "bond auctions", "GPU leasing"]


def write_inputs(folder: Path, version: int, *, prefix: str = "Desk notes", count: int = N_ARTICLES) -> None:
    """N invented articles; version 2 changes every body (and so every file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        topic = TOPICS[i % len(TOPICS)]
        paragraphs = [
            f"Analysts tracking {topic} said on Tuesday that volumes in week {i} were steady, "
            f"with desks in London and Singapore reporting balanced order books (revision {version}).",
            f"One trader described the session as orderly and said positioning into month-end looked "
            f"light. Figures for the period are due on day {i % 28 + 1}.",
        ] + [f"Further detail {j} on {topic}: the committee will publish minutes later." for j in range(version)]
        (folder / f"story-{i:03d}.md").write_text(
            "---\n"
            f"title: '{prefix} {i}: {topic} steady into month-end'\n"
            f"publishedAt: '2025-{i % 12 + 1:02d}-{i % 27 + 1:02d}T09:30:00.000Z'\n"
            f"source:\n  name: {SOURCES[i % len(SOURCES)]}\n  key: src{i % len(SOURCES)}\n  type: FILE\n"
            "sentiment: NEUTRAL\n"
            "tags:\n  - MARKETS\n"
            "---\n" + "\n\n".join(paragraphs) + "\n",
            encoding="utf-8",
        )


def reference_files(inputs: Path, tmp: Path) -> dict[str, str]:
    """id -> exact file text, from an uninterrupted in-process ingest."""
    home = tmp / f"ref-{inputs.name}"
    options = IngestOptions(now=datetime(2026, 3, 1, tzinfo=timezone.utc))
    results = list(ingest([str(inputs)], Store(home), options))
    assert {r.status for r in results} == {"created"}
    return {r.id: Path(r.path).read_text(encoding="utf-8") for r in results}


def start_worker(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.crash_worker", *args],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def run_worker(*args: str) -> None:
    """Run to the end; fail the test with the worker's error output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.reliability.crash_worker", *args],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=180,
    )
    assert done.returncode == 0, done.stderr[-2000:]


def check_archive(home: Path, allowed: list[dict[str, str]]) -> int:
    """Every listed article file parses and equals one allowed version; returns the count."""
    store = Store(home)
    seen: set[str] = set()
    for path in store.iter_paths():
        assert not path.name.startswith("."), f"temporary file listed as an article: {path}"
        article = read_article(path)  # raises if torn
        text = path.read_text(encoding="utf-8")
        assert article.id not in seen, f"two files for {article.id}"
        seen.add(article.id)
        assert any(versions.get(article.id) == text for versions in allowed), f"mixed or unknown content: {path}"
    return len(seen)


def searchable(home: Path) -> int:
    """How many articles a server opening the index now would find (the index must open)."""
    with SearchService(home) as service:
        return service.search(SearchQuery(per_page=1)).total


def crash_trials(tmp_path: Path, trials: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    write_inputs(v1, 1)
    write_inputs(v2, 2)
    ref1, ref2 = reference_files(v1, tmp_path), reference_files(v2, tmp_path)
    assert ref1.keys() == ref2.keys()

    # how long an uninterrupted run takes, to spread kills over it
    probe = tmp_path / "probe"
    started = time.monotonic()
    run_worker("ingest", str(probe), str(v1))
    full = time.monotonic() - started

    kills = 0
    for trial in range(trials):
        home = tmp_path / f"trial-{trial}"
        updating = trial % 2 == 1
        if updating:  # kill an update of an existing archive: files must be v1 or v2, never mixed
            shutil.copytree(probe, home)
        inputs = v2 if updating else v1
        proc = start_worker("ingest", str(home), str(inputs))
        time.sleep(rng.uniform(0.05, full))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        allowed = [ref1, ref2] if updating else [ref1]
        on_disk = check_archive(home, allowed)
        if current_index_path(home) is not None:
            assert searchable(home) <= N_ARTICLES
        assert on_disk <= N_ARTICLES
        # the next run finishes the job
        run_worker("ingest", str(home), str(inputs))
        assert check_archive(home, [ref2 if updating else ref1]) == N_ARTICLES
        assert searchable(home) == N_ARTICLES
    return {"trials": trials, "kills": kills}


def reindex_trials(tmp_path: Path, trials: int, seed: int) -> dict[str, int]:
    """Kill full rebuilds at random points: the previous index keeps answering, whole."""
    rng = random.Random(seed)
    inputs = tmp_path / "inputs"
    write_inputs(inputs, 1)
    home = tmp_path / "home"
    run_worker("ingest", str(home), str(inputs))
    assert searchable(home) == N_ARTICLES
    started = time.monotonic()
    run_worker("reindex", str(home))
    full = time.monotonic() - started
    kills = 0
    for _ in range(trials):
        before = current_index_path(home)
        proc = start_worker("reindex", str(home))
        time.sleep(rng.uniform(0.05, full))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        assert current_index_path(home) is not None and before is not None
        assert searchable(home) == N_ARTICLES  # old or new, always complete
    run_worker("reindex", str(home))
    assert searchable(home) == N_ARTICLES
    # interrupted builds are cleaned up; only the live index and the one it replaced remain
    index_root = current_index_path(home).parent
    assert len([p for p in index_root.iterdir() if p.is_dir()]) == 2
    return {"trials": trials, "kills": kills}


def test_killed_reindex_leaves_the_old_index_answering(tmp_path: Path) -> None:
    figures = reindex_trials(tmp_path, trials=3, seed=11)
    assert figures["trials"] == 3


@pytest.mark.slow
def test_killed_reindex_many_times(tmp_path: Path) -> None:
    figures = reindex_trials(tmp_path, trials=50, seed=99)
    print(f"\nreindex fault injection: {figures}")
    assert figures["kills"] >= 25, figures


def test_killed_ingest_leaves_whole_files(tmp_path: Path) -> None:
    figures = crash_trials(tmp_path, trials=4, seed=7)
    assert figures["trials"] == 4


@pytest.mark.slow
def test_killed_ingest_leaves_whole_files_many_times(tmp_path: Path) -> None:
    figures = crash_trials(tmp_path, trials=50, seed=2026)
    print(f"\ningest fault injection: {figures}")
    assert figures["kills"] >= 25, figures


# ------------------------------------------------------------------- bulk and HTML ingest --

VOLATILE = ("ingestedAt:", "fetchedAt:")


def _steady(text: str) -> str:
    """An article file without the fields that name the moment of the run."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith(VOLATILE))


def write_bulk_inputs(folder: Path, kind: str) -> Path:
    """A JSON lines export of 200 records, or a folder of 12 saved pages."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "jsonl":
        export = folder / "wire.jsonl"
        with export.open("w", encoding="utf-8") as out:
            for i in range(200):
                topic = TOPICS[i % len(TOPICS)]
                out.write(json.dumps({
                    "title": f"Wire {i}: {topic} steady into month-end",
                    "body": f"Desks tracking {topic} reported balanced books in week {i}. Figures are due on "
                            f"day {i % 28 + 1}.",
                    "publishedAt": f"2025-{i % 12 + 1:02d}-{i % 27 + 1:02d}T09:30:00Z",
                    "source": SOURCES[i % len(SOURCES)], "sentiment": "NEUTRAL"}) + "\n")
        return export
    pages = folder / "pages"
    pages.mkdir(exist_ok=True)
    for i in range(12):
        topic = TOPICS[i % len(TOPICS)]
        paragraphs = "".join(f"<p>Analysts tracking {topic} said volumes in week {i} were steady, with desks "
                             f"in London and Singapore reporting balanced order books ({j}).</p>" for j in range(6))
        (pages / f"page-{i:02d}.html").write_text(
            f"<html><head><title>Desk page {i}: {topic}</title>"
            f"<meta property='article:published_time' content='2025-{i % 12 + 1:02d}-03T09:00:00Z'></head>"
            f"<body><article><h1>Desk page {i}: {topic}</h1>{paragraphs}</article></body></html>",
            encoding="utf-8")
    return pages


def run_cli_ingest(home: Path, source: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "scripts.cli", "ingest", "--json", "--slice-records", "25",
         "--home", str(home), str(source)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def bulk_crash_trials(tmp_path: Path, kind: str, trials: int, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    source = write_bulk_inputs(tmp_path / "inputs", kind)
    started = time.monotonic()
    reference = run_cli_ingest(tmp_path / "reference", source)
    full = time.monotonic() - started
    expected = {r["id"]: _steady(Path(r["path"]).read_text(encoding="utf-8")) for r in reference["results"]}
    units = reference["batch"]["units"]
    assert {r["status"] for r in reference["results"]} == {"created"} and units > 1
    kills = resumed = 0
    for trial in range(trials):
        home = tmp_path / f"bulk-{trial}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "scripts.cli", "ingest", "-q", "--slice-records", "25", "--home", str(home),
             str(source)], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, full))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        time.sleep(0.2)  # the workers follow their parent (PR_SET_PDEATHSIG)
        # whatever was written is whole and is the article as an uninterrupted run writes it
        for path in Store(home).iter_paths():
            article = read_article(path)
            assert _steady(path.read_text(encoding="utf-8")) == expected[article.id], path
        markers = len(list((home / ".ingest").rglob("*.json"))) if (home / ".ingest").exists() else 0
        # the rerun finishes the job: no finished unit is extracted again, nothing is lost or doubled
        rerun = run_cli_ingest(home, source)
        assert rerun["batch"]["resumed"] == markers
        resumed += markers
        assert rerun["summary"]["failed"] == 0
        assert sorted(r["id"] for r in rerun["results"]) == sorted(expected)
        on_disk = {read_article(p).id: _steady(p.read_text(encoding="utf-8")) for p in Store(home).iter_paths()}
        assert on_disk == expected
        assert searchable(home) == len(expected)
        again = run_cli_ingest(home, source)
        assert again["summary"] == {"created": 0, "updated": 0, "unchanged": len(expected), "failed": 0}
        assert again["batch"]["resumed"] == units
    return {"trials": trials, "kills": kills, "resumed": resumed}


@pytest.mark.parametrize("kind", ["jsonl", "html"])
def test_killed_bulk_ingest_resumes_without_redoing_saved_units(tmp_path: Path, kind: str) -> None:
    figures = bulk_crash_trials(tmp_path, kind, trials=1, seed=5)
    assert figures["trials"] == 1


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["jsonl", "html"])
def test_killed_bulk_ingest_many_times(tmp_path: Path, kind: str) -> None:
    figures = bulk_crash_trials(tmp_path, kind, trials=20, seed=2027)
    print(f"\n{kind} bulk ingest fault injection: {figures}")
    assert figures["kills"] >= 10 and figures["resumed"] > 0, figures
