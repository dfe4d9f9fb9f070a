"""Significant terms: the pure score on counts whose answer is known, then the service on a real
index of invented articles where one topic's words are planted."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.article import Article, Source, compute_content_hash
from archive.identity import derive_id
from archive.store import Store
from index.build import reindex
from index.model import SearchQuery
from index.search import SearchService
from index.terms import Term, count_texts, jlh, query_with, significant_terms, tokens


def test_tokens_break_phrases_at_function_words_and_numbers():
    assert tokens("The Bank of England's rate cut, 25 points") == [
        None, "bank", None, "england", "rate", "cut", None, None, "points"]


def test_counts_are_document_frequencies_of_words_and_phrases():
    counts = count_texts(["Rate cut, rate cut again", "A rate rise", "Cuts to rates"])
    assert counts.docs == 3
    assert dict(counts.words) == {"rate": 3, "cut": 2, "again": 1, "rise": 1}
    assert dict(counts.phrases) == {"rate cut": 1, "cut again": 1, "rate rise": 1}
    assert counts.shown["rate"] == "rate" and counts.shown["cut"] == "cut"


def test_jlh_rewards_what_is_common_here_and_rare_elsewhere():
    assert jlh(40, 100, 99, 9999) == pytest.approx((0.4 - 0.00995) * 0.4 / 0.00995)
    assert jlh(50, 100, 4999, 9999) == 0.0  # as common everywhere: nothing
    assert jlh(19, 100, 1000, 9999) == 0.0  # under twice as common: not unusual
    assert jlh(0, 100, 0, 10) == 0.0


def test_significant_terms_on_known_counts():
    foreground = count_texts(["battery recycling plant opens"] * 8 + ["cobalt supply tight"] * 6
                             + ["market news today"] * 6)
    background = count_texts(["market news today"] * 300 + ["battery prices fall"] * 20
                             + ["cobalt supply tight"] * 2 + ["plant closes"] * 10)
    terms = significant_terms(foreground, background, limit=6)
    # ties by count, then alphabetically; "recycling" says nothing its phrases did not, and
    # "market news today" is as common in the archive: not there; "battery" is, 20 times
    assert [(t.text, t.phrase, t.count, t.background) for t in terms] == [
        ("battery recycling", True, 8, 0), ("opens", False, 8, 0), ("plant opens", True, 8, 0),
        ("recycling plant", True, 8, 0), ("cobalt", False, 6, 2), ("cobalt supply", True, 6, 2)]
    # the query's own words are left out, alone and inside phrases
    without = significant_terms(foreground, background, exclude=["recycling"], limit=3)
    assert [t.text for t in without] == ["opens", "plant opens", "cobalt"]
    assert query_with("lithium", Term("battery recycling", True, 8, 0, 1.0)) == 'lithium "battery recycling"'
    assert query_with("", Term("cobalt", False, 6, 2, 1.0)) == "cobalt"


def _archive() -> list[Article]:
    source = Source(name="Harbor Street", key="harborstreet", type="RSS")
    start = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)
    rows = []
    for i in range(12):  # the matches: lithium, with a planted phrase and a planted word
        extra = "as battery recycling expands" if i < 9 else "in a quiet week"
        rows.append((f"Lithium miner {i} reports output {extra}",
                     f"Shares moved after the lithium update; cobalt buyers watched." if i < 6
                     else "Shares moved after the lithium update."))
    for i in range(60):  # the rest of the archive
        rows.append((f"Markets note {i}: shares moved in a quiet week", "Shares moved on the day."))
    out = []
    for n, (title, description) in enumerate(rows):
        body = f"{title}. {description} Item {n}."
        a = Article(title=title, description=description, body=body,
                    published_at=start + timedelta(hours=n), source=source, lang="en",
                    url=f"https://harborstreet.example/{n}", content_hash=compute_content_hash(body))
        out.append(a.replace(id=derive_id(a)))
    return out


@pytest.fixture(scope="module")
def terms_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("terms") / "home"
    store = Store(home)
    for article in _archive():
        store.save(article)
    reindex(home, procs=1)
    return home


def test_the_service_finds_the_planted_terms(terms_home):
    with SearchService(terms_home) as service:
        result = service.terms(SearchQuery(q="lithium"))
    assert (result.total, result.read, result.background) == (12, 12, 72)
    found = [(t.term.text, t.term.count, t.term.background) for t in result.terms]
    # every match's headline says "miner"; 9 say "battery recycling", 6 mention cobalt
    assert found[0] == ("miner", 12, 12)
    assert {("battery recycling", 9, 9), ("recycling expands", 9, 9), ("cobalt", 6, 6),
            ("cobalt buyers", 6, 6)} <= set(found)
    # generic words of the whole archive score nothing; the query's own word is left out
    assert not {"shares", "moved", "quiet", "week", "lithium"} & {t for t, _, _ in found}
    link = next(t for t in result.terms if t.term.text == "battery recycling")
    assert link.url == "?q=lithium+%22battery+recycling%22"
    with SearchService(terms_home) as service:
        assert service.search(SearchQuery(q='lithium "battery recycling"')).total == 9


def test_terms_read_an_even_sample_of_a_broad_search(terms_home):
    with SearchService(terms_home) as service:
        result = service.terms(SearchQuery(q="shares"), sample=10, background=20)
    assert (result.total, result.read, result.background) == (72, 10, 20)
