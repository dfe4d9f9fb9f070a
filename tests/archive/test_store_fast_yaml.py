"""The libyaml fast path of ``archive.store.load_yaml`` changes speed, never outcomes: every text
gives the same value, or the same explained error, as the strict pure-Python loader."""

from __future__ import annotations

import pytest
import yaml

from archive import store
from archive.errors import FormatError

pytestmark = pytest.mark.skipif(store._FastYamlLoader is None, reason="PyYAML built without libyaml")


def strict(text: str):
    try:
        return yaml.load(text, Loader=store.ArticleYamlLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        return ("error", type(exc).__name__)


FAST_TEXTS = [
    "title: Bitcoin slips below $74,000\npublishedAt: 2026-02-04T15:48:06.000Z\n",
    "title: S&P 500 hits a record\ntags:\n  - MARKETS\n  - 'NO'\nlang: no\ndraft: false\n",
    "title: '007'\nscore: 0.5\nstickyWeight: 0\ncount: 007\nflag: yes\nwhen: 2026-01-01\n",
    "title: x\nsource:\n  name: The Block\n  key: theblock\n  type: RSS\ncoverImage: null\n",
    "title: x\nai: ~\ndescription: |\n  two\n  lines\nempty:\n",
]


@pytest.mark.parametrize("text", FAST_TEXTS)
def test_fast_path_is_taken_and_agrees(text: str) -> None:
    fast = store._load_yaml_fast(text)
    assert fast is not store._NOT_FAST
    assert fast == strict(text)
    assert store.load_yaml(text) == strict(text)


REFUSED = [
    ("a: &x [1]\nb: *x\n", r"anchors \(&name\) are not allowed"),
    ("title: !!python/object:os.system x\n", "YAML tag that is not allowed"),
    ("title: " + "[" * 40 + "]" * 40 + "\n", "nested deeper than 32 levels"),
    ("title: [unclosed\n", "not valid YAML"),
]


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_what_the_strict_loader_refuses_is_still_refused(text: str, message: str) -> None:
    assert store._load_yaml_fast(text) is store._NOT_FAST
    with pytest.raises(FormatError, match=message):
        store.load_yaml(text)


def test_alias_bomb_never_reaches_libyaml() -> None:
    bomb = "a: &a ['x','x']\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)}]\n"
                                          for i in range(8))
    assert store._load_yaml_fast(bomb) is store._NOT_FAST
    with pytest.raises(FormatError, match="not allowed"):
        store.load_yaml(bomb)


def test_every_fixture_article_parses_the_same_both_ways() -> None:
    from tests.index.fixtures import fixture_articles

    for article in fixture_articles():
        fm_text, _ = store.split_frontmatter(store.render_article(article))
        fast = store._load_yaml_fast(fm_text)
        assert fast is not store._NOT_FAST
        assert fast == strict(fm_text)
