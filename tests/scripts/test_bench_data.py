"""The data benchmarks (sentiment, tickers): our labelled sets, their fixed split, and the quality
floors checked through the ingest path (the runs the README quotes, without VADER and timing)."""

from __future__ import annotations

from collections import Counter

from click.testing import CliRunner

from scripts import bench_sentiment
from scripts.bench_sentiment import FLOORS, read_crypto_set, split_of
from tests.conftest import SHARED


def test_the_crypto_set_and_its_split_are_what_the_readme_reports() -> None:
    rows = read_crypto_set()
    assert Counter(r.label for r in rows) == {"POSITIVE": 201, "NEGATIVE": 207, "NEUTRAL": 164}
    assert sum(bool(r.body) for r in rows) == 95  # headline + lede articles
    assert len({r.title for r in rows}) == len(rows)
    assert Counter(split_of(r.title) for r in rows) == {"dev": 387, "heldout": 185}
    assert split_of("Bitcoin falls below $30,000") == split_of("Bitcoin falls below $30,000")


def test_the_bench_meets_every_floor_through_the_ingest_path() -> None:
    devset = SHARED / "devsets" / "financial_phrasebank"
    result = CliRunner().invoke(bench_sentiment.main, ["--no-vader", "--no-speed", "--devset", str(devset)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == len(FLOORS)
    assert "BELOW" not in result.output


def test_the_ticker_bench_meets_its_floors() -> None:
    from scripts import bench_tickers

    rows = bench_tickers.read_ticker_set()
    assert (len(rows), sum(len(expected) for expected, _ in rows)) == (200, 185)
    result = CliRunner().invoke(bench_tickers.main, ["--no-speed"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == len(bench_tickers.FLOORS)
