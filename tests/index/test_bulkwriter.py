"""``BulkSegmentWriter`` writes the same index as Whoosh's own writer (it only does less work):
same terms in every field, same postings (documents, weights, positions), same statistics."""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from pathlib import Path

import whoosh.index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from index.build import document_for
from index.bulkwriter import INLINE_LIMIT, BulkSegmentWriter, FastAnalysis
from index.schema import build_schema
from tests.index.fixtures import fixture_articles

TRICKY = [
    "The U.S. economy grew 3.5% in Q4; the Fed's chair said so. İstanbul, Zürich and São Paulo.",
    "a an the of to in it is be as at so we he by or on do if me my up an go no us am",
    "Bitcoin bitcoin BITCOIN bitcoins, running runs ran runner. e.g. i.e. v2.0.1 foo_bar *star*",
    "",
    "   ",
    "Ünïcödé wörds and 数字 123 4.56 ... --- x y z",
]


def build_with(writer_class: type, folder: Path, docs: list[dict]) -> whoosh.index.Index:
    folder.mkdir()
    ix = whoosh.index.create_in(str(folder), build_schema())
    writer = writer_class(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit(merge=False)
    return ix


def snapshot(ix: whoosh.index.Index) -> dict:
    out = {}
    with ix.reader() as reader:
        for field in sorted(reader.indexed_field_names()):
            terms = list(reader.lexicon(field))
            out[field] = {"terms": terms}
            if field.startswith("spell"):
                continue  # spelling terms only need to exist (once per segment is enough)
            postings = {}
            for term in terms:
                info = reader.term_info(field, term)
                matcher = reader.postings(field, term)
                kind = "positions" if matcher.supports("positions") else "weight"
                postings[term] = (list(matcher.items_as(kind)),
                                  list(reader.postings(field, term).items_as("weight")),
                                  info.doc_frequency(), info.weight(), info.min_length(),
                                  info.max_length(), info.max_weight())
            out[field]["postings"] = postings
        for field in ("title", "description", "body", "tags", "author"):
            out["length:" + field] = ([reader.doc_field_length(d, field) for d in range(reader.doc_count_all())],
                                      reader.field_length(field))
        out["stored"] = list(reader.all_stored_fields())
    return out


def test_bulk_writer_writes_the_same_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    docs = [document_for(a, home / f"articles/{a.id}.md", home) for a in fixture_articles()]
    for n, text in enumerate(TRICKY):
        docs.append({"id": f"tricky{n}", "title": text, "description": text[::-1], "body": text * 3,
                     "tags": "A,b c", "path": f"t{n}.md"})
    for n in range(INLINE_LIMIT):
        docs.append({"id": f"common{n}", "title": f"Harbour note {n}", "body": f"Harbour traffic {n}."})
    for n in range(300):  # "ledger" is in 300 documents: three blocks of postings
        docs.append({"id": f"ledger{n}", "title": "Ledger", "body": f"ledger entry {n % 7} " * (1 + n % 3),
                     "source": f"s{n % 4}"})
    plain = snapshot(build_with(SegmentWriter, tmp_path / "plain", docs))
    bulk_ix = build_with(BulkSegmentWriter, tmp_path / "bulk", docs)
    bulk = snapshot(bulk_ix)
    assert bulk == plain
    # rare terms are inlined (and read back the same, above); the segment names a plain codec
    (segment,) = bulk_ix._segments()
    assert type(segment.codec()) is W3Codec
    with bulk_ix.reader() as reader:
        inlined = [t for t in reader.lexicon("body") if reader._terms.term_info("body", t).is_inlined()]
        assert len(inlined) > 300
        common = [t for t in reader.lexicon("body") if reader.doc_frequency("body", t) >= INLINE_LIMIT]
        assert common == [b"entri", b"harbour", b"ledger", b"traffic"]
        assert not reader._terms.term_info("body", b"harbour").is_inlined()  # a block of its own
    # terms with blocks: the same blocks as Whoosh's writer wrote
    assert block_bytes(tmp_path / "bulk", bulk_ix) == block_bytes(tmp_path / "plain", None)


def block_bytes(folder: Path, ix) -> dict:
    ix = ix or whoosh.index.open_dir(str(folder))
    out = {}
    with ix.reader() as reader:
        postfile = reader._terms._postfile
        for field in ("body", "title", "source", "tags"):
            for term in reader.lexicon(field):
                info = reader._terms.term_info(field, term)
                if reader.doc_frequency(field, term) >= INLINE_LIMIT:
                    offset, length = info.extent()
                    if isinstance(length, tuple):  # Whoosh 2.7 unpacks it as a 1-tuple
                        (length,) = length
                    out[field, term] = decode_blocks(postfile.get(offset, length))
    assert len(out) > 5
    return out


def decode_blocks(data: bytes) -> list[tuple]:
    """The blocks of one term's postings: (block info, ids, weights, values), decoded. (The bytes
    themselves can differ: pickle shares repeated position encodings the bulk writer reuses.)"""
    assert data[:4] == b"W3Bl"
    stream = io.BytesIO(data[4:])
    blocks = []
    while True:
        (length,) = struct.unpack("!i", stream.read(4))
        start = stream.tell()
        info = pickle.Unpickler(stream).load()
        raw = stream.read(abs(length) - (stream.tell() - start))
        blocks.append((info, pickle.loads(zlib.decompress(raw) if info[3] else raw)))
        if length < 0:
            return blocks
    assert b"bitcoin" in plain["spell_body"]["terms"]  # unstemmed words are there for "did you mean"
    assert len(plain["body"]["postings"]) > 300


def test_fast_analysis_declines_what_it_does_not_copy() -> None:
    schema = build_schema()
    assert FastAnalysis.for_field(schema["body"]) is not None
    assert FastAnalysis.for_field(schema["author"]) is None  # not a stemming analyzer
    assert FastAnalysis.for_field(schema["tags"]) is None


def test_bulk_writer_merging_segments_writes_the_same_index(tmp_path: Path) -> None:
    """Merged segments (``add_reader``) go through Whoosh's own flush: their field lengths are
    only on disk."""
    from whoosh.writing import OPTIMIZE

    docs = [document_for(a, tmp_path / f"articles/{a.id}.md", tmp_path) for a in fixture_articles()]

    def build(writer_class: type, folder: Path) -> dict:
        folder.mkdir()
        ix = whoosh.index.create_in(str(folder), build_schema())
        for part in (docs[:7], docs[7:14]):
            writer = ix.writer()
            for doc in part:
                writer.add_document(**doc)
            writer.commit(merge=False)
        writer = writer_class(ix)
        for doc in docs[14:]:
            writer.add_document(**doc)
        writer.commit(mergetype=OPTIMIZE)
        assert len(ix._segments()) == 1
        return snapshot(ix)

    assert build(BulkSegmentWriter, tmp_path / "bulk") == build(SegmentWriter, tmp_path / "plain")


class SpillingWriter(BulkSegmentWriter):
    """Spills its postings to a run every few documents: the merge of runs is exercised."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        self._spill_limit = 40_000
        self.spills = 0

    def _spill(self) -> None:
        self.spills += 1
        super()._spill()


def test_spilled_runs_merge_into_the_same_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    docs = [document_for(a, home / f"articles/{a.id}.md", home) for a in fixture_articles()]
    for n in range(300):
        docs.append({"id": f"ledger{n}", "title": "Ledger", "body": f"ledger entry {n % 7} " * (1 + n % 3),
                     "source": f"s{n % 4}"})
    for n in range(10):
        docs.append({"id": f"common{n}", "title": f"Harbour note {n}", "body": f"Harbour traffic {n}."})
    plain_ix = build_with(SegmentWriter, tmp_path / "plain", docs)
    (tmp_path / "spill").mkdir()
    spill_ix = whoosh.index.create_in(str(tmp_path / "spill"), build_schema())
    writer = SpillingWriter(spill_ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit(merge=False)
    assert writer.spills > 5
    assert snapshot(spill_ix) == snapshot(plain_ix)
    assert block_bytes(tmp_path / "spill", spill_ix) == block_bytes(tmp_path / "plain", plain_ix)
    assert not list((tmp_path / "spill").rglob("*.bulkrun"))  # runs are removed once merged
