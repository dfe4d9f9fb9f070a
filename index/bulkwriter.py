"""A Whoosh segment writer for bulk builds: the same index, written with less work per document.

Profiling a rebuild (cProfile, 500 synthetic articles of 150-1,500 words) showed where Whoosh's
``SegmentWriter.add_document`` spends its time with our schema:

- Spelling words: for a field with ``spelling=True`` and a stemming analyzer, Whoosh analyses the
  text a second time (unstemmed) and adds one posting per distinct word *per document* to the
  field's spelling terms, all for document 0. The spelling terms only need to exist (the
  corrector ranks by the main field's frequencies), so ``BulkSegmentWriter`` adds each word once
  per segment. On our schema this halved the postings written and the commit time.
- Analysis: the ``StemmingAnalyzer`` chain (tokenizer, lower-case, stop words, stemmer) runs as
  four generators over one mutable ``Token`` per word. ``FastAnalysis`` does the same in one
  loop with a plain dict as the stem cache, giving the same terms, positions and weights (a test
  compares both on every fixture article and on tricky text), and yields the unstemmed words
  for the spelling terms in the same pass.
- Per posting: position lists of one or two positions (most postings) are encoded once and
  reused, and a document's postings go into the sorting pool in one step.
- Rare terms: Whoosh's codec writes every term's postings as a pickled, zlib-compressed block,
  even for a term in one document, and most terms of a news archive are rare (names, numbers,
  spelling words). Segments written here keep lists of fewer than ``INLINE_LIMIT`` postings
  inline in the term's entry: a W3 codec feature every reader understands, whose writing side
  has a typo in Whoosh 2.7.5 (``set_inline`` for ``set_inlined``), fixed by ``_InlineWriter``.
  The segment is handed over with a plain ``W3Codec``, so opening the index needs nothing of
  ours. An inlined list holds one value per posting, ``None`` for formats without values, as
  Whoosh's block reader gives them: merges (``add_reader``) copy what they read, and
  ``tests/index/test_segment_mix.py`` checks that any mix of our segments and Whoosh's, merged
  either way, is the index Whoosh's writer alone makes.
- Writing postings: Whoosh feeds the sorted postings to the codec one Python call per posting
  (with type checks and block statistics updated each time); here each term's postings are
  grouped and sliced into blocks at C speed, and each block's statistics computed at once.
- Field lengths: while writing the postings, Whoosh reads each posting's field length back from
  the lengths column just written, through a file reader, per posting. ``BulkSegmentWriter``
  keeps the same one-byte lengths in memory and hands them to the posting writer instead.

Anything ``FastAnalysis`` does not recognise (another analyzer, another format, a list value)
goes through Whoosh's own code. Used only for bulk rebuilds; incremental writes use Whoosh's
writer as it is.
"""

from __future__ import annotations

from typing import Any, Iterator

import heapq
import pickle
import re
from array import array
from itertools import groupby
from operator import itemgetter

from index.analysis import ArticleAnalyzer
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.analysis.analyzers import CompositeAnalyzer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PostingsWriter, W3TermInfo
from whoosh.compat import dumps
from whoosh.system import pack_uint, pack_ushort
from whoosh.formats import Positions
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.util import random_name
from whoosh.writing import SegmentWriter

#: terms with fewer postings than this keep them in the term's entry ("inline") instead of a
#: pickled, compressed block of their own; most terms of a news archive are rare
INLINE_LIMIT = 8
#: the stem cache is cleared past this many words (a long tail of names and numbers)
MAX_STEM_CACHE = 500_000
_DEFAULT_WORDS = re.compile(default_pattern.pattern.replace("(\\.?", "(?:\\.?"), default_pattern.flags)
assert _DEFAULT_WORDS.groups == 0

#: encoded position lists of one or two positions (most postings), by their deltas
_ENCODED: dict[tuple[int, ...], bytes] = {}
MAX_ENCODED = 200_000


def _encode_positions(fmt: Positions, poslist: list[int]) -> bytes:
    """``Positions.encode(poslist)``, cached for the short lists that most postings have."""
    if len(poslist) > 2:
        return fmt.encode(poslist)
    key = (poslist[0],) if len(poslist) == 1 else (poslist[0], poslist[1] - poslist[0])
    encoded = _ENCODED.get(key)
    if encoded is None:
        if len(_ENCODED) > MAX_ENCODED:
            _ENCODED.clear()
        encoded = _ENCODED[key] = fmt.encode(poslist)
    return encoded


class FastAnalysis:
    """One-pass equivalent of a ``StemmingAnalyzer`` (tokenizer, lower-case, stop, stem)."""

    def __init__(self, tokenizer: RegexTokenizer, stop: StopFilter, stemmer: StemFilter) -> None:
        self.finditer = tokenizer.expression.finditer
        # Whoosh's default pattern without its capturing group, so ``findall`` gives whole words
        # (ASCII text only: there lower-casing first cannot change where words start and end)
        self.findall = (_DEFAULT_WORDS.findall
                        if tokenizer.expression.pattern == default_pattern.pattern
                        and tokenizer.expression.flags == default_pattern.flags else None)
        self.stops = stop.stops
        self.minsize = stop.min
        self.maxsize = stop.max
        self.stemfn = stemmer.stemfn
        self.ignore = stemmer.ignore
        self.cache: dict[str, str] = {}

    @classmethod
    def for_field(cls, field: Any) -> "FastAnalysis | ArticleAnalyzer | None":
        """The fast path for ``field``, or ``None`` if its analysis is not exactly the one we copy."""
        if type(field.format) is not Positions:
            return None
        analyzer = field.analyzer
        if type(analyzer) is ArticleAnalyzer:
            return analyzer  # its own one-pass ``analyse`` (the language of each value)
        if type(analyzer) is not CompositeAnalyzer or len(analyzer.items) != 4:
            return None
        tokenizer, lower, stop, stemmer = analyzer.items
        if (type(tokenizer) is not RegexTokenizer or tokenizer.gaps
                or type(lower) is not LowercaseFilter
                or type(stop) is not StopFilter or not stop.renumber
                or type(stemmer) is not StemFilter or stemmer.lang):
            return None
        return cls(tokenizer, stop, stemmer)

    def analyse(self, text: str) -> tuple[dict[str, list[int]], set[str]]:
        """``(stem -> positions, unstemmed words)`` as Whoosh's analyzer gives them for indexing
        (positions renumbered over the words kept, from the first kept word's own position)."""
        stops, minsize, maxsize = self.stops, self.minsize, self.maxsize
        cache, stemfn, ignore = self.cache, self.stemfn, self.ignore
        if len(cache) > MAX_STEM_CACHE:
            cache.clear()
        positions: dict[str, list[int]] = {}
        words: set[str] = set()
        pos = -1
        if self.findall is not None and text.isascii():
            tokens = self.findall(text.lower())
        else:
            tokens = [match.group(0).lower() for match in self.finditer(text)]
        for index, word in enumerate(tokens):
            if len(word) < minsize or (maxsize is not None and len(word) > maxsize) or word in stops:
                continue
            pos = index if pos < 0 else pos + 1
            words.add(word)
            stemmed = cache.get(word)
            if stemmed is None:
                stemmed = cache[word] = word if word in ignore else stemfn(word)
            poslist = positions.get(stemmed)
            if poslist is None:
                positions[stemmed] = [pos]
            else:
                poslist.append(pos)
        return positions, words


_KEY = itemgetter(0)
#: memory accounting for the postings held before a spill: per posting (two array slots and a
#: list slot) and per term (key, arrays, list, dict entry); generous rather than exact
POSTING_BYTES = 24
TERM_BYTES = 400

#: the field length a length byte stands for (Whoosh stores lengths in one lossy byte)
_LENGTH_OF_BYTE = [0] + [byte_to_length(b) for b in range(1, 256)]


class _MemoryLengths:
    """The ``doc_field_length`` the posting writer asks for, from memory (same values as
    Whoosh's per-document reader gives from the lengths column)."""

    def __init__(self, lengths: dict[str, bytearray]) -> None:
        self.lengths = lengths

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        column = self.lengths.get(fieldname)
        if column is None or docnum >= len(column):
            return default
        return _LENGTH_OF_BYTE[column[docnum]]


def _inline_values(fmt: Any, values: list, count: int) -> tuple | None:
    """The values of an inlined posting list as a reader must find them: one per posting, and
    ``None`` each for a format without values (ids, keywords, dates, numbers, booleans), which is
    what Whoosh's block reader gives for those; a merge (``add_reader``) copies them as they are
    read, and an empty list reads back as ``''``, which Whoosh's posting pool refuses.
    ``None`` when ``values`` has fewer entries than postings (the list is then not inlined)."""
    if fmt.fixed_value_size() == 0:
        return (None,) * count
    if len(values) != count:
        return None
    return tuple(values)


def spelling_value(fmt: Any) -> bytes:
    """The value of a spelling posting: a frequency of 1 in a ``Frequency`` field (what Whoosh's
    spelling subfield holds; a merge reads 4 bytes per posting back)."""
    return b"" if fmt.fixed_value_size() == 0 else pack_uint(1)


class _InlineWriter(W3PostingsWriter):
    """W3 postings writer whose inline branch works (Whoosh calls a method that is missing, and
    would store no values for formats without them)."""

    def finish_postings(self) -> Any:
        terminfo = self._terminfo
        values = None
        if not self.written() and len(self) < self._inlinelimit:
            values = _inline_values(self._format, self._values, len(self._ids))
        if values is not None:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, values)
        else:  # as Whoosh's: the last block, and where the term's blocks are
            if self._ids:
                self._write_block(last=True)
            terminfo.set_extent(self._startoffset, self._postfile.tell() - self._startoffset)
        self._terminfo = None
        return terminfo


class _InlineCodec(W3Codec):
    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        return _InlineWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                             compression=self._compression, inlinelimit=self._inlinelimit)


class UnindexableValue(ValueError):
    """A field value Whoosh refuses (the document is not added; the writer is as it was)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class BulkSegmentWriter(SegmentWriter):
    """``SegmentWriter`` whose ``add_document`` uses ``FastAnalysis`` and adds each spelling word
    once per segment. Mirrors Whoosh 2.7's ``SegmentWriter.add_document`` otherwise."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        kwargs.setdefault("codec", _InlineCodec(inlinelimit=INLINE_LIMIT))
        super().__init__(ix, **kwargs)
        self._fast: dict[str, FastAnalysis | None] = {}
        self._spelled: dict[str, set[str]] = {}
        #: field -> one length byte per document of this segment (0: no length)
        self._lengths: dict[str, bytearray] = {}
        #: segments merged in (``add_reader``): their field lengths are only on disk
        self._merged_readers = False
        #: field -> term -> (docnums, weights, values) of the postings not yet spilled, in
        #: document order (terms of the fast path as ``str``, encoded when written: UTF-8 sorts
        #: as the code points do); ``_runs`` are the spilled parts, each sorted by (field, term)
        self._terms: dict[str, dict[str | bytes, tuple[array, array, list]]] = {}
        self._runs: list[str] = []
        self._memory = 0
        self._spill_limit = self.pool.limit

    def add_reader(self, reader: Any) -> None:
        self._merged_readers = True
        super().add_reader(reader)

    def _fast_for(self, fieldname: str, field: Any) -> FastAnalysis | None:
        if fieldname not in self._fast:
            self._fast[fieldname] = FastAnalysis.for_field(field)
        return self._fast[fieldname]

    def _field_terms(self, fieldname: str) -> dict[str | bytes, tuple[array, array, list]]:
        terms = self._terms.get(fieldname)
        if terms is None:
            terms = self._terms[fieldname] = {}
        return terms

    def add_document(self, **fields: Any) -> None:
        """Add one document, all or nothing: every value is analysed and converted first (where
        a bad value raises), and only then filed, so a document that fails leaves the writer as
        it was (Whoosh's writer keeps the postings and columns of the fields before the bad one,
        and every later document of the segment comes out wrong)."""
        self._file_document(self._prepare_document(fields))

    def update_document(self, **fields: Any) -> None:
        """``add_document`` after deleting the committed documents with the same unique values
        (the id), as Whoosh's does; a document that fails deletes nothing."""
        prepared = self._prepare_document(fields)
        unique = self._unique_fields(fields)
        if unique:
            with self.searcher() as searcher:
                for docnum in searcher._find_unique([(name, fields[name]) for name in unique]):
                    self.delete_document(docnum)
        self._file_document(prepared)

    def _prepare_document(self, fields: dict[str, Any]) -> list[tuple]:
        """Every field of one document analysed and converted (the half that can fail)."""
        self._check_state()
        schema = self.schema
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        prepared = []
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            fast = self._fast_for(fieldname, field) if isinstance(value, str) else None
            positions = items = spell_words = vitems = column_value = None
            fieldboost = 1.0
            customval = fields.get("_stored_%s" % fieldname, value)
            try:
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    if fast is not None:
                        positions, spell_words = fast.analyse(value)
                    else:
                        items = list(field.index(value))
                if field.separate_spelling() and spell_words is None:
                    spell_words = set(field.spellable_words(value))
                if field.vector:
                    vitems = field.vector.word_values(value, field.analyzer, mode="index")
                    vitems = sorted((text, weight, vb) for text, _, weight, vb in vitems)
                if field.column_type and customval is not None:
                    column_value = field.to_column_value(customval)
            except Exception as exc:  # noqa: BLE001 - whatever Whoosh raises for a value
                raise UnindexableValue(fieldname, f"{exc.__class__.__name__}: {exc}") from exc
            prepared.append((fieldname, field, fieldboost, positions, items, spell_words, vitems,
                             customval, column_value))
        return prepared

    def _file_document(self, prepared: list[tuple]) -> None:
        """The second half of ``add_document``: nothing here depends on the values' validity."""
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        postings = 0
        new_terms = 0
        perdocwriter.start_doc(docnum)
        for (fieldname, field, fieldboost, positions, items, spell_words, vitems, customval,
             column_value) in prepared:
            length = 0
            if positions is not None:
                terms = self._field_terms(fieldname)
                fmt = field.format
                fb = fmt.field_boost
                postings += len(positions)
                for word, poslist in positions.items():
                    freq = len(poslist)
                    length += freq
                    entry = terms.get(word)
                    if entry is None:
                        entry = terms[word] = (array("I"), array("d"), [])
                        new_terms += 1
                    entry[0].append(docnum)
                    entry[1].append(float(freq) * fb * fieldboost)
                    entry[2].append(_encode_positions(fmt, poslist))
                if not field.scorable:
                    length = 0
            elif items is not None:
                terms = self._field_terms(fieldname)
                scorable = field.scorable
                for tbytes, freq, weight, vbytes in items:
                    if scorable:
                        length += freq
                    entry = terms.get(tbytes)
                    if entry is None:
                        entry = terms[tbytes] = (array("I"), array("d"), [])
                        new_terms += 1
                    entry[0].append(docnum)
                    entry[1].append(weight * fieldboost)
                    entry[2].append(vbytes)
                    postings += 1

            if spell_words is not None and field.separate_spelling():
                spellfield = field.spelling_fieldname(fieldname)
                seen = self._spelled.get(spellfield)
                if seen is None:
                    seen = self._spelled[spellfield] = set()
                fresh = spell_words - seen
                if fresh:
                    seen |= fresh
                    spelling = self._field_terms(spellfield)
                    spell_value = spelling_value(schema[spellfield].format)
                    for word in fresh:
                        # only the term matters (the corrector ranks by the main field)
                        spelling[word] = (array("I", [0]), array("d", [1.0]), [spell_value])
                    new_terms += len(fresh)

            if vitems is not None:
                perdocwriter.add_vector_items(fieldname, field, vitems)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            if length:
                lengths = self._lengths.get(fieldname)
                if lengths is None:
                    lengths = self._lengths[fieldname] = bytearray()
                lengths.extend(bytes(docnum - self.docbase - len(lengths)))
                lengths.append(length_to_byte(length))
            if column_value is not None:
                perdocwriter.add_column_value(fieldname, field.column_type, column_value)

        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        # Past the memory budget (``limitmb``) the postings are written to a run sorted by term.
        self._memory += new_terms * TERM_BYTES + postings * POSTING_BYTES
        if self._memory > self._spill_limit:
            self._spill()

    def _sorted_terms(self) -> Iterator[tuple]:
        """``((field, term bytes), docnums, weights, values)`` held in memory, sorted."""
        for fieldname in sorted(self._terms):
            terms = self._terms[fieldname]
            keyed = sorted((((t.encode("utf-8") if type(t) is str else t), entry)
                            for t, entry in terms.items()), key=_KEY)
            for tbytes, (docnums, weights, values) in keyed:
                yield (fieldname, tbytes), docnums, weights, values

    def _spill(self) -> None:
        name = f"{random_name()}.bulkrun"
        with self._tempstorage.create_file(name).raw_file() as handle:
            for key, docnums, weights, values in self._sorted_terms():
                pickle.dump((key, docnums.tobytes(), weights.tobytes(), values), handle, 4)
        self._runs.append(name)
        self._terms = {}
        self._memory = 0

    def _read_run(self, name: str) -> Iterator[tuple]:
        with self._tempstorage.open_file(name).raw_file() as handle:
            while True:
                try:  # one unpickler per record: each record was pickled with a memo of its own
                    key, docnums, weights, values = pickle.load(handle)
                except EOFError:
                    break
                ids = array("I")
                ids.frombytes(docnums)
                ws = array("d")
                ws.frombytes(weights)
                yield key, ids, ws, values
        self._tempstorage.delete_file(name)

    def _iter_terms(self) -> Iterator[tuple]:
        """``((field, term), docnums, weights, values)`` for every term, sorted by (field, term),
        the postings of the runs and of memory joined in document order."""
        memory = self._sorted_terms()
        if not self._runs:
            yield from memory
            return
        merged = heapq.merge(*(self._read_run(name) for name in self._runs), memory,
                             key=_KEY)  # equal keys: earlier runs (earlier documents) first
        for key, group in groupby(merged, key=_KEY):
            parts = list(group)
            if len(parts) == 1:
                yield parts[0]
                continue
            docnums, weights, values = array("I"), array("d"), []
            for _, ids, ws, vs in parts:
                docnums.extend(ids)
                weights.extend(ws)
                values.extend(vs)
            yield key, docnums, weights, values
        self._runs = []

    def _terms_to_pool(self) -> None:
        """For Whoosh's own flush: the postings as the tuples its pool holds."""
        add = self.pool.add
        for (fieldname, tbytes), docnums, weights, values in self._iter_terms():
            for docnum, weight, vbytes in zip(docnums, weights, values):
                add((fieldname, tbytes, docnum, weight, vbytes))
        self._terms = {}

    def _flush_segment(self) -> None:
        """As ``SegmentWriter._flush_segment`` + ``FieldWriter.add_postings``, a term at a time:
        the sorted postings are grouped by term in C (``groupby``, ``zip``) and each block of the
        W3 postings writer is filled in one step instead of one ``add_posting`` call per posting.
        The blocks written are the same bytes (a test compares them)."""
        if self._merged_readers:  # lengths of merged documents are not in memory: Whoosh's way
            self._terms_to_pool()
            SegmentWriter._flush_segment(self)
            return
        self.perdocwriter.close()
        if not self.codec.length_stats or type(self.fieldwriter).add is not W3FieldWriter.add:
            self._terms_to_pool()
            lengths = _MemoryLengths(self._lengths) if self.codec.length_stats else None
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
            self.fieldwriter.close()
            return
        fieldwriter = self.fieldwriter
        schema = self.schema
        length_of = _LENGTH_OF_BYTE
        lastfield = None
        column = None
        prefix = b""
        inline_below = 0
        blocklimit = 0
        valueless = False
        add_term = None
        pack_terminfo = W3TermInfo._struct.pack
        for (fieldname, btext), docnums, weights, values in self._iter_terms():
            if fieldname != lastfield:
                if lastfield is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                lastfield = fieldname
                column = self._lengths.get(fieldname)
                prefix = pack_ushort(fieldwriter._fieldid)
                postwriter = fieldwriter._postwriter
                blocklimit = postwriter._blocklimit
                inline_below = min(postwriter._inlinelimit, blocklimit + 1)
                add_term = fieldwriter._tindex.add
                valueless = schema[fieldname].format.fixed_value_size() == 0
            count = len(docnums)
            if count < inline_below:
                # most terms: the term entry with its postings inline, built here in one step
                # (what start_term, finish_postings, add_block and to_bytes give, a test checks)
                if column is not None:
                    size = len(column)
                    found = [length_of[column[d]] for d in docnums if d < size and column[d]]
                else:
                    found = None
                short = array("f", weights)
                head = pack_terminfo(True, sum(short), count,
                                     length_to_byte(min(found)) if found else 0,
                                     length_to_byte(max(found)) if found else 0,
                                     max(0, max(weights)), docnums[0], docnums[-1])
                add_term(prefix + btext, head + dumps((tuple(docnums), tuple(short),
                                                       (None,) * count if valueless else tuple(values)),
                                                      2))
                continue
            fieldwriter.start_term(btext)
            postwriter = fieldwriter._postwriter
            for start in range(0, count, blocklimit):
                end = min(start + blocklimit, count)
                ids = docnums[start:end]
                block_weights = weights[start:end]
                postwriter._ids = ids
                postwriter._weights = array("f", block_weights)
                postwriter._values = [v for v in values[start:end] if v]
                postwriter._maxweight = max(0, max(block_weights))
                if column is not None:
                    size = len(column)
                    found = [length_of[column[d]] for d in ids if d < size and column[d]]
                else:
                    found = None
                postwriter._minlength = min(found) if found else None
                postwriter._maxlength = max(found) if found else 0
                if end < count:
                    postwriter._write_block()
            fieldwriter.finish_term()  # writes the last block, or keeps a short list inline
        if lastfield is not None:
            fieldwriter.finish_field()
        fieldwriter.close()

    def _finalize_segment(self) -> Any:
        segment = super()._finalize_segment()
        segment._codec = W3Codec()  # readers need no writer options, and nothing of ours
        return segment
