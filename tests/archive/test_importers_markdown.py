"""Markdown with or without frontmatter: canonical files, other tools' files, malformed input."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.article import Source
from archive.errors import FormatError, InputError
from archive.importers.markdown import draft_from_markdown, import_markdown, title_from_body
from archive.ingest import IngestOptions, finish_article, ingest
from archive.store import Store, load_yaml, split_frontmatter
from tests.conftest import FIXTURES

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
MD = FIXTURES / "markdown"


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def finished(name: str):  # noqa: ANN201 - an Article
    options = IngestOptions(now=NOW)
    (draft,) = import_markdown((MD / name).read_bytes(), name=name, options=options)
    return finish_article(draft, options)


def test_canonical_file_ingests_to_the_same_file_plus_the_archive_fields(home: Path) -> None:
    original_yaml, original_body = split_frontmatter((MD / "canonical.md").read_text("utf-8"))
    (result,) = ingest([str(MD / "canonical.md")], Store(home), IngestOptions(now=NOW))
    written_yaml, written_body = split_frontmatter(Path(result.path).read_text("utf-8"))
    written = load_yaml(written_yaml)
    original = load_yaml(original_yaml)
    assert written_body == original_body
    assert {k: v for k, v in written.items() if k in original} == original
    assert [k for k in written if k in original] == list(original)  # order kept
    assert {k: v for k, v in written.items() if k not in original} == {
        "id": result.id,
        "ingestedAt": "2026-06-01T12:00:00.000Z",
        "dateSource": "provided",
        "sentimentSource": "provided",
        "contentHash": written["contentHash"],
    }
    assert Path(result.path).relative_to(home).as_posix() == (
        "articles/2025/04/grain-shipments-through-the-danube-rise-to-a-two-year-high.en.md")


def test_astro_content_file_is_read_leniently() -> None:
    article = finished("astro_post.md")
    assert (article.title, article.description, article.published_at, article.updated_at) == (
        "Chip stocks rebound as memory prices firm",
        "Memory makers led a rebound in semiconductor shares after a price survey showed contract "
        "prices rising for a second month.",
        utc(2025, 7, 8),
        utc(2025, 7, 9),
    )
    assert (article.date_source, article.tags, article.author) == (
        "provided", ("semiconductors", "memory", "Asia"), "Daniel Moreau")
    assert (article.sentiment, article.sentiment_source) == ("POSITIVE", "provided")
    # the other tool's own keys survive, so nothing is lost
    assert dict(article.extra) == {
        "pubDate": "Jul 08 2025",
        "updatedDate": "2025-07-09",
        "heroImage": "/images/chips.jpg",
        "layout": "../../layouts/Post.astro",
    }
    # the H1 that repeats the title is dropped; the rest of the body is as written
    assert article.body == (
        "Shares of memory makers rose as much as 6% on Tuesday after a survey showed contract prices "
        "for DRAM rising for a second month.\n\n## What analysts said\n\nAnalysts at Northgate "
        "Securities said inventories at PC makers had fallen to healthy levels."
    )


def test_markdown_without_frontmatter_takes_the_heading_and_infers_the_date() -> None:
    article = finished("no_frontmatter.md")
    assert (article.title, article.published_at, article.date_source, article.source) == (
        "Rupee hits a record low against the dollar", utc(2026, 2, 12, 9, 30), "dateline", None)
    # the dateline, once read, is furniture
    assert article.body == (
        "The Indian rupee fell to a record low of 87.9 per dollar on Wednesday as foreign "
        "investors sold local shares.\n\n- Outflows reached $1.2 billion in a week\n"
        "- The central bank was seen selling dollars"
    )


def test_a_date_inside_a_sentence_is_not_taken_for_the_publication_day() -> None:
    options = IngestOptions(now=NOW)
    (draft,) = import_markdown(b"# Rupee at a low\n\nThe rupee fell on Feb. 12, 2026, as funds sold.\n",
                               name="x.md", options=options)
    article = finish_article(draft, options)
    assert (article.published_at, article.date_source) == (NOW, "ingested")


@pytest.mark.parametrize(
    ("meta", "field", "expected"),
    [
        ("date: '2025-03-04T10:00:00+01:00'", "published_at", utc(2025, 3, 4, 9)),
        ("published: 'Tue, 04 Mar 2025 10:00:00 GMT'", "published_at", utc(2025, 3, 4, 10)),
        ("pubDate: 'March 4, 2025'", "published_at", utc(2025, 3, 4)),
        ("lastmod: '2025-03-05'", "updated_at", utc(2025, 3, 5)),
        ("summary: A short summary", "description", "A short summary"),
        ("language: de-DE", "lang", "de"),
        ("tags: markets", "tags", ("markets",)),
        ("tags: [ETF, FLOWS]", "tags", ("ETF", "FLOWS")),
        ("draft: 'true'", "draft", True),
        ("authors: [Ana Ruiz, {name: Li Wei}]", "author", "Ana Ruiz, Li Wei"),
        ("source: Harbor Wire", "source", Source("Harbor Wire", "harborwire")),
        ("sentiment: negative", "sentiment", "NEGATIVE"),
    ],
)
def test_other_tools_fields(meta: str, field: str, expected: object) -> None:
    draft = draft_from_markdown(f"---\ntitle: Some title\n{meta}\n---\nBody.\n")
    assert getattr(draft, field) == expected


def test_missing_id_title_and_date_are_filled_in() -> None:
    draft = draft_from_markdown("---\ncustom: 1\n---\nOil slips as stocks build\n\nCrude fell 2%.\n")
    assert (draft.title, draft.published_at, draft.id, draft.body, dict(draft.extra)) == (
        "Oil slips as stocks build", None, None, "Crude fell 2%.\n", {"custom": 1})
    article = finish_article(draft, IngestOptions(now=NOW))
    assert (article.published_at, article.date_source, len(article.id or "")) == (NOW, "ingested", 16)


@pytest.mark.parametrize(
    ("body", "title", "rest"),
    [
        ("# Gold at a record\n\nText.\n", "Gold at a record", "Text.\n"),
        ("\n## **Gold** at a [record](https://x.example)\n\nText.", "Gold at a record", "Text."),
        ("Gold at a record\n================\n\nText.\n", "Gold at a record", "Text.\n"),
        ("Gold at a record.\n\nText.\n", "Gold at a record", "Text.\n"),
        ("Gold rose 2% to a record on Monday as the dollar fell. It is the third record this "
         "year and traders expect more.\n", "Gold rose 2% to a record on Monday as the dollar fell",
         "Gold rose 2% to a record on Monday as the dollar fell. It is the third record this "
         "year and traders expect more.\n"),
    ],
)
def test_title_from_body(body: str, title: str, rest: str) -> None:
    assert title_from_body(body) == (title, rest)
    # and the article says how its title was found
    draft = draft_from_markdown(f"---\nlang: en\n---\n{body}")
    assert (draft.title, draft.title_source) == (title, "heading" if rest != body else "derived")
    assert draft_from_markdown(f"---\ntitle: Gold\n---\n{body}").title_source is None


@pytest.mark.parametrize(
    ("name", "error", "message"),
    [
        ("broken_yaml.md", FormatError,
         "the frontmatter is not valid YAML at line 3, column 12: expected ',' or ']', but got "
         "'<stream end>'"),
        ("alias_bomb.md", FormatError,
         "the frontmatter is not valid YAML at line 1, column 4: YAML anchors (&name) are not "
         "allowed in frontmatter"),
        ("python_tag.md", FormatError,
         "the frontmatter uses a YAML tag that is not allowed (could not determine a constructor "
         "for the tag 'tag:yaml.org,2002:python/object/apply:os.system')"),
        ("invalid_utf8.md", InputError,
         "the file is not valid UTF-8 (byte 14); convert it to UTF-8 first"),
        ("empty.md", InputError, "the input is empty"),
        ("unclosed.md", FormatError,
         "the frontmatter block opened by '---' on the first line is never closed by a '---' line"),
    ],
)
def test_malformed_files_give_one_clear_error(name: str, error: type, message: str) -> None:
    with pytest.raises(error) as info:
        import_markdown((MD / name).read_bytes(), name=name, options=IngestOptions(now=NOW))
    assert (info.value.message, info.value.source) == (message, name)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\n- a\n- b\n---\nBody.\n",
         "the frontmatter must be a map of fields (key: value lines), not a list"),
        ("---\ntitle: T\npublishedAt: next week\n---\nBody.\n",
         "'publishedAt' is not a date this archive can read: 'next week' (use ISO 8601, e.g. "
         "2026-02-04T15:48:06Z)"),
        ("---\ntitle: T\nsentiment: mixed\n---\nBody.\n",
         "'sentiment' must be one of POSITIVE, NEGATIVE, NEUTRAL, got 'mixed'"),
        ("---\ntitle: T\ndraft: maybe\n---\nBody.\n", "'draft' must be true or false, got 'maybe'"),
        ("---\nlang: en\n---\n\n\n", "no title: the frontmatter has no 'title' and the text no "
         "heading or first line to take it from"),
    ],
)
def test_invalid_fields_give_one_clear_error(text: str, message: str) -> None:
    with pytest.raises(FormatError) as info:
        import_markdown(text.encode(), name="post.md", options=IngestOptions(now=NOW))
    assert (info.value.message, info.value.source) == (message, "post.md")


def test_a_folder_of_markdown_ingests_and_reports_each_bad_file(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    for name in ("astro_post.md", "no_frontmatter.md", "python_tag.md", "empty.md"):
        (folder / name).write_bytes((MD / name).read_bytes())
    results = {Path(r.input).name: (r.status, r.error) for r in
               ingest([str(folder)], Store(home), IngestOptions(now=NOW))}
    assert results == {
        "astro_post.md": ("created", None),
        "empty.md": ("failed", "the input is empty"),
        "no_frontmatter.md": ("created", None),
        "python_tag.md": ("failed", "the frontmatter uses a YAML tag that is not allowed (could "
                          "not determine a constructor for the tag "
                          "'tag:yaml.org,2002:python/object/apply:os.system')"),
    }
    again = [r.status for r in ingest([str(folder)], Store(home), IngestOptions(now=NOW))]
    assert sorted(again) == ["failed", "failed", "unchanged", "unchanged"]
