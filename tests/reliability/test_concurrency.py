"""Writers at the same time: two ingests, and an ingest during a reindex, both finish, nothing lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from archive.store import Store
from tests.reliability.test_crash import REPO, searchable, write_inputs


def newsarchive(home: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scripts.cli", *args, "--home", str(home)],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finish(proc: subprocess.Popen) -> None:
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-2000:]


def test_two_ingests_at_once_both_finish(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_inputs(tmp_path / "a", 1, prefix="Morning desk", count=30)
    write_inputs(tmp_path / "b", 1, prefix="Evening desk", count=30)
    first = newsarchive(home, "ingest", "--quiet", str(tmp_path / "a"))
    second = newsarchive(home, "ingest", "--quiet", str(tmp_path / "b"))
    finish(first)
    finish(second)
    assert len(list(Store(home).iter_paths())) == 60
    assert searchable(home) == 60


def test_an_ingest_during_a_reindex_finishes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write_inputs(tmp_path / "a", 1, prefix="Morning desk", count=40)
    write_inputs(tmp_path / "b", 1, prefix="Evening desk", count=20)
    finish(newsarchive(home, "ingest", "--quiet", str(tmp_path / "a")))
    rebuild = newsarchive(home, "reindex")
    late = newsarchive(home, "ingest", "--quiet", str(tmp_path / "b"))
    finish(rebuild)
    finish(late)
    assert len(list(Store(home).iter_paths())) == 60
    assert searchable(home) == 60


def write_versions(folder: Path, version: int, count: int) -> None:
    """``count`` articles that keep their identity (the publisher's externalId) from one version to
    the next while their title, and so their file name, changes."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"story-{i:03d}.md").write_text(
            "---\n"
            f"title: 'Harbour report {i}, edition {version}'\n"
            f"publishedAt: '2025-{i % 12 + 1:02d}-{i % 27 + 1:02d}T09:30:00.000Z'\n"
            f"externalId: 'harbour-{i}'\n"
            "source:\n  name: Alpha Daily\n  key: alphadaily\n  type: FILE\n"
            "sentiment: NEUTRAL\n"
            "---\n"
            f"Dock workers at berth {i} said the edition {version} figures were steady this week.\n",
            encoding="utf-8",
        )


def test_two_versions_ingested_at_once_never_give_two_files_one_id(tmp_path: Path) -> None:
    """Identity decision and write are one step across processes: whichever ingest wins, each
    article has one file (before: two files with one id in some rounds, both 'updated')."""
    count = 30
    for version in (0, 1, 2):
        write_versions(tmp_path / f"v{version}", version, count)
    for round_, prior in enumerate((True, False)):
        home = tmp_path / f"home-{round_}"
        if prior:
            finish(newsarchive(home, "ingest", "--quiet", str(tmp_path / "v0")))
        first = newsarchive(home, "ingest", "--quiet", str(tmp_path / "v1"))
        second = newsarchive(home, "ingest", "--quiet", str(tmp_path / "v2"))
        finish(first)
        finish(second)
        ids = [article.id for _, article, _ in Store(home).iter_articles()]
        assert (len(ids), len(set(ids))) == (count, count), f"round {round_}"
        assert searchable(home) == count
