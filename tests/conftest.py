"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Every test that fetches talks to tests/httpserver.py on 127.0.0.1, which the product refuses by
# default (archive.fetch: only public addresses); tests of that refusal unset this themselves.
os.environ["NEWSARCHIVE_ALLOW_PRIVATE_ADDRESSES"] = "1"

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: the shared folder next to the checkout (CI has it); seeds are read from there, never copied
SHARED = REPO.parent / "shared"
SEEDS = SHARED / "seeds"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """An empty archive home folder."""
    path = tmp_path / "home"
    path.mkdir()
    return path
