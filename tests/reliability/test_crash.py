"""Fault injection: SIGKILL ingest (and reindex) at random points; nothing is ever lost or torn.

After every kill: every article file parses and is byte for byte either the old or the new
version of its article (never a mix), no temporary file is listed as an article, and the next
run finishes the job. The default run does a few trials; ``-m slow`` does 50 of each.
"""

from __future__ import annotations

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
