"""Find an article's file by id through the index, instead of reading every file's head.

``IndexLocator(home)`` is a callable for ``archive.store.Store(home, locate=...)``: it answers
from the live index's stored ``path`` (tombstones left out). It opens one searcher and keeps it
for the batch: what the batch itself writes, the store remembers. Without an index it knows
nothing, and the store falls back on the path an article would have.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.errors import IndexUnavailable


class IndexLocator:
    def __init__(self, home: Path | str) -> None:
        self.home = Path(home)
        self._searcher: Any = None
        self._unavailable = False

    def __call__(self, article_id: str) -> Path | None:
        searcher = self._open()
        if searcher is None:
            return None
        for fields in searcher.documents(id=article_id):
            if not fields.get("deleted") and fields.get("path"):
                return self.home / fields["path"]
        return None

    def _open(self) -> Any:
        if self._searcher is None and not self._unavailable:
            from index.build import open_index

            try:
                self._searcher = open_index(self.home).searcher()
            except IndexUnavailable:
                self._unavailable = True
        return self._searcher

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None

    def __enter__(self) -> "IndexLocator":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
