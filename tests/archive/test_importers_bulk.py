"""Bulk exports: NewsAPI-style JSON, JSON lines and CSV, with default aliases and a mapping."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.article import Article, Source
from archive.errors import InputError
from archive.importers.bulk import import_csv, import_json, import_jsonl
from archive.ingest import Failure, IngestOptions, ingest
from archive.store import Store, read_article
from tests.conftest import FIXTURES

BULK = FIXTURES / "bulk"
NOW = datetime(2026, 3, 7, 9, 0, tzinfo=timezone.utc)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def api(name: str) -> Source:
    return Source(name=name, key=name.lower().replace(" ", ""), type="API")


def test_newsapi_json():
    records = import_json((BULK / "newsapi.json").read_bytes(), name="newsapi.json", options=IngestOptions())
    assert records == [
        Article(
            title="Solana network stalls for four hours before validators restart it",
            body="Block production on the Solana network stopped for about four hours on Wednesday after a "
                 "bug in a newly released validator client caused nodes to disagree on the state of the "
                 "chain. Validators coordinated a restart …",
            description="Block production halted after a bug in a new client release, the second outage "
                        "this year.",
            published_at=utc(2026, 1, 14, 18, 22, 5), date_source="provided",
            source=api("Harbor Wire"), author="Lena Brandt",
            url="https://harborwire.example/crypto/solana-network-stalls",
            cover_image={"raw": "https://harborwire.example/img/solana-outage.jpg"},
        ),
        Article(  # only a description: finish_article makes it the text
            title="Oil slips as OPEC+ signals output hike", body="",
            description="Brent fell below $70 after delegates said the group would add barrels in March.",
            published_at=utc(2026, 1, 15, 7, 5), date_source="provided",
            source=api("Meridian Markets"), url="https://meridianmarkets.example/oil-opec-output",
        ),
        Failure("record 3 (line 25)", "no title"),
    ]


def test_jsonl_streamed_with_aliases_and_bad_lines():
    records = import_jsonl((BULK / "records.jsonl").read_bytes(), name="records.jsonl", options=IngestOptions())
    assert records == [
        Article(
            title="Nordhafen Bank raises dividend after record year",
            body="Nordhafen Bank will pay a dividend of 1.40 euros a share for last year, up from 1.10 euros, "
                 "after net profit rose 18% on higher interest income.\n\nThe lender also announced a "
                 "buyback of up to 500 million euros.",
            published_at=utc(2026, 2, 10), date_source="provided", lang="en",
            source=api("Finanzblatt"), tags=("BANKS", "DIVIDENDS"), external_id="fb-2026-0210-01",
            url="https://example-finance.example/nordhafen-dividend",
        ),
        Article(
            title="Chip stocks fall on export worries",
            body="Shares of chip equipment makers fell between 2% and 5% after a report that new export "
                 "rules were close.",
            published_at=utc(2025, 11, 18, 14), date_source="provided",  # RFC 822 date
            source=api("Finanzblatt"), sentiment="NEGATIVE",
            url="https://example-finance.example/chip-stocks-fall",
        ),
        Failure("record 3 (line 4)",
                "publishedAt 'yesterday-ish' is not a date (use ISO 8601, e.g. 2026-03-06T14:30:00Z)"),
        Failure("record 4 (line 5)", "not valid JSON (column 1: Expecting value)"),
        Article(title="No text here", body="", url="https://example-finance.example/empty",
                extra={"headlineOnly": True}),
    ]


def test_csv_with_a_dotted_column_and_a_multiline_body():
    records = import_csv((BULK / "export.csv").read_bytes(), name="export.csv", options=IngestOptions())
    assert records == [
        Article(
            title="Stablecoin issuer publishes first monthly audit",
            body="Kestrel Dollar, the third-largest stablecoin, published its first full audit on Monday."
                 "\n\nThe auditors found reserves exceeded tokens in circulation by $310 million.",
            description="The report covers reserves of $41 billion.",
            published_at=utc(2026, 2, 2, 12), date_source="provided",
            source=api("Kestrel Notes"), tags=("STABLECOINS", "AUDITS"), author="Ada Mensah",
            url="https://kestrelnotes.example/audit",
        ),
        Article(
            title="Exchange adds euro trading pairs",
            body="The exchange said euro pairs for bitcoin and ether would open on Thursday, citing demand "
                 "from European customers.",
            published_at=utc(2026, 2, 3), date_source="provided", source=api("Kestrel Notes"),
        ),
        Failure("record 3 (line 6)", "no title"),
    ]


def test_mapping_with_dotted_paths_wins_over_aliases():
    data = json.dumps({"items": [
        {"title": "ignored: the mapping names another key", "headline_text": "Gold tops $3,000",
         "story": {"text": "Gold rose above $3,000 an ounce for the first time.", "when": 1767225600},
         "outlet": {"label": "Bullion Desk"}, "labels": ["gold", "Metals"]},
    ]}).encode()
    mapping = {"title": "headline_text", "body": "story.text", "publishedAt": "story.when",
               "source": "outlet.label", "tags": "labels"}
    records = import_json(data, name="x.json", options=IngestOptions(mapping=mapping))
    assert records == [Article(
        title="Gold tops $3,000", body="Gold rose above $3,000 an ounce for the first time.",
        published_at=utc(2026, 1, 1), date_source="provided", source=api("Bullion Desk"),
        tags=("GOLD", "METALS"),
    )]


@pytest.mark.parametrize("value, expected", [
    (1772805600, utc(2026, 3, 6, 14)),  # epoch seconds
    (1772805600000, utc(2026, 3, 6, 14)),  # epoch milliseconds
    ("2026-03-06 14:00:00", utc(2026, 3, 6, 14)),
    ("2026-03-06T15:00:00+01:00", utc(2026, 3, 6, 14)),
    ("Fri, 06 Mar 2026 09:00:00 -0500", utc(2026, 3, 6, 14)),
])
def test_date_shapes(value, expected):
    [article] = import_json(json.dumps([{"title": "T", "body": "x", "date": value}]).encode(), name="x",
                            options=IngestOptions())
    assert (article.published_at, article.date_source) == (expected, "provided")


@pytest.mark.parametrize("func, data, message", [
    (import_json, b"{\"articles\": [", "not valid JSON (line 1, column 15: Expecting value)"),
    (import_json, b"{\"status\": \"error\", \"message\": \"apiKey invalid\"}",
     "the export is an API error, not articles: apiKey invalid"),
    (import_json, b"{\"count\": 3}", "no records found: expected a list of articles, or an object with an "
     "'articles' (or 'data', 'items', 'results', 'records', 'entries', 'news') list"),
    (import_json, b"\xff\xfe[]", "the file is not valid UTF-8 (byte 0); convert it to UTF-8 first"),
    (import_csv, b"\n\n", "the CSV file has no header row"),
    (import_csv, b"ti\xfftle,body\nT,x\n", "the file is not valid UTF-8 (byte 2); convert it to UTF-8 first"),
])
def test_inputs_that_give_nothing(func, data, message):
    with pytest.raises(InputError) as excinfo:
        func(data, name="in", options=IngestOptions())
    assert excinfo.value.message == message


def test_unknown_mapping_field():
    with pytest.raises(InputError) as excinfo:
        import_json(b"[]", name="x.json", options=IngestOptions(mapping={"headline": "title"}))
    assert excinfo.value.message.startswith("unknown field(s) in the mapping: headline; map any of: title, body,")


@pytest.mark.parametrize("record, message", [
    ([1, 2], "a record must be an object of fields, not a list"),
    ({"title": {"a": 1}, "body": "x"}, "title must be text, not dict"),
    ({"title": "T", "body": "x", "sentiment": "bullish"},
     "sentiment 'bullish' is not one of POSITIVE, NEGATIVE, NEUTRAL (map the export's values with "
     "--map-value sentiment:VALUE=POSITIVE)"),
    ({"title": "T", "body": "x", "score": "high"}, "score 'high' is not a number"),
])
def test_bad_records_are_failures(record, message):
    assert import_json(json.dumps([record]).encode(), name="x", options=IngestOptions()) == [
        Failure("record 1 (line 1)", message)]


def test_ingest_a_jsonl_file_end_to_end(home, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_bytes((BULK / "records.jsonl").read_bytes())
    results = list(ingest([str(path)], Store(home), IngestOptions(home=home, now=NOW)))
    assert [(r.input, r.status, r.error) for r in results] == [
        (str(path), "created", None),
        (str(path), "created", None),
        (f"{path} record 3 (line 4)", "failed",
         "publishedAt 'yesterday-ish' is not a date (use ISO 8601, e.g. 2026-03-06T14:30:00Z)"),
        (f"{path} record 4 (line 5)", "failed", "not valid JSON (column 1: Expecting value)"),
        (str(path), "created", None),  # a headline with its link: kept, marked headline-only
    ]
    chips = read_article(Path(results[1].path))
    assert (chips.sentiment, chips.sentiment_source, chips.date_source, chips.source.type) == (
        "NEGATIVE", "provided", "provided", "API")
    assert [r.status for r in ingest([str(path)], Store(home), IngestOptions(home=home, now=NOW))][:2] == [
        "unchanged", "unchanged"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["title", "headline", "body", "content", "description", "publishedAt", "date",
                         "source", "name", "tags", "url", "author", "score", "sentiment", "id", "articles"]),
        children, max_size=6),
    max_leaves=20)


@settings(max_examples=60, deadline=None)
@given(_JSON)
def test_any_json_gives_articles_failures_or_one_input_error(value):
    data = json.dumps(value).encode()
    for func, payload in ((import_json, data), (import_jsonl, data + b"\n" + data)):
        try:
            results = func(payload, name="x", options=IngestOptions())
        except InputError:
            continue
        assert all(isinstance(r, (Article, Failure)) for r in results)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_csv_or_json(data):
    for func in (import_csv, import_json, import_jsonl):
        try:
            results = func(data, name="x", options=IngestOptions())
        except InputError:
            continue
        assert all(isinstance(r, (Article, Failure)) for r in results)
