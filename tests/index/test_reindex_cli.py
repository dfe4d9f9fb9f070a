"""``newsarchive reindex`` through click, on real article files and a real index."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from archive.store import Store
from index.build import open_index
from scripts.cli import main
from tests.conftest import REPO
from tests.index.fixtures import write_fixture_articles


def run(home: Path, *args: str):
    return CliRunner().invoke(main, ["reindex", "--home", str(home), *args])


def test_reindex_prints_a_summary(home: Path) -> None:
    write_fixture_articles(home)
    result = run(home, "--procs", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"Index rebuilt with 1 process: 20 files in \d+\.\d s \(\d+ files/s\)\.", lines[0])
    assert lines[1:] == [
        "  20 added, 0 updated, 0 deleted, 0 unchanged, 0 failed.",
        "  The index holds 20 articles and 0 tombstones of deleted ones.",
    ]
    assert result.stderr == ""  # no progress bar when stderr is not a terminal
    assert open_index(home).doc_count() == 20


def test_reindex_changed_json(home: Path) -> None:
    articles = write_fixture_articles(home)
    assert run(home, "--procs", "1").exit_code == 0
    Store(home).path_of(articles[0].id).unlink()
    result = run(home, "--changed", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report.pop("seconds") >= 0
    assert report.pop("index_path").startswith(str(home / "index" / "build-"))
    assert report == {
        "mode": "changed", "files": 19, "added": 0, "updated": 0, "deleted": 1, "unchanged": 19,
        "failed": 0, "failures": [], "duplicates": [], "documents": 19, "tombstones": 1, "procs": 1,
    }


def test_reindex_lists_bad_files_and_exits_1(home: Path) -> None:
    write_fixture_articles(home)
    bad = home / "articles" / "2026" / "01" / "bad.en.md"
    bad.write_text("---\ntitle: Fine\npublishedAt: someday\n---\nBody.\n", encoding="utf-8")
    result = run(home, "--procs", "1")
    assert result.exit_code == 1
    assert result.stderr == ("failed: articles/2026/01/bad.en.md: 'publishedAt' is not an ISO 8601 "
                             "date: 'someday'\n")
    assert "20 added, 0 updated, 0 deleted, 0 unchanged, 1 failed." in result.stdout
    assert open_index(home).doc_count() == 20  # built from the rest


def test_reindex_on_an_empty_home_builds_an_empty_index(home: Path) -> None:
    result = run(home, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["documents"] == 0
    assert open_index(home).doc_count() == 0


def test_reindex_help_and_readme() -> None:
    result = CliRunner().invoke(main, ["reindex", "--help"])
    assert result.exit_code == 0
    for option in ("--home", "--changed", "--procs", "--json"):
        assert option in result.output
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "newsarchive reindex --changed" in readme
    assert "### Building the index" in readme
