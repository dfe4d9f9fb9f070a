"""Property tests (hypothesis): the file format round trip and the parameter parser."""

from __future__ import annotations

import string
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.article import Article, Source
from archive.errors import FormatError, QueryError
from archive.store import atomic_write_text, decode_text, parse_article, read_article, render_article
from index.model import SearchQuery, parse_params

# YAML can carry any unicode scalar except surrogates; line breaks other than \n are normalised
# by YAML readers, so they are kept out of single-line fields (titles are one line).
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x85\u2028\u2029\ufeff"),
    max_size=60,
)
_LINE = _TEXT.map(lambda s: " ".join(s.split())).filter(bool)
_KEY = st.text(alphabet=string.ascii_letters + "_", min_size=1, max_size=12)
_SCALAR = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32), _TEXT,
)
_VALUE = st.recursive(_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEY, inner, max_size=4)), max_leaves=12)
_DATES = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1),
                      timezones=st.just(timezone.utc)).map(lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
_KNOWN_KEYS = {"title", "description", "publishedAt", "updatedAt", "lang", "externalId", "source",
               "category", "tags", "stickyWeight", "sentiment", "score", "draft", "canonicalUrl",
               "coverImage", "ai", "id", "url", "author", "fetchedAt", "ingestedAt", "dateSource",
               "sentimentSource", "sentimentModel", "contentHash", "extractor"}


@st.composite
def articles(draw: st.DrawFn) -> Article:
    extra = draw(st.dictionaries(_KEY.filter(lambda k: k not in _KNOWN_KEYS), _VALUE, max_size=5))
    # a body with NUL would be a binary file: render refuses it (see the tests below)
    body = draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
                        max_size=300)).strip("\n")
    return Article(
        title=draw(_LINE),
        published_at=draw(_DATES),
        body=body + "\n" if body else "",
        description=draw(st.none() | _LINE),
        lang=draw(st.sampled_from(["en", "de", "zh", "fr"])),
        source=Source(draw(_LINE), draw(st.from_regex(r"[a-z0-9]{1,10}", fullmatch=True))),
        tags=tuple(draw(st.lists(_LINE, max_size=4))),
        sentiment=draw(st.none() | st.sampled_from(["POSITIVE", "NEGATIVE", "NEUTRAL"])),
        draft=draw(st.booleans()),
        author=draw(st.none() | _LINE),
        extra=extra,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(articles())
def test_render_then_parse_gives_back_the_same_article(article: Article) -> None:
    assert parse_article(render_article(article)) == article


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_or_gives_a_format_error(text: str) -> None:
    try:
        parse_article("---\n" + text + "\n---\nbody\n")
    except FormatError as exc:
        assert exc.message and "Traceback" not in exc.message


_PARAM_NAMES = ["q", "source", "tag", "sentiment", "category", "lang", "from", "to", "sort", "page",
                "per_page", "as_of", "drafts", "junk"]


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(st.sampled_from(_PARAM_NAMES), st.lists(st.text(max_size=30), max_size=3)))
def test_any_parameters_give_a_query_or_a_query_error(params: dict[str, list[str]]) -> None:
    try:
        query = parse_params(params)
    except QueryError as exc:
        assert exc.message
        return
    assert isinstance(query, SearchQuery)
    assert 1 <= query.per_page <= 100 and 1 <= query.page <= 10_000
    # the query string states the same search
    from urllib.parse import parse_qs
    assert parse_params(parse_qs(query.query_string()[1:])) == query


# ------------------------------------------------------- every value a file we write can hold --

# Any text (lone surrogates, NEL, LS, PS, control characters included) in the frontmatter: the
# dumper escapes what YAML would read otherwise. Known single-value fields are stripped, as they
# are read; the body is any text without NUL or surrogates, with \n line ends.
_ANY = st.text(max_size=30)
_FIELD = _ANY.map(str.strip).filter(bool)
_BODY = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00"),
                max_size=200).map(lambda s: s.strip("\n") + "\n" if s.strip("\n") else "")
_INSTANTS = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59),
                         timezones=st.just(timezone.utc)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000))
_ODD_KEY = st.one_of(st.none(), st.integers(-10**20, 10**20), _ANY.filter(lambda k: k not in _KNOWN_KEYS),
                     st.floats(allow_nan=False, allow_infinity=True))
_ODD_SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**40, 10**40),
                        st.floats(allow_nan=False), _ANY)
_ODD_VALUE = st.recursive(_ODD_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_ODD_KEY, inner, max_size=3)), max_leaves=8)
_MAP = st.none() | st.dictionaries(_ODD_KEY, _ODD_VALUE, max_size=3)
_STICKY = st.integers(-(2**31 - 1), 2**31 - 1) | st.floats(-(2**31 - 1), 2**31 - 1)


@st.composite
def any_articles(draw: st.DrawFn) -> Article:
    optional = st.none() | _FIELD
    moment = st.none() | _INSTANTS
    source_extra = draw(st.dictionaries(_ODD_KEY.filter(lambda k: k not in ("name", "key", "type", "url")),
                                        _ODD_VALUE, max_size=2))
    return Article(
        title=draw(_FIELD), published_at=draw(_INSTANTS), body=draw(_BODY),
        description=draw(optional), updated_at=draw(moment), lang=draw(_FIELD),
        external_id=draw(optional),
        source=draw(st.none() | st.builds(Source, _FIELD, _FIELD, _FIELD, optional, st.just(source_extra))),
        category=draw(optional), tags=tuple(draw(st.lists(_FIELD, max_size=3))),
        sticky_weight=draw(_STICKY), sentiment=draw(st.none() | st.sampled_from(["POSITIVE", "NEGATIVE", "NEUTRAL"])),
        score=draw(st.none() | st.integers(-10**300, 10**300) | st.floats(allow_nan=False, allow_infinity=False)),
        draft=draw(st.booleans()), canonical_url=draw(optional), cover_image=draw(_MAP), ai=draw(_MAP),
        id=draw(optional), url=draw(optional), author=draw(optional), fetched_at=draw(moment),
        ingested_at=draw(moment), date_source=draw(optional), sentiment_source=draw(optional),
        sentiment_model=draw(_MAP), content_hash=draw(optional), extractor=draw(_MAP),
        extra=draw(st.dictionaries(_ODD_KEY, _ODD_VALUE, max_size=4)),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_articles())
def test_a_file_we_write_reads_back_as_the_same_article(article: Article) -> None:
    data = render_article(article).encode("utf-8")   # what atomic_write_text writes
    back = parse_article(decode_text(data))            # what read_article does with the bytes
    assert back == article
    assert render_article(back).encode("utf-8") == data


def test_the_extreme_dates_are_written_and_read_back_from_disk(tmp_path) -> None:
    for when in (datetime(1, 1, 1, tzinfo=timezone.utc), datetime(999, 6, 1, tzinfo=timezone.utc),
                 datetime(9999, 12, 31, 23, 59, 59, 999000, tzinfo=timezone.utc)):
        article = Article(title="Edge", published_at=when, body="Text.\n", updated_at=when, lang="en")
        path = tmp_path / f"{when.year}.md"
        atomic_write_text(path, render_article(article))
        assert read_article(path) == article
        assert f"publishedAt: '{when.year:04d}-" in path.read_text(encoding="utf-8")


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["sticky_weight", "score"]),
       st.sampled_from([float("inf"), float("-inf"), float("nan"), 3_000_000_000, 10**400]))
def test_a_value_no_file_can_hold_is_refused_naming_the_field(attr: str, value: float) -> None:
    if attr == "score" and value == 3_000_000_000:
        value = float("nan")
    with pytest.raises(FormatError) as caught:
        render_article(Article(title="t", published_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
                               **{attr: value}))
    assert caught.value.message.startswith({"sticky_weight": "'stickyWeight' must be",
                                            "score": "'score' must be"}[attr])
