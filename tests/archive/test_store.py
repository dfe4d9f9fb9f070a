"""The canonical file format: parse, render, round trip, strict YAML, atomic store."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from archive.article import Article, Source
from archive.errors import FormatError
from archive.store import Store, load_yaml, parse_article, render_article

SAMPLE = """---
title: 'Nordic exchange lists first carbon-credit futures'
publishedAt: '2025-06-02T08:00:00.000Z'
lang: en
source:
  name: Baltic Ledger
  key: balticledger
  type: FILE
  region: nordics
tags:
  - MARKETS
country: no
code: 007
when: 2025-06-02
custom:
  nested: [1, 2, three]
---
The exchange said on Monday that the contracts would settle daily.

Traders welcomed the move.
"""


def test_unknown_fields_survive_a_round_trip() -> None:
    article = parse_article(SAMPLE)
    assert article.extra == {"country": "no", "code": "007", "when": "2025-06-02",
                             "custom": {"nested": [1, 2, "three"]}}
    assert article.source == Source("Baltic Ledger", "balticledger", "FILE", None, {"region": "nordics"})
    again = parse_article(render_article(article))
    assert again == article
    assert "country: 'no'" in render_article(article)
    assert "code: '007'" in render_article(article)


def test_body_is_kept_exactly() -> None:
    article = parse_article(SAMPLE)
    assert article.body == ("The exchange said on Monday that the contracts would settle daily.\n\n"
                            "Traders welcomed the move.\n")


@pytest.mark.parametrize(
    ("frontmatter", "message"),
    [
        ("a: &x [1]\nb: *x\n", "anchors (&name) are not allowed"),
        ("title: x\nz: !!python/object:os.system {}\n", "YAML tag that is not allowed"),
        ("title: [unclosed\n", "not valid YAML at line"),
        ("- a list\n", "must be a map"),
        ("publishedAt: '2025-01-01'\n", "no 'title'"),
        ("title: T\n", "no 'publishedAt'"),
        ("title: T\npublishedAt: yesterday\n", "not an ISO 8601 date"),
        ("title: T\npublishedAt: '2025-01-01'\nsentiment: HAPPY\n", "'sentiment' must be one of"),
    ],
)
def test_bad_frontmatter_gives_one_clear_message(frontmatter: str, message: str) -> None:
    with pytest.raises(FormatError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[")):
        parse_article(f"---\n{frontmatter}---\nbody\n")


def test_alias_bomb_is_refused_before_it_grows() -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n" for i in range(9)
    )
    with pytest.raises(FormatError, match="not allowed"):
        load_yaml(bomb)


def test_store_creates_updates_and_keeps_id_and_ingested_at(home) -> None:
    store = Store(home)
    first = Article(
        title="Chipmaker raises guidance",
        published_at=datetime(2025, 3, 4, 12, tzinfo=timezone.utc),
        body="Shares rose.",
        source=Source("Tech Wire", "techwire"),
        ingested_at=datetime(2025, 3, 5, tzinfo=timezone.utc),
    )
    created = store.save(first)
    assert created.status == "created"
    assert created.path == home / "articles/2025/03/chipmaker-raises-guidance.en.md"
    assert Store(home).save(first.replace(ingested_at=datetime(2026, 1, 1, tzinfo=timezone.utc))).status == "unchanged"
    renamed = first.replace(title="Chipmaker raises full-year guidance",
                            ingested_at=datetime(2026, 1, 1, tzinfo=timezone.utc), id=created.article.id)
    updated = Store(home).save(renamed)
    assert updated.status == "updated"
    assert updated.article.ingested_at == datetime(2025, 3, 5, tzinfo=timezone.utc)
    files = sorted(p.relative_to(home).as_posix() for p in (home / "articles").rglob("*"))
    assert files == ["articles/2025", "articles/2025/03", "articles/2025/03/chipmaker-raises-full-year-guidance.en.md"]
    assert Store(home).get(created.article.id).title == "Chipmaker raises full-year guidance"
