"""Property tests (hypothesis): the file format round trip and the parameter parser."""

from __future__ import annotations

import string
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.article import Article, Source
from archive.errors import FormatError, QueryError
from archive.store import parse_article, render_article
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
    body = draw(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"),
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
