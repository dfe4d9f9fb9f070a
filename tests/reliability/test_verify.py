"""``newsarchive verify``: finds what is wrong with a home folder; ``--repair`` fixes the index."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from archive.store import Store, render_article
from index.build import update_documents
from index.verify import verify_home
from scripts.cli import main
from tests.index.fixtures import build_fixture_index


def run(home: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["verify", "--home", str(home), "--json", *args])
    return result.exit_code, json.loads(result.output)


def test_a_fresh_archive_verifies_clean(home: Path) -> None:
    articles = build_fixture_index(home)
    code, report = run(home)
    assert code == 0
    assert report == {"ok": True, "files": len(articles), "unreadable": [], "duplicate_ids": {},
                      "temp_files": [], "missing": [], "extra": [], "stale": [],
                      "index_error": None, "repaired": {}}


def test_problems_are_reported_then_repaired_without_touching_article_files(home: Path) -> None:
    articles = build_fixture_index(home)
    store = Store(home)
    by_id = {a.id: a for a in articles}
    ids = sorted(by_id)
    # a file deleted behind the index's back -> extra
    gone = store.path_of(ids[0])
    gone.unlink()
    # a file edited behind the index's back -> stale
    edited_path = store.path_of(ids[1])
    edited = by_id[ids[1]].replace(body="A corrected body.\n", content_hash="sha256:" + "0" * 64)
    edited_path.write_text(render_article(edited), encoding="utf-8")
    # a new file the index never saw -> missing
    newcomer = by_id[ids[2]].replace(id="0123456789abcdef", title="A newcomer nobody indexed")
    new_path = home / "articles/2026/05/a-newcomer-nobody-indexed.en.md"
    new_path.parent.mkdir(parents=True, exist_ok=True)
    new_path.write_text(render_article(newcomer), encoding="utf-8")
    # a broken file and a leftover temporary file
    broken = home / "articles/2026/05/broken.en.md"
    broken.write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")
    temp = home / "articles/2026/05/.half-written.en.md.abc123.tmp"
    temp.write_text("---\ntitle: half", encoding="utf-8")
    files_before = sorted(p for p in (home / "articles").rglob("*.md"))

    code, report = run(home)
    assert code == 1
    assert report["missing"] == ["0123456789abcdef"]
    assert report["extra"] == [ids[0]]
    assert report["stale"] == [ids[1]]
    assert report["temp_files"] == ["articles/2026/05/.half-written.en.md.abc123.tmp"]
    assert report["unreadable"] == [{"path": "articles/2026/05/broken.en.md",
                                     "error": "the frontmatter is not valid YAML at line 1, column 17: "
                                              "expected ',' or ']', but got '<stream end>'"}]

    code, repaired = run(home, "--repair")
    assert repaired["repaired"] == {"temp_files_removed": 1, "indexed": 2, "tombstoned": 1}
    assert code == 1  # the broken file is still there: verify never deletes article files
    assert sorted(p for p in (home / "articles").rglob("*.md")) == files_before
    after = verify_home(home)
    assert (after.missing, after.extra, after.stale, after.temp_files) == ([], [], [], [])
    assert [path for path, _ in after.unreadable] == ["articles/2026/05/broken.en.md"]


def test_duplicate_ids_are_reported(home: Path) -> None:
    articles = build_fixture_index(home)
    copy = home / "articles/2020/01/copy.en.md"
    copy.parent.mkdir(parents=True)
    original = Store(home).path_of(articles[0].id)
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    report = verify_home(home)
    assert report.duplicate_ids == {articles[0].id: sorted(
        [original.relative_to(home).as_posix(), "articles/2020/01/copy.en.md"])}


def test_missing_index_is_reported_and_rebuilt(home: Path) -> None:
    articles = build_fixture_index(home)
    import shutil
    shutil.rmtree(home / "index")
    code, report = run(home)
    assert code == 1 and "reindex" in report["index_error"]
    code, report = run(home, "--repair")
    assert code == 0 and report["repaired"]["reindexed"] == len(articles)
    assert verify_home(home).ok
    update_documents(home, [])  # the rebuilt index takes incremental writes


def test_a_body_edited_by_hand_is_stale_and_repair_makes_it_searchable(home: Path, tmp_path: Path) -> None:
    """verify compares each file's bytes with the ones indexed, not the contentHash field (which a
    hand edit leaves as it was)."""
    src = tmp_path / "a.md"
    src.write_text("---\ntitle: Harbour notes\npublishedAt: 2026-03-02\n---\n"
                   "Dock workers said the berths were busy.\n", encoding="utf-8")
    ingested = CliRunner().invoke(main, ["ingest", "--home", str(home), "--json", str(src)])
    result = json.loads(ingested.stdout)["results"][0]
    path = Path(result["path"])
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("berths were busy", "cormorants were nesting"), encoding="utf-8")
    assert "contentHash" in text and text.count("cormorant") == 0

    code, report = run(home)
    assert (code, report["stale"], report["missing"], report["extra"]) == (1, [result["id"]], [], [])
    code, repaired = run(home, "--repair")
    assert (code, repaired["repaired"]) == (0, {"temp_files_removed": 0, "indexed": 1, "tombstoned": 0})
    found = CliRunner().invoke(main, ["search", "--home", str(home), "--json", "cormorants"])
    assert [h["id"] for h in json.loads(found.stdout)["hits"]] == [result["id"]]
    assert run(home) == (0, {**report, "ok": True, "stale": [], "repaired": {}})


def test_files_without_an_id_are_checked_under_the_id_the_index_gives_them(home: Path) -> None:
    folder = home / "articles/2026/03"
    folder.mkdir(parents=True)
    for n in (1, 2):  # written by another tool: no id line
        (folder / f"note-{n}.md").write_text(f"---\ntitle: Note {n}\npublishedAt: 2026-03-0{n}\n---\n"
                                             f"Harbour note number {n}.\n", encoding="utf-8")
    assert CliRunner().invoke(main, ["reindex", "--home", str(home)]).exit_code == 0
    code, report = run(home)
    assert (code, report["duplicate_ids"], report["missing"], report["stale"]) == (0, {}, [], [])


def test_a_pointer_left_by_a_killed_swap_is_reported_removed_and_cleaned(home: Path) -> None:
    """Issue 9, finding 9: a reindex killed just before the pointer rename leaves
    ``index/.CURRENT.json.*.tmp``, which nothing cleaned nor reported."""
    from index.build import reindex

    build_fixture_index(home)
    leftover = home / "index" / ".CURRENT.json.k1ll3d.tmp"
    leftover.write_text('{"current": "build-', encoding="utf-8")  # cut short, as a kill leaves it
    code, report = run(home)
    assert (code, report["ok"], report["temp_files"]) == (1, False, ["index/.CURRENT.json.k1ll3d.tmp"])
    code, report = run(home, "--repair")
    assert report["repaired"]["temp_files_removed"] == 1 and not leftover.exists()
    code, report = run(home)
    assert (code, report["ok"], report["temp_files"]) == (0, True, [])
    leftover.write_text("{", encoding="utf-8")
    reindex(home, procs=1)  # the next rebuild cleans it too
    assert not leftover.exists()
