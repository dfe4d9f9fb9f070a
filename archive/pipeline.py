"""Bulk ingest: cut a batch into units of work, run them on every core, report in order.

A ``WorkUnit`` is independent of every other: one input, a group of small files, or a ``Slice``
of whole records of one large JSON lines or CSV file (``plan_units``). ``run_unit`` reads,
extracts, cleans, enriches and saves its articles (``archive.ingest.ingest_input``, the same
code as a single ingest) and returns what it did (``UnitDone``): one ``InputResult`` per article
or failure, and the saved articles for the index. Units run in worker processes (``run_batch``:
a local process pool, one worker per core), or in Dask workers (``scripts.cluster``), or inline
for small batches; results are handed on in the order of the units, so the report is the same
whichever ran them.

Saving goes through ``Store.save`` in the worker, which takes the home's write lock for the
decision "which article is this, and where is its file" and the write, so two workers never
write two files for one id. The index is the caller's: ``run_batch`` calls ``index`` with the
saved articles in large batches (never per article).

Resumable: when a unit whose inputs are files is done, ``<home>/.ingest/<key>.json`` records its
results and the hash of every file it wrote (``key``: the inputs' paths, sizes and modification
times, the slice, and the options). A later run finds the marker, checks the files are as
written, and reports the unit ``unchanged`` without reading or extracting it again; articles of
such a unit that the index lacks (a run killed before its index update) are read back from their
files and indexed. Units with a failure that may pass another time (a time limit, an unexpected
error, a fetch) get no marker.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import secrets
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from archive.article import Article
from archive.errors import InputError, NewsarchiveError
from archive.ingest import MAX_INPUT_BYTES, guess_format, ingest_input, is_url
from archive.store import Store, atomic_write_text, read_article
from archive.types import IngestOptions, InputResult

#: bump when what a unit produces changes, so completion markers of older code are not trusted
PIPELINE_VERSION = 1
#: records per slice of a large JSON lines or CSV file
SLICE_RECORDS = 500
#: files per unit, by shape (extraction of a page costs ~30 ms; a Markdown file ~1 ms)
GROUP_FILES = {"html": 4, "markdown": 64, "text": 32, "feed": 1, "json": 1, "warc": 1}
#: estimated seconds per record, by shape, to decide whether worker processes pay off
COST = {"html": 0.03, "warc": 0.03, "feed": 0.3}
#: a batch estimated to take less than this runs inline (no worker processes)
PARALLEL_MIN_SECONDS = 1.0
#: the index is updated with this many saved articles at a time (and at the end)
INDEX_BATCH = 5000
#: ... or when this many seconds passed since the last update, so a long batch is searchable
INDEX_INTERVAL = 10.0
#: where completion markers live, under the home
MARKERS = ".ingest"
#: failures that another run may not repeat: their unit gets no completion marker
TRANSIENT = ("took longer than", "unexpected error", "worker process")


@dataclass(frozen=True)
class WorkUnit:
    """One independent piece of a batch (module docstring)."""

    #: the inputs: files, URLs, or ``-``; a slice has one file
    inputs: tuple[str, ...]
    #: for a slice: ``jsonl`` or ``csv``, its bounds and the CSV header
    shape: str | None = None
    piece: Any = None  # archive.importers.bulk.Slice
    header: tuple[str, ...] | None = None
    #: records it holds (an estimate for pages of a WARC or a feed), for the progress bar
    records: int = 1
    #: the completion-marker key (``None``: never marked, e.g. URLs and stdin)
    key: str | None = None
    #: estimated seconds of work
    cost: float = 0.002

    @property
    def label(self) -> str:
        if self.piece is not None:
            return f"{self.inputs[0]} records {self.piece.first}-{self.piece.first + self.piece.records - 1}"
        return self.inputs[0] if len(self.inputs) == 1 else f"{self.inputs[0]} (+{len(self.inputs) - 1} files)"


@dataclass
class UnitDone:
    """What a unit did: its results in input order, and the saved articles for the index."""

    results: list[InputResult] = field(default_factory=list)
    saved: list[tuple[Path, Article]] = field(default_factory=list)
    #: records read (the progress bar's count)
    records: int = 0
    #: true when it was answered from a completion marker
    resumed: bool = False


# ---------------------------------------------------------------------------------- planning --

def plan_units(items: Sequence[str], options: IngestOptions, *,
               slice_records: int = SLICE_RECORDS) -> list[WorkUnit]:
    """The units of work for expanded inputs, in input order (``slice_records`` records per
    slice of a JSON lines or CSV file)."""
    units: list[WorkUnit] = []
    group: list[str] = []
    group_shape: str | None = None
    fingerprint = _options_fingerprint(options)

    def close_group() -> None:
        nonlocal group, group_shape
        if group:
            units.append(WorkUnit(tuple(group), records=len(group),
                                  key=_key(fingerprint, [_stat_key(p) for p in group]),
                                  cost=COST.get(group_shape or "", 0.002) * len(group)))
        group, group_shape = [], None

    for item in items:
        if item == "-" or is_url(item):
            close_group()
            units.append(WorkUnit((item,), cost=COST["feed"] if options.feed else COST["html"]))
            continue
        path = Path(item)
        shape = options.format if options.format != "auto" else guess_format(item, _head(path))
        try:
            size = path.stat().st_size
        except OSError:
            size = 0
        if shape in ("jsonl", "csv") and path.is_file():
            close_group()
            units.extend(_slices(path, shape, size, fingerprint, slice_records))
            continue
        if shape in ("warc", "json", "feed", "jsonl", "csv") or GROUP_FILES.get(shape, 1) == 1:
            close_group()
            pages = max(1, size // 40_000) if shape == "warc" else 1
            units.append(WorkUnit((item,), records=pages, key=_key(fingerprint, [_stat_key(item)]),
                                  cost=COST.get(shape, 0.002) * pages))
            continue
        if group and (group_shape != shape or len(group) >= GROUP_FILES.get(shape, 32)):
            close_group()
        group.append(item)
        group_shape = shape
    close_group()
    return units


def _slices(path: Path, shape: str, size: int, fingerprint: str, slice_records: int) -> list[WorkUnit]:
    from archive.importers import bulk

    if size > MAX_INPUT_BYTES.get(shape, size):
        return [WorkUnit((str(path),))]  # the importer says why
    try:
        with path.open("rb") as stream:
            header = bulk.read_csv_header(stream, str(path)) if shape == "csv" else None
            pieces = list(bulk.slice_records(stream, shape, slice_records, name=str(path)))
    except (OSError, NewsarchiveError):
        pieces = []
    if not pieces:  # empty, unreadable, no header: the importer says why
        return [WorkUnit((str(path),))]
    stat = _stat_key(str(path))
    return [WorkUnit((str(path),), shape=shape, piece=piece, header=header, records=piece.records,
                     key=_key(fingerprint, [stat, [piece.start, piece.stop]]), cost=0.002 * piece.records)
            for piece in pieces]


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(4096)
    except OSError:
        return b""


def _stat_key(item: str) -> list[Any]:
    try:
        stat = os.stat(item)
    except OSError:
        return [os.path.abspath(item), None, None]
    return [os.path.abspath(item), stat.st_size, stat.st_mtime_ns]


def _options_fingerprint(options: IngestOptions) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        code = version("newsarchive")
    except PackageNotFoundError:  # pragma: no cover - run from a checkout
        code = "dev"
    try:
        extractor = version("trafilatura")
    except PackageNotFoundError:  # pragma: no cover
        extractor = "?"
    said = {
        "source": options.source, "date": str(options.date), "year": options.year,
        "tags": list(options.tags), "format": options.format, "feed": options.feed,
        "mapping": dict(options.mapping),
        "values": {k: dict(v) for k, v in options.value_mapping.items()},
        "code": [PIPELINE_VERSION, code, extractor],
    }
    return json.dumps(said, sort_keys=True)


def _key(fingerprint: str, parts: list[Any]) -> str:
    return hashlib.sha256(json.dumps([fingerprint, parts]).encode()).hexdigest()[:32]


# ----------------------------------------------------------------------------- one unit --

@dataclass(frozen=True)
class UnitContext:
    """What every unit of a batch shares: the home, the options and how to open the store
    (a module-level function, so worker processes can be given it)."""

    home: Path
    options: IngestOptions
    open_store: Callable[[Path], Store] = Store
    #: tells one batch from the next in a process that runs several (tests, a server)
    batch: str = field(default_factory=lambda: secrets.token_hex(8))


_STORES: dict[str, Store] = {}


def _store(context: UnitContext) -> Store:
    """One store per process and batch (its caches last the batch, not longer)."""
    if context.batch not in _STORES:
        close_stores()
        _STORES[context.batch] = context.open_store(context.home)
    return _STORES[context.batch]


def close_stores() -> None:
    """Let go of the stores this process opened (their index searchers)."""
    for store in _STORES.values():
        close = getattr(store, "close", None)
        if close is not None:
            close()
    _STORES.clear()


def run_unit(unit: WorkUnit, context: UnitContext) -> UnitDone:
    """Read, extract, clean, enrich and save one unit's articles (in a worker, or inline)."""
    store = _store(context)
    done = UnitDone()
    for item, drafts in _unit_inputs(unit, context.options, done):
        for result, saved in ingest_input(item, store, context.options, drafts):
            done.results.append(result)
            if saved is not None and saved.status != "unchanged":
                done.saved.append((saved.path, saved.article))
    done.records = max(done.records, len(done.results))
    if unit.key is not None and not any(_transient(r) for r in done.results):
        _write_marker(context.home, unit, done)
    return done


def _unit_inputs(unit: WorkUnit, options: IngestOptions, done: UnitDone) -> Iterator[tuple[str, Any]]:
    """``(input, drafts or None)`` for each input of the unit (``None``: the input is read by
    ``ingest_input`` itself)."""
    if unit.piece is None:
        for item in unit.inputs:
            yield item, None
        return
    from archive.importers import bulk

    path = unit.inputs[0]
    try:
        records = bulk.slice_labelled(Path(path), unit.shape or "jsonl", unit.piece, unit.header)
    except OSError as exc:
        done.results.append(InputResult(path, "failed", error=f"cannot read the file: {exc.strerror}"))
        return
    done.records = len(records)
    yield path, list(bulk.convert_records(records, options))


def _transient(result: InputResult) -> bool:
    return result.status == "failed" and any(t in (result.error or "") for t in TRANSIENT)


# ----------------------------------------------------------------------- completion markers --

def _marker_path(home: Path, key: str) -> Path:
    return home / MARKERS / key[:2] / f"{key}.json"


def _file_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _write_marker(home: Path, unit: WorkUnit, done: UnitDone) -> None:
    files = {r.path: _file_hash(Path(r.path)) for r in done.results if r.path}
    marker = {"unit": unit.label, "results": [r.to_dict() for r in done.results], "files": files,
              "records": done.records}
    try:
        atomic_write_text(_marker_path(home, unit.key or ""), json.dumps(marker, ensure_ascii=False))
    except OSError:
        pass  # no marker: the unit is simply done again next time


def resumed_unit(home: Path, unit: WorkUnit) -> UnitDone | None:
    """The unit's results from its completion marker, when every file it wrote is still as it
    wrote it; ``None`` when it must run."""
    if unit.key is None:
        return None
    try:
        marker = json.loads(_marker_path(home, unit.key).read_text(encoding="utf-8"))
        results = [InputResult(**r) for r in marker["results"]]
        files = marker["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    for path, digest in files.items():
        if digest is None or _file_hash(Path(path)) != digest:
            return None
    done = UnitDone(resumed=True, records=int(marker.get("records") or len(results)))
    for result in results:
        if result.status in ("created", "updated"):
            result = InputResult(result.input, "unchanged", id=result.id, path=result.path,
                                 title=result.title)
        done.results.append(result)
    return done


# ------------------------------------------------------------------------------ the batch --

#: ``index(items)``: add or replace these saved articles in the search index
IndexFunction = Callable[[list[tuple[Path, Article]]], None]
#: ``missing(results)``: the results of unchanged articles whose file the index does not hold
MissingFunction = Callable[[list[InputResult]], list[InputResult]]


@dataclass
class BatchReport:
    """How the batch ran (for the summary and the benchmark)."""

    units: int = 0
    resumed: int = 0
    workers: int = 1
    records: int = 0
    seconds: float = 0.0


def run_batch(
    units: Sequence[WorkUnit],
    context: UnitContext,
    *,
    index: IndexFunction,
    missing: MissingFunction | None = None,
    workers: int | None = None,
    runner: Callable[..., Iterator[UnitDone]] | None = None,
    on_unit: Callable[[WorkUnit, UnitDone], None] | None = None,
    report: BatchReport | None = None,
) -> Iterator[InputResult]:
    """Run every unit (resumed ones answered from their markers), yield the results in unit
    order, and hand the saved articles to ``index`` in large batches. ``runner(todo, context)``
    runs the units that must run and yields their ``UnitDone`` in order (default: the local
    pool, or inline for a small batch)."""
    report = report if report is not None else BatchReport()
    started = time.monotonic()
    report.units = len(units)
    resumed = {n: d for n, u in enumerate(units) if (d := resumed_unit(context.home, u)) is not None}
    report.resumed = len(resumed)
    todo = [u for n, u in enumerate(units) if n not in resumed]
    if runner is None:
        report.workers = choose_workers(todo, workers)
        runner = local_runner(report.workers)
    else:
        report.workers = 0  # the runner's own (a cluster's workers)
    pending: list[tuple[Path, Article]] = []
    last_index = time.monotonic()
    ran = runner(todo, context)
    for number, unit in enumerate(units):
        done = resumed[number] if number in resumed else next(ran)
        if missing is not None:  # unchanged files the index may lack (a run killed before it)
            kept = [r for r in done.results if r.path and r.status == "unchanged"]
            if kept:
                pending.extend(_read_back(missing(kept)))
        pending.extend(done.saved)
        report.records += done.records
        if on_unit is not None:
            on_unit(unit, done)
        yield from done.results
        if len(pending) >= INDEX_BATCH or (pending and time.monotonic() - last_index >= INDEX_INTERVAL):
            batch, pending = pending, []
            index(batch)
            last_index = time.monotonic()
    close_stores()  # before the index is written: no searcher of ours holds the old files
    if pending:
        index(pending)
    report.seconds = time.monotonic() - started


def _read_back(results: list[InputResult]) -> list[tuple[Path, Article]]:
    """The saved articles of resumed results, read from their files (no extraction)."""
    items = []
    for result in results:
        try:
            items.append((Path(result.path or ""), read_article(Path(result.path or ""))))
        except (InputError, NewsarchiveError):
            continue  # gone or broken since: `newsarchive verify` reports it
    return items


def choose_workers(units: Sequence[WorkUnit], workers: int | None) -> int:
    """Worker processes for these units: every core (or ``workers``), one when the work is small."""
    cores = workers or os.cpu_count() or 1
    if cores <= 1 or len(units) < 2 or sum(u.cost for u in units) < PARALLEL_MIN_SECONDS:
        return 1
    return min(cores, len(units))


def local_runner(workers: int) -> Callable[[Sequence[WorkUnit], UnitContext], Iterator[UnitDone]]:
    def run(units: Sequence[WorkUnit], context: UnitContext) -> Iterator[UnitDone]:
        if workers <= 1:
            return (run_unit(u, context) for u in units)
        return _pooled(units, context, workers)
    return run


def _mp_context() -> multiprocessing.context.BaseContext:
    """``fork`` is cheapest (nothing imported again) but unsafe once threads run; then spawn."""
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _pooled(units: Sequence[WorkUnit], context: UnitContext, workers: int) -> Iterator[UnitDone]:
    """Run units in ``workers`` processes, a few ahead, yielding results in order. A worker
    that dies (killed, out of memory) breaks the pool: the units in flight are run again one at
    a time in a fresh pool, and a unit that kills its worker alone fails, its inputs named."""
    window = workers * 2
    pool = _new_pool(workers)
    futures: dict[int, Future] = {}
    next_submit = 0
    try:
        for number in range(len(units)):
            while next_submit < len(units) and next_submit < number + window:
                futures[next_submit] = pool.submit(run_unit, units[next_submit], context)
                next_submit += 1
            try:
                done = futures.pop(number).result()
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                done = _alone(units[number], context)
                pool = _new_pool(workers)
                for later, future in list(futures.items()):  # the others in flight run again
                    if future.cancelled() or not future.done() or future.exception() is not None:
                        futures[later] = pool.submit(run_unit, units[later], context)
            yield done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _new_pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(), initializer=_worker_init)


def _worker_init() -> None:
    """Ask Linux to end the worker when the ingest that started it dies."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _alone(unit: WorkUnit, context: UnitContext) -> UnitDone:
    """Run one unit in a pool of its own; if its worker dies again, the unit fails."""
    with ProcessPoolExecutor(max_workers=1, mp_context=_mp_context(), initializer=_worker_init) as pool:
        try:
            return pool.submit(run_unit, unit, context).result()
        except BrokenProcessPool:
            return UnitDone(results=[
                InputResult(item, "failed", error="the worker process died while ingesting this "
                                                  "input (out of memory, or killed)")
                for item in ([unit.label] if unit.piece is not None else unit.inputs)])


def to_dict(report: BatchReport) -> dict[str, Any]:
    return asdict(report)
