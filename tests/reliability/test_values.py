"""Values a file cannot hold fail that one file, naming it and the field, in ``ingest``,
``reindex`` and ``verify`` (issue 9, finding 2); unknown frontmatter fields come back exactly as
they were, however odd their keys and values (finding 7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from archive.store import Store, read_article
from scripts.cli import main

STICKY = "'stickyWeight' must be a number from -2147483647 to 2147483647, got "
FUTURE = "'publishedAt' is outside the years 1 to 9999 in UTC: 9999-12-31T23:00:00-05:00"
#: file name -> (the line in its frontmatter, the error it gives)
BAD = {
    "sticky-big.md": ("stickyWeight: 3000000000", STICKY + "3000000000"),
    "sticky-1e400.md": ("stickyWeight: 1e400", STICKY + "1e400"),
    "sticky-inf.md": ("stickyWeight: .inf", STICKY + ".inf"),
    "sticky-nan.md": ("stickyWeight: .nan", STICKY + ".nan"),
    "score-inf.md": ("score: -.inf", "'score' must be a finite number, got -.inf"),
    "far-future.md": ("publishedAt: 9999-12-31T23:00:00-05:00", FUTURE),
}


def cli(*args: str) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, [*args, "--json"])
    assert "Traceback" not in result.output + result.stderr
    return result.exit_code, json.loads(result.stdout), result.stderr


def write_bad_files(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (line, _) in BAD.items():
        date = "" if line.startswith("publishedAt") else "publishedAt: 2026-03-02\n"
        (folder / name).write_text(f"---\ntitle: Harbour story {name}\n{date}{line}\n---\n"
                                   f"The harbour story of {name}, about berths and cranes.\n", encoding="utf-8")
    (folder / "old.md").write_text("---\ntitle: A harbour charter\npublishedAt: 0999-06-01\n---\n"
                                   "The harbour charter granted the town its berths.\n", encoding="utf-8")
    (folder / "good.md").write_text("---\ntitle: Cranes return to the harbour\npublishedAt: 2026-03-03\n---\n"
                                    "Cranes returned to the harbour on Tuesday.\n", encoding="utf-8")


def test_ingest_fails_each_bad_value_alone_and_writes_the_old_date_readably(home: Path, tmp_path: Path) -> None:
    write_bad_files(tmp_path / "in")
    code, report, _ = cli("ingest", "--home", str(home), str(tmp_path / "in"))
    assert code == 1
    failed = {Path(r["input"]).name: r["error"] for r in report["results"] if r["status"] == "failed"}
    assert failed == {name: error for name, (_, error) in BAD.items()}
    assert report["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "failed": len(BAD)}
    assert sorted(p.relative_to(home).as_posix() for p in Store(home).iter_paths()) == [
        "articles/0999/06/a-harbour-charter.en.md", "articles/2026/03/cranes-return-to-the-harbour.en.md"]
    old = home / "articles/0999/06/a-harbour-charter.en.md"
    assert "publishedAt: '0999-06-01T00:00:00.000Z'" in old.read_text(encoding="utf-8")
    assert read_article(old).published_at.year == 999
    # ... and comes back unchanged
    again = cli("ingest", "--home", str(home), str(tmp_path / "in" / "old.md"))[1]
    assert [r["status"] for r in again["results"]] == ["unchanged"]


def test_reindex_and_verify_name_the_file_and_the_field(home: Path, tmp_path: Path) -> None:
    write_bad_files(tmp_path / "in")
    cli("ingest", "--home", str(home), str(tmp_path / "in"))
    hand = home / "articles/2026/03"
    for name in BAD:  # put there by hand, or by another tool
        shutil.copy(tmp_path / "in" / name, hand / name)
    expected = sorted((f"articles/2026/03/{name}", error) for name, (_, error) in BAD.items())

    code, report, _ = cli("reindex", "--home", str(home))
    assert code == 1
    assert sorted((f["path"], f["error"]) for f in report["failures"]) == expected
    assert report["documents"] == 2

    code, report, _ = cli("verify", "--home", str(home))
    assert code == 1
    assert sorted((u["path"], u["error"]) for u in report["unreadable"]) == expected
    assert (report["missing"], report["stale"], report["extra"]) == ([], [], [])

    code, found, _ = cli("search", "--home", str(home), "harbour")
    assert (code, sorted(h["title"] for h in found["hits"])) == (
        0, ["A harbour charter", "Cranes return to the harbour"])


# ------------------------------------------------------------------ unknown fields, exactly --

ODD_FIELDS = """\
null: a null key
1: an integer key
2026-01-01: a date key
seen: 2026-01-02
at: 2026-01-02T10:00:00Z
nel: "one\\Ntwo"
ls: "one\\Ltwo"
ps: "one\\Ptwo"
huge: 100000000000000000000000000000
ordered: !!omap
  - b: 1
  - a: 2
pairs: !!pairs
  - a: 1
  - a: 2
"""


def test_unknown_fields_survive_a_round_trip_exactly(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "odd.md"
    src.write_text("---\ntitle: Harbour notes\npublishedAt: 2026-03-02\nsource: Alpha Daily\n"
                   + ODD_FIELDS + "---\nDock workers at the harbour said the berths were busy.\n",
                   encoding="utf-8")
    code, report, _ = cli("ingest", "--home", str(home), str(src))
    assert (code, [r["status"] for r in report["results"]]) == (0, ["created"])
    written = Path(report["results"][0]["path"])
    text = written.read_text(encoding="utf-8")
    # the unknown fields are written as they were given, byte for byte, after ours
    assert text.split("\n---\n")[0].endswith("\n" + ODD_FIELDS.rstrip("\n"))
    # a YAML 1.1 reader sees the same keys and values in both files
    theirs = yaml.safe_load(src.read_text(encoding="utf-8").split("---\n")[1])
    ours = yaml.safe_load(text.split("---\n")[1])
    assert {k: ours[k] for k in theirs if k not in ("title", "publishedAt", "source")} == {
        k: v for k, v in theirs.items() if k not in ("title", "publishedAt", "source")}
    # again from the input, and from the written file: unchanged
    code, again, _ = cli("ingest", "--home", str(home), str(src), str(written))
    assert [r["status"] for r in again["results"]] == ["unchanged", "unchanged"]


def test_a_key_given_twice_is_refused_clearly(home: Path, tmp_path: Path) -> None:
    src = tmp_path / "twice.md"
    src.write_text("---\ntitle: Harbour notes\npublishedAt: 2026-03-02\n1: one\ntrue: two\n---\nText.\n",
                   encoding="utf-8")
    code, report, _ = cli("ingest", "--home", str(home), str(src))
    assert (code, [(r["status"], r["error"]) for r in report["results"]]) == (1, [(
        "failed", "the frontmatter is not valid YAML at line 4, column 1: the key 'true' is given "
                  "twice (first at line 3)")])
