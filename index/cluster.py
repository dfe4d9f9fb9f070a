"""A full reindex on a Dask cluster: the segments are built by ``dask.distributed`` tasks.

``dask_segment_builder(address)`` is a ``SegmentBuilder`` for ``index.rebuild.reindex``: the
files are cut into chunks of ``CHUNK_FILES``; each chunk is one task
(``index.segments.build_one_segment``: parse every file and write one segment into the new
index's folder), and the client adds the segments to the table of contents as a local rebuild
does, then swaps the index in. A task whose worker dies is run again on another worker (the
dead worker's half-written segment is never listed, and the next rebuild removes the folder's
leftovers). Like ``ingest --cluster``, the home must be the same path on every worker (a shared
filesystem; see ``archive.cluster``).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any, Callable

from archive.cluster import TASK_RETRIES, connect
from archive.errors import ClusterUnavailable
from index.documents import Loaded
from index.segments import build_one_segment

#: files per task: large enough that a segment is worth having, small enough that a lost worker
#: costs little and every worker gets several
CHUNK_FILES = 2000


def dask_segment_builder(address: str, *, chunk_files: int = CHUNK_FILES) -> Callable[..., list]:
    def build(home: Path, folder: Path, rels: list[str], entries: dict[str, Loaded],
              progress: Any) -> list:
        client = connect(address)
        try:
            token = secrets.token_hex(6)
            chunks = [rels[start:start + chunk_files] for start in range(0, len(rels), chunk_files)]
            futures = [client.submit(build_one_segment, str(home), str(folder), chunk, pure=False,
                                     key=f"newsarchive-segment-{token}-{n}", retries=TASK_RETRIES)
                       for n, chunk in enumerate(chunks)]
            segments = []
            for future in futures:
                try:
                    loaded, segment = future.result()
                except Exception as exc:  # noqa: BLE001 - the old index keeps answering
                    raise ClusterUnavailable(f"a segment could not be built on the cluster "
                                             f"({type(exc).__name__}: {exc}); the index is as it was") from None
                for item in loaded:
                    entries[item.rel] = item
                if segment is not None:
                    segments.append(segment)
                if progress:
                    progress(len(entries), len(rels))
            return segments
        finally:
            client.close()

    return build
