"""Story ids kept beside the index: the story every article belongs to, given at index time.

A story id is the id of the story's first article (``index.stories``). The index writers call
three functions here, and nothing else of stories:

- ``telling_bytes(article)``: what a writer keeps of each article it loads (in the rebuild's
  worker processes, so the cost is spread over every core);
- ``write_stories(folder, tellings, previous)``: a full rebuild gives every article its story
  (publication order, one pass) and writes the table into the new folder before the swap;
- ``add_stories(folder, items)``: an incremental add (ingest, ``reindex --changed``) joins each
  new or changed article to an existing story or starts one, and appends to the table.

Files, in the index's own folder (so a swap replaces them with the index)::

    stories.tsv    one line per article: id, story id, published day (or -), copy keys
                   (hex, comma-separated), offset of its telling; later lines win
    tellings.bin   the tellings, each ``<uint32 length><encode_telling bytes>``

Both only grow between rebuilds. A line cut short by a crash has no newline: readers skip it
and the next append cuts it off first. The tombstones of deleted articles keep their line.
Appends happen while the caller holds the index's write lock; readers never lock.
"""

from __future__ import annotations

import bisect
import os
import struct
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from index.stories import NEAR_DAYS, StoryIndex, Telling, decode_telling, encode_telling, \
    telling_day, telling_of

STORIES_FILE = "stories.tsv"
TELLINGS_FILE = "tellings.bin"
_LENGTH = struct.Struct("<I")


def telling_bytes(article: Any) -> bytes:
    return encode_telling(telling_of(article))


# ----------------------------------------------------------------------------- the table --

@dataclass
class StoryTable:
    """The parsed ``stories.tsv`` of one index folder (a later line for an id wins)."""

    story: dict[str, str] = field(default_factory=dict)
    day: dict[str, float | None] = field(default_factory=dict)
    offset: dict[str, int] = field(default_factory=dict)
    copy_keys: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: story id -> its first dated version's day
    starts: dict[str, float] = field(default_factory=dict)
    #: bytes of the file parsed so far (complete lines only)
    parsed: int = 0
    #: bumped whenever lines were added, for caches built on the table
    version: int = 0

    def take(self, line: str) -> None:
        fields = line.split("\t")
        if len(fields) != 5:
            return
        article_id, story_id, day_text, keys_text, offset_text = fields
        try:
            day = None if day_text == "-" else float(day_text)
            offset = int(offset_text)
            keys = tuple(int(k, 16) for k in keys_text.split(",") if k)
        except ValueError:
            return
        self.story[article_id] = story_id
        self.day[article_id] = day
        self.offset[article_id] = offset
        self.copy_keys[article_id] = keys
        if day is not None and (story_id not in self.starts or day < self.starts[story_id]):
            self.starts[story_id] = day


def _line(article_id: str, story_id: str, telling: Telling, offset: int) -> str:
    day = "-" if telling.day is None else repr(round(telling.day, 6))
    keys = ",".join(format(k, "x") for k in telling.copy_keys())
    return f"{article_id}\t{story_id}\t{day}\t{keys}\t{offset}\n"


_cache: dict[str, StoryTable] = {}
_cache_lock = threading.Lock()


def read_table(folder: Path | str) -> StoryTable:
    """The table of an index folder, read once per process and then only what was appended."""
    path = Path(folder) / STORIES_FILE
    key = str(path)
    with _cache_lock:
        table = _cache.get(key)
        try:
            size = path.stat().st_size
        except OSError:
            return StoryTable()
        if table is None or size < table.parsed:  # a new table (or one cut short): read it all
            table = StoryTable()
            _cache[key] = table
        if size > table.parsed:
            with open(path, "rb") as f:
                f.seek(table.parsed)
                data = f.read(size - table.parsed)
            end = data.rfind(b"\n") + 1
            for line in data[:end].decode("utf-8", "replace").splitlines():
                table.take(line)
            table.parsed += end
            table.version += 1
        return table


def story_ids(folder: Path | str) -> dict[str, str]:
    """Article id -> story id, for every article the table knows."""
    return read_table(folder).story


def _read_telling(handle: Any, offset: int) -> bytes | None:
    handle.seek(offset)
    head = handle.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    data = handle.read(length)
    return data if len(data) == length else None


# ------------------------------------------------------------------------------- writing --

def write_stories(folder: Path, tellings: Iterable[tuple[str, bytes]], previous: Path | None = None,
                  keep: Iterable[str] = ()) -> int:
    """Give every article of a new index its story (publication order) and write the table
    into ``folder``. ``keep``: ids (tombstones) whose line and telling are copied from the
    ``previous`` index folder's table. Returns the number of stories."""
    # publication order from each telling's header; decoded one at a time below (a rebuild of
    # 100,000 articles holds the encoded tellings, ~100 MB, not 100,000 decoded ones)
    ordered = sorted(((article_id, data) for article_id, data in tellings if data),
                     key=lambda item: _order_key(item[0], item[1]))
    index = StoryIndex()
    folder = Path(folder)
    tmp_stories = folder / (STORIES_FILE + ".tmp")
    tmp_tellings = folder / (TELLINGS_FILE + ".tmp")
    with open(tmp_stories, "w", encoding="utf-8") as lines, open(tmp_tellings, "wb") as blobs:
        offset = 0
        kept = set()
        if previous is not None:
            old = read_table(previous)
            wanted = [i for i in keep if i in old.story]
            if wanted:
                with open(Path(previous) / TELLINGS_FILE, "rb") as handle:
                    for article_id in wanted:
                        data = _read_telling(handle, old.offset[article_id])
                        if data is None:
                            continue
                        telling = decode_telling(data)
                        index.known(article_id, telling, old.story[article_id], data)
                        blobs.write(_LENGTH.pack(len(data)) + data)
                        lines.write(_line(article_id, old.story[article_id], telling, offset))
                        offset += _LENGTH.size + len(data)
                        kept.add(article_id)
        for n, (article_id, data) in enumerate(ordered):
            if article_id in kept:
                continue
            telling = decode_telling(data)
            if telling.day is not None and n % 2000 == 0:
                index.forget_near_before(telling.day - NEAR_DAYS)
            story_id = index.add(article_id, telling, data)
            blobs.write(_LENGTH.pack(len(data)) + data)
            lines.write(_line(article_id, story_id, telling, offset))
            offset += _LENGTH.size + len(data)
        lines.flush()
        os.fsync(lines.fileno())
        blobs.flush()
        os.fsync(blobs.fileno())
    os.replace(tmp_tellings, folder / TELLINGS_FILE)
    os.replace(tmp_stories, folder / STORIES_FILE)
    return len(set(index.story.values()))


def _order_key(article_id: str, data: bytes) -> tuple[bool, float, str]:
    day = telling_day(data)
    return (day is None, day or 0.0, article_id)


def add_stories(folder: Path, items: Iterable[tuple[str, bytes]]) -> dict[str, str]:
    """Join each new or changed article to a story of the table (or start one) and append it.
    The caller holds the index's write lock. Returns article id -> story id."""
    folder = Path(folder)
    new = []
    for article_id, data in items:
        if data:
            new.append((article_id, data, decode_telling(data)))
    if not new:
        return {}
    table = read_table(folder)
    index = StoryIndex(starts=table.starts)
    wanted = _neighbours(table, [t for _, _, t in new])
    tellings_path = folder / TELLINGS_FILE
    _cut_partial_line(folder / STORIES_FILE)
    if wanted and tellings_path.exists():
        with open(tellings_path, "rb") as handle:
            for article_id in sorted(wanted):
                data = _read_telling(handle, table.offset[article_id])
                if data is not None:
                    index.known(article_id, decode_telling(data), table.story[article_id], data)
    new.sort(key=lambda item: (item[2].day is None, item[2].day or 0.0, item[0]))
    out = {}
    with open(tellings_path, "ab") as blobs, open(folder / STORIES_FILE, "a", encoding="utf-8") as lines:
        offset = blobs.seek(0, os.SEEK_END)
        for article_id, data, telling in new:
            story_id = index.add(article_id, telling, data)
            out[article_id] = story_id
            blobs.write(_LENGTH.pack(len(data)) + data)
            lines.write(_line(article_id, story_id, telling, offset))
            offset += _LENGTH.size + len(data)
        blobs.flush()
        os.fsync(blobs.fileno())
        lines.flush()
        os.fsync(lines.fileno())
    return out


def _neighbours(table: StoryTable, tellings: list[Telling]) -> set[str]:
    """Ids of the table that may be versions of the new tellings: published near one of them,
    or sharing a copy key with one."""
    out: set[str] = set()
    dated = sorted((d, i) for i, d in table.day.items() if d is not None)
    days = [d for d, _ in dated]
    for telling in tellings:
        if telling.day is not None:
            lo = bisect.bisect_left(days, telling.day - NEAR_DAYS)
            hi = bisect.bisect_right(days, telling.day + NEAR_DAYS)
            out.update(i for _, i in dated[lo:hi])
    keys = {k for t in tellings for k in t.copy_keys()}
    if keys:
        out.update(i for i, ks in table.copy_keys.items() if keys.intersection(ks))
    return out


def _cut_partial_line(path: Path) -> None:
    """Cut off a last line without its newline (left by a crash mid-append)."""
    try:
        with open(path, "rb+") as f:
            size = f.seek(0, os.SEEK_END)
            if not size:
                return
            f.seek(max(0, size - 1))
            if f.read(1) == b"\n":
                return
            f.seek(0)
            data = f.read()
            f.truncate(data.rfind(b"\n") + 1)
    except FileNotFoundError:
        return


# ------------------------------------------------------------------------------- reading --

def undated(view: Any, column: "StoryColumn") -> np.ndarray:
    """Documents whose publication date the archive does not know: the one place that says so
    for timelines and histograms. Today: articles whose telling has no day (``dateSource:
    ingested``, ``index.stories.is_undated``), or without a date in the index."""
    from index.facets import MISSING

    out = view.published == MISSING
    if column.undated is not None and len(column.undated) == len(out):
        out = out | column.undated
    return out


@dataclass(frozen=True)
class StoryColumn:
    """Per document of one index snapshot: the ordinal of its story (``-1``: none), and the
    story ids by ordinal."""

    ordinals: np.ndarray
    ids: list[str]
    #: documents whose publication date the archive does not know (see ``undated``)
    undated: np.ndarray | None = None

    def of(self, docnum: int) -> str | None:
        o = int(self.ordinals[docnum])
        return self.ids[o] if o >= 0 else None


#: id(view) -> (view, table version, column), for the last few snapshots
_columns: OrderedDict[int, tuple[Any, int, StoryColumn]] = OrderedDict()
_columns_lock = threading.Lock()


def story_column(view: Any, folder: Path | None) -> StoryColumn:
    """The story of every document of ``view`` (``index.facets.View``): an article the table
    does not know (indexed by an older version, or a crash between the index commit and the
    table) is a story of its own."""
    table = read_table(folder) if folder is not None else StoryTable()
    key = id(view)
    with _columns_lock:
        cached = _columns.get(key)
        if cached is not None and cached[0] is view and cached[1] == table.version:
            return cached[2]
    story, day = table.story, table.day
    ids = view.ids.tolist()
    names = [story.get(i) or i for i in ids]
    uniques, ordinals = np.unique(np.asarray(names, dtype=object), return_inverse=True) if names \
        else (np.zeros(0, dtype=object), np.zeros(0, dtype=np.int64))
    no_day = np.fromiter((i in day and day[i] is None for i in ids), dtype=bool, count=len(ids))
    column = StoryColumn(ordinals.astype(np.int32), uniques.tolist(), no_day)
    with _columns_lock:
        _columns[key] = (view, table.version, column)
        _columns.move_to_end(key)
        while len(_columns) > 4:
            _columns.popitem(last=False)
    return column
