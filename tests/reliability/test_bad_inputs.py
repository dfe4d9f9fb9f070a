"""A corpus of bad inputs, each with the one clear message it must give (never a traceback).

Every input goes through the real command (``newsarchive ingest --json``); nothing is written for
a bad input, and the batch goes on past it.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.store import Store
from scripts.cli import main

GOOD = """---
title: Regional lender beats estimates on fee income
publishedAt: '2025-04-15T12:00:00.000Z'
source: {name: Harbor Street Journal, key: harborstreet, type: FILE}
---
The lender said fee income rose eleven percent in the quarter, ahead of analyst estimates.
"""


def make_corpus(folder: Path) -> dict[str, str]:
    """Write the bad inputs; returns file name -> the message it must give."""
    folder.mkdir()
    files: dict[str, bytes] = {
        "binary.md": bytes(range(256)) * 8,
        "empty.md": b"",
        "blank.txt": b"\n  \n\t\n",
        "invalid-utf8.md": b"---\ntitle: caf\xe9\npublishedAt: 2025-01-01\n---\nbody\n",
        "alias-bomb.md": (b"---\ntitle: x\npublishedAt: 2025-01-01\na: &a [x,x,x,x,x,x,x,x,x]\n"
                          + b"".join(b"%c: &%c [*%c,*%c,*%c,*%c]\n" % (98 + i, 98 + i, 97 + i, 97 + i, 97 + i, 97 + i)
                                     for i in range(20)) + b"---\nbody\n"),
        "python-tag.md": b"---\ntitle: !!python/object/apply:os.system ['touch /tmp/pwned']\n"
                         b"publishedAt: 2025-01-01\n---\nbody\n",
        "broken-yaml.md": b"---\ntitle: [unclosed\npublishedAt: 2025-01-01\n---\nbody\n",
        "deep-yaml.md": b"---\ntitle: x\npublishedAt: 2025-01-01\nz: " + b"[" * 200 + b"]" * 200 + b"\n---\nbody\n",
        "traversal-id.md": b"---\ntitle: Escape attempt\nid: ../../etc/passwd\npublishedAt: 2025-01-01\n---\nbody\n",
        "nested.html": (b"<html><head><title>Deep</title></head><body>" + b"<div>" * 50_000
                        + b"<p>Text.</p>" + b"</div>" * 50_000 + b"</body></html>"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    with open(folder / "huge.md", "wb") as handle:  # 200 MB, sparse: costs no disk
        handle.truncate(200 * 1024 * 1024)
    return {
        "binary.md": "this is a binary file, not text",
        "empty.md": "the input is empty",
        "blank.txt": "the input is empty",
        "invalid-utf8.md": "the file is not valid UTF-8 (byte 14); convert it to UTF-8 first",
        "alias-bomb.md": "the frontmatter is not valid YAML at line 3, column 4: "
                         "YAML anchors (&name) are not allowed in frontmatter",
        "python-tag.md": "the frontmatter uses a YAML tag that is not allowed (could not determine a "
                         "constructor for the tag 'tag:yaml.org,2002:python/object/apply:os.system')",
        "broken-yaml.md": "the frontmatter is not valid YAML at line 2, column 12: expected ',' or ']', "
                          "but got ':'",
        "deep-yaml.md": "the frontmatter is not valid YAML at line 3, column 35: frontmatter is nested "
                        "deeper than 32 levels",
        "nested.html": "no article text found in the page",
        "huge.md": "the file is 210 MB, more than the 5 MB limit for this kind of input",
    }


def test_each_bad_input_gives_its_one_clear_message(tmp_path: Path) -> None:
    expected = make_corpus(tmp_path / "bad")
    (tmp_path / "bad" / "good.md").write_text(GOOD, encoding="utf-8")
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--json", str(tmp_path / "bad")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    report = json.loads(result.output)
    failures = {Path(r["input"]).name: r["error"] for r in report["results"] if r["status"] == "failed"}
    assert failures == expected
    created = [r for r in report["results"] if r["status"] == "created"]
    assert [Path(r["input"]).name for r in created] == ["good.md", "traversal-id.md"]
    assert [p.relative_to(home).as_posix() for p in Store(home).iter_paths()] == [
        "articles/2025/01/escape-attempt.en.md",
        "articles/2025/04/regional-lender-beats-estimates-on-fee-income.en.md"]
    # an id brought by an input is the publisher's: kept as externalId, never a path
    escaped = Store(home).get(created[1]["id"])
    assert (len(escaped.id), escaped.external_id) == (16, "../../etc/passwd")
    assert not os.path.exists("/tmp/pwned")


def test_control_characters_never_reach_a_title(tmp_path: Path) -> None:
    page = tmp_path / "copied.txt"
    page.write_text("Markets\x07 rally\x1b[31m as\u202e yields ease\n\nStocks rose on Monday, "
                    "March 3, 2025, as bond yields eased and traders added risk.\n", encoding="utf-8")
    home = tmp_path / "home"
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--json", str(page)])
    assert result.exit_code == 0, result.output
    (path,) = Store(home).iter_paths()
    article = Store(home).get(json.loads(result.output)["results"][0]["id"])
    assert article.title == "Markets rally [31m as yields ease"
    assert path.name == "markets-rally-31m-as-yields-ease.en.md"


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00", "a" * 500])
def test_path_traversal_ids_are_not_found_on_the_web(home: Path, bad_id: str) -> None:
    from tests.index.fixtures import build_fixture_index
    from web.app import create_app

    build_fixture_index(home)
    client = create_app({"HOME": home, "TESTING": True}).test_client()
    for url in (f"/article/{bad_id}", f"/api/articles/{bad_id}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"root:" not in response.data


def test_a_gzip_bomb_snapshot_is_refused_by_reextract(tmp_path: Path) -> None:
    from archive.article import Article
    from datetime import datetime, timezone

    home = tmp_path / "home"
    bomb = home / "raw/2026/03/bomb.html.gz"
    bomb.parent.mkdir(parents=True)
    with gzip.open(bomb, "wb", compresslevel=9) as handle:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(64):
            handle.write(chunk)
    Store(home).save(Article(
        title="Snapshot with a surprise", published_at=datetime(2026, 3, 2, tzinfo=timezone.utc),
        body="Short body.", url="http://127.0.0.1:9/page", extractor={"name": "trafilatura",
                                                                      "raw": "raw/2026/03/bomb.html.gz"}))
    result = CliRunner().invoke(main, ["reextract", "--home", str(home)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "compression bomb" in result.output or "larger than" in result.output, result.output
