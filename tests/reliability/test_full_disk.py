"""A full disk during reindex (issue 9, finding 6): one clear line, exit 1, nothing half-written,
the previous index answers. The disk is filled the way a quota does it, with RLIMIT_FSIZE in the
command's own process (CI runs as root, for whom a read-only chmod changes nothing); a read-only
home takes the same path (another OSError)."""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.model import SearchQuery
from index.search import SearchService
from scripts.cli import main
from tests.conftest import REPO

LIMIT = 4096  # bytes: enough for the pointer and small files, not for a segment


def reindex_on_a_full_disk(home: Path, *args: str) -> subprocess.CompletedProcess:
    def fill_the_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))

    return subprocess.run([sys.executable, "-m", "scripts.cli", "reindex", "--home", str(home), *args],
                          cwd=REPO, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          preexec_fn=fill_the_disk, timeout=300)


def snapshot(home: Path) -> tuple[dict[str, str], str, list[str]]:
    files = {p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted((home / "articles").rglob("*.md"))}
    with SearchService(home) as service:
        hits = service.search(SearchQuery(q="harbor", sort="newest", per_page=50, collapse=False))
    return files, (home / "index" / "CURRENT.json").read_text(encoding="utf-8"), [h.id for h in hits.hits]


@pytest.fixture
def wire_home(tmp_path: Path) -> Path:
    """450 articles through the real command: enough for reindex's worker processes."""
    export = tmp_path / "wire.jsonl"
    with export.open("w", encoding="utf-8") as out:
        for i in range(450):
            out.write(json.dumps({
                "title": f"Harbor volumes report {i}: berths busy into month-end",
                "body": f"Operators at the harbor said berth {i % 40} handled steady volumes in week "
                        f"{i}, with no delays at the gates and cranes running to schedule.",
                "publishedAt": f"2025-{i % 12 + 1:02d}-{i % 27 + 1:02d}T09:30:00Z",
                "source": "harborwire"}) + "\n")
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "-q", str(export)])
    assert result.exit_code == 0, result.output
    return home


def one_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-3000:]
    return lines[0]


@pytest.mark.parametrize("procs", ["1", "2"])  # in the command's process, and in its workers
def test_a_full_reindex_on_a_full_disk_keeps_the_previous_index(wire_home: Path, procs: str) -> None:
    before = snapshot(wire_home)
    assert len(before[2]) == 50
    line = one_line(reindex_on_a_full_disk(wire_home, "--procs", procs))
    assert line.startswith("Error: cannot write the index: File too large")
    assert line.endswith("; the previous index is still the one in use and no article file was changed "
                         "(free some space or make the home folder writable, then run reindex again)")
    assert snapshot(wire_home) == before  # files, the pointer and the answers as they were
    done = CliRunner().invoke(main, ["reindex", "--home", str(wire_home)])  # space again: it works
    assert done.exit_code == 0, done.output
    pointer = json.loads((wire_home / "index" / "CURRENT.json").read_text(encoding="utf-8"))
    builds = {p.name for p in (wire_home / "index").iterdir() if p.name.startswith("build-")}
    assert builds == {pointer["current"], pointer["previous"]}  # the failed build was removed


def test_reindex_changed_on_a_full_disk_leaves_the_index_as_it_was(wire_home: Path) -> None:
    edited = sorted((wire_home / "articles").rglob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nA late note on the harbor cranes.\n",
                      encoding="utf-8")
    before = snapshot(wire_home)
    line = one_line(reindex_on_a_full_disk(wire_home, "--changed"))
    assert line.startswith("Error: cannot write the index: File too large")
    assert "; the index is as it was before this update and no article file was changed" in line
    assert snapshot(wire_home) == before
