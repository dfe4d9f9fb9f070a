"""The index's write side, by stage; this module names what the rest of the program uses.

- ``index.documents``: an article file as a Whoosh document (``document_for``), tombstones;
- ``index.bulkwriter``: the segment writer of bulk builds (same segments as Whoosh's, less work);
- ``index.segments``: segments built in worker processes on every core, for a full rebuild;
- ``index.rebuild``: ``reindex``, full (a new folder, swapped in) or ``--changed`` (in place);
- ``index.incremental``: documents of just-saved and deleted articles, the merge policy;
- ``index.live``: where the live index is, opening it, the locks, the pointer swap.
"""

from __future__ import annotations

from index.documents import document_for
from index.incremental import (MAX_SMALL_SEGMENTS, SMALL_SEGMENT_DOCS, delete_documents,
                               merge_small_segments, update_documents)
from index.live import (META_FILE, NO_INDEX, REINDEX_LOCK, current_index_path, index_generation,
                        open_index)
from index.rebuild import ReindexReport, reindex

__all__ = [
    "MAX_SMALL_SEGMENTS", "META_FILE", "NO_INDEX", "REINDEX_LOCK", "SMALL_SEGMENT_DOCS",
    "ReindexReport", "current_index_path", "delete_documents", "document_for",
    "index_generation", "merge_small_segments", "open_index", "reindex", "update_documents",
]
