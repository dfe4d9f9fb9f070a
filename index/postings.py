"""Posting lists of Whoosh's W3 codec, decoded a whole term at a time into numpy arrays.

Whoosh reads postings through ``W3LeafMatcher``: one Python call per document for ids, weights
and positions. Its file format is simple, though, and this module reads it directly:

- a term's postings are either inline in its term entry (a pickled ``(ids, weights, values)``
  tuple), or a run of blocks in the postings file starting with the 4-byte magic ``W3Bl``;
- each block is a signed big-endian int32 length (negative for the last block), a pickled info
  tuple ``(count, max id, max weight, compression, min length, max length)``, then the block's
  data: a pickled ``(ids, weights, values)`` tuple, zlib-compressed when ``compression`` > 0.
  ``ids`` are delta-encoded within the block (the first one absolute); ``weights`` is ``None``
  (all 1.0), one float (all the same) or a tuple; ``values`` holds each posting's encoded
  positions;
- an encoded position list (``whoosh.formats.Positions.encode``) is the number of positions as a
  big-endian uint32, then a pickle (protocol 2) of the list of position deltas:
  ``\\x80\\x02 ] q\\x00`` then ``K<b>``/``M<2b>``/``J<4b>`` per delta (after a ``(`` mark when
  there are several) and ``a``/``e``, ``.``.

``read_term`` reads every block of a term with one file read, unpickles each (C speed) and joins
ids and weights into arrays with a handful of numpy calls; ``decode_positions`` parses the
positions of many postings at once with numpy, one pass per position index instead of one
``pickle.loads`` per posting (a list it does not recognise goes through Whoosh's own decoder).
Every W3 segment is read this way, whoever wrote it (Whoosh's writer or ``index.bulkwriter``,
which writes the same format); ``read_term`` returns ``None`` for another codec, and callers
fall back to Whoosh's matchers.
"""

from __future__ import annotations

import io
import pickle
import zlib
from dataclasses import dataclass
from itertools import chain, repeat
from typing import Any, Sequence

import numpy as np
from whoosh.reading import TermNotFound

_MAGIC = b"W3Bl"
_EMPTY_IDS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)
#: the bytes every encoded position list has after its count: ``\x80\x02`` ``]`` ``q\x00``
_LIST_HEAD = np.frombuffer(b"\x80\x02]q\x00", dtype=np.uint8)
_K, _M, _J = ord("K"), ord("M"), ord("J")
_APPEND, _APPENDS, _MARK = ord("a"), ord("e"), ord("(")
_TUPLE, _BINPUT, _BINFLOAT, _NONE = ord("t"), ord("q"), ord("G"), ord("N")


@dataclass
class Postings:
    """One term in one segment: sorted document numbers, their weights (term frequency times
    the field boost) and, when asked for (``read_term(..., values=True)``), what ``values_at``
    needs to give the encoded positions of some of the postings: the inline values, or the
    unpickled-to-be blocks and the index of each block's first posting."""

    docs: np.ndarray
    weights: np.ndarray
    values: Sequence[bytes] | None = None
    blocks: list[bytes] | None = None
    block_starts: np.ndarray | None = None

    def values_at(self, indices: np.ndarray) -> list[bytes]:
        """The encoded positions of the postings at ``indices`` (sorted); only the blocks that
        hold them are unpickled."""
        if self.values is not None:
            return [self.values[i] for i in indices.tolist()]
        if self.blocks is None or self.block_starts is None:
            raise ValueError("these postings were read without their values")
        which = np.searchsorted(self.block_starts, indices, side="right") - 1
        out: list[bytes] = []
        current, values = -1, ()
        for block, i in zip(which.tolist(), indices.tolist()):
            if block != current:
                current = block
                values = pickle.loads(self.blocks[block])[2]
            out.append(values[i - int(self.block_starts[block])])
        return out


EMPTY = Postings(_EMPTY_IDS, _EMPTY_WEIGHTS, ())


def read_term(reader: Any, fieldname: str, tbytes: bytes, *, values: bool = False,
              within: np.ndarray | None = None) -> Postings | None:
    """The postings of one term in one segment (deleted documents included); ``EMPTY`` for an
    unknown term; ``None`` when the segment is not in the W3 format this module reads. With
    ``values``, the result can also give positions (``values_at``). With ``within`` (sorted
    document numbers), only the blocks whose id range holds one of them are decompressed and
    read: the result then holds every posting of ``within`` and others besides."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "term_info") or not hasattr(terms, "_postfile"):
        return None
    try:
        info = terms.term_info(fieldname, tbytes)
    except (TermNotFound, KeyError):
        return EMPTY
    if info.is_inlined():
        ids, weights, vals = info.inlined_postings()
        return Postings(np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64),
                        vals if values else None)
    if within is not None and not len(within):
        return EMPTY
    if not hasattr(info, "extent"):
        return None
    offset, length = info.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps struct.unpack's 1-tuple
        length = length[0]
    data = terms._postfile.get(offset, length)
    if data[:4] != _MAGIC:
        return None
    return _read_blocks(data, values, within)


def doc_frequency(reader: Any, fieldname: str, tbytes: bytes) -> int:
    """How many documents of the segment hold the term (deleted ones included)."""
    try:
        return reader._terms.term_info(fieldname, tbytes).doc_frequency()
    except (TermNotFound, KeyError, AttributeError):
        try:
            return reader.doc_frequency(fieldname, tbytes)
        except TermNotFound:
            return 0


#: from this many blocks on, a term's full blocks are parsed with numpy (see ``_parse_full_blocks``)
VECTOR_BLOCKS = 4


def _read_blocks(data: bytes, want_values: bool, within: np.ndarray | None = None) -> Postings:
    stream = io.BytesIO(data)
    position = 4
    spans: list[tuple[int, int]] = []
    infos: list[tuple] = []
    while True:
        length = int.from_bytes(data[position:position + 4], "big", signed=True)
        position += 4
        end = position + abs(length)
        stream.seek(position)
        infos.append(pickle.load(stream))
        spans.append((stream.tell(), end))
        if length < 0 or end >= len(data):
            break
        position = end
    if within is not None:  # block b holds the ids after block b - 1's max id up to its own
        maxids = np.asarray([info[1] for info in infos], dtype=np.int64)
        upto = np.searchsorted(within, maxids, side="right")
        after = np.concatenate(([0], upto[:-1]))
        keep = np.flatnonzero(upto > after).tolist()
        if not keep:
            return EMPTY
        infos, spans = [infos[i] for i in keep], [spans[i] for i in keep]
    raws = [zlib.decompress(data[a:b]) if info[3] else data[a:b] for info, (a, b) in zip(infos, spans)]
    if len(raws) < VECTOR_BLOCKS:
        return _unpickled([pickle.loads(raw) for raw in raws], want_values)
    found = _parse_full_blocks(raws, infos)
    if want_values:
        found.blocks = raws
        found.block_starts = np.concatenate(([0], np.cumsum([info[0] for info in infos])[:-1]))
    return found


def _unpickled(blocks: list[tuple], want_values: bool) -> Postings:
    counts = [len(ids) for ids, _, _ in blocks]
    total = sum(counts)
    deltas = np.fromiter(chain.from_iterable(ids for ids, _, _ in blocks), dtype=np.int64, count=total)
    weights = []
    for (ids, found, _) in blocks:
        if found is None:
            weights.append(repeat(1.0, len(ids)))
        elif isinstance(found, float):
            weights.append(repeat(found, len(ids)))
        else:
            weights.append(found)
    return Postings(_running_sums(deltas, np.asarray(counts, dtype=np.int64)),
                    np.fromiter(chain.from_iterable(weights), dtype=np.float64, count=total),
                    list(chain.from_iterable(v for _, _, v in blocks)) if want_values else None)


def _parse_full_blocks(raws: list[bytes], infos: list[tuple]) -> Postings:
    """Ids and weights of a term's blocks without unpickling the positions.

    A block is ``\x80\x02`` ``(`` the id deltas ``t`` ``q\x00``, then the weights (``N``; ``G``
    and one big-endian double; or ``(`` a ``G`` double each ``t``), then the values. In a term
    found in more than one document in 256 (the terms whose postings cost), the deltas are
    mostly below 256: each is ``K`` and one byte, and a block of ``n`` postings has its ids at
    fixed offsets. All such blocks of the term (of the most common size) are read in one set of
    numpy operations, checked against the layout (every opcode where it must be, the last id equal
    to the block's max id from its info tuple); every other block is unpickled."""
    counts = np.asarray([info[0] for info in infos], dtype=np.int64)
    width = int(np.bincount(counts).argmax())
    sizes = np.fromiter(map(len, raws), dtype=np.int64, count=len(raws))
    starts = np.zeros(len(raws), dtype=np.int64)
    np.cumsum(sizes[:-1], out=starts[1:])
    buf = np.frombuffer(b"".join(raws) + b"\0" * 16, dtype=np.uint8)
    candidate = np.flatnonzero((counts == width) & (sizes >= 3 + 2 * width + 4))
    ids = np.zeros((0, width), dtype=np.int64)
    weights = np.zeros((0, width), dtype=np.float64)
    fast = np.zeros(len(raws), dtype=bool)
    if width < 4 or not len(candidate):
        candidate = candidate[:0]
    else:
        base = starts[candidate]
        # the first id of a block is absolute (K, M or J), the deltas after it one K byte each
        op0 = buf[base + 3]
        b1, b2 = buf[base + 4].astype(np.int64), buf[base + 5].astype(np.int64)
        first = np.where(op0 == _K, b1, b1 | (b2 << 8))
        is_j = op0 == _J
        first = np.where(is_j, first | (buf[base + 6].astype(np.int64) << 16)
                         | (buf[base + 7].astype(np.int64) << 24), first)
        rest = base + 3 + np.where(op0 == _K, 2, np.where(op0 == _M, 3, 5))
        ops = buf[np.minimum(rest[:, None] + 2 * np.arange(width - 1), len(buf) - 2)]
        after = rest + 2 * (width - 1)
        good = ((buf[base] == 0x80) & (buf[base + 1] == 2) & (buf[base + 2] == _MARK)
                & ((op0 == _K) | (op0 == _M) | is_j)
                & (ops == _K).all(axis=1) & (buf[np.minimum(after, len(buf) - 2)] == _TUPLE)
                & (buf[np.minimum(after + 1, len(buf) - 1)] == _BINPUT))
        kind = buf[np.minimum(after + 3, len(buf) - 1)]
        good &= (kind == _NONE) | (kind == _BINFLOAT) | (kind == _MARK)
        floats = np.minimum(after[:, None] + 4 + 9 * np.arange(width), len(buf) - 9)
        many = kind == _MARK
        good &= ~many | ((buf[floats] == _BINFLOAT).all(axis=1)
                         & (buf[np.minimum(after + 4 + 9 * width, len(buf) - 1)] == _TUPLE))
        candidate, rest, first, kind, floats, many, after = (
            candidate[good], rest[good], first[good], kind[good], floats[good], many[good], after[good])
        deltas = np.empty((len(candidate), width), dtype=np.int64)
        deltas[:, 0] = first
        deltas[:, 1:] = buf[rest[:, None] + 1 + 2 * np.arange(width - 1)]
        ids = np.cumsum(deltas, axis=1)
        last = np.asarray([infos[i][1] for i in candidate], dtype=np.int64)
        ok = ids[:, -1] == last
        candidate, ids, kind, floats, many, after = (candidate[ok], ids[ok], kind[ok], floats[ok],
                                                     many[ok], after[ok])
        weights = np.ones(ids.shape, dtype=np.float64)
        one = kind == _BINFLOAT
        if one.any():
            single = buf[after[one, None] + 4 + np.arange(8)].copy().view(">f8").ravel()
            weights[one] = single[:, None]
        if many.any():
            found = buf[floats[many][:, :, None] + 1 + np.arange(8)].copy().view(">f8")
            weights[many] = found.reshape(-1, width)
        fast[candidate] = True
    rest = [i for i in range(len(raws)) if not fast[i]]
    slow = _unpickled([pickle.loads(raws[i]) for i in rest], False) if rest else None
    if slow is None:
        return Postings(ids.ravel(), weights.ravel(), None)
    # blocks are in id order: place each part at its block's offset
    offsets = np.zeros(len(raws) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    docs = np.empty(offsets[-1], dtype=np.int64)
    out_weights = np.empty(offsets[-1], dtype=np.float64)
    if len(candidate):
        at = (offsets[candidate][:, None] + np.arange(width)).ravel()
        docs[at], out_weights[at] = ids.ravel(), weights.ravel()
    at = np.concatenate([np.arange(offsets[i], offsets[i + 1]) for i in rest])
    docs[at], out_weights[at] = slow.docs, slow.weights
    return Postings(docs, out_weights, None)


def _within(counts: np.ndarray) -> np.ndarray:
    """0..count-1 for each count, in a row."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


def decode_positions(values: Sequence[bytes], fmt: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Encoded position lists -> (number of positions of each, all positions in a row).

    Vectorised over the postings: pass ``k`` reads the ``k``-th delta of every list longer
    than ``k``. Lists in any other layout are decoded by ``fmt.decode_positions`` (Whoosh)."""
    n = len(values)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    buf = np.frombuffer(b"".join(values) + b"\0\0\0\0\0", dtype=np.uint8)
    head = buf[starts[:, None] + np.arange(4)].astype(np.int64)
    counts = (head[:, 0] << 24) | (head[:, 1] << 16) | (head[:, 2] << 8) | head[:, 3]
    ok = lengths >= 11
    ok &= (buf[np.minimum(starts[:, None] + 4 + np.arange(5), len(buf) - 1)] == _LIST_HEAD).all(axis=1)
    ok &= counts >= 1
    ok &= counts < 1000  # pickle writes longer lists in several APPENDS batches
    cursor = starts + 9 + (counts >= 2)
    if not ok.all():
        cursor[~ok] = starts[~ok]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.where(ok, counts, 0), out=offsets[1:])
    deltas = np.zeros(offsets[-1], dtype=np.int64)
    active = np.flatnonzero(ok)
    k = 0
    top = len(buf) - 5
    while len(active):
        at = np.minimum(cursor[active], top)
        op = buf[at]
        b1 = buf[at + 1].astype(np.int64)
        b2 = buf[at + 2].astype(np.int64)
        b34 = (buf[at + 3].astype(np.int64) << 16) | (buf[at + 4].astype(np.int64) << 24)
        value = np.where(op == _K, b1, np.where(op == _M, b1 | (b2 << 8), b1 | (b2 << 8) | b34))
        bad = (op != _K) & (op != _M) & (op != _J)
        if bad.any():  # not the layout we know: Whoosh decodes it
            ok[active[bad]] = False
        deltas[offsets[active] + k] = value
        cursor[active] += np.where(op == _K, 2, np.where(op == _M, 3, 5))
        k += 1
        active = active[(counts[active] > k) & ok[active]]
    closing = buf[np.minimum(cursor, top)]
    ok &= np.where(counts == 1, closing == _APPEND, closing == _APPENDS)
    sizes = np.where(ok, counts, 0)
    if not ok.all():
        return _with_fallback(values, ok, sizes, offsets, deltas, fmt)
    return counts, _running_sums(deltas, counts)


def _running_sums(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Per list, the running sum of its deltas (positions from position deltas)."""
    running = np.cumsum(deltas)
    if len(counts) > 1:
        ends = np.cumsum(counts)[:-1] - 1
        running -= np.repeat(np.concatenate(([0], running[ends])), counts)
    return running


def _with_fallback(values: Sequence[bytes], ok: np.ndarray, sizes: np.ndarray,
                   offsets: np.ndarray, deltas: np.ndarray, fmt: Any) -> tuple[np.ndarray, np.ndarray]:
    if fmt is None:
        from whoosh.formats import Positions

        fmt = Positions()
    counts, parts = [], []
    for i, value in enumerate(values):
        if ok[i]:
            found = np.cumsum(deltas[offsets[i]:offsets[i] + sizes[i]])
        else:
            found = np.asarray(fmt.decode_positions(value), dtype=np.int64)
        counts.append(len(found))
        parts.append(found)
    return np.asarray(counts, dtype=np.int64), np.concatenate(parts)
