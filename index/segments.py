"""Segments built on every core for a full rebuild: worker processes each read and parse a share
of the files (libyaml through ``archive.store``'s fast path) and write their own segment with
``BulkSegmentWriter``; the parent only adds the segments to the new index's table of contents.
Nothing is pickled between processes but paths and small reports.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import queue as queue_module
import threading
import traceback
from pathlib import Path
from typing import Any, Callable, Iterator

from whoosh.writing import SegmentWriter

from archive.errors import NewsarchiveError
from index.bulkwriter import BulkSegmentWriter
from index.documents import Loaded, load_file, slim
from index.live import HELD_LOCK_FDS, open_folder

Progress = Callable[[int, int], None]


def mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` is cheapest (nothing to import again) but unsafe once threads run; then spawn."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _index_chunk(writer: SegmentWriter, home: Path, rels: list[str]) -> list[Loaded]:
    done = []
    for rel in rels:
        loaded = load_file(home, rel)
        if loaded.doc is not None:
            try:
                writer.add_document(**loaded.doc)
            except Exception as exc:  # a value Whoosh refuses: report it, index the rest
                loaded = Loaded(rel, None, f"cannot be indexed: {exc}", loaded.mtime_ns, loaded.size)
        done.append(slim(loaded))
    return done


def _finish_segment(writer: SegmentWriter) -> Any:
    """Write out a worker's segment (not the table of contents: the parent does that)."""
    if writer._added:
        return writer._finalize_segment()
    writer._close_segment()
    return None


@contextlib.contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Building a segment allocates millions of small containers that live until the flush and
    form no cycles; Python's cyclic collector would scan them again and again (about 15% of the
    CPU of a build). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_one_segment(home: str, folder: str, rels: list[str]) -> tuple[list[Loaded], Any]:
    """One segment of ``rels`` written into the build ``folder``: what each file gave, and the
    segment (``None`` if nothing was added). A task of its own, for ``index.cluster``."""
    writer = BulkSegmentWriter(open_folder(Path(folder)), _lk=False)
    with _without_cyclic_gc():
        loaded = _index_chunk(writer, Path(home), rels)
        return loaded, _finish_segment(writer)


def inline_segment(home: Path, folder: Path, rels: list[str], entries: dict[str, Loaded],
                    progress: Progress | None) -> list:
    ix = open_folder(folder)
    writer = BulkSegmentWriter(ix, _lk=False)
    with _without_cyclic_gc():
        for start in range(0, len(rels), 64):
            for loaded in _index_chunk(writer, home, rels[start:start + 64]):
                entries[loaded.rel] = loaded
            if progress:
                progress(len(entries), len(rels))
        segment = _finish_segment(writer)
    return [segment] if segment is not None else []


def _die_with_parent() -> None:
    """Ask Linux to kill this worker when its parent dies (a reindex killed with SIGKILL);
    elsewhere the ``getppid`` check in the loop does it, one chunk later."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _segment_worker(home: str, folder: str, first: list[str], jobs: Any, results: Any,
                    parent: int) -> None:
    """One worker: take chunks of paths (``first``, then from ``jobs``), parse each file and add
    it to this worker's own segment; at the end, send the segment (its metadata; the files are on
    disk) to the parent."""
    for fd in list(HELD_LOCK_FDS):  # copies inherited through fork: the parent holds the lock
        with contextlib.suppress(OSError):
            os.close(fd)
    _die_with_parent()
    gc.disable()  # as in ``_without_cyclic_gc``: this process ends with its segment
    try:
        ix = open_folder(Path(folder))
        writer = BulkSegmentWriter(ix, _lk=False)
        home_path = Path(home)
        if first:
            results.put(("chunk", _index_chunk(writer, home_path, first)))
        while True:
            if os.getppid() != parent:
                return  # the parent was killed: stop, the next reindex removes the folder
            try:
                job = jobs.get(timeout=1.0)
            except queue_module.Empty:
                continue
            if job is None:
                break
            results.put(("chunk", _index_chunk(writer, home_path, job)))
        results.put(("done", _finish_segment(writer)))
    except OSError as exc:  # a full disk, a read-only home: the parent says so in one line
        results.put(("oserror", (exc.errno, exc.strerror or str(exc), exc.filename)))
    except BaseException:  # noqa: BLE001 - reported to the parent, which raises
        results.put(("error", traceback.format_exc()))


def build_segments(home: Path, folder: Path, rels: list[str], workers: int,
                    entries: dict[str, Loaded], progress: Progress | None) -> list:
    context = mp_context()
    jobs = context.Queue()
    results = context.Queue()
    chunk = max(8, min(64, len(rels) // (workers * 16) or 8))
    chunks = [rels[start:start + chunk] for start in range(0, len(rels), chunk)]
    # each worker starts with a chunk of its own (one segment per worker, however fast one of
    # them starts), then takes the rest from the shared queue
    processes = [
        context.Process(target=_segment_worker,
                        args=(str(home), str(folder), chunks[n] if n < len(chunks) else [],
                              jobs, results, os.getpid()),
                        daemon=True)
        for n in range(workers)
    ]
    for process in processes:  # before the first put starts the queue's feeder thread
        process.start()
    for job in chunks[workers:]:
        jobs.put(job)
    for _ in range(workers):
        jobs.put(None)
    segments = []
    finished = 0
    try:
        while finished < workers:
            try:
                kind, payload = results.get(timeout=1.0)
            except queue_module.Empty:
                dead = [p for p in processes if p.exitcode not in (None, 0)]
                if dead:
                    raise NewsarchiveError(f"an index worker died (exit code {dead[0].exitcode})")
                continue
            if kind == "chunk":
                for loaded in payload:
                    entries[loaded.rel] = loaded
                if progress:
                    progress(len(entries), len(rels))
            elif kind == "done":
                finished += 1
                if payload is not None:
                    segments.append(payload)
            elif kind == "oserror":
                raise OSError(*payload)
            else:
                raise NewsarchiveError(f"an index worker failed:\n{payload}")
        for process in processes:
            process.join()
    except BaseException:
        for process in processes:
            if process.is_alive():
                process.terminate()
        raise
    return segments
