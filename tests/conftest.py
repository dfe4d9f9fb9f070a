"""Fixtures shared by every test module."""

from __future__ import annotations

from pathlib import Path

import pytest

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
