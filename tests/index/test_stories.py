"""Versions of one story: the pure rules of ``index.stories`` and ``SearchService.versions`` on
real indexes (the seeds through the real ingest pipeline, the demo archive, the fixtures)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.errors import NotFound
from archive.ingest import IngestOptions, ingest
from archive.store import Store
from index.build import delete_documents, reindex, update_documents
from index.search import SearchService
from index.stories import StoryIndex, amounts_in, assign_stories, compare, decode_telling, \
    encode_telling, make_telling, names_in, same_story, token_hash, version_labels
from scripts.bench_stories import index_links, labelled_pairs, load_split, pair_links, score
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

def _telling(title, body, *, day=20_000.0, description=None, source="a"):
    return make_telling(title, description, body, day=day, source=source)


def test_amounts_are_normalised_and_said_after_a_word():
    text = ("Harbor Bank lost $212 million, or 6 percent of deposits, on Tuesday.\n\n"
            "About 41,000 accounts and $1.5bn were safe; A$4.1 billion was bid. Shares fell 14% "
            "in 2026; 3 analysts agreed. It began at 02:00.")
    # the word before reaches back over function words and sentence ends
    assert amounts_in(text) == [("#$212000000", "lost"), ("#6%", "million"), ("#41000", "deposit"),
                                ("#$1500000000", "account"), ("#A$4100000000", "safe"),
                                ("#14%", "fell")]
    assert amounts_in("about $212M") == amounts_in("about $212 million")
    assert amounts_in("senkt auf 1,75 Prozent") == [("#1.75%", "senkt")]


def test_names_are_capitalised_words_inside_sentences():
    text = ('Harbor Bank lost money on Tuesday.\n\nChief executive Ana Rios said HBK was safe. '
            'The Singapore-based firm (Kestrel) said "Darren\'s" point.\n\n## A Heading Line Here')
    assert names_in(text) == {"bank", "ana", "rios", "hbk", "singapore"}


def test_a_telling_survives_its_encoding():
    t = _telling("Kestrel loses $212 million", "Kestrel Exchange said on Tuesday it lost $212 "
                 "million.\n\nChief executive Darren Seow said 6% of assets were taken.",
                 description="The exchange froze withdrawals.")
    assert decode_telling(encode_telling(t)) == t
    undated = replace(t, day=None)
    assert decode_telling(encode_telling(undated)) == undated


BODY = ("Zephyr Exchange, based in Lisbon, said on Tuesday that attackers had taken about $47 "
        "million in ether and stablecoins from its hot wallets overnight. It paused withdrawals.\n\n"
        "The exchange has about 800,000 users. Chief executive Nuno Farias said the attackers used "
        "a compromised API key, and that customers would not lose money.")


def test_a_copy_is_the_same_story_at_any_distance_even_undated():
    original = _telling("Zephyr Exchange loses $47 million in hot-wallet hack", BODY)
    repost = _telling("Zephyr hacked", "Originally published by The Ledger Wire.\n\n" + BODY,
                      day=None, source="b")
    later = _telling("Zephyr hacked", BODY, day=20_090.0, source="b")
    assert compare(original, repost).route == "copy"
    assert same_story(original, repost) and same_story(original, later)


def test_a_template_with_new_numbers_is_not_a_copy():
    one = _telling("Bitcoin price today: BTC trades at $71,950, up 1.8%",
                   "Bitcoin is trading at $71,950 as of 08:00 UTC, up 1.8% in the past 24 hours, "
                   "according to our price index. Trading volume over the period was $31.2 billion. "
                   "Ether rose 2.4% to $2,280.")
    two = _telling("Bitcoin price today: BTC trades at $70,420, down 2.1%",
                   "Bitcoin is trading at $70,420 as of 08:00 UTC, down 2.1% in the past 24 hours, "
                   "according to our price index. Trading volume over the period was $28.7 billion. "
                   "Ether fell 2.9% to $2,215.", day=20_001.0)
    c = compare(one, two)
    assert c.conflicts >= 2 and not c.same


def test_a_weekly_template_one_number_apart_is_not_a_copy():
    """tests/index/test_updates_after_reindex.py's harbour reports: the same words every week,
    one figure changed."""
    def report(n, day):
        return _telling(f"Harbour report {n}: cargo volumes at the quay",
                        f"Container volumes at the north quay changed again this week. The "
                        f"terminal handled {1000 + n} boxes, and cranes ran through the night.",
                        day=day)
    c = compare(report(1, 20_000.0), report(10, 20_001.0))
    assert c.copy > 0.6 and c.conflicts == 1 and not c.same


def test_one_outlets_boilerplate_paragraph_is_left_out():
    greeting = ("Welcome to Asia Morning Briefing, a daily summary of top stories during U.S. hours "
                "and an overview of market moves and analysis.")
    one = _telling("Korea opens the door to crypto ETFs", greeting + "\n\nSouth Korea's Financial "
                   "Services Commission said it would let asset managers file for spot funds.")
    two = _telling("Japan's crypto tax cut clears the lower house", greeting + "\n\nJapan's lower "
                   "house passed a bill that would tax gains on crypto at a flat rate.", day=20_001.0)
    assert compare(one, two).copy == 0.0 and not same_story(one, two)
    # from another outlet, the same paragraphs are a copy's
    assert compare(one, replace(one, source=token_hash("b"), day=20_030.0)).route == "copy"


def test_reports_must_be_close_in_time():
    one = _telling("Zephyr Exchange loses $47 million in hot-wallet hack", BODY)
    rewrite = _telling("Zephyr Exchange suspends withdrawals after $47 million hack",
                       "Lisbon's Zephyr Exchange paused all withdrawals on Tuesday after $47 million "
                       "in ether and stablecoins was drained from its hot wallets.\n\nChief executive "
                       "Nuno Farias blamed a compromised API key; Zephyr's 800,000 customers will "
                       "not lose money.", day=20_000.5, source="b")
    assert compare(one, rewrite).route == "report"
    assert not same_story(one, replace(rewrite, day=20_002.0))  # two days later: a follow-up's time


def test_a_story_does_not_drift_through_a_chain_of_reports():
    """Each article joins a story only within the report window of the story's first version."""
    bodies = [
        "Zephyr Exchange said attackers had taken about $47 million from its hot wallets. Chief "
        "executive Nuno Farias said its 800,000 users would not lose money.",
        "Attackers drained $47 million from the hot wallets of Zephyr Exchange, which has 800,000 "
        "users; Nuno Farias, its chief executive, promised that nobody would lose money.",
        "Nuno Farias, who runs Zephyr Exchange, told its 800,000 users they would be repaid after "
        "thieves emptied $47 million from the company's online wallets.",
        "The $47 million stolen from Zephyr Exchange's hot wallets will be covered, Nuno Farias "
        "said, so none of the 800,000 users of the exchange loses money.",
    ]
    tellings = [(f"a{i}", _telling(f"Zephyr Exchange hack: $47 million taken, Farias says",
                                   body, day=20_000.0 + 0.8 * i, source=f"s{i}"))
                for i, body in enumerate(bodies)]
    assert all(compare(a, b).route == "report" for (_, a), (_, b) in zip(tellings, tellings[1:]))
    stories = assign_stories(tellings)
    assert stories == {"a0": "a0", "a1": "a0", "a2": "a2", "a3": "a2"}


def test_the_story_index_finds_far_copies_and_forgets_changed_articles():
    index = StoryIndex()
    original = _telling("Zephyr Exchange loses $47 million in hot-wallet hack", BODY)
    assert index.add("orig", original) == "orig"
    assert index.add("copy", replace(original, day=20_200.0, source=token_hash("b"))) == "orig"
    other = _telling("Brisa Exchange loses $52 million", "Brisa Exchange, based in Buenos Aires, "
                     "said attackers had taken about $52 million in bitcoin.", day=20_200.0)
    assert index.add("copy", other) == "copy"  # the article changed: a story of its own now
    assert index.story == {"orig": "orig", "copy": "copy"}


def test_version_labels():
    assert version_labels({"rewritten": True, "version": 1}, {}) == ("AI rewrite",)
    assert version_labels(None, {"repostOf": {"source": "The Ledger Wire"}}) == ("Repost",)
    assert version_labels({"rewritten": False}, {"repostOf": None}) == ()
    assert version_labels({"rewritten": True}, {"repostOf": {"url": "x"}}) == ("AI rewrite", "Repost")


# ------------------------------------------------------------------------ the labelled set --

@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_labelled_pairs_precision_at_least_0_9(split):
    """The rule on our labelled pairs: precision >= 0.9 on both splits (held-out is measured,
    never tuned on; the figures are in the README, from scripts/bench_stories.py)."""
    items, related = load_split(split)
    pairs = labelled_pairs(items, related)
    for links in (pair_links(items, pairs), index_links(items, pairs)):
        result = score(pairs, links)
        assert result.precision >= 0.9, (split, result)
        assert result.recall >= 0.8, (split, result)


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


# ------------------------------------------------------------------ story ids at index time --

def _save_split(home: Path, split: str):
    items, related = load_split(split)
    store = Store(home)
    saved = [store.save(item.article) for item in items]
    return items, labelled_pairs(items, related), saved


def _index_precision_recall(home: Path, items, pairs):
    with SearchService(home) as service:
        story = {i.article.id: service.story_of(i.article.id) for i in items}
    links = [story[p.a.article.id] == story[p.b.article.id] for p in pairs]
    return score(pairs, links), story


def test_a_full_rebuild_gives_the_heldout_set_its_stories(home: Path):
    items, pairs, _ = _save_split(home, "heldout")
    reindex(home, procs=1)
    result, story = _index_precision_recall(home, items, pairs)
    expected = score(pairs, index_links(items, pairs))
    assert (result.linked, result.correct) == (expected.linked, expected.correct)
    assert result.precision >= 0.9
    # the story id is the id of the story's first article
    first = {}
    for item in sorted(items, key=lambda i: (i.article.date_source == "ingested",
                                             i.article.published_at, i.article.id)):
        first.setdefault(story[item.article.id], item.article.id)
    assert all(s == first[s] for s in story.values())


def test_incremental_adds_join_existing_stories_or_start_one(home: Path):
    """The held-out articles ingested one at a time, newest first (the worst order for the
    rule): the same precision floor as a rebuild."""
    import random

    items, pairs, saved = _save_split(home, "heldout")
    order = list(zip(items, saved))
    random.Random(11).shuffle(order)
    for _, result in order:
        update_documents(home, [(result.path, result.article)])
    result, story = _index_precision_recall(home, items, pairs)
    assert result.precision >= 0.9 and result.recall >= 0.8, result
    # a rebuild afterwards reads the same files and gives the publication-order answer
    reindex(home, procs=1)
    rebuilt, _ = _index_precision_recall(home, items, pairs)
    assert rebuilt.precision >= 0.9


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the shared seeds are not checked out")
def test_seed_000_and_001_share_a_story_id_through_ingest(home: Path):
    paths = [str(next(SEEDS.glob(f"{prefix}_*.txt"))) for prefix in ("000", "001", "002")]
    results = list(ingest(paths, Store(home), IngestOptions(now=NOW)))
    assert [r.status for r in results] == ["created", "created", "created"]
    reindex(home, procs=1)
    with SearchService(home) as service:
        stories = [service.story_of(r.id) for r in results]
    assert stories[0] == stories[1] == results[0].id
    assert stories[2] == results[2].id


def test_the_demo_kestrel_five_share_one_story_and_collapse_to_one_hit(demo_home):
    from index.model import SearchQuery

    home, names = demo_home
    ids = [names[name] for name in KESTREL]
    with SearchService(home) as service:
        assert {service.story_of(i) for i in ids} == {ids[0]}
        collapsed = service.search(SearchQuery(q="kestrel", sort="newest"))
        flat = service.search(SearchQuery(q="kestrel", sort="newest", collapse=False))
        only = service.search(SearchQuery(story=ids[0], collapse=False, sort="oldest"))
    kestrel_hits = [h for h in collapsed.hits if h.story == ids[0]]
    assert [(h.id, h.versions) for h in kestrel_hits] == [(ids[4], 5)]  # newest version shown
    assert collapsed.total == flat.total and collapsed.stories == len(collapsed.hits)
    assert len(flat.hits) == flat.total == collapsed.stories + 4
    assert [h.id for h in only.hits] == ids and only.total == 5


def test_a_tombstone_keeps_its_story_through_a_full_rebuild(home: Path):
    from archive.demo import demo_articles_dir

    paths = [str(demo_articles_dir() / name) for name in KESTREL]
    results = list(ingest(paths, Store(home), IngestOptions(now=NOW)))
    ids = [r.id for r in results]
    reindex(home, procs=1)
    Store(home).path_of(ids[0]).unlink()
    delete_documents(home, [ids[0]], when=NOW)
    reindex(home, procs=1)
    from index.build import current_index_path
    from index.story_ids import story_ids

    table = story_ids(current_index_path(home))
    assert {i: table[i] for i in ids} == {i: ids[0] for i in ids}


def test_a_line_cut_short_by_a_crash_is_skipped_and_cut_off(home: Path):
    from index.build import current_index_path
    from index.story_ids import STORIES_FILE, read_table

    items, _, saved = _save_split(home, "heldout")
    update_documents(home, [(saved[0].path, saved[0].article)])
    path = current_index_path(home) / STORIES_FILE
    whole = path.read_bytes()
    path.write_bytes(whole + b"half-written-id\tsto")  # a crash in the middle of an append
    assert set(read_table(path.parent).story) == {items[0].article.id}
    update_documents(home, [(saved[1].path, saved[1].article)])
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in lines] == [items[0].article.id, items[1].article.id]
