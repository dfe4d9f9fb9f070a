"""Fixtures for the index tests; the plain functions behind them are in ``tests/index/fixtures.py``
(importable from any test package)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.article import Article
from tests.index.fixtures import build_fixture_index


@pytest.fixture
def indexed_home(home: Path) -> tuple[Path, list[Article]]:
    """A home folder with the 20 fixture articles and an index built from them."""
    return home, build_fixture_index(home)
