"""Ingest finds existing articles through the index: no read of every file in the archive."""

from __future__ import annotations

from pathlib import Path

from archive.store import Store, render_article
from index.locate import IndexLocator
from tests.index.fixtures import build_fixture_index


def test_an_update_is_found_through_the_index_without_reading_the_folder(home: Path) -> None:
    articles = build_fixture_index(home)
    original = articles[3]
    old_path = Store(home).path_of(original.id)
    with IndexLocator(home) as locator:
        store = Store(home, locate=locator)
        saved = store.save(original.replace(title=original.title + " (updated)"))
        assert saved.status == "updated"
        assert not old_path.exists() and saved.path.exists()
        assert store.save(saved.article).status == "unchanged"  # remembered, not looked up again
        assert store._paths_by_id is None  # the whole folder was never read


def test_an_article_the_index_does_not_know_is_found_where_it_would_be(home: Path) -> None:
    articles = build_fixture_index(home)
    newcomer = articles[0].replace(id="00000000000000aa", title="Written while the index was down",
                                   url=None, canonical_url=None)
    path = home / "articles" / "2026" / "02" / "written-while-the-index-was-down.en.md"
    path.write_text(render_article(newcomer), encoding="utf-8")
    with IndexLocator(home) as locator:
        store = Store(home, locate=locator)
        assert store.path_of(newcomer.id) is None  # the index doesn't know it...
        result = store.save(newcomer)
        assert (result.status, result.path) == ("unchanged", path)  # ...but save finds it


def test_a_stale_answer_from_the_index_is_not_trusted(home: Path) -> None:
    articles = build_fixture_index(home)
    other = Store(home).path_of(articles[1].id)

    def wrong(article_id: str) -> Path:
        return other  # a path whose file has another id

    store = Store(home, locate=wrong)
    assert store.path_of(articles[0].id) is None
    assert store.path_of(articles[1].id) == other


def test_no_index_means_no_answers(home: Path) -> None:
    with IndexLocator(home) as locator:
        assert locator("0123456789abcdef") is None
