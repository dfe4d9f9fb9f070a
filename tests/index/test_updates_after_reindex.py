"""Issue 9, finding 1: the index keeps updating after a reindex, through the real commands.

Segments written by the bulk writer (``reindex``, ``reindex --changed``) are merged with
Whoosh's own (one per ``ingest``) by the small-segment merge policy; that merge asserted
``vbytes=''`` on the bulk writer's id, keyword, date, boolean, numeric and spelling postings."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from index.model import SearchQuery
from index.search import SearchService
from scripts.cli import main


def article_text(n: int) -> str:
    """An invented article with a word of its own (``quillmark<n>``) to search for."""
    return (
        "---\n"
        f"title: 'Harbour report {n}: cargo volumes at the quay'\n"
        f"description: 'Weekly note number {n} on container traffic.'\n"
        f"publishedAt: '2026-0{1 + n % 9}-1{n % 10}T08:30:00Z'\n"
        "source:\n  name: Port Gazette\n  key: portgazette\n  type: FILE\n"
        f"category: SHIPPING\ntags:\n  - PORTS\n  - WEEK{n}\n"
        f"stickyWeight: {n % 3}\n"
        f"draft: {'true' if n % 5 == 4 else 'false'}\n"
        "---\n"
        f"Container volumes at the north quay changed again this week. The quillmark{n} terminal "
        f"handled {1000 + n} boxes, and cranes ran through the night.\n"
    )


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def ingest_one(home: Path, inputs: Path, n: int) -> None:
    source = inputs / f"report-{n}.md"
    source.write_text(article_text(n), encoding="utf-8")
    result = cli("ingest", "--home", str(home), str(source))
    assert (result.exit_code, result.stderr) == (0, ""), (n, result.output)
    assert result.stdout.splitlines()[-1] == "1 created, 0 updated, 0 unchanged, 0 failed"


def found(home: Path, n: int) -> int:
    """How many hits ``quillmark<n>`` finds (the article's own word)."""
    with SearchService(home) as service:
        result = service.search(SearchQuery(q=f"quillmark{n}", include_drafts=True))
    return [hit.title for hit in result.hits].count(f"Harbour report {n}: cargo volumes at the quay")


def searchable(home: Path) -> list[str]:
    """The titles every article shares a word with, as one search finds them, sorted."""
    with SearchService(home) as service:
        result = service.search(SearchQuery(q="quay", include_drafts=True, per_page=100))
    assert result.total == len(result.hits)
    return sorted(hit.title for hit in result.hits)


def titles(upto: int) -> list[str]:
    return sorted(f"Harbour report {n}: cargo volumes at the quay" for n in range(upto))


def ingest_then_reindex_then_ingest(home: Path, inputs: Path, *reindex_args: str) -> None:
    for n in range(12):
        ingest_one(home, inputs, n)
    result = cli("reindex", "--home", str(home), *reindex_args)
    assert result.exit_code == 0, result.output
    for n in range(12, 24):
        ingest_one(home, inputs, n)
        assert searchable(home) == titles(n + 1)
    assert [found(home, k) for k in range(24)] == [1] * 24


def test_ingests_after_a_reindex_are_searchable(home: Path, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    ingest_then_reindex_then_ingest(home, inputs, "--procs", "1")

    changed = cli("reindex", "--home", str(home), "--changed", "--json")
    assert changed.exit_code == 0, changed.output
    report = json.loads(changed.stdout)
    assert (report["files"], report["unchanged"], report["documents"], report["failed"]) == (24, 24, 24, 0)

    verify = cli("verify", "--home", str(home), "--json")
    assert verify.exit_code == 0, verify.output
    assert json.loads(verify.stdout)["ok"] is True
    assert searchable(home) == titles(24)


def test_reindex_changed_and_verify_repair_after_a_reindex(home: Path, tmp_path: Path) -> None:
    """The commands the failure message suggests: both merge segments of every kind."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for n in range(12):
        ingest_one(home, inputs, n)
    assert cli("reindex", "--home", str(home), "--procs", "1").exit_code == 0
    articles = sorted((home / "articles").rglob("*.md"))
    assert len(articles) == 12
    # edit files behind the index's back: each ``--changed`` run commits one more bulk segment
    for round_no in range(10):
        path = articles[round_no]
        path.write_text(path.read_text(encoding="utf-8").replace(
            "cranes ran", f"cranes ran (edit {round_no})"), encoding="utf-8")
        result = cli("reindex", "--home", str(home), "--changed", "--json")
        assert result.exit_code == 0, (round_no, result.output)
        assert json.loads(result.stdout)["updated"] == 1
    for n in range(12, 16):
        ingest_one(home, inputs, n)
    # verify --repair re-adds what the index lost (one document removed behind its back)
    from index.live import live_writer

    writer = live_writer(home, 5.0)
    writer.delete_by_term("id", json.loads(cli("search", "--home", str(home), "--json",
                                                "quillmark3").stdout)["hits"][0]["id"])
    writer.commit(merge=False)
    assert found(home, 3) == 0
    repaired = cli("verify", "--home", str(home), "--repair", "--json")
    assert repaired.exit_code == 0, repaired.output
    assert json.loads(repaired.stdout)["repaired"] == {"temp_files_removed": 0, "indexed": 1,
                                                       "tombstoned": 0}
    assert searchable(home) == titles(16)
    assert [found(home, k) for k in range(16)] == [1] * 16
