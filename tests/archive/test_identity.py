"""Which article an input is, and where its file goes (``archive.identity``), through the real
``newsarchive ingest`` command: ids an input brings are scoped by source, a path holding another
id is never overwritten, the id is found however long the frontmatter, and a relative ``--home``
means the same folder to every command."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from archive.article import Article, Source
from archive.identity import derive_id
from archive.store import Store, read_id, render_article
from scripts.cli import main


def ingest(home: Path | str, *args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--json", *args])
    assert result.stdout, result.stderr
    data = json.loads(result.stdout)
    return result.exit_code, [(r["status"], r.get("path"), r.get("id")) for r in data["results"]], \
        result.stderr


def files(home: Path) -> dict[str, str]:
    """relative path -> the file's id, for every article file."""
    return {p.relative_to(home).as_posix(): read_id(p) for p in Store(home).iter_paths()}


def markdown(folder: Path, name: str, **fields: str) -> Path:
    body = fields.pop("body", "The harbour authority said the agreement covers every berth in the port.")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n" + body + "\n",
                    encoding="utf-8")
    return path


# ------------------------------------------------------------------ ids brought by an input --

def test_two_sites_with_the_same_id_are_two_articles(home: Path, tmp_path: Path) -> None:
    alpha = markdown(tmp_path / "alpha", "strike.md", id="42", title="Port strike ends after nine days",
                     publishedAt="2026-03-02", source="Alpha Daily", desk="harbour",
                     body="Dock workers voted to return after the port authority raised pay by six per cent.")
    beta = markdown(tmp_path / "beta", "chips.md", id="42", title="Chip maker lifts its forecast",
                    publishedAt="2026-03-02", source="Beta Wire", edition="evening",
                    body="The company expects revenue to rise a fifth as data-centre orders double.")
    code, first, _ = ingest(home, str(alpha))
    code2, second, _ = ingest(home, str(beta))
    assert (code, code2) == (0, 0)
    assert [s for s, _, _ in first + second] == ["created", "created"]
    alpha_id = derive_id(Article(title="x", external_id="42", source=Source("Alpha Daily", "alphadaily")))
    beta_id = derive_id(Article(title="x", external_id="42", source=Source("Beta Wire", "betawire")))
    assert files(home) == {
        "articles/2026/03/port-strike-ends-after-nine-days.en.md": alpha_id,
        "articles/2026/03/chip-maker-lifts-its-forecast.en.md": beta_id,
    }
    strike = Store(home).get(alpha_id)
    chips = Store(home).get(beta_id)
    # the publisher's id is kept as its externalId, and nothing of one file went into the other
    assert (strike.external_id, dict(strike.extra)) == ("42", {"desk": "harbour"})
    assert (chips.external_id, dict(chips.extra)) == ("42", {"edition": "evening"})
    # the same site's next version of its article 42 updates that article only
    markdown(tmp_path / "alpha", "strike.md", id="42", title="Port strike ends after nine days of talks",
             publishedAt="2026-03-02", source="Alpha Daily", desk="harbour",
             body="Dock workers voted to return after the port authority raised pay by seven per cent.")
    assert ingest(home, str(alpha))[1] == [
        ("updated", str(home / "articles/2026/03/port-strike-ends-after-nine-days-of-talks.en.md"), alpha_id)]
    assert sorted(files(home).values()) == sorted([alpha_id, beta_id])


def test_our_own_files_keep_their_ids_and_come_back_unchanged(home: Path, tmp_path: Path) -> None:
    src = markdown(tmp_path / "in", "strike.md", title="Port strike ends after nine days",
                   publishedAt="2026-03-02", source="Alpha Daily")
    (status, path, article_id), = ingest(home, str(src))[1]
    assert status == "created" and len(article_id) == 16
    # the archive's own file, ingested again: itself, unchanged
    assert ingest(home, path)[1] == [("unchanged", path, article_id)]
    # a copy of it in another home keeps its id there too, and is unchanged the second time
    other = tmp_path / "other"
    copy = tmp_path / "copy.md"
    copy.write_bytes(Path(path).read_bytes())
    (status, copied, copied_id), = ingest(other, str(copy))[1]
    assert (status, copied_id) == ("created", article_id)
    assert ingest(other, str(copy))[1] == [("unchanged", copied, article_id)]


def test_an_id_of_ours_brought_by_another_source_is_not_trusted(home: Path, tmp_path: Path) -> None:
    src = markdown(tmp_path / "in", "strike.md", title="Port strike ends after nine days",
                   publishedAt="2026-03-02", source="Alpha Daily")
    (_, path, ours), = ingest(home, str(src))[1]
    before = Path(path).read_bytes()
    forged = markdown(tmp_path / "in", "forged.md", id=ours, title="Something else entirely",
                      publishedAt="2026-03-02", source="Gamma Post",
                      body="A different story, which claims the id of an article it is not.")
    (status, forged_path, forged_id), = ingest(home, str(forged))[1]
    assert status == "created" and forged_id != ours
    assert Path(path).read_bytes() == before
    assert Store(home).get(forged_id).external_id == ours
    assert sorted(files(home).values()) == sorted([ours, forged_id])


# ---------------------------------------------------------------------- paths and suffixes --

def test_ids_sharing_their_first_characters_never_share_a_file(home: Path, tmp_path: Path) -> None:
    for n in (1, 2, 3):
        markdown(tmp_path / "in", f"release-{n}.md", id=f"release-2026-{n}", title="Quarterly release",
                 publishedAt=f"2026-04-0{n}", source="Delta Labs",
                 body=f"Release number {n} of the quarter brings fixes to the importer and the viewer.")
    code, results, _ = ingest(home, str(tmp_path / "in"))
    assert [s for s, _, _ in results] == ["created"] * 3
    assert sorted(files(home).values()) == sorted(r[2] for r in results)
    assert len(files(home)) == 3


def test_a_path_holding_another_id_is_never_overwritten_whatever_the_suffix(home: Path, tmp_path: Path) -> None:
    # three of our own files, ids alike in their first 8 characters, same title and month
    for n in (1, 2, 3):
        article = Article(title="Quarterly release", published_at=_date(2026, 4, n),
                          body=f"Release {n} of the quarter brings fixes.", id=f"aaaaaaaa0000000{n}",
                          source=Source("Delta Labs", "deltalabs"), content_hash=f"sha256:{n}")
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"{n}.md").write_text(render_article(article), encoding="utf-8")
    code, results, _ = ingest(home, str(tmp_path / "in"))
    assert [s for s, _, _ in results] == ["created"] * 3
    assert files(home) == {
        "articles/2026/04/quarterly-release.en.md": "aaaaaaaa00000001",
        "articles/2026/04/quarterly-release-aaaaaaaa.en.md": "aaaaaaaa00000002",
        "articles/2026/04/quarterly-release-aaaaaaaa00000003.en.md": "aaaaaaaa00000003",
    }
    # and each comes back unchanged, at its own path
    assert [r[:2] for r in ingest(home, str(tmp_path / "in"))[1]] == [("unchanged", r[1]) for r in results]


def test_a_file_without_an_id_at_the_path_is_not_overwritten(home: Path, tmp_path: Path) -> None:
    # a file put there by another tool (no id line) holds the path
    taken = home / "articles/2026/03/port-strike-ends.en.md"
    taken.parent.mkdir(parents=True)
    taken.write_text("---\ntitle: Port strike ends\npublishedAt: 2026-03-02\n---\nTheirs.\n", encoding="utf-8")
    src = markdown(tmp_path / "in", "strike.md", title="Port strike ends", publishedAt="2026-03-02")
    (status, path, article_id), = ingest(home, str(src))[1]
    assert status == "created"
    assert path == str(home / f"articles/2026/03/port-strike-ends-{article_id[:8]}.en.md")
    assert taken.read_text(encoding="utf-8").endswith("Theirs.\n")


def test_a_collision_slug_never_ends_in_a_hyphen(home: Path, tmp_path: Path) -> None:
    # before, the suffix was id[:8]: "release-" for these ids
    for n in (1, 2):
        markdown(tmp_path / "in", f"{n}.md", title="Harbour notes", publishedAt="2026-03-02",
                 id=f"release-2026-{n}", source="Alpha Daily",
                 body=f"Story {n} about the harbour and its berths.")
    results = ingest(home, str(tmp_path / "in"))[1]
    stems = sorted(Path(p).name.split(".")[0] for _, p, _ in results)
    assert len(stems) == 2 and stems[0] == "harbour-notes"
    assert stems[1].startswith("harbour-notes-") and not stems[1].endswith("-") and "--" not in stems[1]


def _date(y: int, m: int, d: int):
    from datetime import datetime, timezone

    return datetime(y, m, d, 9, 0, tzinfo=timezone.utc)


# --------------------------------------------------------------------- long frontmatter --

def test_the_id_is_found_whatever_the_frontmatter_length(home: Path, tmp_path: Path) -> None:
    long = "'" + "A long standfirst about the harbour. " * 600 + "'"   # ~22 KB
    assert len(long) > 16 * 1024
    v1 = markdown(tmp_path / "v1", "a.md", title="Port strike ends", publishedAt="2026-03-02",
                  externalId="77", source="Alpha Daily", description=long)
    v2 = markdown(tmp_path / "v2", "a.md", title="Port strike ends after talks", publishedAt="2026-03-02",
                  externalId="77", source="Alpha Daily", description=long)
    (_, p1, article_id), = ingest(home, str(v1))[1]
    assert read_id(Path(p1)) == article_id
    (s2, p2, id2), = ingest(home, str(v2))[1]
    assert (s2, id2) == ("updated", article_id)
    (s3, p3, id3), = ingest(home, str(v1))[1]
    assert (s3, p3, id3) == ("updated", p1, article_id)
    assert files(home) == {Path(p1).relative_to(home).as_posix(): article_id}


# ---------------------------------------------------------------------------- relative home --

def test_a_relative_home_is_the_same_folder_for_every_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    v1 = markdown(tmp_path / "v1", "a.md", title="Port strike ends", publishedAt="2026-03-02",
                  externalId="77", source="Alpha Daily",
                  body="Dock workers voted to return after the port authority raised harbour pay.")
    v2 = markdown(tmp_path / "v2", "a.md", title="Port strike ends after talks", publishedAt="2026-03-02",
                  externalId="77", source="Alpha Daily",
                  body="Dock workers voted to return after the port authority raised harbour pay again.")
    assert ingest("rel-home", str(v1))[0] == 0
    (status, path, _), = ingest("rel-home", str(v2))[1]
    home = tmp_path / "rel-home"
    assert (status, path) == ("updated", str(home / "articles/2026/03/port-strike-ends-after-talks.en.md"))
    assert len(files(home)) == 1
    runner = CliRunner()
    found = runner.invoke(main, ["search", "--home", "rel-home", "--json", "harbour"])
    hits = json.loads(found.stdout)["hits"]
    assert [h["title"] for h in hits] == ["Port strike ends after talks"]
    assert "harbour" in json.dumps(hits[0]).lower() and hits[0].get("snippet")
    verified = runner.invoke(main, ["verify", "--home", "rel-home", "--json"])
    assert (verified.exit_code, json.loads(verified.stdout)["ok"]) == (0, True)


# ------------------------------------------------------------------- the journal of saves --

def _version(n: int) -> Article:
    return Article(title=f"Harbour report, edition {n}", published_at=_date(2026, 3, n),
                   body=f"Edition {n} of the harbour report.", external_id="harbour-1",
                   source=Source("Alpha Daily", "alphadaily"), content_hash=f"sha256:{n}")


def knows_nothing(article_id: str) -> None:
    """An index that has not seen the other process's writes yet."""
    return None


def test_a_store_finds_what_another_store_saved_after_it_opened(home: Path) -> None:
    first, second = Store(home, locate=knows_nothing), Store(home, locate=knows_nothing)
    made = first.save(_version(1))
    moved = second.save(_version(2))   # another title and month: another path
    assert (made.status, moved.status) == ("created", "updated")
    assert files(home) == {"articles/2026/03/harbour-report-edition-2.en.md": made.article.id}
    assert first.save(_version(3)).status == "updated"
    assert files(home) == {"articles/2026/03/harbour-report-edition-3.en.md": made.article.id}


def test_a_half_written_journal_line_loses_nothing_after_it(home: Path) -> None:
    first = Store(home, locate=knows_nothing)
    made = first.save(_version(1))
    with (home / ".articles.ids").open("ab") as journal:
        journal.write(b"0123456789abcdef\tarticles/2026/0")   # a crash in the middle of a line
    Store(home, locate=knows_nothing).save(_version(2))
    assert Store(home, locate=knows_nothing).save(_version(3)).status == "updated"
    assert files(home) == {"articles/2026/03/harbour-report-edition-3.en.md": made.article.id}


def test_the_journal_is_compacted_and_still_answers(home: Path, monkeypatch) -> None:
    import archive.store

    monkeypatch.setattr(archive.store, "JOURNAL_COMPACT_BYTES", 400)
    writer = Store(home, locate=knows_nothing)
    for n in range(1, 29):
        writer.save(_version(n))
    lines = (home / ".articles.ids").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 14 and len(set(lines)) == len(lines)
    assert Store(home, locate=knows_nothing).save(_version(2)).status == "updated"
    assert len(files(home)) == 1
