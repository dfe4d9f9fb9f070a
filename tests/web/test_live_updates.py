"""A running app sees what is ingested meanwhile: the new article is searchable and has its page;
article pages are found through the index, and unknown ids do not make it read the article folder
again."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from archive.article import Article, Source
from archive.identity import derive_id
from archive.store import Store
from index.build import update_documents
from tests.index.fixtures import build_fixture_index, fixture_articles


def test_an_article_ingested_while_serving_is_found(home: Path) -> None:
    from web.app import create_app

    build_fixture_index(home)
    app = create_app({"HOME": home})
    client = app.test_client()
    known = fixture_articles()[0]
    assert client.get(f"/article/{known.id}").status_code == 200
    backend = app.extensions["newsarchive"]
    catalogue = backend._store
    assert client.get("/article/0123456789abcdef").status_code == 404
    assert backend._store is catalogue  # the index did not change: no new read of the folder

    article = Article(
        title="Kestrel adds a proof-of-reserves page", body="The exchange published its reserves.",
        published_at=datetime(2026, 2, 13, 8, 0, tzinfo=timezone.utc), lang="en",
        source=Source(name="The Block", key="theblock", type="RSS"),
        url="https://theblock.example/2026/02/kestrel-reserves")
    article = article.replace(id=derive_id(article))
    saved = Store(home).save(article)
    update_documents(home, [(saved.path, saved.article)])

    assert [h["id"] for h in client.get("/api/search?q=kestrel").json["hits"]] == [article.id]
    page = client.get(f"/article/{article.id}")
    assert page.status_code == 200
    assert "Kestrel adds a proof-of-reserves page" in page.get_data(as_text=True)
    assert backend._store is catalogue  # found through the index's stored path: no folder scan
