"""``newsarchive search`` and ``newsarchive stats`` on a real index of the fixture articles."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from index.model import SearchQuery
from index.search import SearchService
from scripts.cli import main
from tests.index.fixtures import build_fixture_index, fixture_articles


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli") / "home"
    home.mkdir()
    build_fixture_index(home)
    return home


def run(home, *args):
    return CliRunner().invoke(main, [args[0], "--home", str(home), *args[1:]])


def test_search_prints_hits_facets_and_fingerprint(home):
    result = run(home, "search", "bitcoin", "--source", "coindesk", "--sort", "newest")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("3 matches (showing 1-3, page 1 of 1, ")
    ids = {a.url.rsplit("/", 1)[-1]: a.id for a in fixture_articles()}
    assert lines[1:6] == [
        "",
        "  1. Bitcoin slips below $74,000 as tech stocks drag crypto lower",
        f"     2026-02-04  CoinDesk  NEGATIVE BTC,MARKETS  [{ids['bitcoin-slips-below-74000']}]",
        "     [Bitcoin] fell below $74,000 on Wednesday as a sell-off in software stocks spread to "
        "crypto. Miners that rent capacity to AI data centres dropped more than ten percent. "
        "Traders said the halving cycle no longer protects prices when the Nasdaq\u2026",
        "",
    ]
    assert lines[7] == f"     2025-12-30  CoinDesk  NEGATIVE BTC,ETF  [{ids['bitcoin-etf-outflows']}]"
    assert "source: *CoinDesk 3, Finanzblatt 1" in lines
    assert "sentiment: NEGATIVE 2, NEUTRAL 1" in lines
    with SearchService(home) as service:
        expected = service.search(SearchQuery(q="bitcoin", source=("coindesk",), sort="newest"))
    assert lines[-1] == f"fingerprint {expected.fingerprint}"


def test_search_json_is_the_search_result(home):
    result = run(home, "search", "bitcoin", "--tag", "btc", "--json", "--limit", "2", "--page", "2")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    with SearchService(home) as service:
        expected = service.search(SearchQuery(q="bitcoin", tags=("btc",), per_page=2, page=2)).to_dict()
    data.pop("took_ms"), expected.pop("took_ms")
    assert data == expected
    assert data["total"] == 4 and len(data["hits"]) == 2


def test_search_csv_has_the_hits(home):
    result = run(home, "search", "", "--lang", "de", "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["title"], r["published"], r["source"], r["tags"]) for r in rows] == [
        ("Bitcoin-Kurs fällt unter 75.000 Dollar", "2026-02-05T07:50:00Z", "finanzblatt", "BTC"),
        ("EZB lässt die Zinsen unverändert", "2026-01-29T13:15:00Z", "finanzblatt", "EZB,RATES"),
        ("DAX schließt auf Rekordhoch", "2026-01-20T16:35:00Z", "finanzblatt", "DAX,MARKETS"),
    ]


def test_search_options_reach_the_query(home):
    result = run(home, "search", "--from", "2026-02", "--to", "2026-02-05", "--sentiment", "negative",
                 "--json")
    data = json.loads(result.output)
    assert [h["title"] for h in data["hits"]] == [
        "Bitcoin-Kurs fällt unter 75.000 Dollar",
        "Bitcoin slips below $74,000 as tech stocks drag crypto lower",
        "Software stocks slide on fears that AI agents replace licences"]
    drafts = json.loads(run(home, "search", "export rules", "--drafts", "--json").output)
    assert drafts["total"] == 1
    replay = json.loads(run(home, "search", "bitcoin", "--as-of", "2026-02-04T17:00:00Z", "--json").output)
    assert (replay["total"], replay["as_of"]) == (2, "2026-02-04T17:00:00Z")


@pytest.mark.parametrize("args, message", [
    (["search", '"bitcoin'], 'Error: a quote is not closed: add the closing " (or remove the lone one)'),
    (["search", "x", "--from", "soon"], "Error: 'from' must be a date like 2026-02-04, not 'soon'"),
    (["search", "x", "--as-of", "later"], "Error: 'as_of' must be an ISO 8601 instant like 2026-02-01T00:00:00Z, not 'later'"),
])
def test_errors_are_one_line(home, args, message):
    result = run(home, *args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == message
    assert "Traceback" not in result.output


def test_search_without_an_index_explains(tmp_path):
    result = run(tmp_path, "search", "bitcoin")
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.output.startswith("Error: ")


def test_stats(home):
    result = run(home, "stats")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "19 articles (1 draft and 0 deleted not counted)"
    assert lines[lines.index("by source:") + 1:lines.index("by source:") + 3] == [
        "  CoinDesk (coindesk)             4", "  Market Wire (marketwire)        4"]
    assert lines[lines.index("by year:") + 1:] == ["  2025       7", "  2026      12"]
    data = json.loads(run(home, "stats", "--json").output)
    assert data["total"] == 19
    assert data["by_sentiment"] == [{"sentiment": "POSITIVE", "count": 9},
                                    {"sentiment": "NEGATIVE", "count": 5},
                                    {"sentiment": "NEUTRAL", "count": 5}]
    assert data["by_source"][0] == {"source": "coindesk", "name": "CoinDesk", "count": 4}


def test_help(home):
    for command in ("search", "stats"):
        result = CliRunner().invoke(main, [command, "--help"])
        assert result.exit_code == 0 and "--home" in result.output


@pytest.fixture(scope="module")
def undated_home(tmp_path_factory):
    from tests.index.fixtures import build_undated_index

    home = tmp_path_factory.mktemp("cli-undated") / "home"
    home.mkdir()
    build_undated_index(home)
    return home


def test_undated_read_date_unknown_and_the_option(undated_home):
    result = run(undated_home, "search", "miners", "--sort", "newest")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("3 matches")
    assert lines[10].startswith("  3. Bitcoin miners weigh a move to cheaper power")
    assert lines[11].startswith("     date unknown  CoinDesk  ")
    assert "by week: 2025-11-17 1, 2026-02-02 1, date unknown 1" in lines
    ranged = run(undated_home, "search", "miners", "--from", "2025")
    assert ranged.output.splitlines()[0].startswith("2 matches")
    assert "by week: 2025-11-17 1, 2026-02-02 1, date unknown 1 (not in this date range)" in \
        ranged.output.splitlines()
    included = run(undated_home, "search", "miners", "--to", "2025", "--undated", "include", "--csv",
                   "--sort", "oldest")
    rows = list(csv.DictReader(io.StringIO(included.output)))
    assert [(r["title"][:14], r["published"], r["date_source"]) for r in rows] == [
        ("Mining difficu", "2025-11-19T06:20:00Z", "provided"),
        ("Bitcoin miners", "date unknown", "ingested")]
    only = json.loads(run(undated_home, "search", "--undated", "only", "--json").output)
    assert (only["total"], only["undated"]["count"], only["query"]["undated"]) == (2, 2, "only")
    assert {h["published"] for h in only["hits"]} == {None}
    both = run(undated_home, "search", "--undated", "only", "--from", "2026")
    assert (both.exit_code, both.output.strip().splitlines()[-1]) == (
        1, "Error: 'undated=only' lists the articles without a date: it cannot have 'from' or 'to'")


def test_stats_count_undated_apart(undated_home):
    result = run(undated_home, "stats")
    assert "  date unknown       2" in result.output.splitlines()
    data = json.loads(run(undated_home, "stats", "--json").output)
    assert (data["total"], sum(y["count"] for y in data["by_year"]), data["undated"]) == (21, 19, 2)
