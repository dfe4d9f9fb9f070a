"""The home folder: where articles, raw snapshots and the index live."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "NEWSARCHIVE_HOME"


def default_home() -> Path:
    """``$NEWSARCHIVE_HOME``, else ``$XDG_DATA_HOME/newsarchive``, else ``~/.local/share/newsarchive``."""
    if os.environ.get(ENV_HOME):
        return resolve_home(os.environ[ENV_HOME])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return resolve_home(Path(base) / "newsarchive")


def resolve_home(path: Path | str) -> Path:
    """The home folder as an absolute path (``~`` expanded, ``..`` folded), taken once when a
    command starts: paths stored in the index are relative to it, so every later command must
    mean the same folder whatever its current directory."""
    return Path(os.path.abspath(Path(path).expanduser()))


def articles_dir(home: Path) -> Path:
    return Path(home) / "articles"


def raw_dir(home: Path) -> Path:
    return Path(home) / "raw"


def index_dir(home: Path) -> Path:
    return Path(home) / "index"
