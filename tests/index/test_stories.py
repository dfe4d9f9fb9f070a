"""Versions of one story: the pure rules of ``index.stories`` and ``SearchService.versions`` on
real indexes (the seeds through the real ingest pipeline, the demo archive, the fixtures)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.errors import NotFound
from archive.ingest import IngestOptions, ingest
from archive.store import Store
from index.build import delete_documents, reindex, update_documents
from index.search import SearchService
from index.stories import are_versions, salient_tokens, similarity, story_text, version_labels
from tests.conftest import SEEDS
from tests.index.story_fixtures import same_week_articles

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)

#: the demo's five tellings of the Kestrel Exchange hack, oldest first
KESTREL = (
    "2026-03-17-ledgerwire-kestrel-exchange-exploit.md",
    "2026-03-17-blockframe-kestrel-drained.md",
    "2026-03-17-tokentribune-kestrel-what-we-know.md",
    "2026-03-17-newsloop-kestrel-repost.md",
    "2026-03-18-cryptobrief-kestrel-rewrite.md",
)


# ------------------------------------------------------------------------------- pure rules --

def test_salient_tokens_normalise_amounts_and_keep_names():
    text = ("Harbor Bank lost $212 million, or 6 percent of deposits, on Tuesday.\n\n"
            "Chief executive Ana Rios said 41,000 accounts and about $1.5bn were safe. "
            "Shares of HBK fell 14% in 2026; 3 analysts agreed.")
    assert salient_tokens(text) == {
        "#$212000000", "#6%", "#41000", "#$1500000000", "#14%",  # amounts, one spelling each
        "bank", "ana", "rios", "hbk",  # names; "Harbor" and "Chief" start sentences, "Shares" too
    }


def test_the_same_amount_written_two_ways_is_one_token():
    assert salient_tokens("about $212M was taken") == salient_tokens("about $212 million was taken")
    assert salient_tokens("$74,000 and $1.5bn") == salient_tokens("$74K and $1,500 million") == {
        "#$74000", "#$1500000000"}
    assert salient_tokens("0.5 million") == {"#500000"}
    assert salient_tokens("down 14 per cent") == salient_tokens("down 14%") == {"#14%"}


def test_headings_title_case_lines_and_times_say_nothing():
    text = "## Overview Of The Situation\n\nThe Company Said Nothing Today At All\n\nIt began at 02:00."
    assert salient_tokens(text) == frozenset()


def test_similarity_is_the_overlap_of_the_smaller_set():
    long = frozenset({"#$212000000", "#6%", "kestrel", "seow", "singapore", "#41000", "ether", "x", "y", "z"})
    short = frozenset({"#$212000000", "#6%", "kestrel", "seow", "other"})
    assert similarity(long, short) == 0.8
    assert similarity(short, long) == 0.8
    assert are_versions(long, short, days_apart=2.5)
    assert not are_versions(long, short, days_apart=3.5)  # the same details a week later: no


def test_names_alone_or_too_few_shared_tokens_are_not_a_story():
    names = frozenset({"kestrel", "seow", "darren", "singapore", "labs"})
    assert similarity(names, names | {"#5%"}) == 0.0  # five names, not one number in common
    few = frozenset({"#$212000000", "kestrel", "seow"})
    assert similarity(few, few) == 0.0  # three tokens can be a coincidence


def test_version_labels():
    assert version_labels({"rewritten": True, "version": 1}, {}) == ("AI rewrite",)
    assert version_labels(None, {"repostOf": {"source": "The Ledger Wire"}}) == ("Repost",)
    assert version_labels({"rewritten": False}, {"repostOf": None}) == ()
    assert version_labels({"rewritten": True}, {"repostOf": {"url": "x"}}) == ("AI rewrite", "Repost")


def test_story_text_skips_missing_parts():
    assert story_text("Title", None, "Body") == "Title\nBody"


# ------------------------------------------------------------------------- on real indexes --

@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds are not checked out")
def test_the_two_seed_tellings_are_versions_of_each_other(home: Path):
    paths = [str(next(SEEDS.glob(f"{prefix}_*.txt"))) for prefix in ("000", "001")]
    results = list(ingest(paths, Store(home), IngestOptions(now=NOW)))
    assert [r.status for r in results] == ["created", "created"]
    # the same week: an AMD results story and a later bitcoin price story (not versions)
    store = Store(home)
    others = [a for a in same_week_articles() if a.published_at.month == 2]
    for article in others:
        store.save(article)
    reindex(home, procs=1)
    original, rewrite = results[0].id, results[1].id
    with SearchService(home) as service:
        assert [h.id for h in service.versions(original)] == [rewrite]
        assert [h.id for h in service.versions(rewrite)] == [original]
        assert {a.id: service.versions(a.id) for a in others} == {a.id: () for a in others}


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The demo archive plus the invented same-week articles; file name -> id."""
    from scripts.cmd_demo import build_demo

    home = tmp_path_factory.mktemp("stories") / "home"
    build = build_demo(home)
    store = Store(home)
    for article in same_week_articles():
        store.save(article)
    reindex(home, procs=1)
    names = {Path(r.input).name: r.id for r in build.results if r.id}
    return home, names


def test_the_demo_kestrel_story_has_five_versions(demo_home):
    home, names = demo_home
    ids = [names[name] for name in KESTREL]
    with SearchService(home) as service:
        found = {i: [h.id for h in service.versions(i)] for i in ids}
    assert found == {i: [j for j in ids if j != i] for i in ids}


def test_no_other_article_of_the_demo_or_its_week_has_versions(demo_home):
    home, names = demo_home
    kestrel = {names[name] for name in KESTREL}
    others = sorted(i for i in names.values() if i not in kestrel)
    others += [a.id for a in same_week_articles()]
    with SearchService(home) as service:
        assert {i: service.versions(i) for i in others} == {i: () for i in others}


def test_distinct_fixture_articles_have_no_versions(indexed_home):
    home, articles = indexed_home
    with SearchService(home) as service:
        assert {a.id: service.versions(a.id) for a in articles} == {a.id: () for a in articles}


def test_versions_are_hits_oldest_first_and_limited(demo_home):
    home, names = demo_home
    with SearchService(home) as service:
        hits = service.versions(names[KESTREL[-1]], limit=2)
        assert [(h.source, h.published.isoformat()) for h in hits] == [
            ("ledgerwire", "2026-03-17T09:40:00+00:00"),
            ("blockframe", "2026-03-17T11:05:00+00:00"),
        ]
        assert hits[0].title == "Kestrel Exchange halts withdrawals after $212 million hot-wallet exploit"
        with pytest.raises(NotFound):
            service.versions("no-such-article")


def test_drafts_and_deleted_articles_are_not_versions(home: Path):
    from archive.demo import demo_articles_dir

    paths = [str(demo_articles_dir() / name) for name in KESTREL]
    results = list(ingest(paths, Store(home), IngestOptions(now=NOW)))
    reindex(home, procs=1)
    ids = [r.id for r in results]
    store = Store(home)
    # the rewrite becomes a draft, the blockframe story is deleted
    rewrite = store.get(ids[4])
    saved = store.save(rewrite.replace(draft=True))
    update_documents(home, [(saved.path, saved.article)])
    store.path_of(ids[1]).unlink()
    delete_documents(home, [ids[1]], when=NOW)
    with SearchService(home) as service:
        assert [h.id for h in service.versions(ids[0])] == [ids[2], ids[3]]
        # a draft's own page still lists the live versions
        assert [h.id for h in service.versions(ids[4])] == [ids[0], ids[2], ids[3]]
