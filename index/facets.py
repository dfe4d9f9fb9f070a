"""Per-document value arrays (numpy) and the sets of matching documents, for counting fast.

Whoosh hands out matching documents one Python call at a time (about 2 us each); its posting
readers, though, decode a block of 128 ids at once. This module reads postings block by block into
numpy arrays and keeps, for every document of an index snapshot:

- facet ordinals (``source``, ``category``, ``sentiment``, ``lang``): one int32 per document,
  ``-1`` when it has none; ``tags`` and ``tickers`` as (document, value) pairs, CSR-style;
- ``published`` (the publisher's local wall time: its days), ``published_utc`` (the instant:
  order), ``ingested`` / ``deleted`` as int64 (Whoosh's microseconds since year 1), the
  ``draft`` flag, the article id of each document and Whoosh's own deletions (``live``).

The arrays are built per segment (a Whoosh segment never changes once written, apart from its
deletions) and cached by segment id, so an ingest that adds a small segment only reads that
segment. ``View`` joins the segments of one searcher; ``match_mask`` turns a Whoosh query into a
boolean array over documents (AND/OR/NOT as numpy operations), which facet counts, the histogram,
date sorting and the fingerprint all use without touching a hit object.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.columns import NumericColumn
from whoosh.fields import NUMERIC
from whoosh.reading import TermNotFound
from whoosh.util.times import datetime_to_long

from index.postings import decode_positions, doc_frequency, read_term

#: facets with one value per document
SINGLE_FACETS = ("source", "category", "sentiment", "lang")
#: facets with any number of values per document
MULTI_FACETS = ("tags", "tickers")
#: Whoosh's sortable DATETIME default for a document without the field
MISSING = np.iinfo(np.int64).max
_DAY_US = 86_400_000_000
_EMPTY = np.zeros(0, dtype=np.int64)
_EMPTY_F = np.zeros(0, dtype=np.float64)
#: fields whose words rank hits (their per-document lengths are kept for BM25F)
SCORED_FIELDS = ("title", "description", "body", "author")
#: facet counts read the document numbers of a mask instead of the whole per-document array
#: when the mask has fewer than one document in ``SPARSE_SHARE`` (and at least this many bits)
SPARSE_FROM = 4096
SPARSE_SHARE = 8
#: Whoosh's BM25F defaults
BM25_B = 0.75
BM25_K1 = 1.2


def to_long(value: datetime | date) -> int:
    """An instant or a day (its midnight, UTC) as Whoosh stores it: microseconds since year 1."""
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return datetime_to_long(value)


def long_to_ordinal(values: np.ndarray) -> np.ndarray:
    """Whoosh datetimes -> ``date.toordinal()`` day numbers."""
    return values // _DAY_US + 1


# --------------------------------------------------------------------------------- postings --

def term_docnums(reader: Any, fieldname: str, tbytes: bytes) -> np.ndarray:
    """The (segment-local, sorted) document numbers of one term, deleted documents included."""
    return term_postings(reader, fieldname, tbytes, weights=False)[0]


def term_postings(reader: Any, fieldname: str, tbytes: bytes, *, weights: bool = True
                  ) -> tuple[np.ndarray, np.ndarray | None]:
    """Document numbers and (with ``weights``) the posting weights (term frequency times the
    field boost) of one term in one segment, deleted documents included.

    W3 segments are decoded a term at a time by ``index.postings.read_term``; other codecs fall
    back to Whoosh's one-id-at-a-time matcher."""
    found = read_term(reader, fieldname, tbytes)
    if found is not None:
        return found.docs, (found.weights if weights else None)
    try:
        return _one_at_a_time(reader.postings(fieldname, tbytes), weights)
    except TermNotFound:
        return _EMPTY, (_EMPTY_F if weights else None)


def _one_at_a_time(matcher: Any, weights: bool) -> tuple[np.ndarray, np.ndarray | None]:
    ids: list[int] = []
    found: list[float] = []
    while matcher.is_active():
        ids.append(matcher.id())
        if weights:
            found.append(matcher.weight())
        matcher.next()
    return (np.asarray(ids, dtype=np.int64),
            np.asarray(found, dtype=np.float64) if weights else None)


def _field_terms(reader: Any, fieldname: str):
    """(term bytes, first doc, doc frequency) of every term of a field, straight from the term
    index (no posting is read for terms in a single document)."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "items_from"):
        for tbytes in reader.lexicon(fieldname):
            docs = term_docnums(reader, fieldname, tbytes)
            yield tbytes, (int(docs[0]) if len(docs) else -1), len(docs)
        return
    for (name, tbytes), info in terms.items_from(fieldname, b""):
        if name != fieldname:
            break
        yield tbytes, info.min_id(), info.doc_frequency()


# ----------------------------------------------------------------------------- per segment --

@dataclass
class Facet:
    """One facet over some documents: ``values`` (index terms), ``labels`` (display), ``ords``
    (per document, or per pair for a multi-valued facet) and, for those, the document of each pair."""

    values: list[str]
    labels: list[str]
    ords: np.ndarray
    docs: np.ndarray | None = None
    _by_doc: tuple[np.ndarray, np.ndarray] | None = None

    def by_doc(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """For pairs (tags): ``(indptr, ords)`` with the ordinals of document ``d`` at
        ``ords[indptr[d]:indptr[d + 1]]`` (built on first use, once per view)."""
        if self._by_doc is None:
            order = np.argsort(self.docs, kind="stable")
            indptr = np.zeros(size + 1, dtype=np.int64)
            np.cumsum(np.bincount(self.docs, minlength=size), out=indptr[1:])
            self._by_doc = (indptr, self.ords[order])
        return self._by_doc


@dataclass
class SegmentColumns:
    size: int
    ids: np.ndarray  # object: the article id of each document ("" if none)
    published: np.ndarray
    published_utc: np.ndarray
    ingested: np.ndarray
    deleted: np.ndarray
    draft: np.ndarray
    facets: dict[str, Facet]
    #: field -> Whoosh's one-byte length code per document (decoded with ``LENGTH_OF_BYTE``)
    lengths: dict[str, np.ndarray] = field(default_factory=dict)


def read_segment(reader: Any) -> SegmentColumns:
    """All arrays of one segment (or of any atomic reader)."""
    size = reader.doc_count_all()
    ids = np.full(size, "", dtype=object)
    for tbytes, first, freq in _field_terms(reader, "id"):
        docs = [first] if freq == 1 else term_docnums(reader, "id", tbytes)
        ids[docs] = tbytes.decode("utf-8")
    facets: dict[str, Facet] = {}
    for name in SINGLE_FACETS:
        ords = np.full(size, -1, dtype=np.int32)
        values: list[str] = []
        labels: list[str] = []
        for tbytes, first, freq in _field_terms(reader, name):
            docs = [first] if freq == 1 else term_docnums(reader, name, tbytes)
            value = tbytes.decode("utf-8")
            ords[docs] = len(values)
            values.append(value)
            labels.append(_label(reader, name, value, int(docs[0])))
        facets[name] = Facet(values, labels, ords)
    for name in MULTI_FACETS:
        facets[name] = _multi_facet(reader, name)
    draft = np.zeros(size, dtype=bool)
    draft[term_docnums(reader, "draft", b"t")] = True
    return SegmentColumns(
        size=size,
        ids=ids,
        published=_numeric_column(reader, "published", size),
        published_utc=_numeric_column(reader, "published_utc", size),
        ingested=_numeric_column(reader, "ingested", size),
        deleted=_dates_from_terms(reader, "deleted", size),
        draft=draft,
        facets=facets,
        lengths={name: _length_bytes(reader, name, size) for name in SCORED_FIELDS},
    )


def _multi_facet(reader: Any, name: str) -> Facet:
    """A multi-valued facet of one segment: a (document, value) pair per posting."""
    pair_docs, pair_ords, values, labels = [], [], [], []
    for tbytes, first, freq in _field_terms(reader, name):
        docs = np.asarray([first], dtype=np.int64) if freq == 1 else term_docnums(reader, name, tbytes)
        value = tbytes.decode("utf-8")
        pair_docs.append(docs)
        pair_ords.append(np.full(len(docs), len(values), dtype=np.int32))
        values.append(value)
        labels.append(_label(reader, name, value, int(docs[0])))
    return Facet(
        values, labels,
        np.concatenate(pair_ords) if pair_ords else np.zeros(0, dtype=np.int32),
        (np.concatenate(pair_docs) if pair_docs else _EMPTY).astype(np.int32),
    )


def _length_bytes(reader: Any, fieldname: str, size: int) -> np.ndarray:
    """The per-document field length bytes of a segment, read in one piece."""
    perdoc = getattr(reader, "_perdoc", None)
    column = None
    if perdoc is not None and hasattr(perdoc, "_cached_reader"):
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if isinstance(column, NumericColumn.Reader) and column._typecode == "B":
        count = min(column._count, size)
        values = np.frombuffer(column._dbfile.get(column._basepos, count), dtype=np.uint8)
        if count < size:
            values = np.concatenate([values, np.zeros(size - count, dtype=np.uint8)])
        return values
    from whoosh.util.numeric import length_to_byte  # any other reader: one call per document
    return np.fromiter((length_to_byte(reader.doc_field_length(i, fieldname, 0) or 0)
                        for i in range(size)), dtype=np.uint8, count=size)


def _length_table() -> np.ndarray:
    from whoosh.util.numeric import byte_to_length

    return np.asarray([byte_to_length(i) for i in range(256)], dtype=np.float64)


#: one-byte length code -> field length
LENGTH_OF_BYTE = _length_table()


def _label(reader: Any, name: str, value: str, docnum: int) -> str:
    """How a facet value is shown: the source's display name, a tag as the files write it..."""
    try:
        stored = reader.stored_fields(docnum)
    except Exception:  # noqa: BLE001 - a missing stored document only costs the nicer label
        stored = {}
    if name == "source":
        return str(stored.get("source_name") or value)
    if name == "sentiment":
        return value.upper()
    if name == "lang":
        return value
    if name == "tags":
        raw = stored.get("tags") or ""
        items = raw.split(",") if isinstance(raw, str) else list(raw)
        for item in items:
            if item.strip().lower() == value:
                return item.strip()
        return value.upper()
    return value.upper()  # category: upper case, as the files write it (BTC, MARKET)


def _numeric_column(reader: Any, fieldname: str, size: int) -> np.ndarray:
    """A sortable numeric column read in one piece (Whoosh's reader unpacks one value a call)."""
    try:
        column = reader.column_reader(fieldname, translate=False)
    except Exception:  # noqa: BLE001 - no column in this segment: every value is missing
        return np.full(size, MISSING, dtype=np.int64)
    if isinstance(column, NumericColumn.Reader) and column._typecode in "qQ":
        count = min(column._count, size)
        data = column._dbfile.get(column._basepos, count * column._fixedlen)
        dtype = ">i8" if column._typecode == "q" else ">u8"
        raw = np.frombuffer(data, dtype=dtype)
        # a document without a value holds the typecode's maximum (2**64 - 1 for "Q", which
        # would read as -1): every "no value" is MISSING
        values = raw.astype(np.int64)
        values[raw == np.iinfo(dtype).max] = MISSING
        if count < size:
            values = np.concatenate([values, np.full(size - count, MISSING, dtype=np.int64)])
        return values
    return np.fromiter((min(int(column[i]), int(MISSING)) for i in range(size)), dtype=np.int64,
                       count=size)


def _dates_from_terms(reader: Any, fieldname: str, size: int) -> np.ndarray:
    """A non-sortable DATETIME field, from its full-precision terms (few documents have one)."""
    values = np.full(size, MISSING, dtype=np.int64)
    fieldobj = reader.schema[fieldname]
    try:
        terms = list(fieldobj.sortable_terms(reader, fieldname))
    except (TermNotFound, KeyError):
        return values
    for tbytes in terms:
        values[term_docnums(reader, fieldname, tbytes)] = NUMERIC.from_bytes(fieldobj, tbytes)
    return values


# -------------------------------------------------------------------------------- the view --

@dataclass
class View:
    """The arrays of one index snapshot (a searcher), joined over its segments."""

    size: int
    live: np.ndarray
    ids: np.ndarray
    #: rank of each document's id among all ids: a stable tie-break for date order
    id_rank: np.ndarray
    #: local wall time (days, ranges, histogram); ``published_utc``: the instant (order)
    published: np.ndarray
    published_utc: np.ndarray
    ingested: np.ndarray
    deleted: np.ndarray
    draft: np.ndarray
    facets: dict[str, Facet]
    #: facet -> value -> ordinal
    ordinal: dict[str, dict[str, int]]
    offsets: list[int]
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    _terms: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def visible(self, *, as_of: datetime | None, include_drafts: bool) -> np.ndarray:
        """Documents a search may show: live, not a draft (unless asked), not deleted; under
        ``as_of``, ingested by then and not deleted by then."""
        mask = self.live.copy()
        if not include_drafts:
            mask &= ~self.draft
        if as_of is None:
            mask &= self.deleted == MISSING
        else:
            instant = to_long(as_of)
            mask &= (self.ingested <= instant) & (self.deleted > instant)
        return mask

    def facet_mask(self, name: str, values: tuple[str, ...]) -> np.ndarray:
        """Documents with any of ``values`` (already normalised to index terms)."""
        facet = self.facets[name]
        ords = [self.ordinal[name][v] for v in values if v in self.ordinal[name]]
        mask = np.zeros(self.size, dtype=bool)
        if not ords:
            return mask
        if facet.docs is None:
            return np.isin(facet.ords, ords)
        mask[facet.docs[np.isin(facet.ords, ords)]] = True
        return mask

    def count(self, name: str, mask: np.ndarray) -> np.ndarray:
        """Documents in ``mask`` per value of a facet (one bincount over int arrays). A mask of
        few documents is counted from its document numbers (tags through ``Facet.by_doc``)
        rather than by reading the whole per-document array."""
        facet = self.facets[name]
        width = len(facet.values)
        docs = np.flatnonzero(mask) if len(mask) >= SPARSE_FROM else None
        if docs is not None and len(docs) * SPARSE_SHARE > len(mask):
            docs = None
        if facet.docs is None:
            ords = facet.ords[mask] if docs is None else facet.ords[docs]
            return np.bincount(ords + 1, minlength=width + 1)[1:]
        if docs is None:
            return np.bincount(facet.ords[mask[facet.docs]], minlength=width)
        indptr, by_doc = facet.by_doc(len(mask))
        starts = indptr[docs]
        lengths = indptr[docs + 1] - starts
        at = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))
        return np.bincount(by_doc[at], minlength=width)

    def postings(self, searcher: Any, fieldname: str, text: Any) -> tuple[np.ndarray, np.ndarray]:
        """Global document numbers and weights of a term over all segments, cached per view."""
        fieldobj = searcher.schema[fieldname]
        tbytes = text if isinstance(text, bytes) else fieldobj.to_bytes(text)

        def compute() -> tuple[np.ndarray, np.ndarray]:
            docs, weights = [], []
            for reader, offset in searcher.reader().leaf_readers():
                found, found_weights = term_postings(reader, fieldname, tbytes)
                if len(found):
                    docs.append(found + offset)
                    weights.append(found_weights)
            return (np.concatenate(docs), np.concatenate(weights)) if docs else (_EMPTY, _EMPTY_F)

        return self.cached((fieldname, tbytes), compute)

    def peek(self, key: tuple) -> Any:
        """The cached value of ``key``, or ``None`` (nothing is computed)."""
        with self._lock:
            return self._terms.get(key)

    def forget(self) -> None:
        """Drop every cached term and phrase (see ``cached``)."""
        with self._lock:
            self._terms.clear()

    def cached(self, key: tuple, compute: Any) -> Any:
        """``compute()`` once per view and key (the last 512 keys are kept): term postings and
        phrase matches, which paging and facet clicks ask for again and again."""
        with self._lock:
            hit = self._terms.get(key)
            if hit is not None:
                self._terms.move_to_end(key)
                return hit
        value = compute()
        with self._lock:
            self._terms[key] = value
            while len(self._terms) > 512:
                self._terms.popitem(last=False)
        return value


def join_segments(parts: list[tuple[SegmentColumns, np.ndarray]]) -> View:
    """One ``View`` from the segments (each with its live mask) in searcher order."""
    offsets, base = [], 0
    for seg, _ in parts:
        offsets.append(base)
        base += seg.size
    size = base

    def cat(name: str, dtype: Any) -> np.ndarray:
        arrays = [getattr(seg, name) for seg, _ in parts]
        return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)

    facets: dict[str, Facet] = {}
    ordinal: dict[str, dict[str, int]] = {}
    for name in (*SINGLE_FACETS, *MULTI_FACETS):
        label_of: dict[str, str] = {}
        for seg, _ in parts:
            for value, label in zip(seg.facets[name].values, seg.facets[name].labels):
                label_of.setdefault(value, label)
        values = sorted(label_of)
        index = {v: i for i, v in enumerate(values)}
        ords_parts, docs_parts = [], []
        for (seg, _), offset in zip(parts, offsets):
            f = seg.facets[name]
            remap = np.asarray([index[v] for v in f.values] + [-1], dtype=np.int32)
            ords_parts.append(remap[f.ords])  # -1 indexes the trailing -1
            if f.docs is not None:
                docs_parts.append(f.docs.astype(np.int32) + offset)
        ords = np.concatenate(ords_parts) if ords_parts else np.zeros(0, np.int32)
        docs = None
        if name in MULTI_FACETS:
            docs = np.concatenate(docs_parts) if docs_parts else np.zeros(0, np.int32)
        facets[name] = Facet(values, [label_of[v] for v in values], ords, docs)
        ordinal[name] = index
    ids = cat("ids", object)
    ingested = cat("ingested", np.int64)
    ingested = np.where(ingested == MISSING, 0, ingested)  # unknown: counts as always there
    id_rank = np.empty(size, dtype=np.int64)
    id_rank[np.argsort(ids, kind="stable")] = np.arange(size)
    return View(
        size=size,
        live=np.concatenate([live for _, live in parts]) if parts else np.zeros(0, bool),
        ids=ids,
        id_rank=id_rank,
        published=cat("published", np.int64),
        published_utc=cat("published_utc", np.int64),
        ingested=ingested,
        deleted=cat("deleted", np.int64),
        draft=cat("draft", bool),
        facets=facets,
        ordinal=ordinal,
        offsets=offsets,
        lengths={name: (np.concatenate([seg.lengths[name] for seg, _ in parts]) if parts
                        else np.zeros(0, np.uint8)) for name in SCORED_FIELDS},
    )


class ColumnCache:
    """Segment arrays by segment id, and the latest ``View`` per set of segments; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._segments: dict[str, SegmentColumns] = {}
        self._views: OrderedDict[tuple, View] = OrderedDict()

    def view_for(self, searcher: Any) -> View:
        leaves = list(searcher.reader().leaf_readers())
        key = tuple((_segment_key(r), len(_deleted(r))) for r, _ in leaves)
        with self._lock:
            view = self._views.get(key)
            if view is not None:
                return view
            parts = []
            for reader, _ in leaves:
                seg_key = _segment_key(reader)
                seg = self._segments.get(seg_key)
                if seg is None:
                    seg = read_segment(reader)
                    self._segments[seg_key] = seg
                live = np.ones(seg.size, dtype=bool)
                gone = _deleted(reader)
                if gone:
                    live[np.fromiter(gone, dtype=np.int64)] = False
                parts.append((seg, live))
            view = join_segments(parts)
            self._views[key] = view
            while len(self._views) > 4:
                self._views.popitem(last=False)
            wanted = {k for k, _ in key}
            for seg_key in [k for k in self._segments if k not in wanted and
                            not any(k in {s for s, _ in vk} for vk in self._views)]:
                del self._segments[seg_key]
            return view


def _segment_key(reader: Any) -> str:
    segment = getattr(reader, "_segment", None)
    return segment.segment_id() if segment is not None else f"reader-{id(reader)}"


def _deleted(reader: Any) -> frozenset:
    return getattr(reader, "deleted_docs_set", frozenset()) if reader.has_deletions() else frozenset()


# ------------------------------------------------------------------------- matching to masks --

def match_mask(q: wq.Query, searcher: Any, view: View) -> np.ndarray:
    """The documents ``q`` matches, as a boolean array (Whoosh deletions not yet removed)."""
    size = view.size

    def term(fieldname: str, text: Any) -> np.ndarray:
        docs, _ = view.postings(searcher, fieldname, text)
        mask = np.zeros(size, dtype=bool)
        mask[docs] = True
        return mask

    def walk(node: wq.Query) -> np.ndarray:
        if isinstance(node, wq.Every):
            return np.ones(size, dtype=bool)
        if node is wq.NullQuery or isinstance(node, type(wq.NullQuery)):
            return np.zeros(size, dtype=bool)
        if isinstance(node, wq.Term):
            return term(node.fieldname, node.text)
        if isinstance(node, wq.NumericRange) and node.fieldname in ("published", "ingested"):
            column = view.published if node.fieldname == "published" else view.ingested
            mask = column != MISSING
            if node.start is not None:
                mask &= (column > node.start) if node.startexcl else (column >= node.start)
            if node.end is not None:
                mask &= (column < node.end) if node.endexcl else (column <= node.end)
            return mask
        if isinstance(node, wq.AndNot):
            return walk(node.a) & ~walk(node.b)
        if isinstance(node, wq.AndMaybe):
            return walk(node.a)
        if isinstance(node, wq.Require):
            return walk(node.a) & walk(node.b)
        if isinstance(node, wq.Not):
            return ~walk(node.query)
        if isinstance(node, wq.And):
            out = walk(node.subqueries[0])
            for sub in node.subqueries[1:]:
                if not out.any():
                    break
                out &= walk(sub)
            return out
        if isinstance(node, wq.Or) and not node.minmatch:
            out = np.zeros(size, dtype=bool)
            for sub in node.subqueries:
                out |= walk(sub)
            return out
        if isinstance(node, wq.Phrase):
            if len(node.words) < 2 or not searcher.schema[node.fieldname].format.supports("positions"):
                out = np.ones(size, dtype=bool)
                for word in node.words:
                    out &= term(node.fieldname, word)
                if len(node.words) < 2:
                    return out
                return out & _matcher_mask(node, searcher, size)
            key = ("phrase", node.fieldname, tuple(node.words), node.slop)
            docs = view.cached(key, lambda: phrase_docs(searcher, view, node))
            mask = np.zeros(size, dtype=bool)
            mask[docs] = True
            return mask
        # anything else (other ranges): Whoosh's matcher, one id at a time
        return _matcher_mask(node, searcher, size)

    return walk(q)


def _matcher_mask(node: wq.Query, searcher: Any, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    matcher = node.matcher(searcher)
    ids = np.fromiter(matcher.all_ids(), dtype=np.int64) if matcher.is_active() else _EMPTY
    mask[ids] = True
    return mask


def phrase_docs(searcher: Any, view: View, node: wq.Phrase) -> np.ndarray:
    """The (global, sorted) documents where the phrase's words follow each other within
    ``slop`` positions, in order: what Whoosh's ``SpanNear2`` checks, on arrays.

    Per segment, the rarest word's postings are read whole; each other word's, rarest first,
    only in the blocks that can hold a document still a candidate (so a rare word next to a
    common one decompresses a few blocks of the common one). The candidates' positions (only
    the blocks holding them are unpickled) become ``document << 32 | position`` keys, and the
    keys of word ``i`` 1..``slop`` after a surviving key of word ``i - 1`` survive."""
    fieldobj = searcher.schema[node.fieldname]
    slop = max(1, node.slop)
    words = [fieldobj.to_bytes(w) for w in node.words]
    out = []
    for reader, offset in searcher.reader().leaf_readers():
        by_rarity = sorted(dict.fromkeys(words), key=lambda tb: doc_frequency(reader, node.fieldname, tb))
        read: dict[bytes, Any] = {}
        candidates = None
        for tb in by_rarity:
            found = read_term(reader, node.fieldname, tb, values=True, within=candidates)
            if found is None:
                break
            read[tb] = found
            candidates = found.docs if candidates is None else \
                np.intersect1d(candidates, found.docs, assume_unique=True)
            if not len(candidates):
                break
        if len(read) < len(by_rarity) and (candidates is None or len(candidates)):
            # not a W3 segment: Whoosh's matchers
            out.append(_phrase_by_matchers(reader, node, words, fieldobj, slop) + offset)
            continue
        if candidates is None or not len(candidates):
            continue
        current = None
        for tb in words:
            p = read[tb]
            chosen = np.flatnonzero(np.isin(p.docs, candidates, assume_unique=True))
            counts, positions = decode_positions(p.values_at(chosen), fieldobj.format)
            keys = (np.repeat(p.docs[chosen], counts) << 32) | positions
            current = keys if current is None else _following(current, keys, slop)
            if not len(current):
                break
        if current is not None and len(current):
            out.append(np.unique(current >> 32) + offset)
    return np.concatenate(out) if out else _EMPTY


def _following(current: np.ndarray, keys: np.ndarray, slop: int) -> np.ndarray:
    """The ``keys`` that are 1..``slop`` positions after one of ``current`` (same document)."""
    if slop == 1:
        return keys[np.isin(keys - 1, current, assume_unique=True)]
    near = np.zeros(len(keys), dtype=bool)
    for gap in range(1, slop + 1):
        near |= np.isin(keys - gap, current)
    return keys[near]


def _phrase_by_matchers(reader: Any, node: wq.Phrase, words: list[bytes], fieldobj: Any,
                        slop: int) -> np.ndarray:
    """The same for a segment of another codec, through Whoosh's matchers."""
    current = None
    for tb in words:
        docs, positions = [], []
        try:
            matcher = reader.postings(node.fieldname, tb)
        except TermNotFound:
            return _EMPTY
        while matcher.is_active():
            found = list(matcher.value_as("positions"))
            docs.extend([matcher.id()] * len(found))
            positions.extend(found)
            matcher.next()
        keys = (np.asarray(docs, dtype=np.int64) << 32) | np.asarray(positions, dtype=np.int64)
        current = keys if current is None else _following(current, keys, slop)
        if not len(current):
            return _EMPTY
    return np.unique(current >> 32)


def histogram_days(view: View, mask: np.ndarray) -> np.ndarray:
    """Day ordinals of the published dates of the documents in ``mask``."""
    values = view.published[mask]
    values = values[values != MISSING]
    return long_to_ordinal(values)


def year_of_ordinals(ordinals: np.ndarray) -> np.ndarray:
    """Years of ``date.toordinal()`` day numbers, vectorised."""
    epoch = date(1970, 1, 1).toordinal()
    days = (ordinals - epoch).astype("datetime64[D]")
    return days.astype("datetime64[Y]").astype(np.int64) + 1970


def bm25_scores(searcher: Any, view: View, terms: list[tuple[str, str, float]],
                within: np.ndarray | None = None) -> np.ndarray:
    """Whoosh's BM25F score of every document for the (field, word, boost) terms, as an array:
    the same formula, idf and average lengths as ``whoosh.scoring.BM25F``, summed over terms,
    computed from posting blocks instead of one matcher call per document.

    With ``within`` (a mask), only those documents' scores are wanted: a term whose postings
    the view has not cached is then read only in the blocks holding one of them (its document
    frequency, for the idf, comes from the term index)."""
    scores = np.zeros(view.size, dtype=np.float64)
    total = searcher.doc_count_all()
    for fieldname, text, boost in terms:
        if fieldname not in view.lengths:
            continue
        fieldobj = searcher.schema[fieldname]
        tbytes = text if isinstance(text, bytes) else fieldobj.to_bytes(text)
        found = None if within is None else view.peek((fieldname, tbytes))
        if within is None or found is not None:
            docs, weights = found or view.postings(searcher, fieldname, text)
            frequency = len(docs)
        else:
            docs, weights, frequency = _postings_within(searcher, fieldname, tbytes, within)
        if not len(docs):
            continue
        idf = np.log(total / (frequency + 1)) + 1
        average = searcher.avg_field_length(fieldname) or 1
        lengths = LENGTH_OF_BYTE[view.lengths[fieldname][docs]]
        norm = BM25_K1 * ((1 - BM25_B) + BM25_B * lengths / average)
        scores[docs] += boost * idf * (weights * (BM25_K1 + 1)) / (weights + norm)
    return scores


def _postings_within(searcher: Any, fieldname: str, tbytes: bytes, within: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, int]:
    """(global docs, weights) of a term read only in the blocks holding a document of
    ``within``, and the term's document frequency over all segments."""
    docs, weights, frequency = [], [], 0
    for reader, offset in searcher.reader().leaf_readers():
        size = reader.doc_count_all()
        frequency += doc_frequency(reader, fieldname, tbytes)
        local = np.flatnonzero(within[offset:offset + size])
        found = read_term(reader, fieldname, tbytes, within=local)
        if found is None:
            found_docs, found_weights = term_postings(reader, fieldname, tbytes)
        else:
            found_docs, found_weights = found.docs, found.weights
        if len(found_docs):
            docs.append(found_docs + offset)
            weights.append(found_weights)
    if not docs:
        return _EMPTY, _EMPTY_F, frequency
    return np.concatenate(docs), np.concatenate(weights), frequency
