"""``newsarchive export`` (every match, no cap) and ``newsarchive watch`` (saved searches, what
they found since their last run, a command and a webhook per new match) through the real
command, a real index and a real local HTTP server."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from archive.identity import derive_id
from archive.store import Store
from index.build import reindex, update_documents
from index.model import SearchQuery
from index.search import SearchService
from scripts.bench_stories import load_split
from scripts.cli import main
from tests.httpserver import LocalServer

INGESTED = datetime(2026, 6, 1, tzinfo=timezone.utc)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    store = Store(home)
    for item in load_split("dev")[0]:
        store.save(item.article.replace(ingested_at=INGESTED))
    reindex(home, procs=1)
    return home


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def test_export_writes_every_match_with_no_cap(home, tmp_path):
    with SearchService(home) as service:
        expected = [h.id for h in service.iter_hits(SearchQuery(sort="newest"), 1000)]
    assert len(expected) == 64
    result = cli("export", "--home", str(home), "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == expected  # 64 > any web cap we would set in a test
    lines = cli("export", "brightwater", "--home", str(home), "--format", "jsonl", "--source",
                "harborstreet", "--base-url", "https://archive.example/").stdout.splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["source"], r["archive_url"]) for r in records] == [
        ("harborstreet", f"https://archive.example/article/{r['id']}") for r in records]
    assert len(records) == 2 and all(r["story"] for r in records)
    out = tmp_path / "all.csv"
    written = cli("export", "--home", str(home), "--output", str(out))
    assert written.exit_code == 0 and written.stderr == f"64 matches written to {out}\n"
    assert out.read_text(encoding="utf-8") == result.stdout
    bad = cli("export", '"open', "--home", str(home))
    assert bad.exit_code == 1 and bad.stderr.startswith("Error: ")


def _ingest_new(home: Path, title: str) -> str:
    slug = "-".join(title.lower().split())
    article = load_split("heldout")[0][0].article.replace(
        title=title, id=None, url=f"https://news.example/{slug}", external_id=None,
        ingested_at=datetime.now(timezone.utc))
    article = article.replace(id=derive_id(article))
    saved = Store(home).save(article)
    update_documents(home, [(saved.path, saved.article)])
    return article.id


def test_watch_add_list_run_and_remove(home):
    added = cli("watch", "add", "halvard", "halvard", "--home", str(home))
    assert added.exit_code == 0, added.output
    data = yaml.safe_load((home / "watches.yaml").read_text(encoding="utf-8"))
    assert [(w["name"], w["search"], w["last_run"]) for w in data["watches"]] == [
        ("halvard", {"q": "halvard", "sort": "newest"}, None)]
    assert cli("watch", "add", "halvard", "x", "--home", str(home)).stderr == (
        "Error: there is already a watch named 'halvard' (remove it first)\n")
    assert cli("watch", "add", "../etc", "x", "--home", str(home)).exit_code == 1
    # nothing was ingested since it was saved
    first = cli("watch", "run", "--home", str(home))
    assert first.exit_code == 0 and first.stdout.splitlines()[0].startswith("halvard: 0 new since ")
    new_id = _ingest_new(home, "Halvard Labs opens a Lisbon office")
    _ingest_new(home, "Copper prices climb")  # not a match
    found = cli("watch", "run", "--home", str(home), "--json")
    report = json.loads(found.stdout)["watches"]
    assert [(w["name"], [h["id"] for h in w["new"]]) for w in report] == [("halvard", [new_id])]
    again = json.loads(cli("watch", "run", "--home", str(home), "--json").stdout)["watches"]
    assert again[0]["new"] == []  # last_run moved
    listed = cli("watch", "list", "--home", str(home)).stdout
    assert listed.startswith("halvard: q=halvard, sort=newest (last run: ")
    assert cli("watch", "remove", "halvard", "--home", str(home)).exit_code == 0
    assert cli("watch", "remove", "halvard", "--home", str(home)).stderr == "Error: no watch named 'halvard'\n"


def test_a_command_and_a_webhook_run_per_new_match_only_when_configured(home, tmp_path):
    assert cli("watch", "add", "copper", "copper", "--home", str(home)).exit_code == 0
    ids = [_ingest_new(home, "Copper prices climb"), _ingest_new(home, "Copper miners strike")]
    log = tmp_path / "calls.jsonl"
    script = tmp_path / "record.py"
    script.write_text("import os, sys\nwith open(sys.argv[1], 'a') as f:\n"
                      "    f.write(os.environ['NEWSARCHIVE_ID'] + ' ' + sys.stdin.read() + '\\n')\n")
    with LocalServer() as server:
        result = cli("watch", "run", "--home", str(home), "--exec", f"{sys.executable} {script} {log}",
                     "--webhook", server.url("/hook"))
        assert result.exit_code == 0, result.output
        posted = [json.loads(body) for path, _, body in server.posts]
    assert sorted(p["id"] for p in posted) == sorted(ids)
    assert {p["watch"] for p in posted} == {"copper"}
    calls = [line.split(" ", 1) for line in log.read_text().splitlines()]
    assert sorted(i for i, _ in calls) == sorted(ids)
    assert {json.loads(body)["id"] for _, body in calls} == set(ids)
    # nothing new: nothing is called; and no webhook is ever called unless one is configured
    with LocalServer() as server:
        assert cli("watch", "run", "--home", str(home), "--webhook", server.url("/hook")).exit_code == 0
        _ingest_new(home, "Copper smelter reopens")
        assert cli("watch", "run", "--home", str(home)).exit_code == 0
        assert server.posts == []


def test_a_webhook_that_redirects_or_fails_is_reported_and_never_followed(home):
    assert cli("watch", "add", "copper", "copper", "--home", str(home)).exit_code == 0
    _ingest_new(home, "Copper prices climb")
    with LocalServer() as server:
        result = cli("watch", "run", "--home", str(home), "--webhook", server.url("/hook-redirect"),
                     "--json")
        assert [p for p, _, _ in server.posts] == ["/hook-redirect"]  # /hook never reached
    assert result.exit_code == 1
    call = json.loads(result.stdout)["watches"][0]["calls"][0]
    assert call["ok"] is False and "redirects are not followed" in call["error"]
    assert result.stderr.endswith("Error: 1 command or webhook call(s) failed (see above)\n")
    # a failed alert is not lost: last_run stayed, the next run calls again (here a hook's 500)
    with LocalServer() as server:
        again = cli("watch", "run", "--home", str(home), "--webhook", server.url("/hook-error"),
                    "--json")
        assert [p for p, _, _ in server.posts] == ["/hook-error"]
        call = json.loads(again.stdout)["watches"][0]["calls"][0]
        assert (again.exit_code, call["ok"], call["error"]) == (
            1, False, f"{server.url('/hook-error')}: HTTP 500 Internal Server Error: the server had an error")
    with LocalServer() as server:
        assert cli("watch", "run", "--home", str(home), "--webhook", server.url("/hook")).exit_code == 0
        assert [p for p, _, _ in server.posts] == ["/hook"]
        assert cli("watch", "run", "--home", str(home), "--webhook", server.url("/hook")).exit_code == 0
        assert len(server.posts) == 1  # delivered: last_run moved
    bad = cli("watch", "add", "other", "x", "--home", str(home), "--webhook", "file:///etc/passwd")
    assert bad.stderr == "Error: file:///etc/passwd: only http:// and https:// addresses can be fetched\n"
