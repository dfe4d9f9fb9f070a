"""The live index: where it is on disk, opening it, the locks, and the pointer swap.

Layout under ``<home>/index``::

    CURRENT.json            {"current": "build-...", "previous": "build-..."}, replaced atomically
    build-<utc>-<pid>-<r>/  one complete Whoosh index each, with newsarchive-index.json inside
                            (the schema version it was built with)
    .reindex.lock           held (flock) by a running reindex; the kernel drops it if it dies

Readers see the index ``CURRENT.json`` names; a full rebuild writes a new folder and makes it
current in one rename (``swap_in``), so a reader sees the old index or the new one, never half of
one. Writers into the live index take Whoosh's write lock on it (``live_writer``), waiting a
bounded time, then raise ``IndexUnavailable`` with a message saying what to do.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import whoosh.index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.writing import SegmentWriter

from archive.errors import IndexUnavailable
from archive.home import index_dir
from archive.store import atomic_write_text
from index.bulkwriter import BulkSegmentWriter
from index.schema import SCHEMA_VERSION, build_schema

INDEX_NAME = "MAIN"
POINTER_FILE = "CURRENT.json"
META_FILE = "newsarchive-index.json"
BUILD_PREFIX = "build-"
REINDEX_LOCK = ".reindex.lock"

NO_INDEX = "no index yet: run `newsarchive reindex`"
#: how long a full reindex waits for an ingest holding the live index before its swap
SWAP_LOCK_TIMEOUT = 120.0


# ------------------------------------------------------------------------------ where it is --

def index_root(home: Path) -> Path:
    return index_dir(Path(home))


def read_pointer(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / POINTER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def current_index_path(home: Path) -> Path | None:
    """The folder of the live index, or ``None`` when there is none yet."""
    root = index_root(home)
    name = read_pointer(root).get("current")
    if not isinstance(name, str) or not name.startswith(BUILD_PREFIX) or "/" in name:
        return None
    path = root / name
    return path if path.is_dir() else None


def read_meta(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _older(version: Any) -> IndexUnavailable:
    return IndexUnavailable(
        f"the index was built by an older version (schema {version}): run `newsarchive reindex`"
    )


def open_folder(folder: Path) -> whoosh.index.Index:
    """Open the index in ``folder`` without mmap: Whoosh copies each mmapped compound sub-file
    into a BytesIO per reader, so every searcher (one per server thread, or the count after a
    rebuild) would hold a copy of the whole index in memory. Plain file reads go through the OS
    page cache, shared by all of them."""
    return FileStorage(str(folder), supports_mmap=False).open_index(INDEX_NAME)


def open_index(home: Path) -> whoosh.index.Index:
    """The live index, checked against this version's schema."""
    root = index_root(home)
    path = current_index_path(home)
    if path is None:
        if root.is_dir() and any(root.glob(f"_{INDEX_NAME}_*.toc")):
            raise _older(0)  # a bare Whoosh index from before the versioned layout
        raise IndexUnavailable(NO_INDEX)
    version = read_meta(path).get("schema_version", 0)
    if version != SCHEMA_VERSION:
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise IndexUnavailable(
                f"the index was built by a newer version (schema {version}, this one reads "
                f"{SCHEMA_VERSION}): upgrade newsarchive or run `newsarchive reindex`"
            )
        raise _older(version)
    try:
        return open_folder(path)
    except (whoosh.index.IndexError, OSError, EOFError, ValueError) as exc:
        raise IndexUnavailable(
            f"the index in {path} cannot be opened ({exc.__class__.__name__}): "
            "run `newsarchive reindex`"
        ) from None


_TOC = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")


def index_generation(home: Path) -> str:
    """A token that changes whenever what a search sees changes: a swap to a new build or a new
    commit into the live one. Costs one small file read and one directory listing."""
    path = current_index_path(home)
    if path is None:
        return "none"
    try:
        generations = [int(m.group(1)) for m in map(_TOC.match, os.listdir(path)) if m]
    except OSError:
        return "none"
    return f"{path.name}:{max(generations, default=-1)}"

# ---------------------------------------------------------------------------------- locking --

#: descriptors of the locks this process holds; a forked worker closes its copies at once, so
#: the lock is released when the parent dies even if a worker lives on for a moment
HELD_LOCK_FDS: set[int] = set()


@contextlib.contextmanager
def flock(path: Path, *, timeout: float, message: str) -> Iterator[None]:
    """An exclusive ``flock`` on ``path``, waited for up to ``timeout`` seconds. The kernel drops
    it when this process dies, however it dies; two holders in one process exclude each other."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexUnavailable(message) from None
                time.sleep(0.05)
        HELD_LOCK_FDS.add(fd)
        yield
    finally:
        HELD_LOCK_FDS.discard(fd)
        os.close(fd)  # closing drops the lock


def locked_message(timeout: float) -> str:
    return (f"the index is locked by another writer (an ingest, a delete or a reindex) and stayed "
            f"locked for {timeout:g} s; try again when it has finished")


def new_build_folder(root: Path) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    folder = root / f"{BUILD_PREFIX}{stamp}-{os.getpid()}-{secrets.token_hex(3)}"
    folder.mkdir(parents=True)
    return folder


def write_meta(folder: Path, **extra: Any) -> None:
    meta = {"schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), **extra}
    atomic_write_text(folder / META_FILE, json.dumps(meta, indent=2) + "\n")


def swap_in(root: Path, folder: Path) -> None:
    """Make ``folder`` the live index in one rename; the one it replaces is kept as previous."""
    old = read_pointer(root).get("current")
    pointer = {"current": folder.name, "previous": old if old != folder.name else None}
    atomic_write_text(root / POINTER_FILE, json.dumps(pointer) + "\n")


def clean_leftovers(root: Path) -> None:
    """Remove build folders that are neither current nor previous (interrupted rebuilds, older
    generations) and pointer files a swap killed before its rename left. Only called while
    holding the reindex lock."""
    pointer = read_pointer(root)
    keep = {pointer.get("current"), pointer.get("previous")}
    for child in root.glob(f"{BUILD_PREFIX}*"):
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
    for leftover in pointer_leftovers(root):
        leftover.unlink(missing_ok=True)


def pointer_leftovers(root: Path) -> list[Path]:
    """``.CURRENT.json.*.tmp``: the temporary pointer of a swap killed before its rename (the
    pointer itself is whole: the old one or the new one)."""
    return sorted(p for p in Path(root).glob(f".{POINTER_FILE}.*.tmp") if p.is_file())


def create_empty_index(home: Path, timeout: float) -> None:
    """An empty live index, for the first ingest into a new home folder."""
    root = index_root(home)
    with flock(root / REINDEX_LOCK, timeout=timeout,
                message=f"a reindex has been building the index for more than {timeout:g} s; the "
                        "articles are saved: run `newsarchive reindex --changed` when it is done"):
        if current_index_path(home) is not None:
            return
        folder = new_build_folder(root)
        whoosh.index.create_in(str(folder), build_schema(), indexname=INDEX_NAME)
        write_meta(folder)
        swap_in(root, folder)


def live_writer(home: Path, timeout: float, *, bulk: bool = False) -> SegmentWriter:
    """A writer on the live index, waiting up to ``timeout`` for the lock. If a reindex swapped
    in a new index while we waited, the writer is moved to the new one."""
    home = Path(home)
    deadline = time.monotonic() + timeout
    for _ in range(20):
        path = current_index_path(home)
        if path is None:
            create_empty_index(home, max(0.0, deadline - time.monotonic()))
            continue
        ix = open_index(home)
        wait = max(0.0, deadline - time.monotonic())
        try:
            writer = (BulkSegmentWriter(ix, timeout=wait, delay=0.05) if bulk
                      else ix.writer(timeout=wait, delay=0.05))
        except LockError:
            raise IndexUnavailable(locked_message(timeout)) from None
        if current_index_path(home) == path:
            return writer
        writer.cancel()  # swapped while we waited: write to the new one
    raise IndexUnavailable("the index keeps being replaced; try again when the reindex is done")

