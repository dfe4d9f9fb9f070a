"""The home folder: where articles, raw snapshots and the index live."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "NEWSARCHIVE_HOME"


def default_home() -> Path:
    """``$NEWSARCHIVE_HOME``, else ``$XDG_DATA_HOME/newsarchive``, else ``~/.local/share/newsarchive``."""
    if os.environ.get(ENV_HOME):
        return Path(os.environ[ENV_HOME]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base).expanduser() / "newsarchive"


def articles_dir(home: Path) -> Path:
    return Path(home) / "articles"


def raw_dir(home: Path) -> Path:
    return Path(home) / "raw"


def index_dir(home: Path) -> Path:
    return Path(home) / "index"
