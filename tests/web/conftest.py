"""Fixtures for the web tests: real indexes built once per session in tmp folders, the real app.

``web_home``: the shared fixture articles of ``tests/index/fixtures.py``, indexed.
``hostile_home``: the same plus articles whose fields carry script payloads and spreadsheet
formulas (for escaping, CSV injection and the browser test that nothing runs).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.store import Store

#: a title made of the usual script payloads
HOSTILE_TITLE = ('<script>alert("title")</script> Token <img src=x onerror=alert("img")> '
                 '"quoted" & <b>bold</b>')
HOSTILE_BODY = (
    "Opening paragraph about the hostile token market.\n\n"
    "<script>alert('body')</script>\n\n"
    "<img src=x onerror=alert('body-img')>\n\n"
    "[a javascript link](javascript:alert('link')) and [a normal link](https://example.org/ok)\n\n"
    "![picture](https://tracker.example/pixel.png)\n\n"
    "<iframe src=\"javascript:alert('frame')\"></iframe> closing words about token markets.\n"
)
FORMULA_TITLE = "=HYPERLINK(\"http://evil.example\",\"click\") token report"


def hostile_articles() -> list[Article]:
    source = Source(name='Evil <script>alert("src")</script> Wire', key="evilwire", type="WEB")
    first = Article(
        title=HOSTILE_TITLE,
        description='<img src=x onerror=alert("desc")> a description of the token',
        published_at=datetime(2026, 2, 11, 10, 0, tzinfo=timezone.utc),
        body=HOSTILE_BODY,
        lang="en",
        source=source,
        category="TOKENS",
        tags=("<svg onload=alert(1)>", "TOKENS"),
        sentiment="NEGATIVE",
        url="https://evilwire.example/2026/02/hostile-token",
        canonical_url="javascript:alert('canonical')",
        author='<script>alert("author")</script>',
        ingested_at=datetime(2026, 2, 11, 12, 0, tzinfo=timezone.utc),
        content_hash=compute_content_hash(HOSTILE_BODY),
    )
    second = Article(
        title=FORMULA_TITLE,
        description="-2+3 cmd|' /C calc'!A0",
        published_at=datetime(2026, 2, 12, 9, 0, tzinfo=timezone.utc),
        body="A report on token prices with a formula in its title.",
        lang="en",
        source=source,
        category="TOKENS",
        tags=("@SUM(A1)", "TOKENS"),
        sentiment="NEUTRAL",
        url="https://evilwire.example/2026/02/formula-token",
        author="+Formula Author",
        ingested_at=datetime(2026, 2, 12, 11, 0, tzinfo=timezone.utc),
        content_hash=compute_content_hash("A report on token prices with a formula in its title."),
    )
    return [a.replace(id=derive_id(a)) for a in (first, second)]


@pytest.fixture(scope="session")
def web_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.index.fixtures import build_fixture_index

    home = tmp_path_factory.mktemp("web") / "home"
    home.mkdir()
    build_fixture_index(home)
    return home


@pytest.fixture(scope="session")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from index.build import reindex
    from tests.index.fixtures import write_fixture_articles

    home = tmp_path_factory.mktemp("hostile") / "home"
    home.mkdir()
    write_fixture_articles(home)
    store = Store(home)
    for article in hostile_articles():
        store.save(article)
    report = reindex(home, procs=1)
    assert not report.failed
    return home


@pytest.fixture(scope="session")
def undated_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture articles plus two whose date is unknown (``tests/index/fixtures.py``)."""
    from tests.index.fixtures import build_undated_index

    home = tmp_path_factory.mktemp("undated") / "home"
    home.mkdir()
    build_undated_index(home)
    return home


@pytest.fixture(scope="session")
def app(web_home: Path):
    from web.app import create_app

    return create_app({"HOME": web_home})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def service(web_home: Path):
    """The index's own answer, to compare the pages and the API with."""
    from index.search import SearchService

    svc = SearchService(web_home)
    yield svc
    svc.close()


@pytest.fixture(scope="session")
def story_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dev split of our labelled story set (tests/fixtures/stories), indexed: stories with
    up to five versions, follow-ups and look-alikes."""
    from index.build import reindex
    from scripts.bench_stories import load_split

    home = tmp_path_factory.mktemp("stories") / "home"
    store = Store(home)
    for item in load_split("dev")[0]:
        store.save(item.article)
    reindex(home, procs=1)
    return home
