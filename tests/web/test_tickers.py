"""Tickers end to end: texts ingested by the real command get a ``tickers`` field, the index counts
them in the ``ticker`` facet (sidebar, JSON API, command line) and the query language finds them
with ``ticker:`` / ``tickers:``."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from scripts.cli import main

TEXTS = {
    "cipher.txt": "Cipher Mining (NASDAQ: CIFR) signs AI hosting lease\n\n"
                  "Cipher Mining said on Tuesday it signed a ten-year lease. Bitcoin rose 2%.\n",
    "miners.txt": "Miners slide with AI stocks\n\n"
                  "Hut 8 (HUT), Cipher Mining and IREN fell more than 10% after AMD cut its outlook.\n",
    "solana.txt": "$SOL jumps 12%\n\nSolana rallied as memecoin trading returned to the network.\n",
    "fed.txt": "Fed holds rates\n\nThe Federal Reserve kept rates unchanged. One official dissented, "
               "and IT spending data is due on Friday.\n",
    # a file that states its own tickers keeps them (as a bulk record's currencies would be)
    "ripple.md": "---\ntitle: Ripple wins in court\npublishedAt: 2026-02-03T10:00:00Z\n"
                 "tickers: [xrp]\n---\nThe ruling lifted bitcoin too.\n",
}
TICKERS = {
    "Cipher Mining (NASDAQ: CIFR) signs AI hosting lease": ["CIFR", "BTC"],
    "Miners slide with AI stocks": ["HUT", "CIFR", "IREN", "AMD"],
    "$SOL jumps 12%": ["SOL"],
    "Fed holds rates": None,
    "Ripple wins in court": ["XRP"],
}


@pytest.fixture(scope="module")
def ticker_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("tickers") / "home"
    home.mkdir()
    inputs = home.parent / "inputs"
    inputs.mkdir()
    for name, text in TEXTS.items():
        (inputs / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", "--home", str(home), "--date", "2026-02-04", str(inputs)])
    assert result.exit_code == 0, result.output
    return home


def _files(home: Path) -> dict[str, list[str] | None]:
    from archive.store import load_yaml, split_frontmatter

    out = {}
    for path in sorted((home / "articles").rglob("*.md")):
        meta = load_yaml(split_frontmatter(path.read_text(encoding="utf-8"))[0])
        out[meta["title"]] = meta.get("tickers")
    return out


def test_ingest_writes_the_tickers_field(ticker_home: Path) -> None:
    assert _files(ticker_home) == TICKERS


def _search(home: Path, **query):
    from index.model import SearchQuery
    from index.search import SearchService

    with SearchService(home) as service:
        return service.search(SearchQuery(**query))


def test_the_ticker_facet_counts_exactly(ticker_home: Path) -> None:
    result = _search(ticker_home)
    assert [(v.value, v.label, v.count, v.selected) for v in result.facets["tickers"]] == [
        ("CIFR", "CIFR", 2, False), ("AMD", "AMD", 1, False), ("BTC", "BTC", 1, False),
        ("HUT", "HUT", 1, False), ("IREN", "IREN", 1, False), ("SOL", "SOL", 1, False),
        ("XRP", "XRP", 1, False)]
    # disjunctive: with ticker=HUT chosen, the facet still counts every ticker over the rest
    chosen = _search(ticker_home, tickers=("HUT",))
    assert chosen.total == 1
    assert [(v.value, v.count, v.selected) for v in chosen.facets["tickers"]] == [
        ("CIFR", 2, False), ("AMD", 1, False), ("BTC", 1, False), ("HUT", 1, True),
        ("IREN", 1, False), ("SOL", 1, False), ("XRP", 1, False)]
    assert chosen.facets["tickers"][3].toggle_url == "?"
    assert sorted(h.title for h in _search(ticker_home, tickers=("CIFR", "SOL")).hits) == [
        "$SOL jumps 12%", "Cipher Mining (NASDAQ: CIFR) signs AI hosting lease",
        "Miners slide with AI stocks"]


@pytest.mark.parametrize("q", ["ticker:cifr", "ticker:CIFR", "tickers:cifr", "ticker:(cifr OR xrp) -ticker:btc"])
def test_the_ticker_query_field(ticker_home: Path, q: str) -> None:
    titles = sorted(h.title for h in _search(ticker_home, q=q).hits)
    expected = {"ticker:(cifr OR xrp) -ticker:btc": ["Miners slide with AI stocks", "Ripple wins in court"]}
    assert titles == expected.get(q, ["Cipher Mining (NASDAQ: CIFR) signs AI hosting lease",
                                      "Miners slide with AI stocks"])
    hit = next(h for h in _search(ticker_home, q="ticker:hut").hits)
    assert hit.tickers == ("HUT", "CIFR", "IREN", "AMD")


def test_the_sidebar_and_the_api(ticker_home: Path) -> None:
    from web.app import create_app

    client = create_app({"HOME": ticker_home}).test_client()
    page = client.get("/?ticker=cifr")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.get_data(as_text=True))
    section = doc.cssselect("section.facet[aria-labelledby=facet-tickers]")[0]
    assert section.cssselect("h3")[0].text_content() == "Tickers"
    rows = [(a.cssselect(".label")[0].text_content(), a.cssselect(".n")[0].text_content(),
             a.get("href"), "selected" in a.get("class")) for a in section.cssselect("a.facet-value")]
    assert rows == [("CIFR", "2", "/search?", True), ("AMD", "1", "/search?ticker=CIFR&ticker=AMD", False),
                    ("BTC", "1", "/search?ticker=CIFR&ticker=BTC", False),
                    ("HUT", "1", "/search?ticker=CIFR&ticker=HUT", False),
                    ("IREN", "1", "/search?ticker=CIFR&ticker=IREN", False),
                    ("SOL", "1", "/search?ticker=CIFR&ticker=SOL", False),
                    ("XRP", "1", "/search?ticker=CIFR&ticker=XRP", False)]
    assert len(doc.cssselect("ol.hits .hit-title a")) == 2

    data = client.get("/api/search?q=ticker:sol").get_json()
    assert data["ok"] is True and data["total"] == 1
    assert data["hits"][0]["tickers"] == ["SOL"]
    assert data["facets"]["tickers"][0] == {"value": "SOL", "label": "SOL", "count": 1,
                                            "selected": False, "toggle_url": "?q=ticker%3Asol&ticker=SOL"}
    article_id = data["hits"][0]["id"]
    assert client.get(f"/api/articles/{article_id}").get_json()["article"]["tickers"] == ["SOL"]
    bad = client.get("/api/search?tickers=BTC")
    assert bad.status_code == 400 and bad.get_json()["ok"] is False
    assert "ticker" in bad.get_json()["error"]


def test_the_command_line(ticker_home: Path) -> None:
    runner = CliRunner()
    found = runner.invoke(main, ["search", "--home", str(ticker_home), "--ticker", "cifr", "--json"])
    assert found.exit_code == 0, found.output
    import json

    data = json.loads(found.output)
    assert data["total"] == 2 and data["query"]["tickers"] == ["CIFR"]
    text = runner.invoke(main, ["search", "--home", str(ticker_home), "ticker:sol"])
    assert text.exit_code == 0 and "$SOL" in text.output
    assert "tickers: SOL 1" in text.output
    stats = runner.invoke(main, ["stats", "--home", str(ticker_home), "--json"])
    assert json.loads(stats.output)["by_ticker"][0] == {"ticker": "CIFR", "count": 2}
