"""Issue 9, finding 2 (the index side): one bad value fails that one file, with one line naming
the file and the field; the rest is indexed, a failing document leaves its writer as it was, and
the index swapped in can always be searched (CLI, API, pages, feeds, embed).

``archive`` refuses most of these values when it parses a file; the index checks them again on
its own (a file written by another tool, or a value the parser lets through), so these tests
accept the parser's message or the index's, as long as it is one line naming the file and the
field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.model import SearchQuery
from index.search import SearchService
from scripts.cli import main
from tests.index.fixtures import fixture_articles, write_fixture_articles

#: (frontmatter line, the field the message must name)
BAD_VALUES = [
    ("stickyWeight: 3000000000", "stickyWeight"),
    ("stickyWeight: -3000000000", "stickyWeight"),
    ("stickyWeight: 1e400", "stickyWeight"),
    ("stickyWeight: .inf", "stickyWeight"),
    ("stickyWeight: -.inf", "stickyWeight"),
    ("stickyWeight: .nan", "stickyWeight"),
    ("publishedAt: '9999-12-31T23:00:00-05:00'", "publishedAt"),
    ("ingestedAt: '9999-12-31T23:30:00-01:00'", "ingestedAt"),
]
def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def put_value(path: Path, line: str) -> None:
    """Replace (or add) one frontmatter line of an article file."""
    key = line.split(":", 1)[0]
    head, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
    lines = [kept for kept in head.split("\n") if not kept.startswith(key + ":")]
    lines.insert(1, line)
    path.write_text("\n".join(lines) + "\n---\n" + body, encoding="utf-8")


def put_bad_values(home: Path, values: list[tuple[str, str]] = BAD_VALUES) -> dict[str, str]:
    """One bad value in each of the first files (20 fixture articles, sorted paths); returns
    path relative to home -> the field its line must name."""
    paths = sorted((home / "articles").rglob("*.md"))
    named = {}
    for path, (line, field) in zip(paths[1::2], values):  # every other file: good ones between
        put_value(path, line)
        named[path.relative_to(home).as_posix()] = field
    return named


def assert_failures(failures: list[tuple[str, str]], named: dict[str, str]) -> None:
    """One failure per bad file, each naming its field."""
    assert sorted(rel for rel, _ in failures) == sorted(named)
    for rel, reason in failures:
        assert "\n" not in reason and "Traceback" not in reason
        assert named[rel] in reason, (rel, reason)


def failed_lines(stderr: str) -> list[tuple[str, str]]:
    out = []
    for line in stderr.splitlines():
        assert line.startswith("failed: "), line
        rel, reason = line[len("failed: "):].split(": ", 1)
        out.append((rel, reason))
    return out


def searchable_everywhere(home: Path, expected: int) -> None:
    """Every search face answers over the index: the service, the API, the page, Atom, embed."""
    from web.app import create_app

    with SearchService(home) as service:
        result = service.search(SearchQuery(q="", per_page=100, include_drafts=True))
    assert result.total == expected
    client = create_app({"HOME": home, "TESTING": True}).test_client()
    api = client.get("/api/search?q=bitcoin&sort=newest")
    assert api.status_code == 200
    assert json.loads(api.data)["ok"] is True
    for url in ("/", "/?q=bitcoin", "/search?q=bitcoin&sort=oldest", "/search.atom?q=bitcoin",
                "/embed?q=bitcoin"):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("procs", ["1", "2"])
def test_reindex_fails_each_bad_file_and_indexes_the_rest(home: Path, procs: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from index import rebuild

    monkeypatch.setattr(rebuild, "MIN_FILES_PER_WORKER", 5)  # 20 files: two workers
    write_fixture_articles(home)
    named = put_bad_values(home)
    result = cli("reindex", "--home", str(home), "--procs", procs)
    assert result.exit_code == 1, result.output
    assert_failures(failed_lines(result.stderr), named)
    assert "  12 added, 0 updated, 0 deleted, 0 unchanged, 8 failed." in result.stdout
    assert "The index holds 12 articles" in result.stdout
    searchable_everywhere(home, 12)


def test_reindex_changed_fails_each_bad_file_and_keeps_its_old_document(home: Path) -> None:
    write_fixture_articles(home)
    assert cli("reindex", "--home", str(home), "--procs", "1").exit_code == 0
    named = put_bad_values(home)
    # and a good edit next to them, which must be indexed
    good = sorted((home / "articles").rglob("*.md"))[0]
    good.write_text(good.read_text(encoding="utf-8") + "\nA zanzibarite postscript.\n", encoding="utf-8")
    result = cli("reindex", "--home", str(home), "--changed", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["updated"], report["deleted"], report["documents"]) == (1, 0, 20)
    assert_failures([(f["path"], f["error"]) for f in report["failures"]], named)
    with SearchService(home) as service:
        assert service.search(SearchQuery(q="zanzibarite")).total == 1
    searchable_everywhere(home, 20)


def test_verify_and_repair_name_each_bad_file(home: Path) -> None:
    write_fixture_articles(home)
    assert cli("reindex", "--home", str(home), "--procs", "1").exit_code == 0
    named = put_bad_values(home)
    for args in ((), ("--repair",)):
        result = cli("verify", "--home", str(home), "--json", *args)
        assert result.exit_code == 1, result.output
        report = json.loads(result.stdout)
        assert_failures([(f["path"], f["error"]) for f in report["unreadable"]], named)
        assert (report["duplicate_ids"], report["temp_files"], report["extra"], report["missing"],
                report["index_error"]) == ({}, [], [], [], None)
    searchable_everywhere(home, 20)


def test_ingest_of_a_bad_value_names_it_and_indexes_the_rest(home: Path, tmp_path: Path) -> None:
    """A batch through ``update_documents`` (what ``ingest`` calls): the good articles are indexed,
    the bad one is named; the writer is not left broken for the next batch."""
    from index.build import update_documents
    from archive.store import Store

    store = Store(home)
    articles = fixture_articles()
    saved = [store.save(a) for a in articles[:6]]
    bad = saved[2]
    items = [(s.path, s.article) for s in saved]
    items[2] = (bad.path, bad.article.replace(sticky_weight=float("inf")))
    failures = update_documents(home, items)
    assert [(rel, "stickyWeight" in reason) for rel, reason in failures] == [
        (bad.path.relative_to(home).as_posix(), True)]
    with SearchService(home) as service:
        assert service.search(SearchQuery(q="", include_drafts=True)).total == 5
    later = [store.save(a) for a in articles[6:9]]
    assert update_documents(home, [(s.path, s.article) for s in later]) == []
    searchable_everywhere(home, 8)


def test_an_index_that_cannot_be_read_is_not_swapped_in(home: Path, tmp_path: Path) -> None:
    """The last check before a swap reads what a search reads; a segment with a damaged stored
    fields column (what a half-filed document used to leave) is refused with one line."""
    import shutil

    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.structfile import StructFile

    from archive.errors import NewsarchiveError
    from index.build import current_index_path
    from index.rebuild import ReindexReport, _check_and_count

    write_fixture_articles(home)
    assert cli("reindex", "--home", str(home), "--procs", "1").exit_code == 0
    copy = tmp_path / "copy"
    shutil.copytree(current_index_path(home), copy)
    report = ReindexReport()
    _check_and_count(copy, report)
    assert (report.documents, report.tombstones) == (20, 0)
    (segment_file,) = copy.glob("*.seg")
    storage = CompoundStorage(StructFile(segment_file.open("rb")), use_mmap=False)
    (name,) = [n for n in storage.list() if n.endswith("._stored.col")]
    offset, length = storage.range(name)
    storage.close()
    data = bytearray(segment_file.read_bytes())
    data[offset:offset + length] = bytes(length)  # the stored fields column, zeroed
    segment_file.write_bytes(bytes(data))
    with pytest.raises(NewsarchiveError) as caught:
        _check_and_count(copy, ReindexReport())
    assert str(caught.value).startswith("the new index cannot be read (")
    assert str(caught.value).endswith("); the previous index stays in place")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("bad", [{"sticky": 3_000_000_000}, {"sticky": float("inf")},
                                 {"sticky": float("nan")}, {"published": "not a date"},
                                 {"ingested": 10**30}])
def test_a_refused_document_leaves_the_bulk_writer_as_it_was(tmp_path: Path, bad: dict) -> None:
    """Defence in depth below ``document_for``: the writer itself, given a value Whoosh refuses
    after the fields before it were analysed, files nothing of that document; the segment is the
    one Whoosh's writer makes of the good documents alone."""
    import whoosh.index
    from whoosh.writing import SegmentWriter

    from index.bulkwriter import BulkSegmentWriter, UnindexableValue
    from index.documents import document_for
    from index.schema import build_schema
    from tests.index.test_segment_mix import snapshot

    docs = [document_for(a, tmp_path / f"{a.id}.md", tmp_path) for a in fixture_articles()[:6]]
    indexes = {}
    for name, writer_class in (("bulk", BulkSegmentWriter), ("plain", SegmentWriter)):
        (tmp_path / name).mkdir()
        ix = indexes[name] = whoosh.index.create_in(str(tmp_path / name), build_schema())
        writer = writer_class(ix)
        for n, doc in enumerate(docs):
            if name == "bulk" and n in (1, 4):
                with pytest.raises(UnindexableValue) as caught:
                    writer.update_document(**{**doc, **bad})
                assert caught.value.field == next(iter(bad))
            writer.update_document(**doc)
        writer.commit()
    assert snapshot(indexes["bulk"]) == snapshot(indexes["plain"])
