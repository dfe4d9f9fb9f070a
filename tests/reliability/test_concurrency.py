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
