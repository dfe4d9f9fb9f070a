"""The query language: what each form parses to, and the message for each kind of mistake."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from archive.errors import QueryError
from index.query import MIN_PREFIX, check_syntax, parse_query, positive_words


def words(field_text: str) -> wq.Or:
    """A bare word: title, description or body."""
    return wq.Or([wq.Term("title", field_text), wq.Term("description", field_text),
                  wq.Term("body", field_text)])


def test_empty_query_is_everything():
    assert parse_query("") == wq.Every()
    assert parse_query("   ") == wq.Every()


def test_words_must_all_match_and_are_stemmed():
    assert parse_query("Bitcoin ETFs") == wq.And([words("bitcoin"), words("etf")])


def test_or_not_minus_and_grouping():
    assert parse_query("solana OR ether") == wq.Or([
        wq.Term("title", "solana"), wq.Term("description", "solana"), wq.Term("body", "solana"),
        wq.Term("title", "ether"), wq.Term("description", "ether"), wq.Term("body", "ether")])
    assert parse_query("bitcoin NOT etf") == wq.And([words("bitcoin"), wq.Not(words("etf"))])
    assert parse_query("bitcoin -etf") == parse_query("bitcoin NOT etf")
    assert parse_query("(solana OR ether) upgrade") == wq.And([
        wq.Or([wq.Term("title", "solana"), wq.Term("description", "solana"),
               wq.Term("body", "solana"), wq.Term("title", "ether"),
               wq.Term("description", "ether"), wq.Term("body", "ether")]),
        words("upgrad")])


def test_phrase():
    assert parse_query('"rate cut"') == wq.Or([
        wq.Phrase("title", ["rate", "cut"]), wq.Phrase("description", ["rate", "cut"]),
        wq.Phrase("body", ["rate", "cut"])])


def test_fields_and_aliases_are_lower_cased_where_the_index_is():
    assert parse_query("source:CoinDesk") == wq.Term("source", "coindesk")
    assert parse_query("source:the-block") == wq.Term("source", "the-block")
    assert parse_query("tag:BTC") == wq.Term("tags", "btc")
    assert parse_query("sentiment:POSITIVE") == wq.Term("sentiment", "positive")
    assert parse_query("lang:DE") == wq.Term("lang", "de")
    assert parse_query("category:Macro") == wq.Term("category", "macro")
    assert parse_query("title:(rate cut)") == wq.And([wq.Term("title", "rate"), wq.Term("title", "cut")])
    assert parse_query('author:"Jane Doe"') == wq.Phrase("author", ["jane", "doe"])


def test_dates():
    from index.facets import to_long
    from datetime import date

    def days(first: date, last_exclusive: date) -> wq.NumericRange:
        return wq.NumericRange("published", to_long(first), to_long(last_exclusive) - 1,
                               constantscore=True)

    assert parse_query("published:2026-02") == days(date(2026, 2, 1), date(2026, 3, 1))
    assert parse_query("published:2026") == days(date(2026, 1, 1), date(2027, 1, 1))
    assert parse_query("published:2026-02-04") == days(date(2026, 2, 4), date(2026, 2, 5))
    assert parse_query("published:[2026-02-01 TO 2026-03-01]") == days(date(2026, 2, 1), date(2026, 3, 2))
    opened = parse_query("published:[2026-02-01 TO]")
    assert (opened.start, opened.end) == (to_long(date(2026, 2, 1)), None)


def test_prefix_and_trailing_question_mark():
    assert parse_query("Bitco*") == wq.Or([wq.Prefix("title", "bitco"), wq.Prefix("description", "bitco"),
                                           wq.Prefix("body", "bitco")])
    assert parse_query("bitcoin?") == words("bitcoin")


@pytest.mark.parametrize("text, message", [
    ('"bitcoin etf', 'a quote is not closed: add the closing " (or remove the lone one)'),
    ("(bitcoin OR ether", "a '(' is not closed: add the matching ')'"),
    ("bitcoin)", "a ')' has no matching '(' before it"),
    ("bitcoin AND", "'AND' needs a word or group after it"),
    ("OR bitcoin", "'OR' needs a word or group on each side"),
    ("bitcoin AND OR ether", "'AND' needs a word or group after it"),
    ("NOT", "'NOT' needs a word or group after it"),
    ("(bitcoin NOT)", "'NOT' needs a word or group after it"),
    (" NOT  NOT ether", "'NOT NOT' cancels out: write the word alone, or NOT once"),  # found by hypothesis
    ("foo:bar", "unknown field 'foo:'; the fields are title:, description:, body:, source:, tag:, "
                "ticker:, sentiment:, author:, lang:, category:, url:, published:, ingested:"),
    ("title:", "'title:' needs a value right after the colon, like title:word"),
    ("*", "'*' alone matches everything: leave the query empty to list all articles, or put at "
          f"least {MIN_PREFIX} letters before it (bitco*)"),
    ("bi*", f"'bi*': put at least {MIN_PREFIX} letters before the '*'"),
    ("b*n", "'b*n': only a '*' at the end of a word is supported (bitco*)"),
    ("published:2026-13", "'2026-13' in 'published:' is not a date: use 2026, 2026-02, "
                          "2026-02-04 or [2026-02-01 TO 2026-03-01]"),
    ("published:2026-02-30", "'2026-02-30' in 'published:' is not a date: use 2026, 2026-02, "
                             "2026-02-04 or [2026-02-01 TO 2026-03-01]"),
    ("published:yesterday", "'yesterday' in 'published:' is not a date: use 2026, 2026-02, "
                            "2026-02-04 or [2026-02-01 TO 2026-03-01]"),
    ("published:[2026-02-01", "a date range '[' is not closed: use 2026, 2026-02, 2026-02-04 or "
                              "[2026-02-01 TO 2026-03-01]"),
    ("published:[2026-02-01 2026-03-01]", "'published:[2026-02-01 2026-03-01]' is not a date "
     "range: use 2026, 2026-02, 2026-02-04 or [2026-02-01 TO 2026-03-01]"),
    ("title:[a TO c]", "ranges work on dates only (published:, ingested:), not on 'title:'"),
    ("bitcoin - etf", "'-' must touch the word it applies to: write bitcoin -etf (or bitcoin NOT "
                      "etf); a lone '-' between spaces is not read"),
    ("bitcoin -", "'-' must touch the word it applies to: write bitcoin -etf (or bitcoin NOT etf); "
                  "a lone '-' between spaces is not read"),
    ("NOT -oil", "'NOT NOT' cancels out: write the word alone, or NOT once"),
    ("published:[1987-05-01 TO 1987-03-01]", "'published:[1987-05-01 TO 1987-03-01]' starts after "
     "it ends: write the earlier date first (published:[1987-03-01 TO 1987-05-01])"),
    ("published:[2026-03 TO 2026-02-28]", "'published:[2026-03 TO 2026-02-28]' starts after it "
     "ends: write the earlier date first (published:[2026-02-28 TO 2026-03])"),
    ("published:0999", "'0999' in 'published:' is outside the dates an archive can hold: "
                       "1000-01-01 to 2999-12-31"),
    ("bitcoin^1" + "0" * 400, "a boost ('word^2') must be a number from 0 to 100"),
    ("the", "'the' has only very common words (like 'the'), which are not indexed; add a more "
            "specific word"),
])
def test_mistakes_are_explained(text, message):
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    assert str(caught.value) == message


def test_minus_reads_as_not_before_words_and_groups():
    """``-`` before a group works like NOT; a lone ``-oil`` is everything but oil (it was "only
    very common words"; ``-(etf OR solana)`` was "'*' alone matches everything")."""
    assert parse_query("bitcoin -(etf OR solana)") == parse_query("bitcoin NOT (etf OR solana)") == \
        wq.And([words("bitcoin"), wq.Not(wq.Or([*words("etf").subqueries, *words("solana").subqueries]))])
    assert parse_query("-oil") == parse_query("NOT oil") == wq.Not(words("oil"))
    assert parse_query("(-oil)") == wq.Not(words("oil"))
    assert parse_query("the -oil") == wq.Not(words("oil"))
    assert parse_query("-source:coindesk rates") == wq.And([wq.Not(wq.Term("source", "coindesk")),
                                                           words("rate")])
    assert parse_query("the-block") == words("block")  # a hyphen inside a word is no minus
    assert parse_query('"rate -cut"') == parse_query('"rate cut"')


def test_curly_and_other_quotes_make_a_phrase():
    phrase = parse_query('"oil prices"')
    assert isinstance(phrase, wq.Or) and all(isinstance(q, wq.Phrase) for q in phrase.subqueries)
    for text in ("\u201coil prices\u201d", "\u201eoil prices\u201c", "\u00aboil prices\u00bb",
                 "\u300coil prices\u300d", "\uff02oil prices\uff02"):
        assert parse_query(text) == phrase, text


def test_queries_are_unicode_normalised():
    """Decomposed accents (NFD, as text copied on a Mac often is) and full-width letters query the
    same terms as the composed, plain forms."""
    assert parse_query("Zu\u0308rich") == parse_query("Z\u00fcrich") == words("z\u00fcrich")
    assert parse_query("\uff22\uff49\uff54\uff43\uff4f\uff49\uff4e") == words("bitcoin")
    assert parse_query("\uff54\uff49\uff54\uff4c\uff45\uff1abitcoin") == wq.Term("title", "bitcoin")


def test_colons_inside_phrases_and_urls_are_not_fields():
    check_syntax('"note: rates" https://example.com/a')
    assert parse_query('url:"https://x.example/a"') == wq.Term("url", "https://x.example/a")


def test_positive_words_skip_negated_parts():
    q = parse_query('bitcoin -etf "rate cut" NOT ether')
    assert sorted(set(positive_words(q))) == sorted({
        ("title", "bitcoin"), ("description", "bitcoin"), ("body", "bitcoin"),
        ("title", "rate"), ("description", "rate"), ("body", "rate"),
        ("title", "cut"), ("description", "cut"), ("body", "cut")})


PIECES = ["bitcoin", "rate", " ", " ", '"', "(", ")", "[", "]", ":", "*", "?", "-", "+", "^2", "~",
          "AND", "OR", "NOT", " TO ", "published:", "title:", "tag:", "weird:", "2026", "2026-02",
          "{", "}", "é", "sta*", "'", "\\", "/"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join))
def test_any_text_parses_or_is_explained(text):
    try:
        parsed = parse_query(text)
    except QueryError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    else:
        assert isinstance(parsed, wq.Query)


@pytest.mark.parametrize("text", ['z""published:""', 'a""ingested:"x"', 'bitcoin""published:"2026-13"'])
def test_a_date_hidden_behind_quotes_is_an_explained_error(text):
    """Found by the fuzz test: a field glued to a quote escaped the checks, and Whoosh's date
    field raised a bare Exception (a 500 on the web)."""
    with pytest.raises(QueryError, match="a date in the query could not be read"):
        parse_query(text)
