"""Citable result sets on the real app: "cite this search" gives a permalink that replays the
result (and says it is a replay), a deleted cited article keeps a page, web exports state
their cap, and saved searches are listed read-only with their Atom feeds."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path

import lxml.etree
import lxml.html
import pytest

from archive.store import Store
from archive.watches import Watch, save_watches
from index.build import delete_documents, reindex, update_documents
from scripts.bench_stories import load_split


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The dev split of the labelled set, ingested on 2026-06-01 (its ingestedAt), indexed."""
    home = tmp_path / "home"
    store = Store(home)
    ingested = datetime(2026, 6, 1, tzinfo=timezone.utc)
    for item in load_split("dev")[0]:
        store.save(item.article.replace(ingested_at=ingested))
    reindex(home, procs=1)
    return home


def client_for(home: Path, **config):
    from web.app import create_app

    return create_app({"HOME": home, **config}).test_client()


def _cite(client, url: str):
    doc = lxml.html.fromstring(client.get(url).data)
    return (doc.cssselect("#cite-link")[0].get("value"), doc.cssselect("#cite-text")[0].text_content(),
            doc.cssselect(".cite dd code")[0].text_content())


def test_cite_this_search_replays_the_result_and_says_it_is_a_replay(home):
    client = client_for(home)
    permalink, text, fingerprint = _cite(client, "/search?q=halvard")
    assert permalink.startswith("http://localhost/search?q=halvard&as_of=")
    assert permalink.endswith(f"&cited={fingerprint}")
    assert text.startswith("newsarchive, search for \u201chalvard\u201d: 7 matches as of ")
    assert text.endswith(f"result fingerprint {fingerprint}. {permalink}")
    # a new matching article comes in: the live search changes, the replay does not
    items = load_split("heldout")[0]
    later = items[0].article.replace(title="Halvard Labs opens a Lisbon office", id=None,
                                     ingested_at=datetime.now(timezone.utc))
    from archive.identity import derive_id

    saved = Store(home).save(later.replace(id=derive_id(later)))
    update_documents(home, [(saved.path, saved.article)])
    live = client.get("/api/search?q=halvard").json
    replay_url = permalink.replace("http://localhost", "")
    replay = client.get("/api/search" + replay_url[len("/search"):]).json
    assert (live["total"], replay["total"]) == (8, 7)
    assert replay["fingerprint"] == fingerprint != live["fingerprint"]
    page = lxml.html.fromstring(client.get(replay_url).data)
    note = page.cssselect(".notice-replay")[0].text_content()
    assert "This is a replay" in note and f"Its result is the cited one (fingerprint {fingerprint})" in note
    assert page.cssselect(".notice-replay a")[0].get("href") == "/search?q=halvard"
    # a live search is not a replay
    assert not lxml.html.fromstring(client.get("/search?q=halvard").data).cssselect(".notice-replay")
    # a replay whose result differs from the cited one says so
    other = lxml.html.fromstring(client.get(replay_url.replace(fingerprint, "0" * 16)).data)
    assert "Its result differs from the cited one" in other.cssselect(".notice-replay")[0].text_content()
    assert client.get("/search?cited=xyz").status_code == 400


def test_a_cited_article_deleted_later_keeps_a_page(home):
    client = client_for(home)
    from index.model import SearchQuery
    from index.search import SearchService

    with SearchService(home) as service:
        hit = service.search(SearchQuery(q="valmere deal")).hits[0]
    Store(home).path_of(hit.id).unlink()
    when = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
    delete_documents(home, [hit.id], when=when)
    response = client.get(f"/article/{hit.id}")
    assert response.status_code == 410
    doc = lxml.html.fromstring(response.data)
    assert doc.cssselect("h1")[0].text_content() == hit.title
    note = " ".join(doc.cssselect(".notice-replay")[0].text_content().split())
    assert note.startswith("This article left the archive on 2 Nov 2026.")
    assert doc.cssselect(".citation dd")[-1].text_content() == "2026-11-02T09:30:00Z"
    assert client.get("/article/neverexisted").status_code == 404


def test_web_exports_state_their_cap_in_the_file_and_on_the_page(home):
    client = client_for(home, EXPORT_CAP=3)
    rows = list(csv.reader(io.StringIO(client.get("/search.csv?q=brightwater").data.decode())))
    assert len(rows) == 1 + 3 + 1
    assert rows[-1] == ["# capped: the first 3 of 8 matches; `newsarchive export` on the command line writes every match"]
    lines = client.get("/search.jsonl?q=brightwater").data.decode().splitlines()
    assert len(lines) == 4 and json.loads(lines[-1]) == {"export": {
        "complete": False, "rows": 3, "total": 8,
        "note": "capped: the first 3 of 8 matches; `newsarchive export` on the command line writes every match"}}
    page = lxml.html.fromstring(client.get("/search?q=brightwater").data)
    assert page.cssselect(".export-cap")[0].text_content().startswith("The CSV and JSONL files hold the first 3 of these 8")
    # complete exports carry no note; an empty result offers no export at all
    full = list(csv.reader(io.StringIO(client.get("/search.csv?q=halvard+settles").data.decode())))
    assert not full[-1][0].startswith("#")
    empty = lxml.html.fromstring(client.get("/search?q=nothingmatchesthis").data)
    assert not [a for a in empty.cssselect(".formats a") if a.get("download") is not None]


def test_saved_searches_are_listed_read_only_with_their_feeds(home):
    created = datetime(2026, 12, 1, tzinfo=timezone.utc)
    save_watches(home, [Watch("halvard-case", {"q": ["halvard"], "source": ["blockframe"]}, created),
                        Watch("broken", {"sort": ["sideways"]}, created)])
    client = client_for(home)
    doc = lxml.html.fromstring(client.get("/watches").data)
    items = [li.text_content().split() for li in doc.cssselect(".watch-list li")]
    assert items[0][:2] == ["halvard-case", "halvard"] and "cannot" in items[1]
    assert not doc.cssselect("form")
    feed = client.get("/watches/halvard-case.atom")
    assert feed.mimetype == "application/atom+xml"
    entries = lxml.etree.fromstring(feed.data).findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 3  # Blockframe's Halvard articles
    assert client.get("/watches/nope.atom").status_code == 404
